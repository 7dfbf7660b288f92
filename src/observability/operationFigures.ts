import type { MetricFamily, Sample } from './prometheusText';
import { parseValue } from './prometheusText';

/** The per-operation histograms GatewayMetrics records (metrics.ts), by what they measure. */
export const OPERATION_HISTOGRAMS = {
  duration: 'gateway_operation_duration_seconds',
  sqlStatements: 'gateway_operation_sql_statements',
  estimatedCost: 'gateway_operation_cost_estimated',
  actualCost: 'gateway_operation_cost_actual',
} as const;

/** A latency quantile in milliseconds. */
export interface Quantile {
  ms: number;
  /**
   * True when the quantile falls in the +Inf bucket: `ms` is then the highest finite bucket
   * bound, and the true figure is at least that (Prometheus reports the same bound).
   */
  atLeast: boolean;
}

/** One operation as one client sent it, since the gateway started. */
export interface OperationFigures {
  /** The operation label: a name, `(anonymous)`, `(other)` or `(none)` (refused before it was known). */
  operation: string;
  client: string;
  /** The operation types seen under this name (query, mutation, subscription, unknown). */
  types: string[];
  calls: number;
  /** Null without calls. */
  latencyMs: { p50: Quantile | null; p95: Quantile | null; p99: Quantile | null };
  /** Calls whose outcome was not `ok`, in all and by outcome. */
  errors: { total: number; clientError: number; serverError: number; refused: number };
  /** Sum over count of each histogram; null when none was recorded (a refused request is never priced). */
  costPerCall: { estimated: number | null; actual: number | null };
  sqlStatementsPerCall: number | null;
}

export type SortKey = 'calls' | 'p99' | 'errors';

/** A histogram bucket: how many observations were at most `le`. */
export interface Bucket {
  le: number;
  count: number;
}

interface Accumulator {
  operation: string;
  client: string;
  types: Set<string>;
  calls: number;
  outcomes: Map<string, number>;
  buckets: Map<number, number>;
  averages: Record<'sqlStatements' | 'estimatedCost' | 'actualCost', { sum: number; count: number }>;
}

/**
 * The figures per operation and client, from a scrape's families: the duration histogram's
 * series are merged across their `type` and `outcome` labels (buckets, sums and counts added),
 * so that one row covers every call of an operation by a client, failed ones included; the other
 * histograms give averages per call. Empty when the scrape has no per-operation series.
 */
export function operationFigures(families: readonly MetricFamily[]): OperationFigures[] {
  const rows = new Map<string, Accumulator>();
  const rowOf = (sample: Sample): Accumulator => {
    const operation = sample.labels.operation ?? '';
    const client = sample.labels.client ?? '';
    const key = JSON.stringify([operation, client]);
    let row = rows.get(key);
    if (!row) {
      const empty = () => ({ sum: 0, count: 0 });
      row = {
        operation,
        client,
        types: new Set(),
        calls: 0,
        outcomes: new Map(),
        buckets: new Map(),
        averages: { sqlStatements: empty(), estimatedCost: empty(), actualCost: empty() },
      };
      rows.set(key, row);
    }
    return row;
  };
  const byName = new Map(families.map((f) => [f.name, f]));

  const duration = OPERATION_HISTOGRAMS.duration;
  for (const sample of byName.get(duration)?.samples ?? []) {
    const row = rowOf(sample);
    if (sample.name === `${duration}_bucket`) {
      const le = parseValue(sample.labels.le ?? '')!; // the parser checked every bucket's bound
      row.buckets.set(le, (row.buckets.get(le) ?? 0) + sample.value);
    } else if (sample.name === `${duration}_count`) {
      row.calls += sample.value;
      const outcome = sample.labels.outcome ?? '';
      row.outcomes.set(outcome, (row.outcomes.get(outcome) ?? 0) + sample.value);
      if (sample.labels.type) row.types.add(sample.labels.type);
    }
  }
  for (const measure of ['sqlStatements', 'estimatedCost', 'actualCost'] as const) {
    const name = OPERATION_HISTOGRAMS[measure];
    for (const sample of byName.get(name)?.samples ?? []) {
      const average = rowOf(sample).averages[measure];
      if (sample.name === `${name}_sum`) average.sum += sample.value;
      else if (sample.name === `${name}_count`) average.count += sample.value;
    }
  }

  return [...rows.values()].map((row) => {
    const buckets = [...row.buckets].map(([le, count]) => ({ le, count }));
    const latency = (q: number) => {
      const quantile = histogramQuantile(q, buckets);
      return quantile && { ms: quantile.value * 1000, atLeast: quantile.atLeast };
    };
    const outcome = (name: string) => row.outcomes.get(name) ?? 0;
    const perCall = ({ sum, count }: { sum: number; count: number }) => (count > 0 ? sum / count : null);
    return {
      operation: row.operation,
      client: row.client,
      types: [...row.types].sort(),
      calls: row.calls,
      latencyMs: { p50: latency(0.5), p95: latency(0.95), p99: latency(0.99) },
      errors: { total: row.calls - outcome('ok'), clientError: outcome('client_error'), serverError: outcome('server_error'), refused: outcome('refused') },
      costPerCall: { estimated: perCall(row.averages.estimatedCost), actual: perCall(row.averages.actualCost) },
      sqlStatementsPerCall: perCall(row.averages.sqlStatements),
    };
  });
}

