import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCode, HttpRequestError, InternalServerError } from '../errors';
import { IDE_ASSET_PREFIX } from '../ide/ideAssets';
import type { IdeRoute } from '../ide/ideRoute';
import type { MetricsRoute } from '../observability/metricsRoute';
import { SpanStatusCode, startRequestTrace, traceContext } from '../observability/tracing';
import { refusalCodeOf, sendError, sendJson } from './responses';

/** What the edge knows of a request before any route runs. */
export interface EdgeRequest {
  /** The request's W3C trace id (the caller's, from `traceparent`, or a new one). */
  traceId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

export interface HttpRoutes {
  /** POST and GET /graphql. */
  graphql: (req: IncomingMessage, res: ServerResponse, url: URL, edge: EdgeRequest) => Promise<void>;
  /** GET /metrics, when served on this port (METRICS_TOKEN, or openly outside production). */
  metrics?: MetricsRoute;
  /** Records a /graphql request refused before GraphQL ran (its code, status and duration). */
  observeRefusal?: (code: string, status: number, durationMs: number) => void;
  /** Whether the database answers (GET /readyz). */
  isReady: () => Promise<boolean>;
  /** GraphiQL for a browser's GET /graphql, its files under /graphql/ide/; absent: GRAPHQL_IDE=off. */
  ide?: IdeRoute;
}

/**
 * The request target as a URL, or undefined when it is not one. A target is a path (origin
 * form: `//x/metrics` is the path `//x/metrics`, not the host x) or, from a proxy, an absolute
 * http(s) URL; anything else (`*`, `//[`) is refused, never thrown in the listener, where it
 * would end the process.
 */
function requestUrlOf(target: string | undefined): URL | undefined {
  try {
    if (target === undefined || target === '') return new URL('http://localhost/');
    if (target.startsWith('/')) return new URL(`http://localhost${target}`);
    const url = new URL(target);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The paths a span is named after; any other is named by its method alone (span names stay few). */
const NAMED_PATHS = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/**
 * Node's http server in front of the routes: /graphql, /healthz (the process is alive),
 * /readyz (the database answers), /metrics when served here and, when the IDE is on, its page
 * and /graphql/ide/ files. Every request is a span, continuing the caller's W3C `traceparent`;
 * every response carries the trace id in X-Trace-Id and its `traceparent`, and every error the
 * same id in its extensions. Malformed HTTP gets a coded JSON error, never a stack trace.
 */
export function createHttpHandler(routes: HttpRoutes, logger: Logger): RequestListener {
  return (req, res) => {
    const startedAt = performance.now();
    const url = requestUrlOf(req.url);
    const method = req.method ?? 'GET';
    // The path only: a GET's query string holds the operation and its variables.
    const request = startRequestTrace(url && NAMED_PATHS.has(url.pathname) ? `${method} ${url.pathname}` : method, req.headers, {
      'http.request.method': method,
      'url.path': url ? url.pathname.slice(0, 200) : '',
    });
    const { traceId, span } = request;
    res.setHeader('x-trace-id', traceId);
    res.setHeader('traceparent', request.traceparent);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      span.end();
      // A refusal at the edge gets its log line and its figures, as an operation does (observationPolicy).
      const code = refusalCodeOf(res);
      if (!code) return;
      const durationMs = performance.now() - startedAt;
      logger.info({ traceId, transport: 'http', status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10, codes: [code] }, 'refused');
      if (url?.pathname === '/graphql') routes.observeRefusal?.(code, res.statusCode, durationMs);
    });
    if (!url) return sendError(res, new HttpRequestError(ErrorCode.BAD_REQUEST, 400, 'The request target is not a valid path.'), traceId);
    traceContext.with(request.context, () => route(req, res, url, { traceId, startedAt }));
  };

  function route(req: IncomingMessage, res: ServerResponse, url: URL, edge: EdgeRequest): void {
    const { traceId } = edge;
    let handled: Promise<void>;
    switch (url.pathname) {
      case '/graphql':
        handled = routes.ide?.isPageRequest(req, url) ? routes.ide.page(res) : routes.graphql(req, res, url, edge);
        break;
      case '/metrics':
        handled = routes.metrics
          ? routes.metrics(req, res, traceId)
          : Promise.resolve(
              sendError(
                res,
                new HttpRequestError(ErrorCode.NOT_FOUND, 404, 'Metrics are not served on this port (see METRICS_PORT and METRICS_TOKEN).'),
                traceId,
              ),
            );
        break;
      case '/healthz':
        handled = Promise.resolve(sendJson(res, 200, { status: 'ok' }));
        break;
      case '/readyz':
        handled = routes.isReady().then((ready) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' }));
        break;
      default:
        if (routes.ide && url.pathname.startsWith(IDE_ASSET_PREFIX)) {
          handled = Promise.resolve(routes.ide.asset(req, res, url, traceId));
          break;
        }
        handled = Promise.resolve(
          sendError(res, new HttpRequestError(ErrorCode.NOT_FOUND, 404, `No route for ${url.pathname.slice(0, 200)}; GraphQL is served at /graphql.`), traceId),
        );
    }
    handled.catch((error: unknown) => {
      logger.error({ err: error, traceId }, 'request failed');
      if (res.headersSent) res.destroy();
      else sendError(res, new InternalServerError(), traceId);
    });
  }
}
