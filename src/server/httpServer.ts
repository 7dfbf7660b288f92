import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../context/GraphQLContext';

/** Requests still being executed, including those whose client has gone away. */
export class InFlightRequests {
  private count = 0;
  private idle: Array<() => void> = [];

  track<T>(work: Promise<T>): Promise<T> {
    this.count += 1;
    return work.finally(() => {
      this.count -= 1;
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** Resolves to true when none is left, or to false after `timeoutMs` if some still are. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

export interface HttpHandlerOptions {
  apollo: ApolloServer<GraphQLContext>;
  createContext: (
    request: { traceId: string; clientAddress: string; idempotencyKey: string | undefined; clientName: string | undefined; clientVersion: string | undefined },
    credentials: { authorization?: string; apiKey?: string },
  ) => Promise<GraphQLContext>;
  isReady: () => Promise<boolean>;
  maxBodyBytes: number;
  maxDocumentBytes: number;
  maxBatchSize: number;
  logger: Logger;
  inFlight: InFlightRequests;
}

const TRACE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Node's http server in front of Apollo: /graphql (GET and POST, GraphQL over HTTP),
 * /healthz (the process is alive) and /readyz (the database answers). Malformed HTTP gets
 * a JSON error with a code, never a stack trace.
 */
export function createHttpHandler(options: HttpHandlerOptions): RequestListener {
  const { apollo, createContext, isReady, maxBodyBytes, maxDocumentBytes, maxBatchSize, logger, inFlight } = options;
  return (req, res) => {
    const incoming = req.headers['x-request-id'];
    const traceId = typeof incoming === 'string' && TRACE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-trace-id', traceId);
    const url = new URL(req.url ?? '/', 'http://localhost');
    let handled: Promise<void>;
    switch (url.pathname) {
      case '/graphql':
        handled = inFlight.track(handleGraphQL(req, res, url, traceId));
        break;
      case '/healthz':
        handled = Promise.resolve(sendJson(res, 200, { status: 'ok' }));
        break;
      case '/readyz':
        handled = isReady().then((ready) =>
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' }),
        );
        break;
      default:
        handled = Promise.resolve(sendError(res, 404, 'NOT_FOUND', `No route for ${url.pathname}; GraphQL is served at /graphql.`, traceId));
    }
    handled.catch((error: unknown) => {
      logger.error({ err: error, traceId }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', traceId);
      else res.destroy();
    });
  };

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, traceId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown;
    if (method === 'POST') {
      const raw = await readBody(req, maxBodyBytes);
      if (raw === null) {
        return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes.`, traceId);
      }
      if (isJson(headers.get('content-type'))) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          return sendError(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON.', traceId);
        }
      } else {
        body = raw.toString('utf8');
      }
    }
    const refusal = checkDocuments(method === 'POST' ? body : { query: url.searchParams.get('query') }, maxDocumentBytes, maxBatchSize);
    if (refusal) return sendError(res, refusal.status, refusal.code, refusal.message, traceId);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: () =>
        createContext(
          {
            traceId,
            clientAddress: req.socket.remoteAddress ?? 'unknown',
            idempotencyKey: headers.get('idempotency-key'),
            clientName: headers.get('apollographql-client-name')?.slice(0, 100),
            clientVersion: headers.get('apollographql-client-version')?.slice(0, 50),
          },
          { authorization: headers.get('authorization'), apiKey: headers.get('x-api-key') },
        ),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** Bounds what Apollo is asked to parse: each document's size, and the operations per batch. */
function checkDocuments(body: unknown, maxDocumentBytes: number, maxBatchSize: number) {
  const operations = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && body.length > maxBatchSize) {
    return {
      status: 400,
      code: 'BATCH_TOO_LARGE',
      message: maxBatchSize === 0 ? 'Batched requests are not accepted.' : `A batch may hold at most ${maxBatchSize} operations; this one has ${body.length}.`,
    };
  }
  for (const operation of operations) {
    const query = (operation as { query?: unknown } | null)?.query;
    if (typeof query === 'string' && Buffer.byteLength(query) > maxDocumentBytes) {
      return { status: 413, code: 'DOCUMENT_TOO_LARGE', message: `A GraphQL document may be at most ${maxDocumentBytes} bytes.` };
    }
  }
  return null;
}

function isJson(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || mediaType === 'application/graphql-response+json';
}

/** The body, or null as soon as it grows past `limit` (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

function sendError(res: ServerResponse, status: number, code: string, message: string, traceId: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code, traceId } }] });
}
