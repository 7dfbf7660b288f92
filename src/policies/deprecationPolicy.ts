import type { GraphQLSchema } from 'graphql';
import { findDeprecatedUsage } from '../deprecations/findDeprecatedUsage';
import { deprecatedCoordinates, type DeprecationRegistry } from '../deprecations/registry';
import type { DeprecatedUsageRecorder } from '../deprecations/usageRecorder';
import { DeprecatedFieldRemovedError } from '../errors';
import type { Policy } from '../pipeline/pipeline';

export type DeprecationPolicy = 'warn' | 'reject';

/**
 * Deprecation governance per request, decided before execution from the analysis: finds the
 * deprecated coordinates the operation uses (cached per document and variables), counts them
 * per client (batched writes, off the request's path), warns in `extensions.deprecations`,
 * and, with the reject policy, refuses coordinates past their sunset date with
 * DEPRECATED_FIELD_REMOVED.
 */
export function deprecationPolicy(options: {
  schema: GraphQLSchema;
  registry: DeprecationRegistry;
  recorder: DeprecatedUsageRecorder;
  policy: DeprecationPolicy;
  today?: () => string;
}): Policy {
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const deprecated = deprecatedCoordinates(options.schema);
  return {
    name: 'deprecation',
    prepare(state) {
      if (deprecated.size === 0) return;
      const { request } = state.operation!;
      const used = request.cached('deprecations', () => findDeprecatedUsage(request, deprecated));
      state.deprecations = used;
      if (used.length === 0) return;
      options.recorder.record(used, state.client);
      if (options.policy === 'reject') {
        const removed = used.filter((c) => (options.registry.get(c)?.removeAfter ?? '9999') < today());
        if (removed.length) throw new DeprecatedFieldRemovedError(removed.map((c) => ({ coordinate: c, removeAfter: options.registry.get(c)!.removeAfter })));
      }
    },
    complete(state, body) {
      const used = state.deprecations;
      if (!used?.length || body.data === undefined) return;
      body.extensions = {
        ...body.extensions,
        deprecations: used.map((coordinate) => {
          const entry = options.registry.get(coordinate);
          return { coordinate, reason: entry?.reason, replacement: entry?.replacement, removeAfter: entry?.removeAfter };
        }),
      };
    },
  };
}
