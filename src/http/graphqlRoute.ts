import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { Authenticate } from '../auth/authenticate';
import type { Viewer } from '../auth/viewer';
import type { GraphQLContext } from '../context/GraphQLContext';
import { beforeDeadline, PAST_DEADLINE } from '../deadline';
import { ErrorCode, GatewayError, HttpRequestError, ServiceUnavailableError } from '../errors';
import { checkIdempotencyKey, checkSentOperation, type SentOperation, type SentOperationLimits } from '../pipeline/sentOperation';
import type { TrustedDocuments } from '../persistedDocuments/trustedDocuments';
import type { EdgeRequest } from './httpHandler';
import type { InFlightRequests } from './inFlightRequests';
import { isJsonContentType, readBody } from './requestBody';
import { sendError } from './responses';
import { matchesIfNoneMatch } from '../caching/httpCaching';
import type { ClientAddressOf } from './clientAddress';

/** What the route knows of a request before GraphQL runs, for the context. */
export interface HttpRequestInfo {
  traceId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  clientAddress: string;
  idempotencyKey: string | undefined;
  clientName: string | undefined;
  clientVersion: string | undefined;
}

export interface GraphQLRouteOptions {
  apollo: ApolloServer<GraphQLContext>;
  authenticate: Authenticate;
  createContext: (request: HttpRequestInfo, viewer: Viewer | null) => GraphQLContext;
  /** Maps a failure to authenticate (e.g. the API key table unreachable) to a coded error, or undefined. */
  classifyFailure: (error: unknown) => GatewayError | undefined;
  /** RATE_LIMITED when the client's bucket is empty: checked before any GraphQL work. */
  refuseIfThrottled: (viewer: Viewer | null, clientAddress: string) => Promise<GatewayError | undefined>;
  clientAddressOf: ClientAddressOf;
  /** Turns a trusted document's id into its document; refuses what a locked client may not send. */
  trustedDocuments: TrustedDocuments;
  limits: SentOperationLimits & { maxBodyBytes: number; maxBatchSize: number; requestTimeoutMs: number };
  inFlight: InFlightRequests;
  logger: Logger;
}

/**
 * POST and GET /graphql (GraphQL over HTTP): reads and bounds the body, checks each operation
 * (see checkSentOperation), authenticates, puts trusted documents in place of their ids (and
 * refuses anything else from a client locked to them), then hands the request to Apollo Server, whose
 * pipeline plugin runs the policies. A request still running at REQUEST_TIMEOUT_MS is answered
 * with 503 SERVICE_UNAVAILABLE and Retry-After; it goes on to its end in the background (its
 * SQL is bounded by the database timeouts), tracked so that shutdown waits for it.
 */
export function createGraphQLRoute(options: GraphQLRouteOptions) {
  const { apollo, authenticate, createContext, classifyFailure, limits, inFlight } = options;
  return async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, { traceId, startedAt }: EdgeRequest): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (method === 'POST') {
      const raw = await readBody(req, limits.maxBodyBytes);
      if (raw === null)
        return sendError(res, new HttpRequestError(ErrorCode.PAYLOAD_TOO_LARGE, 413, `Request body exceeds ${limits.maxBodyBytes} bytes.`), traceId);
      // Only JSON: a form or plain-text POST is what a cross-site page can send without a preflight.
      if (!isJsonContentType(headers.get('content-type'))) {
        return sendError(res, new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'Send the operation as JSON, with Content-Type: application/json.'), traceId);
      }
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendError(res, new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'Request body is not valid JSON.'), traceId);
      }
    }
    const csrf = refuseCrossSiteRequest(headers);
    if (csrf) return sendError(res, csrf, traceId);
    const idempotencyKey = headers.get('idempotency-key');
    const refusal = checkIdempotencyKey(idempotencyKey) ?? checkOperations(method === 'POST' ? body : operationOfSearch(url), idempotencyKey, limits);
    if (refusal) return sendError(res, refusal, traceId);

    let viewer: Viewer | null;
    try {
      viewer = await authenticate({ authorization: headers.get('authorization'), apiKey: headers.get('x-api-key') });
    } catch (error) {
      const coded = error instanceof GatewayError ? error : classifyFailure(error);
      if (!coded) throw error;
      return sendError(res, coded, traceId);
    }
    const sent = method === 'POST' ? body : operationOfSearch(url);
    const resolved = resolveTrustedDocuments(options.trustedDocuments, sent, viewer);
    if (resolved instanceof GatewayError) return sendError(res, resolved, traceId);
    let search = url.search;
    if (method === 'POST') body = resolved;
    else if (resolved !== sent) search = searchOf(resolved as SentOperation);
    const clientAddress = options.clientAddressOf(req);
    const throttled = await options.refuseIfThrottled(viewer, clientAddress);
    if (throttled) return sendError(res, throttled, traceId);
    const info: HttpRequestInfo = {
      traceId,
      startedAt,
      clientAddress,
      idempotencyKey,
      clientName: headers.get('apollographql-client-name'),
      clientVersion: headers.get('apollographql-client-version'),
    };
    const work = inFlight.track(
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search, body },
        context: async () => createContext(info, viewer),
      }),
    );
    const response = await beforeDeadline(work, Date.now() + limits.requestTimeoutMs);
    if (response === PAST_DEADLINE) {
      work.catch((error: unknown) => options.logger.error({ err: error, traceId }, 'request failed after its deadline'));
      return sendError(res, new ServiceUnavailableError(`The request did not complete within ${limits.requestTimeoutMs} ms: retry shortly.`), traceId);
    }
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    // What the pipeline did not declare cacheable (a batch, a refusal by Apollo) is not.
    if (!res.hasHeader('cache-control')) res.setHeader('cache-control', 'no-store');
    // A public response is stored by shared caches with its headers and served to everyone: it
    // carries nothing of this request (its trace id may even be the caller's choice).
    if (String(res.getHeader('cache-control')).startsWith('public')) for (const name of ['x-trace-id', 'traceparent']) res.removeHeader(name);
    const etag = res.getHeader('etag');
    if (res.statusCode === 200 && typeof etag === 'string' && method === 'GET' && matchesIfNoneMatch(headers.get('if-none-match'), etag)) {
      // The client holds this data already: 304 with the validators and no body (RFC 9110 15.4.5).
      res.statusCode = 304;
      for (const name of ['content-type', 'content-length']) res.removeHeader(name);
      res.end();
      return;
    }
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** Content types a browser sends cross-site without a preflight (the CORS "simple" ones). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * Apollo Server's CSRF rule, applied here so that its refusal has the envelope and the trace id
 * of every other: a request a page on another site could make without a CORS preflight (no
 * content type, or a simple one) must carry a header such a page cannot set
 * (`apollo-require-preflight` or `x-apollo-operation-name`).
 */
