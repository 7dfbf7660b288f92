import { GraphQLError } from 'graphql';

/**
 * The closed set of error codes a client can see in `errors[].extensions.code`.
 * Apollo Server adds its own request-level codes (GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED, BAD_REQUEST, PERSISTED_QUERY_NOT_FOUND,
 * OPERATION_RESOLUTION_FAILURE); everything else that escapes is masked as
 * INTERNAL_SERVER_ERROR by `formatError`.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
  DEPRECATED_FIELD_REMOVED: 'DEPRECATED_FIELD_REMOVED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server raises itself for malformed requests: safe to show as they are. */
export const APOLLO_REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** An error meant for the client: its message and extensions are shown as they are. */
export abstract class GatewayError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

/** The request is well-formed GraphQL but an argument's value is unacceptable. */
export class BadUserInputError extends GatewayError {
  constructor(message: string, details: { argument?: string } = {}) {
    super(ErrorCode.BAD_USER_INPUT, message, details);
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

/** This needs a signed-in viewer (the field fails; the request goes on). */
export class AuthenticationRequiredError extends GatewayError {
  constructor(message: string) {
    super(ErrorCode.UNAUTHENTICATED, message);
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

/** The Idempotency-Key was already used for a different request (HTTP 422). */
export class IdempotencyKeyReusedError extends GatewayError {
  constructor() {
    super(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used for a different request: use a new key for a new request.', {
      http: { status: 422 },
    });
  }
}

/** The first request with this Idempotency-Key is still running after the wait (HTTP 409). */
export class IdempotencyKeyInProgressError extends GatewayError {
  constructor() {
    super(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS, 'A request with this Idempotency-Key is still in progress: retry shortly.', {
      http: { status: 409, headers: new Map([['retry-after', '1']]) },
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

export function isClientSafeError(error: unknown): boolean {
  if (error instanceof GatewayError) return true;
  if (!(error instanceof GraphQLError)) return false;
  const code = error.extensions?.code;
  return typeof code === 'string' && APOLLO_REQUEST_ERROR_CODES.has(code);
}
