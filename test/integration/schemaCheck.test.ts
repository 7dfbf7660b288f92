import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import pg from 'pg';
import { testDatabaseUrl } from '../helpers/testServer';

/**
 * End to end: `npm run schema:check` in a temporary git repository holding a copy of our
 * schema/ (SDL, registry, client operations) on main, and a change on a branch.
 */
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'src/cli/schemaCheck.ts');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const validateReport = new Ajv2020().compile(JSON.parse(readFileSync(path.join(ROOT, 'docs/schema-check-report.schema.json'), 'utf8')));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  report: any;
}

function createRepo(prepareMain: (repo: string) => void = () => undefined): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'schema-check-'));
  cpSync(path.join(ROOT, 'schema'), path.join(repo, 'schema'), { recursive: true });
  prepareMain(repo);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'base');
  git('checkout', '-qb', 'change');
  return repo;
}

function edit(repo: string, file: string, from: string | RegExp, to: string): void {
  const full = path.join(repo, file);
  const text = readFileSync(full, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no ${from} in ${file}`);
  writeFileSync(full, next);
}

function check(repo: string, args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const { DATABASE_URL: _none, ...inherited } = process.env;
    const child = spawn(TSX, [CLI, '--format', 'json', ...args], { cwd: repo, env: { ...inherited, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => {
      let report;
      try {
        report = JSON.parse(stdout);
      } catch {
        report = { stderr };
      }
      resolve({ code, stdout, stderr, report });
    });
  });
}

const repos: string[] = [];
afterAll(() => repos.forEach((r) => rmSync(r, { recursive: true, force: true })));
const repo = (prepare?: (repo: string) => void) => {
  const r = createRepo(prepare);
  repos.push(r);
  return r;
};

const STACK = /\n\s+at /;

/** The check could not run: exit 2, one message on stderr that names the place to fix, no stack trace. */
function expectCouldNotRun(run: Run, message: string | RegExp): void {
  expect(run.stderr.trim()).toMatch(message);
  expect(run.stderr).not.toMatch(STACK);
  expect(run.stdout).toBe('');
  expect(run.code).toBe(2);
}

describe('schema:check', () => {
  it('passes an unchanged schema and a safe addition, reporting every client operation', async () => {
    const r = repo();
    edit(
      r,
      'schema/orders/orders.graphql',
      '  "When the order was placed."\n  createdAt: DateTime!',
      '  "When the order was placed."\n  createdAt: DateTime!\n  "A note for the customer."\n  note: String',
    );
    const run = await check(r);
    expect(run.code).toBe(0);
    expect(validateReport(run.report) ? [] : validateReport.errors).toEqual([]);
    expect(run.report.changes).toContainEqual(expect.objectContaining({ severity: 'safe', coordinate: 'Order.note' }));
    expect(run.report.operations.map((o: any) => `${o.client}/${o.name}`)).toEqual([
      'support-bff/CustomerOrders',
      'support-bff/StockLevels',
      'web-shop/OrderHistory',
      'web-shop/PlaceOrder',
      'web-shop/ProductPage',
    ]);
    const customerOrders = run.report.operations.find((o: any) => o.name === 'CustomerOrders');
    expect(customerOrders).toMatchObject({
      errors: [],
      scopes: ['customers:pii', 'customers:read', 'orders:read'],
      deprecated: [{ coordinate: 'Order.totalCents', removeAfter: '2027-05-24' }],
    });
  }, 60_000);

  it('blocks a breaking change and reports the client operation it breaks', async () => {
    const r = repo();
    edit(r, 'schema/orders/orders.graphql', / {2}"The number of units across all lines \(the sum of their quantities\)."\n {2}itemCount: Int!\n/, '');
    const run = await check(r);
    expect(run.code).toBe(1);
    expect(run.report.failures).toContainEqual(expect.stringMatching(/Order.itemCount was removed\. It was never deprecated/));
    expect(run.report.failures).toContainEqual(
      expect.stringMatching(/web-shop\/OrderHistory no longer validates: Cannot query field "itemCount" on type "Order"/),
    );
    const text = await check(r, ['--format', 'markdown']);
    expect(text.stdout).toMatch(/^## Schema check: FAIL/);
  }, 60_000);

  it('names the trusted document (its id and client) a breaking change breaks, published or left behind in the manifest', async () => {
    const published = JSON.parse(readFileSync(path.join(ROOT, 'schema/operations/persisted-query-manifest.json'), 'utf8')) as {
      operations: Array<{ id: string; name: string; clientName: string }>;
    };
    const orderHistory = published.operations.find((o) => o.clientName === 'web-shop' && o.name === 'OrderHistory')!;
    const removeItemCount = (r: string) =>
      edit(r, 'schema/orders/orders.graphql', / {2}"The number of units across all lines \(the sum of their quantities\)."\n {2}itemCount: Int!\n/, '');

    const r = repo();
    removeItemCount(r);
    const run = await check(r);
    expect(run.code).toBe(1);
    expect(validateReport(run.report) ? [] : validateReport.errors).toEqual([]);
    expect(run.report.operations.find((o: any) => o.name === 'OrderHistory')).toMatchObject({ client: 'web-shop', documentId: `sha256:${orderHistory.id}` });
    expect(run.report.failures).toContainEqual(
      expect.stringContaining(
        `web-shop/OrderHistory no longer validates: Cannot query field "itemCount" on type "Order". It is the trusted document sha256:${orderHistory.id}`,
      ),
    );

    // The operation file no longer uses the field, but the published document clients send still does.
    const stale = repo();
    removeItemCount(stale);
    edit(stale, 'schema/operations/web-shop/OrderHistory.graphql', '        itemCount\n', '');
    const staleRun = await check(stale);
    expect(staleRun.code).toBe(1);
    expect(staleRun.report.operations.find((o: any) => o.name === 'OrderHistory')).toMatchObject({ errors: [], documentId: null });
    expect(staleRun.report.failures).toContainEqual(
      `The trusted document sha256:${orderHistory.id} (web-shop/OrderHistory, published but in no operation file any more) no longer validates: Cannot query field "itemCount" on type "Order".`,
    );
  }, 60_000);

  it('blocks removing a deprecated coordinate before its sunset date', async () => {
    const r = repo();
    edit(
      r,
      'schema/catalog/catalog.graphql',
      / {2}"The current price of one unit in minor units, without its currency."\n {2}priceCents: Int! @deprecated\(reason: "Use price, which carries its currency."\)\n/,
      '',
    );
    const run = await check(r);
    expect(run.code).toBe(1);
    expect(run.report.failures[0]).toMatch(/Product.priceCents was removed\. Its sunset date is 2027-05-24/);
  }, 60_000);

  describe('removing a coordinate past its sunset', () => {
    const removeIt = (repoDir: string) => {
      edit(
        repoDir,
        'schema/catalog/catalog.graphql',
        / {2}"The current price of one unit in minor units, without its currency."\n {2}priceCents: Int! @deprecated\(reason: "Use price, which carries its currency."\)\n/,
        '',
      );
      edit(repoDir, 'schema/deprecations.yaml', / {2}- coordinate: Product.priceCents[\s\S]*?owner: catalog-team\n/, '');
    };

    it('is allowed when the registry sunset has passed', async () => {
      const r = repo((d) =>
        edit(
          d,
          'schema/deprecations.yaml',
          'deprecatedOn: 2026-11-24\n    removeAfter: 2027-05-24\n    owner: catalog-team',
          'deprecatedOn: 2025-06-01\n    removeAfter: 2026-01-01\n    owner: catalog-team',
        ),
      );
      removeIt(r);
      const run = await check(r);
      expect(run.code).toBe(0);
      expect(run.report.removals).toEqual([
        { coordinate: 'Product.priceCents', allowed: true, reason: expect.stringMatching(/sunset 2026-01-01 has passed \(no database: usage not checked\)/) },
      ]);
    }, 60_000);

    const sunsetPassed = (d: string) =>
      edit(
        d,
        'schema/deprecations.yaml',
        'deprecatedOn: 2026-11-24\n    removeAfter: 2027-05-24\n    owner: catalog-team',
        'deprecatedOn: 2025-06-01\n    removeAfter: 2026-01-01\n    owner: catalog-team',
      );

    it('is allowed against an SDL file base, judged by the registry committed at HEAD rather than the one the change edits', async () => {
      const r = repo(sunsetPassed);
      removeIt(r);
      const run = await check(r, ['--base', 'schema/snapshot.graphql']);
      expect(run.report.failures).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.report.base).toBe('schema/snapshot.graphql (deprecations from HEAD:schema/deprecations.yaml)');
      expect(run.report.removals).toEqual([{ coordinate: 'Product.priceCents', allowed: true, reason: expect.stringMatching(/sunset 2026-01-01 has passed/) }]);
    }, 60_000);

    it('is allowed against the snapshot, the baseline when there is no main branch', async () => {
      const r = repo(sunsetPassed);
      execFileSync('git', ['branch', '-qD', 'main'], { cwd: r });
      removeIt(r);
      const run = await check(r);
      expect(run.report.failures).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.report.base).toBe('committed snapshot (no merge base with main)');
    }, 60_000);

    it('is judged by the registry --base-registry names, in a repository with no commits to read one from', async () => {
      const r = mkdtempSync(path.join(tmpdir(), 'schema-check-'));
      repos.push(r);
      cpSync(path.join(ROOT, 'schema'), path.join(r, 'schema'), { recursive: true });
      execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: r });
      sunsetPassed(r);
      cpSync(path.join(r, 'schema/deprecations.yaml'), path.join(r, 'released-deprecations.yaml'));
      removeIt(r);
      const withoutIt = await check(r, ['--base', 'schema/snapshot.graphql']);
      expect(withoutIt.code).toBe(1);
      expect(withoutIt.report.failures[0]).toMatch(/Product.priceCents was removed\. It was never deprecated/);
      const run = await check(r, ['--base', 'schema/snapshot.graphql', '--base-registry', 'released-deprecations.yaml']);
      expect(run.report.failures).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.report.base).toBe('schema/snapshot.graphql (deprecations from released-deprecations.yaml)');
    }, 60_000);

    it('is blocked when the usage data shows recent use', async () => {
      const r = repo((d) =>
        edit(
          d,
          'schema/deprecations.yaml',
          'deprecatedOn: 2026-11-24\n    removeAfter: 2027-05-24\n    owner: catalog-team',
          'deprecatedOn: 2025-06-01\n    removeAfter: 2026-01-01\n    owner: catalog-team',
        ),
      );
      removeIt(r);
      const client = new pg.Client({ connectionString: testDatabaseUrl() });
      await client.connect();
      const clientName = `check-${process.pid}`;
      try {
        await client.query(`INSERT INTO "DeprecatedUsage" VALUES ('Product.priceCents', $1, '1.0', current_date, 3, now())`, [clientName]);
        const run = await check(r, [], { DATABASE_URL: testDatabaseUrl() });
        expect(run.code).toBe(1);
        expect(run.report.failures[0]).toMatch(/but it was used \d+ times in the last 7 days/);
      } finally {
        await client.query(`DELETE FROM "DeprecatedUsage" WHERE "clientName" = $1`, [clientName]);
        await client.end();
      }
    }, 60_000);
  });

  it("reports a cost change and fails an operation pushed over the server's maximum", async () => {
    const r = repo();
    edit(r, 'schema/orders/orders.graphql', 'items: [OrderItem!]! @listSize(assumedSize: 5)', 'items: [OrderItem!]! @listSize(assumedSize: 50)');
    const run = await check(r);
    expect(run.code).toBe(1);
    const history = run.report.operations.find((o: any) => o.name === 'OrderHistory');
    expect(history.costAfter).toBeGreaterThan(history.costBefore);
    expect(history.overBudget).toBe(true);
    expect(run.report.changes).toContainEqual(expect.objectContaining({ severity: 'dangerous', kind: 'COST_CHANGED', coordinate: 'Order.items' }));
    expect(run.report.failures).toContainEqual(expect.stringMatching(/web-shop\/OrderHistory costs \d+, above the maximum of 10000/));
  }, 60_000);

  it('passes removing directive locations only the SDL uses, and lists them as dangerous', async () => {
    const r = repo();
    edit(r, 'schema/base/directives.graphql', 'on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM', 'on FIELD_DEFINITION | OBJECT | INTERFACE');
    const run = await check(r);
    expect(run.code).toBe(0);
    expect(run.report.failures).toEqual([]);
    expect(run.report.changes).toContainEqual(
      expect.objectContaining({
        severity: 'dangerous',
        kind: 'DIRECTIVE_LOCATION_REMOVED',
        coordinate: '@cost',
        message: expect.stringMatching(/^Directive @cost can no longer be used on SCALAR/),
      }),
    );
    expect(run.report.changes.filter((c: any) => c.severity === 'breaking')).toEqual([]);
  }, 60_000);

  it('fails a tightened access rule on a field that client operations use', async () => {
    const r = repo();
    edit(r, 'schema/orders/orders.graphql', '  status: OrderStatus!\n', '  status: OrderStatus! @auth(requires: [ADMIN])\n');
    const run = await check(r);
    expect(run.code).toBe(1);
    expect(run.report.failures).toContainEqual('web-shop/OrderHistory uses Order.status, whose access rule tightened from @auth(orders:read) to @auth(admin).');
    expect(run.report.changes).toContainEqual(expect.objectContaining({ severity: 'dangerous', kind: 'ACCESS_TIGHTENED', coordinate: 'Order.status' }));
  }, 60_000);

  it('with --execute, runs each client query at two page sizes and catches an N+1 regression', async () => {
    const r = repo();
    const clean = await check(r, ['--execute'], { DATABASE_URL: testDatabaseUrl() });
    expect(clean.code).toBe(0);
    const history = clean.report.executions.find((e: any) => e.name === 'OrderHistory');
    expect(history.statements.small).toBe(history.statements.large);
    // Batching off is exactly what an N+1 regression looks like from outside.
    const regressed = await check(r, ['--execute'], { DATABASE_URL: testDatabaseUrl(), DATALOADER_BATCHING: 'off' });
    expect(regressed.code).toBe(1);
    expect(regressed.report.failures).toContainEqual(
      expect.stringMatching(/web-shop\/OrderHistory sends more SQL statements at a larger page size \(\d+ → \d+\): an N\+1 regression/),
    );
  }, 120_000);

  describe('the changed SDL and registry must agree', () => {
    const entry = (coordinate: string, reason: string) =>
      `  - coordinate: ${coordinate}\n    reason: ${reason}\n    replacement: nothing\n    deprecatedOn: 2026-11-24\n    removeAfter: 2027-05-24\n    owner: orders-team\n`;

    it('fails a deprecation without an entry, an entry without a deprecation or coordinate, and a reason that differs, naming each and what to do', async () => {
      const r = repo();
      edit(r, 'schema/orders/orders.graphql', '  status: OrderStatus!\n', '  status: OrderStatus! @deprecated(reason: "Use state.")\n');
      edit(r, 'schema/orders/orders.graphql', '  CANCELLED\n', '  CANCELLED @deprecated(reason: "Use VOIDED.")\n');
      edit(
        r,
        'schema/orders/orders.graphql',
        '    first: Int\n    "Return orders after',
        '    first: Int @deprecated(reason: "Use limit.")\n    "Return orders after',
      );
      edit(r, 'schema/deprecations.yaml', 'reason: Use price, which carries its currency.', 'reason: Use price.');
      writeFileSync(
        path.join(r, 'schema/deprecations.yaml'),
        `${readFileSync(path.join(r, 'schema/deprecations.yaml'), 'utf8')}${entry('Order.itemCount', 'Count the items.')}${entry('Order.legacyTotal', 'Use total.')}`,
      );
      const run = await check(r);
      expect(run.code).toBe(1);
      expect(run.report.failures).toEqual([
        'Order.status is @deprecated in the SDL but has no entry in schema/deprecations.yaml: add one (coordinate, reason, replacement, deprecatedOn, removeAfter, owner), or remove the @deprecated.',
        'OrderStatus.CANCELLED is @deprecated in the SDL but has no entry in schema/deprecations.yaml: add one (coordinate, reason, replacement, deprecatedOn, removeAfter, owner), or remove the @deprecated.',
        'Product.priceCents: the registry\'s reason "Use price." differs from the SDL\'s "Use price, which carries its currency.": make them the same, word for word.',
        'Query.orders(first:) is @deprecated in the SDL but has no entry in schema/deprecations.yaml: add one (coordinate, reason, replacement, deprecatedOn, removeAfter, owner), or remove the @deprecated.',
        'Order.itemCount has a registry entry but is not @deprecated in the SDL: deprecate it with @deprecated(reason: "Count the items."), or delete the entry.',
        'Order.legacyTotal has a registry entry but is not in the SDL: delete the entry (a removed coordinate leaves the registry with it), or correct its coordinate.',
      ]);
    }, 60_000);

    it('fails a deleted registry while the SDL deprecates coordinates', async () => {
      const r = repo();
      rmSync(path.join(r, 'schema/deprecations.yaml'));
      const run = await check(r);
      expect(run.code).toBe(1);
      expect(run.report.failures).toEqual([
        'schema/deprecations.yaml is missing, but the SDL deprecates Order.totalCents, OrderSortField.TOTAL, Product.priceCents: restore it (git checkout HEAD -- schema/deprecations.yaml) with an entry for each, or remove their @deprecated.',
      ]);
    }, 60_000);
  });

  describe('when the check cannot run', () => {
    it('names the file, line and column of an SDL syntax error, in the file where it is', async () => {
      const r = repo();
      const file = 'schema/base/money.graphql';
      writeFileSync(path.join(r, file), `${readFileSync(path.join(r, file), 'utf8')}\ntype Broken {`);
      const lines = readFileSync(path.join(r, file), 'utf8').split('\n');
      expectCouldNotRun(await check(r), `${file}:${lines.length}:${lines.at(-1)!.length + 1}: Syntax Error: Expected Name, found <EOF>.`);
      const ordersFile = 'schema/orders/orders.graphql';
      execFileSync('git', ['checkout', '-q', '--', file], { cwd: r });
      edit(r, ordersFile, '  status: OrderStatus!\n', '  status: OrderStatus!\n  broken(: Int\n');
      const line = readFileSync(path.join(r, ordersFile), 'utf8').split('\n').indexOf('  broken(: Int') + 1;
      expectCouldNotRun(await check(r), `${ordersFile}:${line}:10: Syntax Error: Expected Name, found ":".`);
    }, 60_000);

    it('says which --base it cannot find, as a git ref or a file', async () => {
      const r = repo();
      expectCouldNotRun(await check(r, ['--base', 'nosuchref']), /^--base nosuchref: no such git ref or file$/);
      expectCouldNotRun(await check(r, ['--base', 'old/schema.graphql']), /^--base old\/schema\.graphql: no such git ref or file$/);
      expectCouldNotRun(await check(r, ['--base', 'schema/snapshot.graphql', '--base-registry', 'old.yaml']), /^--base-registry old\.yaml: no such file$/);
    }, 60_000);

    it('names the file, line and column of broken YAML in the registry', async () => {
      const r = repo();
      edit(r, 'schema/deprecations.yaml', '    reason: Renamed TOTAL_AMOUNT.', '    reason: Renamed: TOTAL_AMOUNT.');
      const line = readFileSync(path.join(r, 'schema/deprecations.yaml'), 'utf8').split('\n').indexOf('    reason: Renamed: TOTAL_AMOUNT.') + 1;
      expectCouldNotRun(await check(r), new RegExp(`^schema/deprecations\\.yaml:${line}:\\d+: .*\\(not valid YAML\\)$`));
    }, 60_000);

    it('names the entry of a removeAfter that is not a date', async () => {
      const r = repo();
      edit(r, 'schema/deprecations.yaml', 'removeAfter: 2027-02-24', 'removeAfter: 2027-13-45');
      expectCouldNotRun(await check(r), /^schema\/deprecations\.yaml: OrderSortField\.TOTAL: removeAfter 2027-13-45 is not a date \(YYYY-MM-DD\)$/);
    }, 60_000);
  });

  describe('the published changelog (npm run schema:changelog)', () => {
    const CHANGELOG_CLI = path.join(ROOT, 'src/cli/schemaChangelog.ts');
    const commit = (r: string, message: string) => {
      for (const args of [
        ['add', '-A'],
        ['commit', '-qm', message],
      ])
        execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: r, stdio: 'ignore' });
    };
    const writeChangelog = (r: string) => execFileSync(TSX, [CHANGELOG_CLI], { cwd: r, encoding: 'utf8' });
    const changelogOf = (r: string) => readFileSync(path.join(r, 'docs/schema-changelog.md'), 'utf8');

    it('refuses to write one outside a git repository with commits, with exit code 2', () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'schema-changelog-'));
      repos.push(folder);
      const run = spawnSync(TSX, [CHANGELOG_CLI], { cwd: folder, encoding: 'utf8' });
      expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
        status: 2,
        stderr: 'The changelog is written from the git history of schema/: run it in a git repository with commits.',
      });
    }, 60_000);

    it('lists every committed change with its class and commit, and the upcoming removals soonest first; the check fails when it is stale', async () => {
      const r = repo();
      expect(writeChangelog(r)).toMatch(/^Wrote docs\/schema-changelog\.md: 1 changes in 1 commits\./);
      const first = changelogOf(r);
      expect(first).toContain('- **safe** The schema was published.');
      const upcoming = first.slice(first.indexOf('## Upcoming breaking changes'), first.indexOf('## Changes'));
      expect(upcoming.indexOf('`OrderSortField.TOTAL`')).toBeLessThan(upcoming.indexOf('`Order.totalCents`')); // 2027-02-24 before 2027-05-24
      expect(upcoming).toContain('| 2027-05-24 | `Order.totalCents` | Use total, which carries its currency. | `Order.total` | orders-team |');
      commit(r, 'Publish the schema changelog');
      expect((await check(r)).report.failures).toEqual([]);

      edit(r, 'schema/catalog/catalog.graphql', /( {2}active: Boolean)\n/, '$1 = true\n');
      edit(r, 'schema/orders/orders.graphql', / {2}"The number of units across all lines \(the sum of their quantities\)."\n {2}itemCount: Int!\n/, '');
      commit(r, 'Active products by default; itemCount gone');
      const stale = await check(r);
      expect(stale.code).toBe(1);
      expect(stale.report.failures).toContainEqual(
        expect.stringMatching(/^docs\/schema-changelog\.md does not list the schema's last commit \(\w{12}\): run npm run schema:changelog/),
      );

      writeChangelog(r);
      const second = changelogOf(r);
      const newest = second.slice(second.indexOf('## Changes'), second.indexOf('The schema was published.'));
      expect(newest).toContain('Active products by default; itemCount gone');
      expect(newest).toMatch(/- \*\*breaking\*\* Order\.itemCount was removed\.\n/);
      expect(newest).toMatch(/- \*\*dangerous\*\* ProductFilter\.active now defaults to true/);
      expect(newest.indexOf('**breaking**')).toBeLessThan(newest.indexOf('**dangerous**'));
      commit(r, 'Changelog');
      expect((await check(r)).report.failures).not.toContainEqual(expect.stringMatching(/schema-changelog/));

      edit(r, 'schema/deprecations.yaml', 'owner: catalog-team', 'owner: pricing-team');
      expect((await check(r)).report.failures).toContainEqual(
        "docs/schema-changelog.md's upcoming breaking changes differ from schema/deprecations.yaml: run npm run schema:changelog and commit docs/schema-changelog.md.",
      );
    }, 120_000);
  });
});
