import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import type { GraphQLContext } from '../context/GraphQLContext';
import { findDeprecatedUsage } from '../deprecations/findDeprecatedUsage';
import { deprecatedCoordinates, type DeprecationRegistry } from '../deprecations/registry';
import type { DeprecatedUsageRecorder } from '../deprecations/usageRecorder';
import { DeprecatedFieldRemovedError } from '../errors';

export type DeprecationPolicy = 'warn' | 'reject';

const MAX_CACHED_VARIANTS = 64;

/**
 * Deprecation governance per request, decided before execution: finds the deprecated
 * coordinates the operation uses (cached per document and variables), counts them per client
 * (batched writes, off the request's path), warns in `extensions.deprecations`, and, with the
 * reject policy, refuses coordinates past their sunset date with DEPRECATED_FIELD_REMOVED.
 */
export function deprecationPlugin(options: {
  registry: DeprecationRegistry;
  recorder: DeprecatedUsageRecorder;
  policy: DeprecationPolicy;
  today?: () => string;
}): ApolloServerPlugin<GraphQLContext> {
  const today = options.today ?? (() => new Date().toISOString().slice(0, 10));
  const cache = new WeakMap<DocumentNode, Map<string, string[]>>();
  let deprecated: Map<string, string> | undefined;
  return {
    async requestDidStart({ schema }) {
      deprecated ??= deprecatedCoordinates(schema);
      let used: string[] = [];
      return {
        async didResolveOperation({ document, operationName, request, contextValue }) {
          if (deprecated!.size === 0) return;
          let variants = cache.get(document);
          if (!variants) cache.set(document, (variants = new Map()));
          const key = `${operationName ?? ''}\u0000${JSON.stringify(request.variables ?? {})}`;
          let found = variants.get(key);
          if (!found) {
            found = findDeprecatedUsage(schema, document, operationName, request.variables, deprecated!);
            if (variants.size >= MAX_CACHED_VARIANTS) variants.delete(variants.keys().next().value!);
            variants.set(key, found);
          }
          used = found;
          if (used.length === 0) return;
          options.recorder.record(used, contextValue.client);
          if (options.policy === 'reject') {
            const removed = used.filter((c) => (options.registry.get(c)?.removeAfter ?? '9999') < today());
            if (removed.length) throw new DeprecatedFieldRemovedError(removed.map((c) => ({ coordinate: c, removeAfter: options.registry.get(c)!.removeAfter })));
          }
        },
        async willSendResponse({ response }) {
          if (used.length === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            deprecations: used.map((coordinate) => {
              const entry = options.registry.get(coordinate);
              return { coordinate, reason: entry?.reason, replacement: entry?.replacement, removeAfter: entry?.removeAfter };
            }),
          };
        },
      };
    },
  };
}
