import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { formatReport, JSON_REPORT_VERSION } from '../../../src/schemaCheck/formatReport';
import type { CheckResult } from '../../../src/schemaCheck/runCheck';
import type { OperationReport } from '../../../src/schemaCheck/checkOperations';

const schema = JSON.parse(readFileSync(path.resolve(__dirname, '../../../docs/schema-check-report.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true }).compile(schema);

const operation: OperationReport = {
  client: 'web-shop',
  name: 'OrderHistory',
  file: 'schema/operations/web-shop/OrderHistory.graphql',
  kind: 'query',
  documentId: null,
  sampleVariables: { first: 10 },
  errors: [],
  costBefore: 120,
  costAfter: 121,
  overBudget: false,
  scopes: ['orders:read'],
  newlyRestricted: [{ coordinate: 'Order.customer', before: 'orders:read', after: 'customers:read' }],
  deprecated: [{ coordinate: 'Order.totalCents', removeAfter: '2027-05-24' }],
  document: null,
};

const result = (changes: number): CheckResult => ({
  base: 'main',
  next: 'working tree',
  changes: Array.from({ length: changes }, (_, i) => ({
    severity: 'safe' as const,
    kind: 'FIELD_ADDED',
    coordinate: `Order.f${i}`,
    message: `Order.f${i} was added.`,
  })),
  removals: [{ coordinate: 'Order.totalCents', allowed: false, reason: 'Its sunset date is 2027-05-24.' }],
  operations: [operation],
  failures: ['Order.totalCents was removed. Its sunset date is 2027-05-24.'],
});

describe('formatReport', () => {
  it('prints JSON in the documented, versioned shape (docs/schema-check-report.schema.json)', () => {
    for (const executions of [
      null,
      [{ client: 'web-shop', name: 'OrderHistory', statements: { small: 3, large: 3 }, growsWithPageSize: false, note: 'first: 5 and 50' }],
    ]) {
      const report = JSON.parse(formatReport(result(2), executions, 'json'));
      expect(validate(report) ? [] : validate.errors).toEqual([]);
      expect(report).toMatchObject({ formatVersion: JSON_REPORT_VERSION, passed: false, removals: [{ coordinate: 'Order.totalCents', allowed: false }] });
      // The parsed document never leaks into the report.
      expect(report.operations[0]).not.toHaveProperty('document');
    }
  });

  it('the schema refuses a report that lost a field, so a shape change cannot go unnoticed', () => {
    const { operations: _gone, ...report } = JSON.parse(formatReport(result(1), null, 'json'));
    expect(validate(report)).toBe(false);
  });

  it('collapses long lists in markdown, for a pull-request comment, and leaves short ones open', () => {
    const long = formatReport(result(11), null, 'markdown');
    expect(long).toContain('<details><summary>11 safe changes</summary>');
    expect(long).toMatch(/^## Schema check: FAIL/);
    const short = formatReport(result(3), null, 'markdown');
    expect(short).not.toContain('<details>');
    expect(short).toContain('- Order.f2 was added.');
    expect(formatReport(result(11), null, 'text')).not.toContain('<details>');
  });
});
