import { createHash } from 'node:crypto';
import { isMalformedString } from '../analysis/operationAnalysis';
import { BadUserInputError, ErrorCode, HttpRequestError, type GatewayError } from '../errors';

/** One operation as a client sends it (a POST body, an item of a batch, a WebSocket subscribe payload). */
export interface SentOperation {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
  /** A trusted document's id (GraphQL over HTTP, persisted documents): `sha256:<hex>`. */
  documentId?: unknown;
}

/** A document id as the persisted-documents proposal writes a SHA-256 one: `sha256:` and 64 lower-case hex digits. */
export const DOCUMENT_ID = /^sha256:[0-9a-f]{64}$/;

export interface SentOperationLimits {
  maxDocumentBytes: number;
  /** How deeply variables (and extensions) may nest objects and lists. */
  maxVariablesDepth: number;
}

/** The documented format of an idempotency key: 1 to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A key in the operation's extensions (`extensions.idempotencyKey`): one per operation of a batch, and over WebSocket. */
export function idempotencyKeyOf(extensions: Record<string, unknown> | null | undefined): string | undefined {
  const key = extensions?.idempotencyKey;
  return typeof key === 'string' ? key : undefined;
}

/** Refuses a malformed Idempotency-Key (HTTP 400), whatever the operation. */
export function checkIdempotencyKey(key: string | undefined): GatewayError | undefined {
  if (key === undefined || IDEMPOTENCY_KEY.test(key)) return undefined;
  return new BadUserInputError('An Idempotency-Key is 1 to 255 visible ASCII characters (no spaces or control characters), e.g. a UUID.', {
    refusesRequest: true,
  });
}

/**
 * What every transport checks before GraphQL sees an operation, so that nothing downstream
 * recurses into a hostile value or stores text PostgreSQL refuses: the document's size, the
 * depth of variables and extensions (walked iteratively, before anything walks them
 * recursively), NUL and unpaired surrogates in any string they hold, the format of a
 * per-operation idempotency key, a malformed `documentId`, and an automatic persisted query
 * whose hash is not its query's (an empty query with a hash counts as none: graphql-ws needs a
 * string there).
 */
export function checkSentOperation(operation: SentOperation, limits: SentOperationLimits): GatewayError | undefined {
  const { query, operationName, variables, extensions, documentId } = operation;
  const malformed = (what: string) => new HttpRequestError(ErrorCode.BAD_REQUEST, 400, what);
  if (query !== undefined && query !== null && typeof query !== 'string') return malformed('`query` must be a string.');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return malformed('`operationName` must be a string.');
  if (!isOptionalObject(variables)) return malformed('`variables` must be an object (not a JSON-encoded string, nor a list).');
  if (!isOptionalObject(extensions)) return malformed('`extensions` must be an object.');
  if (documentId !== undefined && documentId !== null && (typeof documentId !== 'string' || !DOCUMENT_ID.test(documentId))) {
    return malformed('`documentId` is "sha256:" followed by the 64 lower-case hex digits of the document\'s SHA-256.');
  }
  if (typeof documentId === 'string' && typeof query === 'string' && query !== '') return malformed('Send a `documentId` or a `query`, not both.');
  if (typeof query === 'string' && Buffer.byteLength(query) > limits.maxDocumentBytes) {
    return new HttpRequestError(ErrorCode.DOCUMENT_TOO_LARGE, 413, `A GraphQL document may be at most ${limits.maxDocumentBytes} bytes.`);
  }
  for (const [what, value] of [
    ['variables', variables],
    ['extensions', extensions],
  ] as const) {
    const problem = findJsonProblem(value, limits.maxVariablesDepth);
    if (problem === 'depth')
      return new BadUserInputError(`The ${what} nest objects and lists deeper than ${limits.maxVariablesDepth} levels.`, { refusesRequest: true });
    if (problem === 'string')
      return new BadUserInputError(`A string in the ${what} holds a NUL character or an unpaired surrogate, which is not valid text.`, {
        refusesRequest: true,
      });
  }
  const ext = extensions !== null && typeof extensions === 'object' ? (extensions as Record<string, unknown>) : undefined;
  if (ext && 'idempotencyKey' in ext) {
    const key = ext.idempotencyKey;
    if (typeof key !== 'string') return checkIdempotencyKey('');
    const invalid = checkIdempotencyKey(key);
    if (invalid) return invalid;
  }
  const persisted = ext?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (persisted !== undefined && persisted !== null) {
    if (persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') {
      return new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'extensions.persistedQuery is { version: 1, sha256Hash: "<hex SHA-256 of the query>" }.');
    }
  }
  if (typeof query === 'string' && query !== '' && typeof persisted?.sha256Hash === 'string') {
    // Compared as Apollo Server compares it: the lower-case hex digest, exactly.
    const hash = createHash('sha256').update(query).digest('hex');
    if (hash !== persisted.sha256Hash) {
      return new HttpRequestError(
        ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
        400,
        'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it.',
      );
    }
  }
  return undefined;
}

function isOptionalObject(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
}

/** The first problem of a JSON value: nested deeper than `maxDepth`, or a malformed string (keys included). */
export function findJsonProblem(value: unknown, maxDepth: number): 'depth' | 'string' | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (isMalformedString(current)) return 'string';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return 'depth';
    if (Array.isArray(current)) {
      for (const item of current) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (isMalformedString(key)) return 'string';
      stack.push([item, depth + 1]);
    }
  }
  return undefined;
}
