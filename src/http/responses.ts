import type { ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { withTraceId } from '../pipeline/responseEnvelope';

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(payload));
}

/** The code each response refused at the edge was answered with: the HTTP handler logs it. */
const refusals = new WeakMap<ServerResponse, string>();

export const refusalCodeOf = (res: ServerResponse): string | undefined => refusals.get(res);

/**
 * Answers a request refused before GraphQL ran, in the same envelope as every GraphQL error:
 * `{ errors: [{ message, extensions: { code, traceId, ... } }] }`, with the status and headers
 * the error carries in `extensions.http`.
 */
export function sendError(res: ServerResponse, error: GraphQLError, traceId: string): void {
  refusals.set(res, String(error.extensions.code));
  const { http, ...extensions } = error.extensions as { http?: { status?: number; headers?: Map<string, string> } } & Record<string, unknown>;
  for (const [name, value] of http?.headers ?? []) res.setHeader(name, value);
  res.setHeader('cache-control', 'no-store');
  sendJson(res, http?.status ?? 400, { errors: withTraceId([{ message: error.message, extensions }], traceId) });
}
