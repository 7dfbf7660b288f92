import { GatewayMetrics, type OperationRecord } from '../../../src/observability/metrics';
import { gatewayStartedAt, histogramQuantile, operationFigures, selectOperations, type OperationFigures } from '../../../src/observability/operationFigures';
import { parsePrometheusText } from '../../../src/observability/prometheusText';

/** Cumulative buckets from `le count` pairs, +Inf last. */
const buckets = (...pairs: Array<[number, number]>) => pairs.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  // 10 observations: 2 up to 10 ms, 4 more up to 20 ms, 3 more up to 50 ms, 1 more up to 100 ms.
  const latency = buckets([0.01, 2], [0.02, 6], [0.05, 9], [0.1, 10], [Infinity, 10]);

  it('interpolates linearly within the bucket where the rank falls, as histogram_quantile does', () => {
    // p50: rank 5 falls in (0.01, 0.02], which holds observations 3 to 6: 0.01 + 0.01 × (5 - 2) / 4.
    expect(histogramQuantile(0.5, latency)!.value).toBeCloseTo(0.0175, 12);
    // p95: rank 9.5 falls in (0.05, 0.1], which holds the 10th: 0.05 + 0.05 × 0.5 / 1.
    expect(histogramQuantile(0.95, latency)!.value).toBeCloseTo(0.075, 12);
    expect(histogramQuantile(0.99, latency)!.value).toBeCloseTo(0.095, 12);
    // The first bucket starts at 0: rank 1 of its 2 is halfway to 0.01.
    expect(histogramQuantile(0.1, latency)).toEqual({ value: 0.005, atLeast: false });
    // A rank exactly at a bucket's count is its upper bound.
    expect(histogramQuantile(0.6, latency)!.value).toBeCloseTo(0.02, 12);
  });

  it('gives the highest finite bound, flagged atLeast, when the rank falls in the +Inf bucket', () => {
    const slow = buckets([0.05, 4], [0.1, 8], [Infinity, 10]);
    // p50: rank 5 in (0.05, 0.1], which holds the 5th to 8th: 0.05 + 0.05 × 1 / 4.
    expect(histogramQuantile(0.5, slow)!.value).toBeCloseTo(0.0625, 12);
    expect(histogramQuantile(0.8, slow)).toEqual({ value: 0.1, atLeast: false });
    expect(histogramQuantile(0.95, slow)).toEqual({ value: 0.1, atLeast: true });
  });

  it('adds buckets with the same bound, in any order, and forces counts non-decreasing', () => {
    const merged = histogramQuantile(0.5, buckets([Infinity, 2], [0.02, 2], [0.01, 1], [Infinity, 2], [0.01, 1], [0.02, 2]));
    // Merged: 0.01 → 2, 0.02 → 4, +Inf → 4; rank 2 is the first bucket's bound.
    expect(merged).toEqual({ value: 0.01, atLeast: false });
    // A bucket lower than the one before (a scrape mid-update) counts as equal to it.
    expect(histogramQuantile(0.5, buckets([0.01, 3], [0.02, 1], [Infinity, 4]))!.value).toBeCloseTo(0.01 * (2 / 3), 12);
  });

  it('is null where Prometheus answers NaN: no +Inf bucket, or no observation', () => {
    expect(histogramQuantile(0.5, buckets([0.01, 1], [0.02, 2]))).toBeNull();
    expect(histogramQuantile(0.5, buckets([0.01, 0], [Infinity, 0]))).toBeNull();
    expect(histogramQuantile(0.5, [])).toBeNull();
  });
});

/** A scrape of a gateway registry that recorded `records`. */
async function scrapeOf(records: OperationRecord[]) {
  const metrics = new GatewayMetrics({ defaultMetrics: false });
  for (const record of records) metrics.recordOperation(record);
  return parsePrometheusText(await metrics.registry.metrics());
}

const call = (overrides: Partial<OperationRecord>): OperationRecord => ({
  operation: 'OrderHistory',
  type: 'query',
  client: 'web-shop',
  outcome: 'ok',
  durationSeconds: 0.004,
  ...overrides,
});

