import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { OperationFigures } from '../../../src/observability/operationFigures';
import { formatOperationReport, OPS_REPORT_FORMAT_VERSION, type ReportContext } from '../../../src/observability/operationFiguresReport';

const schema = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/ops-report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

const orderHistory: OperationFigures = {
  operation: 'OrderHistory',
  client: 'web-shop',
  types: ['query'],
  calls: 1200,
  latencyMs: { p50: { ms: 12.345678, atLeast: false }, p95: { ms: 48.1, atLeast: false }, p99: { ms: 10_000, atLeast: true } },
  errors: { total: 3, clientError: 2, serverError: 1, refused: 0 },
  costPerCall: { estimated: 121.0004, actual: 34.5 },
  sqlStatementsPerCall: 6,
};
const refused: OperationFigures = {
  operation: '(none)',
  client: 'team|a',
  types: ['unknown'],
  calls: 2,
  latencyMs: { p50: { ms: 1.25, atLeast: false }, p95: { ms: 2.375, atLeast: false }, p99: { ms: 2.475, atLeast: false } },
  errors: { total: 2, clientError: 0, serverError: 0, refused: 2 },
  costPerCall: { estimated: null, actual: null },
  sqlStatementsPerCall: null,
};
const context: ReportContext = { source: 'http://127.0.0.1:4000/metrics', gatewayStartedAt: new Date('2026-11-27T08:00:00Z'), sort: 'calls' };

describe('formatOperationReport', () => {
  it('prints JSON in the documented, versioned shape (docs/ops-report.schema.json), rounded to a microsecond', () => {
    const report = JSON.parse(formatOperationReport([orderHistory, refused], { ...context, client: 'web-shop' }, 'json'));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    expect(report).toMatchObject({
      formatVersion: OPS_REPORT_FORMAT_VERSION,
      source: 'http://127.0.0.1:4000/metrics',
      gatewayStartedAt: '2026-11-27T08:00:00.000Z',
      sort: 'calls',
      filters: { operation: null, client: 'web-shop' },
    });
    expect(report.operations[0]).toEqual({
      operation: 'OrderHistory',
      client: 'web-shop',
      types: ['query'],
      calls: 1200,
      latencyMs: { p50: { ms: 12.346, atLeast: false }, p95: { ms: 48.1, atLeast: false }, p99: { ms: 10_000, atLeast: true } },
      errors: { total: 3, clientError: 2, serverError: 1, refused: 0 },
      costPerCall: { estimated: 121, actual: 34.5 },
      sqlStatementsPerCall: 6,
    });
    expect(report.operations[1]).toMatchObject({ costPerCall: { estimated: null, actual: null }, sqlStatementsPerCall: null });
  });

  it('the schema refuses a report that lost a field, so a shape change cannot go unnoticed', () => {
    const report = JSON.parse(formatOperationReport([orderHistory], context, 'json'));
    delete report.operations[0].errors.refused;
    expect(validate(report)).toBe(false);
  });

  it('prints an aligned table: names left, figures right, ">=" past the highest bucket, "-" where nothing was recorded', () => {
    const text = formatOperationReport([orderHistory, refused], context, 'text');
    const lines = text.split('\n');
    expect(lines[0]).toBe('Operation figures from http://127.0.0.1:4000/metrics: 2 rows, since the gateway started (2026-11-27T08:00:00.000Z), by calls.');
    const table = lines.slice(2, 5);
    expect(table[0]).toMatch(/^operation\s+client\s+calls\s+p50 ms\s+p95 ms\s+p99 ms\s+errors\s+client_error\s+server_error\s+refused\s+est\. cost\/call/);
    expect(table[1]!.split(/\s{2,}/)).toEqual(['OrderHistory', 'web-shop', '1200', '12.3', '48.1', '>= 10000', '3', '2', '1', '0', '121.0', '34.5', '6.0']);
    expect(table[2]!.split(/\s{2,}/)).toEqual(['(none)', 'team|a', '2', '1.3', '2.4', '2.5', '2', '0', '0', '2', '-', '-', '-']);
    // Every row ends where the header does: the columns line up.
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    expect(text).toContain('">= X" lies past its highest bucket');
  });

  it('prints a markdown table for a review, with pipes in names escaped', () => {
    const markdown = formatOperationReport([orderHistory, refused], { ...context, sort: 'p99', operation: '(none)' }, 'markdown');
    expect(markdown).toContain('### Operation figures');
    expect(markdown).toContain(
      'From `http://127.0.0.1:4000/metrics`: 2 rows for operation (none), since the gateway started (2026-11-27T08:00:00.000Z), by p99 latency.',
    );
    expect(markdown).toContain('| --- | --- | ---: |');
    expect(markdown).toContain('| `OrderHistory` | web-shop | 1200 | 12.3 | 48.1 | >= 10000 | 3 | 2 | 1 | 0 | 121.0 | 34.5 | 6.0 |');
    expect(markdown).toContain('| `(none)` | team\\|a | 2 |');
  });

  it('says so when no row is left', () => {
    expect(formatOperationReport([], { ...context, client: 'ios-app' }, 'text')).toContain('0 rows for client ios-app');
    expect(formatOperationReport([], context, 'text')).toContain('(no calls recorded)');
    expect(formatOperationReport([], context, 'markdown')).toContain('_No calls recorded._');
  });
});
