import type { GraphQLFormattedError } from 'graphql';
import { stripAuthorizationMarkers } from '../auth/authorizationPlan';
import { ErrorCode } from '../errors';
import type { Policy } from './pipeline';

/**
 * Stamps the request's trace id on every error: the one place it is done, for responses of
 * the pipeline and for refusals at the HTTP edge alike.
 */
export function withTraceId<E extends GraphQLFormattedError>(errors: readonly E[], traceId: string): E[] {
  return errors.map((error) => ({ ...error, extensions: { ...error.extensions, traceId } }));
}

/**
 * Completes every response's shape: removes what the narrowed document added (placeholders,
 * type markers), stamps the trace id on the errors and, when the database was unavailable and
 * nothing was answered, makes the response a 503 with Retry-After that HTTP clients and proxies
 * can act on. (Its log line, with the codes, is the observation step's.)
 */
export function responseEnvelope(): Policy {
  const complete: Policy['complete'] = (state, body) => {
    if (state.authorization?.marksTypes && body.data) stripAuthorizationMarkers(body.data);
    if (!body.errors?.length) return;
    body.errors = withTraceId(body.errors, state.traceId);
    const unavailable = body.errors.find((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE);
    if (unavailable && answersNothing(body.data)) {
      state.http.status = 503;
      state.http.headers.set('retry-after', String(unavailable.extensions?.retryAfterSeconds ?? 1));
    }
  };
  return { name: 'envelope', complete, completeEvent: complete };
}

function answersNothing(data: Record<string, unknown> | null | undefined): boolean {
  return !data || Object.values(data).every((value) => value === null);
}
