import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, HttpRequestError, MetricsTokenRequiredError } from '../errors';
import { sendError } from '../http/responses';
import type { GatewayMetrics } from './metrics';

export type MetricsRoute = (req: IncomingMessage, res: ServerResponse, traceId: string) => Promise<void>;

/**
 * GET /metrics in Prometheus' text format. With a token (METRICS_TOKEN), only a request that
 * carries it as a bearer token is answered; the comparison takes the same time whatever the
 * guess. On its own port (METRICS_PORT) it is served without one: that port is the network's
 * to protect.
 */
export function createMetricsRoute(metrics: GatewayMetrics, token?: string): MetricsRoute {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return async (req, res, traceId) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendError(res, new HttpRequestError(ErrorCode.BAD_REQUEST, 405, 'GET /metrics only.'), traceId);
    }
    if (expected && !sameSecret(req.headers.authorization, expected)) return sendError(res, new MetricsTokenRequiredError(), traceId);
    const text = await metrics.registry.metrics();
    res.statusCode = 200;
    res.setHeader('content-type', metrics.registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.end(req.method === 'HEAD' ? undefined : text);
  };
}

function sameSecret(sent: string | undefined, expected: Buffer): boolean {
  const given = Buffer.from(sent ?? '');
  // timingSafeEqual needs equal lengths; comparing with itself keeps the time independent of the guess.
  return given.length === expected.length ? timingSafeEqual(given, expected) : (timingSafeEqual(expected, expected), false);
}
