import { createHash } from 'node:crypto';
import { usageReportingSignature } from '@apollo/utils.usagereporting';
import type { Logger } from 'pino';
import { UNKNOWN_CLIENT } from '../context/clientIdentity';
import { ErrorCode } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import type { RequestState, ResponseBody } from '../pipeline/requestState';
import type { GatewayMetrics, Outcome } from './metrics';
import { requestLineLogger } from './logger';
import { trace } from './tracing';
import { NO_OPERATION, type OperationLabels } from './operationLabels';

export interface ObservationOptions {
  /** Absent with METRICS=off: the log lines are still written. */
  metrics: GatewayMetrics | undefined;
  operationLabels: OperationLabels;
  logger: Logger;
  /** Operations slower than this (ms) get a warn line with their normalized document's hash. */
  slowOperationMs: number;
  /** The rate-limit tier a viewer's requests are counted in (the limiter's, or `anonymous`). */
  tierOf: (state: RequestState) => string;
}

/** Codes that say the gateway failed, not the client: the server_error outcome. */
const SERVER_CODES: ReadonlySet<string> = new Set([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE]);

/** Codes of requests refused at the edge by a policy (credentials, rate limit), not for being malformed. */
const EDGE_REFUSAL_CODES: ReadonlySet<string> = new Set([ErrorCode.UNAUTHENTICATED, ErrorCode.FORBIDDEN, ErrorCode.RATE_LIMITED]);

export function outcomeOf(codes: readonly string[], refused: boolean): Outcome {
  if (codes.some((code) => SERVER_CODES.has(code))) return 'server_error';
  if (refused) return 'refused';
  return codes.length > 0 ? 'client_error' : 'ok';
}

/**
 * The pipeline's last step: once an operation's response is complete, records its figures
 * (metrics/metrics.ts) and writes its one log line: operation, client, status, duration, cost,
 * SQL statements and trace id. An operation slower than SLOW_OPERATION_MS gets a warn line
 * naming its normalized document (Apollo's operation signature: literals hidden, whitespace
 * and order normalized) by hash, so that the slow shape is found whatever its literals were.
 * Everything here reads the request state: nothing is done per field.
 */