/**
 * The q-quantile of a histogram's cumulative buckets as Prometheus' histogram_quantile computes
 * it: the bucket where the rank q × total falls, then linear interpolation within it (the first
 * bucket starting at 0); a rank in the +Inf bucket gives the highest finite bound, flagged
 * `atLeast`. Buckets with the same bound are added and counts are forced non-decreasing, as
 * Prometheus does. Null where Prometheus answers NaN: no +Inf bucket, or no observation.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): { value: number; atLeast: boolean } | null {
  const merged = new Map<number, number>();
  for (const { le, count } of buckets) merged.set(le, (merged.get(le) ?? 0) + count);
  const sorted = [...merged].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted.at(-1)!.le !== Infinity) return null;
  for (let i = 1; i < sorted.length; i += 1) sorted[i]!.count = Math.max(sorted[i]!.count, sorted[i - 1]!.count);
  const total = sorted.at(-1)!.count;
  if (total === 0) return null;
  const rank = q * total;
  const b = sorted.findIndex((bucket, i) => i === sorted.length - 1 || bucket.count >= rank);
  if (b === sorted.length - 1) return { value: sorted[b - 1]!.le, atLeast: true };
  const bucket = sorted[b]!;
  if (b === 0 && bucket.le <= 0) return { value: bucket.le, atLeast: false };
  const start = b === 0 ? 0 : sorted[b - 1]!.le;
  const below = b === 0 ? 0 : sorted[b - 1]!.count;
  return { value: start + (bucket.le - start) * ((rank - below) / (bucket.count - below)), atLeast: false };
}

/** Rows for the given operation and client (exact names; either may be omitted), in `sort` order. */
export function selectOperations(rows: readonly OperationFigures[], options: { operation?: string; client?: string; sort: SortKey }): OperationFigures[] {
  const selected = rows.filter(
    (r) => (options.operation === undefined || r.operation === options.operation) && (options.client === undefined || r.client === options.client),
  );
  const p99 = (r: OperationFigures) => r.latencyMs.p99?.ms ?? -1;
  const primary: Record<SortKey, (a: OperationFigures, b: OperationFigures) => number> = {
    calls: (a, b) => b.calls - a.calls,
    p99: (a, b) => p99(b) - p99(a) || Number(b.latencyMs.p99?.atLeast ?? false) - Number(a.latencyMs.p99?.atLeast ?? false),
    errors: (a, b) => b.errors.total - a.errors.total,
  };
  // Ties go to the busier operation, then by name: the same scrape always prints the same report.
  return selected.sort(
    (a, b) => primary[options.sort](a, b) || b.calls - a.calls || a.operation.localeCompare(b.operation, 'en') || a.client.localeCompare(b.client, 'en'),
  );
}

/** When the scraped gateway's process started (prom-client's process_start_time_seconds), if the scrape says. */
export function gatewayStartedAt(families: readonly MetricFamily[]): Date | null {
  const seconds = families.find((f) => f.name === 'process_start_time_seconds')?.samples[0]?.value;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : null;
}
