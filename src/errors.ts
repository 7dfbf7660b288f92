import { GraphQLError } from 'graphql';

/**
 * The closed set of error codes a client can see in `errors[].extensions.code`, whichever way
 * the request came (HTTP or WebSocket) and whichever layer refused it: the HTTP edge, Apollo
 * Server's parsing and validation, the policy pipeline, or a resolver. Anything else that
 * escapes is masked as INTERNAL_SERVER_ERROR by `formatError`.
 */
export const ErrorCode = {
  // The HTTP request itself (src/http): no GraphQL was run.
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  DOCUMENT_TOO_LARGE: 'DOCUMENT_TOO_LARGE',
  BATCH_TOO_LARGE: 'BATCH_TOO_LARGE',
  PERSISTED_QUERY_HASH_MISMATCH: 'PERSISTED_QUERY_HASH_MISMATCH',
  PERSISTED_QUERY_NOT_ALLOWED: 'PERSISTED_QUERY_NOT_ALLOWED',
  // Raised by Apollo Server itself, shown as they are.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  // The policy pipeline and the resolvers.
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  DEPRECATED_FIELD_REMOVED: 'DEPRECATED_FIELD_REMOVED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server raises itself for malformed requests: safe to show as they are. */
export const APOLLO_REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/** An error meant for the client: its message and extensions are shown as they are. */
export abstract class GatewayError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/** Refusals before any GraphQL runs carry their HTTP status; resolvers' errors never do (a partial answer is a 200). */
const httpStatus = (status: number, headers?: Record<string, string>) => ({
  http: { status, ...(headers ? { headers: new Map(Object.entries(headers)) } : {}) },
});

/**
 * The request is well-formed GraphQL but a value is unacceptable. Thrown by a resolver, the
 * field fails and the response is a 200; thrown before execution (`refusesRequest`), the
 * whole request is a 400.
 */
export class BadUserInputError extends GatewayError {
  constructor(message: string, details: { argument?: string; refusesRequest?: boolean } = {}) {
    const { refusesRequest, ...extensions } = details;
    super(ErrorCode.BAD_USER_INPUT, message, { ...extensions, ...(refusesRequest ? httpStatus(400) : {}) });
  }
}

/** The HTTP request cannot be read as GraphQL over HTTP (src/http): nothing was run. */
export class HttpRequestError extends GatewayError {
  constructor(
    code:
      | typeof ErrorCode.BAD_REQUEST
      | typeof ErrorCode.PAYLOAD_TOO_LARGE
      | typeof ErrorCode.DOCUMENT_TOO_LARGE
      | typeof ErrorCode.BATCH_TOO_LARGE
      | typeof ErrorCode.PERSISTED_QUERY_HASH_MISMATCH
      | typeof ErrorCode.BAD_USER_INPUT
      | typeof ErrorCode.NOT_FOUND,
    readonly status: number,
    message: string,
  ) {
    super(code, message, httpStatus(status));
  }
}

/** An Apollo-style persisted-query refusal: 200 and never cached, as Apollo Server answers them, so that APQ clients handle both alike. */
const persistedQueryHttp = { http: { status: 200, headers: new Map([['cache-control', 'private, no-cache, must-revalidate']]) } };

/**
 * A document id or hash the gateway cannot run: not a trusted document (`documentId` names only
 * those), or, over WebSocket, an automatic persisted query (APQ is HTTP only).
 */
export class PersistedDocumentError extends GatewayError {
  constructor(code: typeof ErrorCode.PERSISTED_QUERY_NOT_FOUND | typeof ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED, message: string) {
    super(code, message, persistedQueryHttp);
  }
}

/**
 * The client is locked to trusted documents (TRUSTED_DOCUMENTS_CLIENTS) and sent a document, or
 * an id, that the manifest does not hold for it (HTTP 400): nothing was run.
 */
export class PersistedQueryNotAllowedError extends GatewayError {
  constructor(client: string) {
    super(
      ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
      `The client ${client} may only run its registered (trusted) documents: send the documentId (sha256:<hex>) or extensions.persistedQuery.sha256Hash of a document published for it (schema/operations/${client}/, npm run documents:publish).`,
      httpStatus(400),
    );
  }
}

/** The operation's shape is over one of the structural limits (depth, aliases, ...): refused before execution. */
export class OperationLimitError extends GatewayError {
  constructor(message: string, details: { limit: string; actual: number; maximum: number }) {
    super(ErrorCode.GRAPHQL_VALIDATION_FAILED, message, { ...details, ...httpStatus(400) });
  }
}

/**
 * The database did not answer in time, or is unreachable, or gave way to a conflicting
 * transaction: nothing the client did wrong. Retrying after `Retry-After` is safe for queries,
 * and for mutations sent with an Idempotency-Key (HTTP 503).
 */
export class ServiceUnavailableError extends GatewayError {
  constructor(message = 'The service is busy or its database is unavailable: retry shortly.', retryAfterSeconds = 1) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, { retryAfterSeconds, ...httpStatus(503, { 'retry-after': String(retryAfterSeconds) }) });
  }
}

/** The thing asked for does not exist (or the viewer may not know that it exists). */
export class NotFoundError extends GatewayError {
  constructor(message: string) {
    super(ErrorCode.NOT_FOUND, message);
  }
}

/**
 * Credentials were sent but are not acceptable (malformed, expired, wrongly signed, revoked).
 * The whole request fails with HTTP 401: answering as anonymous would hide the client's bug.
 */