export function observationPolicy({ metrics, operationLabels, logger, slowOperationMs, tierOf }: ObservationOptions): Policy {
  const requestLog = requestLineLogger(logger);
  return {
    name: 'observation',
    complete(state, body) {
      const durationMs = performance.now() - state.startedAt;
      const codes = errorCodesOf(body);
      const refused = state.refusedBy !== undefined;
      const outcome = outcomeOf(codes, refused);
      const operation = state.operation;
      const name = operation ? (operation.operationName ?? operation.analysis.operation.name?.value) : undefined;
      const type = operation?.analysis.operationType ?? 'unknown';
      const replayed = state.idempotency !== undefined && 'replay' in state.idempotency;
      const executed = operation !== undefined && !refused && !replayed;
      if (metrics) {
        metrics.recordOperation({
          operation: operation ? operationLabels.labelOf(name, type, state.viewer !== null) : NO_OPERATION,
          type,
          client: state.client.name,
          outcome,
          durationSeconds: durationMs / 1000,
          ...(executed
            ? { statements: state.work.statements, batches: state.work.batches, batchSizes: state.work.batchSizes, actualCost: state.cost?.actualQueryCost }
            : {}),
          estimatedCost: state.cost?.requestedQueryCost,
        });
        if (body.errors) metrics.countErrors(body.errors.map(codeOf));
        if (codes.includes(ErrorCode.RATE_LIMITED)) metrics.countRateLimitRefusal(tierOf(state));
        const overQuota = body.errors?.find((e) => e.extensions?.code === ErrorCode.QUOTA_EXCEEDED);
        if (overQuota && state.quota) metrics.countQuotaRefusal(state.quota.subject.tier, String(overQuota.extensions?.period));
        if (state.deprecations?.length) metrics.countDeprecatedUsage(state.deprecations, state.client.name);
        if (replayed) metrics.countIdempotencyReplay();
      }
      const line = {
        traceId: state.traceId,
        transport: state.transport,
        operation: name ?? (operation ? null : undefined),
        operationType: operation ? type : undefined,
        client: state.client.name,
        clientVersion: state.client.version,
        status: state.transport === 'http' ? (state.http.status ?? 200) : undefined,
        outcome,
        durationMs: Math.round(durationMs * 10) / 10,
        cost: state.cost ? { estimated: state.cost.requestedQueryCost, actual: state.cost.actualQueryCost } : undefined,
        statements: state.work.statements,
        batches: state.work.batches,
        ...(codes.length ? { codes } : {}),
        ...(refused ? { refusedBy: state.refusedBy } : {}),
        ...(replayed ? { replayed } : {}),
      };
      requestLog.info(line, 'request');
      // The request's span (HTTP: the request; WebSocket: the operation) gets the same figures.
      const span = trace.getActiveSpan();
      if (span?.isRecording()) {
        span.setAttributes({
          'graphql.operation.name': name ?? '',
          'graphql.operation.type': type,
          'gateway.outcome': outcome,
          'gateway.sql.statements': state.work.statements,
          'gateway.sql.rows': state.work.rows,
          'gateway.dataloader.batches': state.work.batches,
          ...(state.cost ? { 'gateway.cost.estimated': state.cost.requestedQueryCost, 'gateway.cost.actual': state.cost.actualQueryCost ?? -1 } : {}),
          ...(codes.length ? { 'gateway.error.codes': codes } : {}),
        });
      }
      if (operation && durationMs >= slowOperationMs) {
        const documentHash = operation.analysis.cached('documentHash', () => normalizedDocumentHash(operation.analysis.document, name));
        // Variables go through the logger's redaction (LOG_VARIABLES): redacted unless allowed.
        logger.warn(
          { ...line, documentHash, variables: operation.variables ?? {} },
          `slow operation: ${name ?? 'anonymous'} took ${Math.round(durationMs)} ms`,
        );
      }
    },
  };
}

/**
 * Records a request refused before GraphQL ran (at the HTTP edge, or a WebSocket operation
 * before the pipeline): no operation and no client are known yet, but its codes and duration
 * count. `status`: its HTTP status, when it has one (5xx is a server error whatever the code).
 */
export function recordRefusal(metrics: GatewayMetrics, codes: readonly string[], status: number | undefined, durationMs: number): void {
  const outcome =
    status !== undefined && status >= 500
      ? 'server_error'
      : outcomeOf(
          codes,
          codes.some((code) => EDGE_REFUSAL_CODES.has(code)),
        );
  metrics.recordOperation({ operation: NO_OPERATION, type: 'unknown', client: UNKNOWN_CLIENT, outcome, durationSeconds: durationMs / 1000 });
  metrics.countErrors(codes);
}

/** An error's extensions.code; an error without one is counted as what the client sees it as. */
function codeOf(error: { extensions?: Record<string, unknown> }): string {
  return String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
}

/** The distinct extensions.code values of a response's errors. */
function errorCodesOf(body: ResponseBody): string[] {
  if (!body.errors?.length) return [];
  const codes = new Set<string>();
  for (const error of body.errors) codes.add(codeOf(error));
  return [...codes];
}

/**
 * SHA-256 of the operation's signature as Apollo's usage reporting computes it (literals
 * replaced, aliases removed, fields and fragments sorted, whitespace reduced): the same for
 * every request of one query shape, whatever its literal values.
 */
export function normalizedDocumentHash(document: Parameters<typeof usageReportingSignature>[0], operationName: string | undefined): string {
  return createHash('sha256')
    .update(usageReportingSignature(document, operationName ?? ''))
    .digest('hex');
}
