import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../context/GraphQLContext';
import { ErrorCode, HttpRequestError } from '../errors';
import { failSpan, tracer } from '../observability/tracing';
import { logUnexpectedErrors } from '../server/formatError';
import type { PolicyPipeline } from './pipeline';
import { newRequestState, type RequestState } from './requestState';
import { idempotencyKeyOf } from './sentOperation';
import { cachedBodyOf } from '../policies/responseCachePolicy';

/**
 * The policy pipeline inside Apollo Server, for HTTP: one plugin, so that the pipeline's
 * order holds (Apollo runs the same hook of several plugins concurrently). It prepares the
 * request once the operation is resolved (after parsing and validation), narrows the document
 * that executes, answers replays and response-cache hits without executing, and completes every response, including
 * the ones Apollo refused before the pipeline ran (parse and validation errors).
 */
export function apolloPipelinePlugin(pipeline: PolicyPipeline, logger: Logger, requestTimeoutMs: number): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue, request }) {
      const context = contextValue;
      const state: RequestState = newRequestState({
        transport: 'http',
        traceId: context.traceId,
        clientAddress: context.clientAddress,
        client: context.client,
        documentBytes: Buffer.byteLength(request.query ?? ''),
        idempotencyKey: idempotencyKeyOf(request.extensions) ?? context.idempotencyKey,
        work: context.work,
        viewer: context.viewer,
        verifyViewer: async () => context.viewer, // authenticated when the request arrived
        timeoutMs: requestTimeoutMs,
        startedAt: context.startedAt,
      });
      return {
        async parsingDidStart() {
          const span = tracer.startSpan('graphql.parse');
          return async (error) => {
            if (error) failSpan(span, error);
            span.end();
          };
        },
        async validationDidStart() {
          const span = tracer.startSpan('graphql.validate');
          return async (errors) => {
            if (errors?.length) span.setAttribute('graphql.validation.errors', errors.length);
            span.end();
          };
        },
        async didResolveOperation(requestContext) {
          if (requestContext.operation?.operation === 'subscription') {
            throw new HttpRequestError(
              ErrorCode.BAD_REQUEST,
              400,
              'Subscriptions are served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP.',
            );
          }
          await pipeline.prepare(state, {
            source: requestContext.source,
            document: requestContext.document,
            operationName: requestContext.request.operationName ?? undefined,
            variables: requestContext.request.variables,
          });
          // Apollo executes requestContext.document: this is the one place that narrows it.
          if (state.executedDocument) (requestContext as { document: typeof state.executedDocument }).document = state.executedDocument;
          if (state.idempotency && 'claim' in state.idempotency) requestContext.contextValue.idempotencyClaim = state.idempotency.claim;
        },
        async responseForOperation({ requestIsBatched }) {
          const cached = cachedBodyOf(state);
          if (cached) return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: cached } };
          if (!state.idempotency || !('replay' in state.idempotency)) return null;
          const { status, body } = state.idempotency.replay;
          // A batch shares one status line: each operation's replay says so in its extensions.
          return {
            http: { status: requestIsBatched ? undefined : status, headers: new HeaderMap() },
            body: { kind: 'single', singleResult: structuredClone(body) },
          };
        },
        async didEncounterErrors({ errors }) {
          logUnexpectedErrors(logger, errors, state.traceId);
        },
        async willSendResponse({ response, requestIsBatched }) {
          if (response.body.kind !== 'single') return;
          // The operations of a batch share one response head: another operation's status or
          // headers are not this one's, so it keeps its own (what its idempotency key stores).
          if (!requestIsBatched) state.http.status ??= response.http.status;
          await pipeline.complete(state, response.body.singleResult as Parameters<PolicyPipeline['complete']>[1]);
          if (requestIsBatched) return;
          if (state.http.status !== undefined) response.http.status = state.http.status;
          for (const [name, value] of state.http.headers) response.http.headers.set(name, value);
        },
      };
    },
  };
}