describe('operationFigures', () => {
  it("merges an operation's series across type and outcome, per client, with errors by outcome and averages per call", async () => {
    const families = await scrapeOf([
      call({ durationSeconds: 0.004, statements: 6, estimatedCost: 120, actualCost: 40 }),
      call({ durationSeconds: 0.006, statements: 6, estimatedCost: 120, actualCost: 50 }),
      call({ outcome: 'client_error', durationSeconds: 0.012, statements: 3, estimatedCost: 60 }),
      call({ outcome: 'server_error', durationSeconds: 0.012, statements: 1 }),
      call({ outcome: 'refused', type: 'unknown', durationSeconds: 0.001 }),
      call({ client: 'support-bff', durationSeconds: 0.2, statements: 2 }),
    ]);
    const rows = operationFigures(families);
    const webShop = rows.find((r) => r.client === 'web-shop')!;
    // Buckets (DURATION_BUCKETS) after the merge: ≤2.5 ms 1, ≤5 ms 2, ≤7.5 ms 3, ≤10 ms 3, ≤15 ms 5.
    // p50: rank 2.5 in (5, 7.5] ms, which holds the 3rd: 5 + 2.5 × 0.5 / 1 = 6.25 ms.
    // p95: rank 4.75 in (10, 15] ms, which holds the 4th and 5th: 10 + 5 × 1.75 / 2 = 14.375 ms.
    // p99: rank 4.95: 10 + 5 × 1.95 / 2 = 14.875 ms.
    expect(webShop).toEqual<OperationFigures>({
      operation: 'OrderHistory',
      client: 'web-shop',
      types: ['query', 'unknown'],
      calls: 5,
      latencyMs: {
        p50: { ms: expect.closeTo(6.25, 9), atLeast: false },
        p95: { ms: expect.closeTo(14.375, 9), atLeast: false },
        p99: { ms: expect.closeTo(14.875, 9), atLeast: false },
      },
      errors: { total: 3, clientError: 1, serverError: 1, refused: 1 },
      // Sums over counts of their own histograms: a refused call is neither priced nor executed.
      costPerCall: { estimated: 100, actual: 45 },
      sqlStatementsPerCall: 4,
    });
    expect(rows.find((r) => r.client === 'support-bff')).toMatchObject({
      calls: 1,
      errors: { total: 0 },
      costPerCall: { estimated: null, actual: null },
      sqlStatementsPerCall: 2,
      // One observation in (150, 200] ms: p50 is halfway.
      latencyMs: { p50: { ms: expect.closeTo(175, 9) } },
    });
  });

  it('adds series written by hand in any label order, and flags a quantile past the highest bucket', () => {
    const text = [
      '# TYPE gateway_operation_duration_seconds histogram',
      'gateway_operation_duration_seconds_bucket{le="0.5",operation="Place",type="mutation",outcome="ok",client="web-shop"} 1',
      'gateway_operation_duration_seconds_bucket{le="+Inf",operation="Place",type="mutation",outcome="ok",client="web-shop"} 1',
      'gateway_operation_duration_seconds_count{operation="Place",type="mutation",outcome="ok",client="web-shop"} 1',
      'gateway_operation_duration_seconds_bucket{client="web-shop",outcome="server_error",type="mutation",operation="Place",le="0.5"} 0',
      'gateway_operation_duration_seconds_bucket{client="web-shop",outcome="server_error",type="mutation",operation="Place",le="+Inf"} 3',
      'gateway_operation_duration_seconds_count{client="web-shop",outcome="server_error",type="mutation",operation="Place"} 3',
      '# TYPE gateway_operation_sql_statements histogram',
      'gateway_operation_sql_statements_sum{operation="Place",client="web-shop"} 10',
      'gateway_operation_sql_statements_count{operation="Place",client="web-shop"} 4',
    ].join('\n');
    const [place] = operationFigures(parsePrometheusText(text));
    expect(place).toMatchObject({
      calls: 4,
      types: ['mutation'],
      errors: { total: 3, serverError: 3 },
      sqlStatementsPerCall: 2.5,
      // Rank 2 of 4 is past the 0.5 s bucket (1): at least 500 ms.
      latencyMs: { p50: { ms: 500, atLeast: true }, p99: { ms: 500, atLeast: true } },
    });
  });

  it('is empty for a scrape without per-operation series', async () => {
    expect(operationFigures(await scrapeOf([]))).toEqual([]);
    expect(operationFigures(parsePrometheusText('up 1'))).toEqual([]);
  });
});

describe('selectOperations', () => {
  const row = (operation: string, client: string, calls: number, errors: number, p99: number | null): OperationFigures => ({
    operation,
    client,
    types: ['query'],
    calls,
    latencyMs: { p50: null, p95: null, p99: p99 === null ? null : { ms: p99, atLeast: p99 >= 10_000 } },
    errors: { total: errors, clientError: errors, serverError: 0, refused: 0 },
    costPerCall: { estimated: null, actual: null },
    sqlStatementsPerCall: null,
  });
  const rows = [
    row('ProductPage', 'web-shop', 40, 0, 20),
    row('OrderHistory', 'web-shop', 40, 2, 10_000),
    row('OrderHistory', 'support-bff', 7, 5, 80),
    row('(none)', 'unknown', 3, 3, null),
  ];
  const order = (selected: OperationFigures[]) => selected.map((r) => `${r.operation}/${r.client}`);

  it('sorts by calls, p99 or errors, highest first; ties by calls, then operation and client names', () => {
    expect(order(selectOperations(rows, { sort: 'calls' }))).toEqual([
      'OrderHistory/web-shop',
      'ProductPage/web-shop',
      'OrderHistory/support-bff',
      '(none)/unknown',
    ]);
    expect(order(selectOperations(rows, { sort: 'p99' }))).toEqual([
      'OrderHistory/web-shop',
      'OrderHistory/support-bff',
      'ProductPage/web-shop',
      '(none)/unknown',
    ]);
    expect(order(selectOperations(rows, { sort: 'errors' }))).toEqual([
      'OrderHistory/support-bff',
      '(none)/unknown',
      'OrderHistory/web-shop',
      'ProductPage/web-shop',
    ]);
  });

  it('keeps only the operation and client asked for, by exact name', () => {
    expect(order(selectOperations(rows, { sort: 'calls', client: 'web-shop' }))).toEqual(['OrderHistory/web-shop', 'ProductPage/web-shop']);
    expect(order(selectOperations(rows, { sort: 'calls', operation: 'OrderHistory', client: 'support-bff' }))).toEqual(['OrderHistory/support-bff']);
    expect(selectOperations(rows, { sort: 'calls', client: 'web' })).toEqual([]);
  });
});

describe('gatewayStartedAt', () => {
  it('reads process_start_time_seconds, and is null without it', () => {
    expect(gatewayStartedAt(parsePrometheusText('process_start_time_seconds 1795751108'))).toEqual(new Date(1795751108_000));
    expect(gatewayStartedAt(parsePrometheusText('up 1'))).toBeNull();
  });
});
