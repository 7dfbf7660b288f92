import type { AccessRules } from '../auth/accessRules';
import { applyDenials, planAuthorization } from '../auth/authorizationPlan';
import { AuthenticationRequiredError, ErrorCode, ForbiddenError, IntrospectionNotAllowedError } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import type { RequestState } from '../pipeline/requestState';

/**
 * Field-level authorization, decided once per request before execution (never per field):
 * denied fields are removed from the operation, so none of their resolvers or loaders run,
 * and come back as null with a FORBIDDEN (or, for anonymous viewers, UNAUTHENTICATED) error
 * at each path where they would have been, while the rest of the query resolves. A
 * subscription whose root field is denied is refused as a whole: it would deliver nothing.
 * A replayed idempotent response is authorized again for the viewer who replays it.
 * Introspection (`__schema`, `__type`) is open where `introspection` says (development), and
 * otherwise to viewers with the schema:read scope.
 */
export function authorizationPolicy(rules: AccessRules, { introspection }: { introspection: boolean } = { introspection: true }): Policy {
  const complete: Policy['complete'] = (state, body) => {
    const plan = state.authorization;
    if (!plan || plan.denied.size === 0 || !state.operation || !body.data) return;
    const { data, errors } = applyDenials(body.data, plan, state.operation.request, body.errors ?? []);
    body.data = data;
    if (errors.length) body.errors = [...(body.errors ?? []), ...errors];
  };
  return {
    name: 'authorization',
    prepare(state) {
      const { analysis, request } = state.operation!;
      if (analysis.shape.introspects && !introspection && !state.viewer?.scopes.has('schema:read')) {
        throw new IntrospectionNotAllowedError(state.viewer === null);
      }
      const plan = planAuthorization(rules, request, state.viewer?.scopes, { markTypes: storesResponse(state) });
      state.authorization = plan;
      state.executedDocument = plan.document;
      if (analysis.operationType === 'subscription') {
        const rootType = analysis.graph.root.type.name;
        const denied = [...plan.denied].find(([coordinate]) => coordinate.startsWith(`${rootType}.`));
        if (denied) {
          const [, { code, message }] = denied;
          throw code === ErrorCode.UNAUTHENTICATED ? new AuthenticationRequiredError(message) : new ForbiddenError(message);
        }
      }
    },
    complete,
    completeEvent: complete,
  };
}

/** A mutation with an Idempotency-Key: its response is stored, to be re-authorized when replayed. */
function storesResponse(state: RequestState): boolean {
  return state.idempotencyKey !== undefined && state.operation?.analysis.operationType === 'mutation';
}
