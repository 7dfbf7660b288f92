import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import type { AccessRules } from '../auth/accessRules';
import { applyDenials, planAuthorization, type AuthorizationPlan, type ResponseError } from '../auth/authorizationPlan';
import type { GraphQLContext } from '../context/GraphQLContext';
import { REPLAY_HEADER } from './idempotencyPlugin';

/**
 * Field-level authorization, decided once per request before execution (never per field):
 * denied fields are removed from the operation, so none of their resolvers or loaders run,
 * and come back as null with a FORBIDDEN (or, for anonymous viewers, UNAUTHENTICATED) error
 * at their path while the rest of the query resolves, as Apollo Router does.
 */
export function authorizationPlugin(rules: AccessRules): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      let plan: AuthorizationPlan | undefined;
      return {
        async didResolveOperation(requestContext) {
          plan = planAuthorization({
            schema: requestContext.schema,
            rules,
            document: requestContext.document,
            operationName: requestContext.operationName,
            variables: requestContext.request.variables,
            scopes: requestContext.contextValue.viewer?.scopes,
          });
          // Apollo executes requestContext.document; this is the one place that narrows it.
          if (plan.denials.length) (requestContext as { document: DocumentNode }).document = plan.document;
        },
        async willSendResponse({ response, contextValue }) {
          // A replayed response (idempotency) already carries its denials.
          if (!plan?.denials.length || response.body.kind !== 'single' || response.http.headers.get(REPLAY_HEADER)) return;
          const result = response.body.singleResult;
          const errors: ResponseError[] = [];
          const data = applyDenials((result.data as Record<string, unknown> | null | undefined) ?? null, plan.denials, errors);
          result.data = data;
          result.errors = [
            ...(result.errors ?? []),
            ...errors.map((error) => ({ ...error, extensions: { ...error.extensions, traceId: contextValue.traceId } })),
          ];
        },
      };
    },
  };
}
