import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../context/GraphQLContext';
import { isClientSafeError } from '../errors';

/**
 * Completes the error envelope once per response: every error gets the request's
 * `extensions.traceId`, and every unexpected error is logged with its cause under that id,
 * since formatError hides the cause from the client.
 */
export function errorEnvelopePlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const cause = unwrapResolverError(error);
            if (!isClientSafeError(cause) && !isClientSafeError(error)) {
              logger.error({ err: cause, traceId: contextValue.traceId, path: error.path }, 'unexpected error');
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((error) => ({
            ...error,
            extensions: { ...error.extensions, traceId: contextValue.traceId },
          }));
        },
      };
    },
  };
}
