import { Writable } from 'node:stream';
import { createLogger, requestLineLogger } from '../../../src/observability/logger';
import { GatewayMetrics } from '../../../src/observability/metrics';
import { OperationLabels } from '../../../src/observability/operationLabels';
import { normalizedDocumentHash, observationPolicy } from '../../../src/observability/requestObservation';
import type { RequestState } from '../../../src/pipeline/requestState';
import { requestStateFor } from '../../helpers/requestStates';

/** A logger whose lines are kept, parsed, for assertions. */
function capturedLogger(logVariables = false) {
  const lines: Array<Record<string, any>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', logVariables, destination }) };
}

function observe(options: { metrics?: GatewayMetrics; maxNames?: number; slowOperationMs?: number; logVariables?: boolean } = {}) {
  const { lines, logger } = capturedLogger(options.logVariables);
  const policy = observationPolicy({
    metrics: options.metrics,
    operationLabels: new OperationLabels([{ name: 'OrderHistory', type: 'query' }], options.maxNames ?? 200),
    logger,
    slowOperationMs: options.slowOperationMs ?? 60_000,
    tierOf: () => 'user',
  });
  const complete = (state: RequestState, body = { data: { warehouses: [] } }) => policy.complete!(state, body);
  return { lines, complete };
}

async function seriesOf(metrics: GatewayMetrics, name: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric ? (metric.values as unknown[]).length : 0;
}

describe('operation labels', () => {
  it('keeps 10,000 distinct operation names to a bounded set of series', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const { complete } = observe({ metrics, maxNames: 50 });
    for (let i = 0; i < 10_000; i += 1) await complete(requestStateFor(`query Probe${i} { warehouses { code } }`));
    await complete(requestStateFor('query OrderHistory { warehouses { code } }'));
    await complete(requestStateFor('{ warehouses { code } }'));
    const text = await metrics.registry.metrics();
    const operations = new Set([...text.matchAll(/^gateway_operation_duration_seconds_count\{operation="([^"]+)"/gm)].map((m) => m[1]));
    // 50 first names, (other), the known OrderHistory (whatever came before it) and (anonymous).
    expect(operations.size).toBe(53);
    expect(operations).toContain('(other)');
    expect(operations).toContain('OrderHistory');
    expect(operations).toContain('(anonymous)');
    expect(operations).not.toContain('Probe9999');
    // One _count series per label set: the duration histogram's series stay bounded too.
    expect(await seriesOf(metrics, 'gateway_operation_duration_seconds')).toBeLessThan(53 * 25);
  });

  it('gives anonymous requests no slot of their own, and no series under a known name with another type', async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    const { complete } = observe({ metrics, maxNames: 50 });
    for (let i = 0; i < 100; i += 1) await complete(requestStateFor(`query Probe${i} { warehouses { code } }`, { viewer: null }));
    await complete(requestStateFor('mutation OrderHistory { __typename }'));
    await complete(requestStateFor('query OrderHistory { warehouses { code } }', { viewer: null }));
    await complete(requestStateFor('query Mine { warehouses { code } }'));
    const text = await metrics.registry.metrics();
    const series = [...text.matchAll(/^gateway_operation_duration_seconds_count\{operation="([^"]+)",type="(\w+)"/gm)].map((m) => `${m[2]} ${m[1]}`);
    expect(new Set(series)).toEqual(new Set(['query (other)', 'mutation (other)', 'query OrderHistory', 'query Mine']));
  });
});

describe('request log lines', () => {
  it('writes one line per operation with its operation, client, status, duration, cost, statements and trace id', async () => {
    const { lines, complete } = observe();
    const state = requestStateFor('query Stock { warehouses { code } }');
    state.cost = { requestedQueryCost: 12, actualQueryCost: 4, maximumQueryCost: 10_000 };
    state.work.statements = 2;
    await complete(state);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      msg: 'request',
      level: 30,
      traceId: 'trace-1',
      transport: 'http',
      operation: 'Stock',
      operationType: 'query',
      client: 'unknown',
      status: 200,
      outcome: 'ok',
      cost: { estimated: 12, actual: 4 },
      statements: 2,
    });
    expect(typeof lines[0]!.durationMs).toBe('number');
  });

  it('logs a slow operation with its normalized document hash, its variables redacted by default', async () => {
    const { lines, complete } = observe({ slowOperationMs: 0 });
    const query = 'query Find($email: String!) { customers(first: 1, filter: { email: $email }) { totalCount } }';
    await complete(requestStateFor(query, { variables: { email: 'ada@example.com' } }));
    const slow = lines.find((line) => line.msg.startsWith('slow operation'))!;
    expect(slow.level).toBe(40);
    expect(slow.documentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(slow.variables).toBe('[redacted]');
    expect(JSON.stringify(lines)).not.toContain('ada@example.com');
  });

  it('gives one query shape one hash, whatever its literals and whitespace', () => {
    const hash = (query: string) => normalizedDocumentHash(requestStateFor(query).operation!.analysis.document, 'Q');
    expect(hash('query Q { order(id: "T3JkZXI6MQ") { id status } }')).toBe(hash('query Q {\n  order(id: "T3JkZXI6Mg") {\n    id\n    status\n  }\n}'));
    expect(hash('query Q { order(id: "a") { id } }')).not.toBe(hash('query Q { order(id: "a") { id status } }'));
  });

  it('with LOG_VARIABLES=on, logs the variables but still redacts the credentials and emails inside them', async () => {
    const { lines, complete } = observe({ slowOperationMs: 0, logVariables: true });
    const variables = { input: { email: 'ada@example.com', note: 'gift', apiKey: 'sk_live_123' }, first: 5 };
    await complete(requestStateFor('query Q($first: Int) { warehouses { code } }', { variables }));
    const slow = lines.find((line) => line.msg.startsWith('slow operation'))!;
    expect(slow.variables).toEqual({ input: { email: '[redacted]', note: 'gift', apiKey: '[redacted]' }, first: 5 });
  });
});

describe('logger redaction', () => {
  it('redacts authorization headers, API keys, tokens and emails wherever a line puts them', () => {
    const { lines } = capturedLogger();
    const logger = createLogger({
      level: 'info',
      logVariables: false,
      destination: new Writable({ write: (c, _e, d) => (lines.push(JSON.parse(String(c))), d()) }),
    });
    logger.info({ headers: { authorization: 'Bearer eyJ.secret', 'x-api-key': 'gw_live_abc' }, customer: { email: 'ada@example.com' }, token: 't' }, 'x');
    const text = JSON.stringify(lines);
    for (const secret of ['eyJ.secret', 'gw_live_abc', 'ada@example.com', '"t"']) expect(text).not.toContain(secret);
    expect(lines[0]!.headers.authorization).toBe('[redacted]');
  });

  it('the request line logger, cheaper, still redacts a secret or the variables put at its top level', () => {
    const { lines, logger } = capturedLogger();
    requestLineLogger(logger).info({ operation: 'Q', email: 'ada@example.com', authorization: 'Bearer x', variables: { a: 1 } }, 'request');
    expect(lines[0]).toMatchObject({ operation: 'Q', email: '[redacted]', authorization: '[redacted]', variables: '[redacted]' });
  });
});
