import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { exitWithin, killSpawnedProcesses, spawnTsx } from '../helpers/gatewayProcess';
import { freePort } from '../helpers/ports';
import { createTestServer, testDatabaseUrl, type TestServer } from '../helpers/testServer';

/**
 * `npm run ops:report` as on-call runs it: against a real gateway's /metrics after known
 * requests, against the same metrics saved to a file or piped in, and refusing (exit 2, a
 * message, no stack trace) what it cannot read.
 */
const ROOT = path.resolve(__dirname, '../..');
const validateReport = new Ajv2020().compile(JSON.parse(readFileSync(path.join(ROOT, 'docs/ops-report.schema.json'), 'utf8')));
const STACK = /\n\s+at /;

let server: TestServer;
let metricsUrl: string;
let workDir: string;
/** SQL statements the three OrderHistory calls sent, as the database driver counted them. */
let orderHistoryStatements: number;

const WEB_SHOP = { 'apollographql-client-name': 'web-shop', 'apollographql-client-version': '1.0.0' };
const ORDER_HISTORY = /* GraphQL */ `
  query OrderHistory($first: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          customer {
            name
          }
          items {
            quantity
            product {
              sku
            }
          }
        }
      }
    }
  }
`;

beforeAll(async () => {
  server = await createTestServer();
  metricsUrl = server.server.metricsUrl!;
  workDir = await mkdtemp(path.join(tmpdir(), 'ops-report-'));
  orderHistoryStatements = 0;
  for (let i = 0; i < 3; i += 1) {
    const { result, statements } = await server.countStatements(() => server.query(ORDER_HISTORY, { first: 5 }, WEB_SHOP));
    expect(result.body.errors).toBeUndefined();
    orderHistoryStatements += statements;
  }
  const missing = await server.query('query MissingOrder { order(id: "nope") { id } }', {}, WEB_SHOP);
  expect(missing.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
}, 60_000);
afterAll(async () => {
  killSpawnedProcesses();
  await server.close();
  await rm(workDir, { recursive: true, force: true });
});

/** Runs the command; `stdout` alone (what a script would parse), `output` with stderr. */
async function report(args: string[], { env = {}, stdin }: { env?: Record<string, string>; stdin?: string } = {}) {
  const command = spawnTsx('src/cli/opsReport.ts', { METRICS_TOKEN: '', ...env }, args);
  let stdout = '';
  command.child.stdout!.on('data', (chunk) => (stdout += chunk));
  if (stdin !== undefined) command.child.stdin!.end(stdin);
  const code = await exitWithin(command, 60_000);
  return { code, stdout, output: command.output() };
}

describe('npm run ops:report', () => {
  it('reads a running gateway: calls, errors by outcome, SQL per call, per operation and client, in the documented JSON', async () => {
    const { code, stdout, output } = await report(['--url', metricsUrl, '--format', 'json']);
    expect({ code, output }).toMatchObject({ code: 0 });
    const json = JSON.parse(stdout);
    expect(validateReport(json) ? [] : validateReport.errors).toEqual([]);
    expect(json).toMatchObject({ formatVersion: 1, source: metricsUrl, sort: 'calls', filters: { operation: null, client: null } });
    expect(Date.parse(json.gatewayStartedAt)).toBeLessThanOrEqual(Date.now());
    const byName = (operation: string) => json.operations.find((r: any) => r.operation === operation && r.client === 'web-shop');
    expect(byName('OrderHistory')).toMatchObject({
      types: ['query'],
      calls: 3,
      errors: { total: 0, clientError: 0, serverError: 0, refused: 0 },
      sqlStatementsPerCall: orderHistoryStatements / 3,
    });
    expect(byName('OrderHistory').latencyMs.p99.ms).toBeGreaterThan(0);
    expect(byName('OrderHistory').costPerCall.estimated).toBeGreaterThan(byName('OrderHistory').costPerCall.actual);
    expect(byName('MissingOrder')).toMatchObject({ calls: 1, errors: { total: 1, clientError: 1, serverError: 0, refused: 0 } });
    // Most calls first.
    expect(json.operations[0]).toMatchObject({ operation: 'OrderHistory', client: 'web-shop' });
  }, 60_000);

  it('reads the same metrics saved to a file or piped in, as a table or markdown', async () => {
    const scrape = await (await fetch(metricsUrl)).text();
    const file = path.join(workDir, 'scrape.txt');
    await writeFile(file, scrape);
    const [fromUrl, fromFile, piped, markdown] = await Promise.all([
      report(['--url', metricsUrl, '--format', 'json']),
      report(['--file', file, '--format', 'json']),
      report(['--file', '-', '--client', 'web-shop', '--sort', 'errors'], { stdin: scrape }),
      report(['--file', file, '--format', 'markdown', '--operation', 'OrderHistory']),
    ]);
    expect([fromUrl.code, fromFile.code, piped.code, markdown.code]).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ source: file, operations: JSON.parse(fromUrl.stdout).operations });

    const table = piped.stdout.split('\n');
    expect(table[0]).toMatch(/^Operation figures from stdin: 2 rows for client web-shop, since the gateway started \(.+\), by errors\.$/);
    expect(table[2]).toMatch(/^operation\s+client\s+calls\s+p50 ms\s+p95 ms\s+p99 ms\s+errors\s+client_error\s+server_error\s+refused/);
    expect(table[3]!.split(/\s{2,}/).slice(0, 3)).toEqual(['MissingOrder', 'web-shop', '1']);
    expect(table[4]!.split(/\s{2,}/).slice(0, 3)).toEqual(['OrderHistory', 'web-shop', '3']);

    expect(markdown.stdout).toContain('### Operation figures');
    expect(markdown.stdout).toMatch(/^\| `OrderHistory` \| web-shop \| 3 \| /m);
  }, 120_000);

  it('asks for the token when the gateway serves its metrics behind METRICS_TOKEN (exit 2), and reads them with it', async () => {
    const token = 'ops-report-token-0123456789';
    const guarded = await createTestServer({ METRICS_TOKEN: token });
    try {
      await guarded.query('{ warehouses { code } }', {}, WEB_SHOP);
      const url = guarded.server.metricsUrl!;
      const [without, wrong, withEnv] = await Promise.all([
        report(['--url', url]),
        report(['--url', url, '--token', 'not-the-token-0123456789']),
        report(['--url', url, '--format', 'json'], { env: { METRICS_TOKEN: token } }),
      ]);
      expect(without.code).toBe(2);
      expect(without.output).toContain(`${url} answered 401: this gateway serves its metrics behind METRICS_TOKEN; pass it with --token <token>`);
      expect(wrong.code).toBe(2);
      expect(wrong.output).toContain('refused the token (401)');
      expect(withEnv.code).toBe(0);
      expect(JSON.parse(withEnv.stdout).operations).toEqual([expect.objectContaining({ operation: '(anonymous)', client: 'web-shop', calls: 1 })]);
      for (const refused of [without, wrong]) expect(refused.output).not.toMatch(STACK);
    } finally {
      await guarded.close();
    }
  }, 120_000);

  it('exits 2 with a message for a gateway it cannot reach, a file it cannot read, and input that is not metrics', async () => {
    const garbage = path.join(workDir, 'garbage.txt');
    await writeFile(garbage, 'up 1\nthis is not a metrics line\n');
    const otherMetrics = path.join(workDir, 'other.txt');
    await writeFile(otherMetrics, '# TYPE up gauge\nup 1\n');
    const binary = path.join(workDir, 'binary.bin');
    await writeFile(binary, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    const port = await freePort();
    const runs = await Promise.all([
      report(['--url', `http://127.0.0.1:${port}/metrics`]),
      report(['--url', new URL('/nowhere', metricsUrl).href]),
      report(['--file', path.join(workDir, 'missing.txt')]),
      report(['--file', garbage]),
      report(['--file', otherMetrics]),
      report(['--file', binary]),
      report(['--file', '-'], { stdin: '<html><body>Bad gateway</body></html>' }),
      report(['--file', garbage, '--url', metricsUrl]),
    ]);
    const expected = [
      `Cannot reach http://127.0.0.1:${port}/metrics (ECONNREFUSED): is the gateway running there?`,
      'answered 404: no metrics there.',
      `Cannot read ${path.join(workDir, 'missing.txt')}: ENOENT`,
      `${garbage} is not Prometheus' text format: line 2: the value of this is "is"`,
      `${otherMetrics} has no gateway_operation_* series: these are not an orders gateway's metrics.`,
      `${binary} is not UTF-8 text`,
      `stdin is not Prometheus' text format: line 1: expected a metric name`,
      'Read either a gateway (--url) or a saved scrape (--file), not both.',
    ];
    runs.forEach((run, i) => {
      expect({ code: run.code, output: run.output }).toEqual({ code: 2, output: expect.stringContaining(expected[i]!) });
      expect(run.output).not.toMatch(STACK);
    });
  }, 120_000);

  it("is where the deprecation report sends its readers for the figures of a deprecated field's clients", async () => {
    const legacy = await createTestServer();
    try {
      const response = await legacy.query('query LegacyTotals { orders(first: 1) { edges { node { totalCents } } } }', {}, WEB_SHOP);
      expect(response.body.extensions.deprecations).toBeDefined();
    } finally {
      await legacy.close(); // flushes the deprecated-usage recorder
    }
    const command = spawnTsx('src/cli/deprecationsReport.ts', { DATABASE_URL: testDatabaseUrl() }, ['--days', '1']);
    expect(await exitWithin(command, 60_000)).toBe(0);
    // Other suites record their own clients in the same database: web-shop is one of those named.
    expect(command.output()).toMatch(
      /^Per-operation figures \(calls, latency, errors, cost, SQL\) of th(is client|ese clients), from a running gateway: npm run ops:report -- --client (web-shop|<name>, <name> one of .*\bweb-shop\b.*)$/m,
    );
  }, 120_000);
});