export class BadCredentialsError extends GatewayError {
  constructor(reason: string) {
    super(ErrorCode.UNAUTHENTICATED, `Invalid credentials: ${reason}.`, {
      http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) },
    });
  }
}

/** The same answer for an id of no row and an id of a row the viewer may not see. */
export function notFound(type: string): never {
  throw new NotFoundError(`No ${type} has this id, or you may not see it.`);
}

/** The viewer may not read this; an anonymous viewer gets AuthenticationRequiredError instead. */
export class ForbiddenError extends GatewayError {
  constructor(message: string) {
    super(ErrorCode.FORBIDDEN, message);
  }
}

/** GET /metrics on the gateway's port needs METRICS_TOKEN as a bearer token (HTTP 401). */
export class MetricsTokenRequiredError extends GatewayError {
  constructor() {
    super(
      ErrorCode.UNAUTHENTICATED,
      'GET /metrics needs the metrics token: send Authorization: Bearer <METRICS_TOKEN>.',
      httpStatus(401, { 'www-authenticate': 'Bearer realm="metrics"' }),
    );
  }
}

/** This needs a signed-in viewer (the field fails; the request goes on). */
export class AuthenticationRequiredError extends GatewayError {
  constructor(message: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}

/**
 * The operation reads the schema by introspection where it is not open (outside development,
 * without INTROSPECTION=on) and the viewer lacks the schema:read scope: the whole request is
 * refused (HTTP 403, or 401 for an anonymous client).
 */
export class IntrospectionNotAllowedError extends GatewayError {
  constructor(anonymous: boolean) {
    super(
      anonymous ? ErrorCode.UNAUTHENTICATED : ErrorCode.FORBIDDEN,
      'Introspection is not allowed here without the schema:read scope (it is open to everyone in development, or with INTROSPECTION=on).',
      anonymous ? httpStatus(401, { 'www-authenticate': 'Bearer' }) : httpStatus(403),
    );
  }
}

/** The operation's estimated cost is above the maximum: rejected before execution (HTTP 400). */
export class QueryTooComplexError extends GatewayError {
  constructor(cost: number, maximumCost: number) {
    super(
      ErrorCode.QUERY_TOO_COMPLEX,
      `The operation costs ${Number.isFinite(cost) ? cost : 'more than can be estimated'} points, above the maximum of ${maximumCost}: ` +
        'ask for fewer items (first/last), fewer nested lists, or split the query.',
      { cost: Number.isFinite(cost) ? cost : null, maximumCost, http: { status: 400 } },
    );
  }
}

/** The client's bucket of cost points holds less than the operation costs (HTTP 429). */
export class RateLimitedError extends GatewayError {
  constructor(cost: number, available: number, retryAfterSeconds: number, restoreRate: number) {
    super(
      ErrorCode.RATE_LIMITED,
      `Rate limited: the operation costs ${cost} points and ${available} are available, restored at ${restoreRate} a second; retry in ${retryAfterSeconds} s.`,
      { cost, retryAfterSeconds, http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
    );
  }
}

/**
 * The API key has used up its cost quota for the period (a UTC day or month): HTTP 429 with
 * Retry-After until the period ends. Unlike RATE_LIMITED, waiting a few seconds does not help.
 */
export class QuotaExceededError extends GatewayError {
  constructor(period: 'day' | 'month', limit: number, used: number, resetAt: number, retryAfterSeconds: number) {
    super(
      ErrorCode.QUOTA_EXCEEDED,
      `Quota exceeded: this API key has used ${used} of its ${limit} cost points for the ${period === 'day' ? 'day' : 'month'} (UTC); ` +
        `it resets at ${new Date(resetAt).toISOString()}, in ${retryAfterSeconds} s.`,
      { period, limit, used, resetAt: new Date(resetAt).toISOString(), retryAfterSeconds, ...httpStatus(429, { 'retry-after': String(retryAfterSeconds) }) },
    );
  }
}

/** The Idempotency-Key was already used for a different request (HTTP 422). */
export class IdempotencyKeyReusedError extends GatewayError {
  constructor(reason: 'request' | 'viewer' = 'request') {
    super(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      reason === 'request'
        ? 'This Idempotency-Key was used for a different request: use a new key for a new request.'
        : 'This Idempotency-Key was used by a viewer who sees other rows (another customer): use a new key.',
      httpStatus(422),
    );
  }
}

/** The first request with this Idempotency-Key is still running after the wait (HTTP 409). */
export class IdempotencyKeyInProgressError extends GatewayError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS, `A request with this Idempotency-Key is still in progress: retry in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      ...httpStatus(409, { 'retry-after': String(retryAfterSeconds) }),
    });
  }
}

/** The operation uses deprecated coordinates past their sunset date (policy: reject; HTTP 400). */
export class DeprecatedFieldRemovedError extends GatewayError {
  constructor(removed: Array<{ coordinate: string; removeAfter: string }>) {
    super(
      ErrorCode.DEPRECATED_FIELD_REMOVED,
      `Removed from the API: ${removed.map((r) => `${r.coordinate} (sunset ${r.removeAfter})`).join(', ')}. See extensions.removed and each coordinate's replacement in the schema.`,
      { removed, http: { status: 400 } },
    );
  }
}

/** A failure of the gateway itself, answered without its cause (which is logged under the trace id). */
export class InternalServerError extends GatewayError {
  constructor() {
    super(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', httpStatus(500));
  }
}

export function isClientSafeError(error: unknown): boolean {
  if (error instanceof GatewayError) return true;
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === 'string' && APOLLO_REQUEST_ERROR_CODES.has(code);
}
