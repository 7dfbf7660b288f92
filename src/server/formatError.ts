import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isRetryableDatabaseError } from '../db/retryableErrors';
import { ErrorCode, GatewayError, isClientSafeError, ServiceUnavailableError } from '../errors';

/** Longer messages are cut: some echo what the client sent (an operation name, a value). */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * The one place that decides what a client sees of an error. Coded errors from errors.ts and
 * Apollo's request errors pass as they are (their messages cut to MAX_MESSAGE_LENGTH); a
 * database that timed out, refused a lock or is unreachable becomes SERVICE_UNAVAILABLE,
 * which a client may retry; anything else (a bug) becomes INTERNAL_SERVER_ERROR with no
 * message, stack or SQL, except in development.
 */
export function createFormatError({ exposeInternals }: { exposeInternals: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const causes = causesOf(error);
    if (causes.some(isClientSafeError)) {
      // A scalar refusing a literal is reported by validation: its own code says more than
      // Apollo's GRAPHQL_VALIDATION_FAILED, and matches what the same value in a variable gets.
      const coded = causes.find((cause): cause is GatewayError => cause instanceof GatewayError);
      const code = coded?.extensions.code ?? formatted.extensions?.code;
      const message = formatted.message.length > MAX_MESSAGE_LENGTH ? `${formatted.message.slice(0, MAX_MESSAGE_LENGTH)}…` : formatted.message;
      // An error's HTTP status and headers are for the response, not its body (Apollo strips
      // them over HTTP; over WebSocket they would show).
      // Nor has a client's mistake a stack trace, even in development: only our failures do.
      const { http: _http, stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message, extensions: { ...extensions, code } };
    }
    const located = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    const unavailable = classifyFailure(causes[causes.length - 1]);
    if (unavailable) {
      const { http: _http, ...extensions } = unavailable.extensions as Record<string, unknown>;
      return { message: unavailable.message, ...located, extensions };
    }
    if (exposeInternals) {
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    return { message: 'Internal server error', ...located, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

/** The error and what it wraps (a resolver's error inside its located GraphQLError, an event stream's failure). */
function causesOf(error: unknown): unknown[] {
  const chain = [error];
  for (let current = error; current instanceof GraphQLError && current.originalError && chain.length < 10; current = current.originalError) {
    chain.push(current.originalError);
  }
  return chain;
}

/** A failure that is not the client's and not a bug: the database is slow, busy or away. */
export function classifyFailure(error: unknown): GatewayError | undefined {
  return isRetryableDatabaseError(error) ? new ServiceUnavailableError() : undefined;
}

/**
 * Logs, under the trace id, each error whose cause formatError hides from the client: a bug at
 * error level, an unavailable database at warn level (the client was told to retry).
 */
export function logUnexpectedErrors(logger: Logger, errors: readonly GraphQLError[], traceId: string): void {
  for (const error of errors) {
    const causes = causesOf(error);
    if (causes.some(isClientSafeError)) continue;
    const cause = causes[causes.length - 1];
    if (classifyFailure(cause)) logger.warn({ err: cause, traceId, path: error.path }, 'database unavailable');
    else logger.error({ err: cause, traceId, path: error.path }, 'unexpected error');
  }
}
