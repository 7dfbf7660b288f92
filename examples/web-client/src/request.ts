import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface RequestOptions {
  /** The gateway's GraphQL endpoint, e.g. `https://shop.example.com/graphql`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`; without one the request is anonymous. */
  token?: string;
  /** A server-side caller (a BFF) sends its API key instead, as `X-API-Key`. */
  apiKey?: string;
  /**
   * For a mutation: the gateway runs it once per key and replays the stored answer to a retry
   * with the same key and variables. Make one key per user intent (a UUID when the checkout
   * form is submitted) and reuse it for every retry of that submission.
   */
  idempotencyKey?: string;
  /**
   * A W3C `traceparent` (00-<32 hex trace id>-<16 hex span id>-<2 hex flags>): the gateway
   * continues this trace, and its logs and errors carry its trace id.
   */
  traceparent?: string;
  signal?: AbortSignal;
}

/** Who is calling, for the gateway's usage reports (e.g. which clients still use a deprecated field). */
export const CLIENT_NAME = 'web-shop';
export const CLIENT_VERSION = '1.0.0';

/** One GraphQL error as the gateway sends it: a stable `code` and the request's `traceId` in `extensions`. */
export interface GatewayGraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: string; traceId?: string } & Record<string, unknown>;
}

/**
 * The request failed: refused before it ran (HTTP 4xx/5xx) or answered with GraphQL errors.
 * `code` and `traceId` come from the first error (the trace id from the X-Trace-Id header when
 * the body has none); `data` holds whatever part of the answer did resolve.
 */
export class GraphQLRequestError extends Error {
  override readonly name = 'GraphQLRequestError';

  constructor(
    message: string,
    readonly code: string,
    readonly traceId: string | undefined,
    readonly status: number,
    readonly errors: readonly GatewayGraphQLError[],
    readonly data: unknown = undefined,
  ) {
    super(message);
  }
}

interface ResponseBody<TData> {
  data?: TData | null;
  errors?: GatewayGraphQLError[];
}

/** The trusted-document id codegen put on the document (`persistedDocuments`): "sha256:<hex>". */
function documentIdOf(document: TypedDocumentNode<unknown, never>): string | undefined {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  return typeof hash === 'string' ? hash : undefined;
}

/**
 * POSTs one typed operation and returns its data, or throws a GraphQLRequestError.
 *
 * The operation goes as its trusted-document id (`documentId`), not its text: the gateway runs
 * the document its manifest holds under that id, and a client locked to trusted documents may
 * send nothing else. A document without an id (written outside codegen) goes as its text.
 *
 * The headers are what the gateway asks of a browser: `content-type: application/json` (it
 * refuses other POST bodies, and a JSON body cannot be sent cross-site without a CORS
 * preflight, which is its CSRF protection), the credentials, the idempotency key of a mutation
 * and the client's name and version.
 */
export async function request<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  options: RequestOptions,
): Promise<TData> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json',
    'apollographql-client-name': CLIENT_NAME,
    'apollographql-client-version': CLIENT_VERSION,
  };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.traceparent) headers.traceparent = options.traceparent;

  const documentId = documentIdOf(document as TypedDocumentNode<unknown, never>);
  const response = await fetch(options.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...(documentId ? { documentId } : { query: print(document) }), variables }),
    signal: options.signal,
  });
  const headerTraceId = response.headers.get('x-trace-id') ?? undefined;
  const body = await readBody<TData>(response);
  if (body === undefined) {
    throw new GraphQLRequestError(
      `The gateway answered HTTP ${response.status} without a GraphQL response.`,
      'INVALID_RESPONSE',
      headerTraceId,
      response.status,
      [],
    );
  }
  const [first] = body.errors ?? [];
  if (first) {
    throw new GraphQLRequestError(
      first.message,
      first.extensions?.code ?? 'UNKNOWN',
      first.extensions?.traceId ?? headerTraceId,
      response.status,
      body.errors ?? [],
      body.data ?? undefined,
    );
  }
  if (body.data === undefined || body.data === null) {
    throw new GraphQLRequestError(
      `The gateway answered HTTP ${response.status} with neither data nor errors.`,
      'INVALID_RESPONSE',
      headerTraceId,
      response.status,
      [],
    );
  }
  return body.data;
}

/** The JSON body, or undefined when there is none (a proxy's HTML error page, say). */
async function readBody<TData>(response: Response): Promise<ResponseBody<TData> | undefined> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ResponseBody<TData>) : undefined;
  } catch {
    return undefined;
  }
}