function refuseCrossSiteRequest(headers: HeaderMap): GatewayError | undefined {
  const contentType = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType && !SIMPLE_CONTENT_TYPES.has(contentType)) return undefined;
  if (headers.get('apollo-require-preflight') || headers.get('x-apollo-operation-name')) return undefined;
  return new HttpRequestError(
    ErrorCode.BAD_REQUEST,
    400,
    'This request has been blocked as a potential cross-site request forgery (CSRF): send it with a Content-Type such as application/json, or with an apollo-require-preflight: true header.',
  );
}

/** GET: the operation in the query string, with variables and extensions as JSON (kept as text when it does not parse, to be refused). */
function operationOfSearch(url: URL): SentOperation {
  const json = (name: string) => {
    const text = url.searchParams.get(name);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return {
    query: url.searchParams.get('query') ?? undefined,
    operationName: url.searchParams.get('operationName') ?? undefined,
    variables: json('variables'),
    extensions: json('extensions'),
    documentId: url.searchParams.get('documentId') ?? undefined,
  };
}

/** GET: the query string of an operation whose trusted document was put in place of its id. */
function searchOf(operation: SentOperation): string {
  const params = new URLSearchParams();
  if (typeof operation.query === 'string') params.set('query', operation.query);
  if (typeof operation.operationName === 'string') params.set('operationName', operation.operationName);
  if (operation.variables != null) params.set('variables', JSON.stringify(operation.variables));
  if (operation.extensions != null) params.set('extensions', JSON.stringify(operation.extensions));
  return `?${params.toString()}`;
}

/**
 * Each operation (of a batch, too) as it is to run, or the first refusal: one operation a locked
 * client may not send refuses the whole request, as any other edge refusal does. A single
 * operation that runs as sent is returned as it is.
 */
function resolveTrustedDocuments(trusted: TrustedDocuments, body: unknown, viewer: Viewer | null): unknown {
  if (Array.isArray(body)) {
    const operations: unknown[] = [];
    for (const operation of body) {
      const resolved = trusted.resolve(operation as SentOperation, viewer, 'http');
      if (resolved instanceof GatewayError) return resolved;
      operations.push(resolved);
    }
    return operations;
  }
  return trusted.resolve(body as SentOperation, viewer, 'http');
}

/** Bounds what Apollo is asked to parse: the operations per batch, then each operation. */
function checkOperations(body: unknown, idempotencyKey: string | undefined, limits: GraphQLRouteOptions['limits']): GatewayError | undefined {
  if (Array.isArray(body)) {
    if (body.length > limits.maxBatchSize) {
      return new HttpRequestError(
        ErrorCode.BATCH_TOO_LARGE,
        400,
        limits.maxBatchSize === 0
          ? 'Batched requests are not accepted.'
          : `A batch may hold at most ${limits.maxBatchSize} operations; this one has ${body.length}.`,
      );
    }
    if (idempotencyKey !== undefined) {
      return new HttpRequestError(
        ErrorCode.BAD_REQUEST,
        400,
        'An Idempotency-Key header names one operation, and a batch holds several: give each mutation of the batch its own key in its extensions.idempotencyKey.',
      );
    }
  }
  if (Array.isArray(body) && body.length === 0) return new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'A batch holds at least one operation.');
  for (const operation of Array.isArray(body) ? body : [body]) {
    if (operation === null || typeof operation !== 'object' || Array.isArray(operation)) {
      return new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'Each operation is a JSON object: { "query": "...", "variables": {...} }.');
    }
    const refusal = checkSentOperation(operation as SentOperation, limits);
    if (refusal) return refusal;
  }
  return undefined;
}
