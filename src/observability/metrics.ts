import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How a request ended, as the duration histogram tells them apart. */
export type Outcome = 'ok' | 'client_error' | 'server_error' | 'refused';

/** One operation's figures, recorded once when its response is complete. */
export interface OperationRecord {
  /** A bounded label (OperationLabels): the document's name, `(anonymous)`, `(other)` or `(none)`. */
  operation: string;
  /** query, mutation, subscription, or `unknown` when the request never got that far. */
  type: string;
  /** A bounded client name (clientIdentity). */
  client: string;
  outcome: Outcome;
  durationSeconds: number;
  /** Absent for a request refused before it was analysed. */
  statements?: number;
  batches?: number;
  batchSizes?: readonly number[];
  estimatedCost?: number;
  actualCost?: number;
}

/** What the gauges read when Prometheus scrapes: each source is asked then, never polled. */
export interface GaugeSources {
  pool?: () => { total: number; idle: number; waiting: number; max: number };
  webSocket?: () => { connections: number; operations: number };
  outbox?: () => Promise<OutboxFigures>;
  /** The in-process response cache's size. */
  responseCache?: () => { entries: number; bytes: number };
}

/** The outbox's pending and dead events, and the age of the oldest pending one (seconds; 0 without). */
export interface OutboxFigures {
  pending: number;
  dead: number;
  oldestPendingSeconds: number;
}

/**
 * Buckets for a request's duration, dense where GraphQL requests sit (5 ms to 1 s), so that
 * p50, p95 and p99 interpolate within a bucket no wider than a third of its lower bound there.
 */
export const DURATION_BUCKETS = [0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2.5, 5, 10];
const STATEMENT_BUCKETS = [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100];
const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const COST_BUCKETS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000];

