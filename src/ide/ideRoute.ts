import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, HttpRequestError } from '../errors';
import { sendError } from '../http/responses';
import { IDE_ASSET_PREFIX, type IdeAsset } from './ideAssets';
import { IDE_CONTENT_SECURITY_POLICY, renderIdePage } from './idePage';
import type { IdeSettings } from './ideSettings';

export interface IdeRoute {
  /** Whether a request to /graphql is a browser asking for a page rather than for GraphQL. */
  isPageRequest(req: IncomingMessage, url: URL): boolean;
  /** The GraphiQL page. */
  page(res: ServerResponse): Promise<void>;
  /** GET /graphql/ide/<name>: a file of the allowlist, else 404. */
  asset(req: IncomingMessage, res: ServerResponse, url: URL, traceId: string): void;
}

/** The IDE's part of the HTTP edge (GRAPHQL_IDE=on); GraphQL requests never reach it. */
export function createIdeRoute(options: { assets: ReadonlyMap<string, IdeAsset>; settings: () => Promise<IdeSettings> }): IdeRoute {
  const { assets, settings } = options;
  return {
    isPageRequest: (req, url) => req.method === 'GET' && !url.searchParams.has('query') && prefersHtml(req.headers.accept),
    async page(res) {
      const html = renderIdePage(await settings());
      res.statusCode = 200;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('content-security-policy', IDE_CONTENT_SECURITY_POLICY);
      // The page may carry a development token: never cached, never sent on as a referrer.
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('x-content-type-options', 'nosniff');
      res.end(html);
    },
    asset(req, res, url, traceId) {
      const asset = assets.get(url.pathname.slice(IDE_ASSET_PREFIX.length));
      if (!asset) {
        return sendError(res, new HttpRequestError(ErrorCode.NOT_FOUND, 404, `No IDE file at ${url.pathname.slice(0, 200)}.`), traceId);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendError(res, new HttpRequestError(ErrorCode.BAD_REQUEST, 405, "The IDE's files are read with GET."), traceId);
      }
      res.statusCode = 200;
      res.setHeader('content-type', asset.contentType);
      res.setHeader('content-length', asset.body.length);
      res.setHeader('cache-control', asset.cacheControl);
      res.setHeader('x-content-type-options', 'nosniff');
      res.end(req.method === 'HEAD' ? undefined : asset.body);
    },
  };
}

const GRAPHQL_MEDIA_TYPES = new Set(['application/json', 'application/graphql-response+json', 'multipart/mixed']);

/**
 * Whether `accept` ranks text/html above every GraphQL response type, as a browser's
 * navigation does (`text/html,...,*\/*;q=0.8`); a GraphQL client, or curl's `*\/*`, asks for
 * GraphQL. Wildcards count for neither side.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = 0;
  let graphql = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParameter = parameters.find((parameter) => parameter.startsWith('q='));
    const q = qParameter ? Number(qParameter.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html') html = Math.max(html, q);
    else if (GRAPHQL_MEDIA_TYPES.has(type)) graphql = Math.max(graphql, q);
  }
  return html > 0 && html > graphql;
}
