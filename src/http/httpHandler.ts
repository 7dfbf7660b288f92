import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ErrorCode, HttpRequestError, InternalServerError } from '../errors';
import { IDE_ASSET_PREFIX } from '../ide/ideAssets';
import type { IdeRoute } from '../ide/ideRoute';
import { refusalCodeOf, sendError, sendJson } from './responses';

export interface HttpRoutes {
  /** POST and GET /graphql. */
  graphql: (req: IncomingMessage, res: ServerResponse, url: URL, traceId: string) => Promise<void>;
  /** Whether the database answers (GET /readyz). */
  isReady: () => Promise<boolean>;
  /** GraphiQL for a browser's GET /graphql, its files under /graphql/ide/; absent: GRAPHQL_IDE=off. */
  ide?: IdeRoute;
}

/** A client's X-Request-Id is kept as the trace id when it looks like one; otherwise a fresh UUID. */
const TRACE_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Node's http server in front of the routes: /graphql, /healthz (the process is alive),
 * /readyz (the database answers) and, when the IDE is on, its page and /graphql/ide/ files. Every response carries the request's trace id in
 * X-Trace-Id, and every error the same id in its extensions. Malformed HTTP gets a coded
 * JSON error, never a stack trace.
 */
export function createHttpHandler(routes: HttpRoutes, logger: Logger): RequestListener {
  return (req, res) => {
    const incoming = req.headers['x-request-id'];
    const traceId = typeof incoming === 'string' && TRACE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-trace-id', traceId);
    // A refusal at the edge gets its log line, as a GraphQL response with errors does (responseEnvelope).
    res.once('finish', () => {
      const code = refusalCodeOf(res);
      if (code) logger.info({ traceId, transport: 'http', status: res.statusCode, codes: [code] }, 'refused');
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    let handled: Promise<void>;
    switch (url.pathname) {
      case '/graphql':
        handled = routes.ide?.isPageRequest(req, url) ? routes.ide.page(res) : routes.graphql(req, res, url, traceId);
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
  };
}