/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own so that several
 * servers in one process (the tests) never share series. Every label value is bounded: operation
 * names by OperationLabels, clients by clientIdentity, error codes by errors.ts, tiers by
 * configuration, deprecated coordinates by the registry. Everything is recorded once per
 * operation, after its response is complete, never per field (docs/operations.md lists them).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'operation' | 'type' | 'outcome' | 'client'>;
  private readonly statements: Histogram<'operation' | 'client'>;
  private readonly batches: Histogram<'operation'>;
  private readonly batchSize: Histogram;
  private readonly estimatedCost: Histogram<'operation' | 'client'>;
  private readonly actualCost: Histogram<'operation' | 'client'>;
  private readonly errors: Counter<'code'>;
  private readonly rateLimitRefusals: Counter<'tier'>;
  private readonly quotaRefusals: Counter<'tier' | 'period'>;
  private readonly deprecatedUsage: Counter<'coordinate' | 'client'>;
  private readonly idempotencyReplays: Counter;
  private readonly cacheResults: Counter<'status'>;
  private readonly cacheInvalidations: Counter<'source'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) {
      // Event-loop lag, heap, GC pauses, CPU, open handles: prom-client's standard names.
      collectDefaultMetrics({ register: this.registry, gcDurationBuckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
    }
    this.duration = new Histogram({
      name: 'gateway_operation_duration_seconds',
      help: 'Time from a request arriving to its response being complete, per GraphQL operation.',
      labelNames: ['operation', 'type', 'outcome', 'client'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.statements = new Histogram({
      name: 'gateway_operation_sql_statements',
      help: 'SQL statements one operation caused through its loaders and services (extensions.cost.database.statements).',
      labelNames: ['operation', 'client'],
      buckets: STATEMENT_BUCKETS,
      registers,
    });
    this.batches = new Histogram({
      name: 'gateway_operation_dataloader_batches',
      help: 'DataLoader batches one operation dispatched.',
      labelNames: ['operation'],
      buckets: STATEMENT_BUCKETS,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'gateway_dataloader_batch_size',
      help: 'Keys per DataLoader batch (one SQL statement each).',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.estimatedCost = new Histogram({
      name: 'gateway_operation_cost_estimated',
      help: 'Estimated cost of an operation, as priced before execution.',
      labelNames: ['operation', 'client'],
      buckets: COST_BUCKETS,
      registers,
    });
    this.actualCost = new Histogram({
      name: 'gateway_operation_cost_actual',
      help: 'Actual cost of an executed operation: the objects its response holds.',
      labelNames: ['operation', 'client'],
      buckets: COST_BUCKETS,
      registers,
    });
    this.errors = new Counter({ name: 'gateway_errors_total', help: 'Errors sent to clients, by extensions.code.', labelNames: ['code'], registers });
    this.rateLimitRefusals = new Counter({
      name: 'gateway_rate_limit_refusals_total',
      help: 'Requests refused with RATE_LIMITED, by rate-limit tier.',
      labelNames: ['tier'],
      registers,
    });
    this.quotaRefusals = new Counter({
      name: 'gateway_quota_refusals_total',
      help: "Requests of API keys refused with QUOTA_EXCEEDED, by the key's quota tier and the period used up (day or month).",
      labelNames: ['tier', 'period'],
      registers,
    });
    this.deprecatedUsage = new Counter({
      name: 'gateway_deprecated_field_usage_total',
      help: 'Operations that selected a deprecated coordinate, by coordinate and client.',
      labelNames: ['coordinate', 'client'],
      registers,
    });
    this.idempotencyReplays = new Counter({
      name: 'gateway_idempotency_replays_total',
      help: 'Mutations answered with the stored response of an earlier request with the same Idempotency-Key.',
      registers,
    });
    this.cacheResults = new Counter({
      name: 'gateway_response_cache_requests_total',
      help: 'Queries by what the response cache did for them (extensions.cacheStatus): hit, miss, stale (served while the database failed), bypass.',
      labelNames: ['status'],
      registers,
    });
    this.cacheInvalidations = new Counter({
      name: 'gateway_response_cache_invalidations_total',
      help: 'Invalidations of cached responses: by a mutation of this gateway (mutation) or by an event in the outbox (event).',
      labelNames: ['source'],
      registers,
    });
  }

  recordOperation(record: OperationRecord): void {
    const { operation, client } = record;
    this.duration.labels(operation, record.type, record.outcome, client).observe(record.durationSeconds);
    if (record.statements !== undefined) this.statements.labels(operation, client).observe(record.statements);
    if (record.batches !== undefined) this.batches.labels(operation).observe(record.batches);
    if (record.batchSizes) for (const size of record.batchSizes) this.batchSize.observe(size);
    if (record.estimatedCost !== undefined) this.estimatedCost.labels(operation, client).observe(record.estimatedCost);
    if (record.actualCost !== undefined) this.actualCost.labels(operation, client).observe(record.actualCost);
  }

  /** Counts each error by its code: a response with 500 errors of one code is one increment of 500. */
  countErrors(codes: Iterable<string>): void {
    const counts = new Map<string, number>();
    for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
    for (const [code, count] of counts) this.errors.labels(code).inc(count);
  }

  countRateLimitRefusal(tier: string): void {
    this.rateLimitRefusals.labels(tier).inc();
  }

  countQuotaRefusal(tier: string, period: string): void {
    this.quotaRefusals.labels(tier, period).inc();
  }

  countDeprecatedUsage(coordinates: readonly string[], client: string): void {
    for (const coordinate of coordinates) this.deprecatedUsage.labels(coordinate, client).inc();
  }

  countIdempotencyReplay(): void {
    this.idempotencyReplays.inc();
  }

  countCacheResult(status: string): void {
    this.cacheResults.labels(status).inc();
  }

  countCacheInvalidation(source: 'mutation' | 'event'): void {
    this.cacheInvalidations.labels(source).inc();
  }

  /** Registers the gauges that read their value at scrape time. */
  watch(sources: GaugeSources): void {
    const registers = [this.registry];
    const { pool, webSocket, outbox, responseCache } = sources;
    if (responseCache) {
      new Gauge({
        name: 'gateway_response_cache_bytes',
        help: "Bytes held by this process's response cache (absent when it is in Redis).",
        registers,
        collect() {
          this.set(responseCache().bytes);
        },
      });
    }
    if (pool) {
      new Gauge({
        name: 'gateway_db_pool_connections',
        help: 'Database pool connections: in_use (checked out), idle, waiting (requests queued for one), max.',
        labelNames: ['state'],
        registers,
        collect() {
          const { total, idle, waiting, max } = pool();
          this.set({ state: 'in_use' }, total - idle);
          this.set({ state: 'idle' }, idle);
          this.set({ state: 'waiting' }, waiting);
          this.set({ state: 'max' }, max);
        },
      });
    }
    if (webSocket) {
      new Gauge({
        name: 'gateway_websocket_connections',
        help: 'Open GraphQL WebSocket connections.',
        registers,
        collect() {
          this.set(webSocket().connections);
        },
      });
      new Gauge({
        name: 'gateway_websocket_operations',
        help: 'Operations running over WebSocket: subscriptions, and queries not yet answered.',
        registers,
        collect() {
          this.set(webSocket().operations);
        },
      });
    }
    if (outbox) {
      // One query per scrape serves the three gauges; a scrape that cannot read the outbox
      // reports nothing for them rather than failing the whole scrape.
      let reading: Promise<OutboxFigures | undefined> | undefined;
      const read = () =>
        (reading ??= outbox()
          .catch(() => undefined)
          .finally(() => setImmediate(() => (reading = undefined))));
      const gauge = (name: string, help: string, pick: (o: OutboxFigures) => number) =>
        new Gauge({
          name,
          help,
          registers,
          async collect() {
            const figures = await read();
            if (figures) this.set(pick(figures));
            else this.reset();
          },
        });
      gauge('gateway_outbox_backlog', 'Outbox events waiting to be published (PENDING).', (o) => o.pending);
      gauge('gateway_outbox_dead_letters', 'Outbox events that exhausted their attempts (DEAD): they need an operator.', (o) => o.dead);
      gauge('gateway_outbox_oldest_pending_age_seconds', 'Age of the oldest event waiting to be published (0 when none waits).', (o) => o.oldestPendingSeconds);
    }
  }
}
