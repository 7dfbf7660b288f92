/** What one operation kind did during the run: its latencies and its outcomes by code. */
export interface OperationRecord {
  /** Milliseconds of every request that got an HTTP answer (attempts, not logical operations). */
  latenciesMs: number[];
  /** `ok`, a GraphQL error code, `user:<UserErrorCode>`, `http:<status>` or `NETWORK_ERROR`, with counts. */
  outcomes: Map<string, number>;
}

export interface OperationSummary {
  operation: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  outcomes: Record<string, number>;
}

/** The nearest-rank percentile (`p` in 0..100) of unsorted numbers; NaN for none. */
export function percentile(numbers: readonly number[], p: number): number {
  if (numbers.length === 0) return Number.NaN;
  const sorted = [...numbers].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(operation: string, record: OperationRecord, seconds: number): OperationSummary {
  const requests = [...record.outcomes.values()].reduce((sum, n) => sum + n, 0);
  return {
    operation,
    requests,
    requestsPerSecond: requests / seconds,
    p50Ms: percentile(record.latenciesMs, 50),
    p95Ms: percentile(record.latenciesMs, 95),
    p99Ms: percentile(record.latenciesMs, 99),
    outcomes: Object.fromEntries([...record.outcomes].sort(([a], [b]) => a.localeCompare(b))),
  };
}
