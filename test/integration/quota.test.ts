import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createApiKey } from '../../src/auth/apiKeys';
import { PostgresQuotaStore } from '../../src/quota/postgresQuotaStore';
import { quotaPeriodsAt } from '../../src/quota/quotaPeriods';
import { describeIf } from '../helpers/conditions';
import { exitWithin, killSpawnedProcesses, spawnTsx } from '../helpers/gatewayProcess';
import { createTestServer, firstError, testDatabaseUrl, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

const QUERY = `query($first: Int) { products(first: $first) { edges { node { sku } } } }`; // actual cost 1 + first x 2
const COST_41 = { first: 20 };

afterAll(killSpawnedProcesses);

/** A clock the test moves by hand: quota periods are counted by it, so a test crosses a UTC midnight at once. */
function manualClock(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, set: (at: string) => (now = Date.parse(at)) };
}

/** PostgreSQL always (the run's database); Redis when REDIS_URL is set, under a prefix of this run's own. */
const stores: Array<[string, () => Record<string, string>]> = [['PostgreSQL', () => ({})]];
const redisPrefix = `test:${randomUUID()}:quota:`;
const withRedis = () => ({ REDIS_URL: process.env.REDIS_URL!, QUOTA_REDIS_PREFIX: redisPrefix });

function describeQuotas(store: string, storeEnv: () => Record<string, string>) {
  let server: TestServer;
  let other: TestServer;
  let tier: string;
  const clock = manualClock('2031-03-14T23:59:00Z');

  const apiKey = async (quotas: { dailyQuota?: number; monthlyQuota?: number }) =>
    (await createApiKey(server.db.prisma, { clientName: 'quota-test', scopes: [], rateTier: tier, ...quotas })).key;
  const run = (target: TestServer, key: string, variables = COST_41) => target.queryAs({ 'x-api-key': key }, QUERY, variables);
  /** Charges are written off the response path: wait for them before the next request reads the count. */
  const settled = () => Promise.all([server.server.quotas!.settled(), other.server.quotas!.settled()]);

  beforeAll(async () => {
    tier = `quota-${randomUUID()}`;
    // Keys cached, as in production, so that a request's statements are the same with a key or a token.
    const env = { ...storeEnv(), API_KEY_CACHE_MS: '300000', QUOTA_TIERS: JSON.stringify({ [tier]: { daily: 1_000, monthly: null } }) };
    // Two gateways on one store: replicas of one deployment.
    server = await createTestServer(env, { clock: clock.now });
    other = await createTestServer(env, { clock: clock.now });
  });
  afterAll(async () => {
    await server.close();
    await other.close();
  });
  beforeEach(() => clock.set('2031-03-14T23:59:00Z'));

  it(`refuses a key over its daily quota with 429 QUOTA_EXCEEDED and Retry-After until the UTC midnight, then serves it again (${store})`, async () => {
    const key = await apiKey({ dailyQuota: 50 });
    const first = await run(server, key);
    expect(first.status).toBe(200);
    expect(first.body.extensions.quota).toEqual({
      day: { limit: 50, used: 41, remaining: 9, resetAt: '2031-03-15T00:00:00.000Z' },
      month: { limit: null, used: 41, remaining: null, resetAt: '2031-04-01T00:00:00.000Z' },
    });
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith('x-quota-')))).toEqual({
      'x-quota-limit': '50',
      'x-quota-remaining': '9',
      'x-quota-reset': '60',
      'x-quota-period': 'day',
    });
    await settled();
    // 41 used of 50: this one still runs, and crosses the limit.
    const second = await run(server, key);
    expect(second.status).toBe(200);
    expect(second.body.extensions.quota.day).toMatchObject({ used: 82, remaining: 0 });
    await settled();

    clock.set('2031-03-14T23:59:30Z');
    const refused = await run(server, key, { first: 1 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.body.data).toBeUndefined();
    expect(firstError(refused).extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      period: 'day',
      limit: 50,
      used: 82,
      resetAt: '2031-03-15T00:00:00.000Z',
      retryAfterSeconds: 30,
    });
    expect(refused.body.extensions.quota.day).toMatchObject({ used: 82, remaining: 0 });
    await settled();

    // Refused operations cost nothing: still 82 just before midnight, and a fresh day after it.
    clock.set('2031-03-14T23:59:59.999Z');
    expect((await run(server, key, { first: 1 })).status).toBe(429);
    clock.set('2031-03-15T00:00:00Z');
    const nextDay = await run(server, key, { first: 1 });
    expect(nextDay.status).toBe(200);
    expect(nextDay.body.extensions.quota.day).toEqual({ limit: 50, used: 3, remaining: 47, resetAt: '2031-03-16T00:00:00.000Z' });
    expect(nextDay.body.extensions.quota.month).toMatchObject({ used: 85 });
  });

  it(`refuses it over WebSocket too, and counts what runs there (${store})`, async () => {
    const key = await apiKey({ dailyQuota: 50 });
    const ws = connectWebSocket(server.url, { 'x-api-key': key });
    try {
      const ran = await ws.run(QUERY, COST_41);
      expect(ran.result?.errors).toBeUndefined();
      expect(ran.result?.extensions?.quota.day).toMatchObject({ limit: 50, used: 41, remaining: 9 });
      await settled();
      await ws.run(QUERY, COST_41);
      await settled();
      // A refusal is graphql-ws's error message: the error's extensions say what HTTP's headers would.
      const refused = await ws.run(QUERY, COST_41);
      expect(refused.result).toBeUndefined();
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', period: 'day', used: 82, limit: 50, retryAfterSeconds: 60 });
      clock.set('2031-03-15T00:00:01Z');
      const nextDay = await ws.run(QUERY, COST_41);
      expect(nextDay.result?.errors).toBeUndefined();
      expect(nextDay.result?.extensions?.quota.day).toMatchObject({ used: 41 });
    } finally {
      await ws.dispose();
    }
  });

  it(`refuses a key over its monthly quota until the first of the next month, UTC (${store})`, async () => {
    clock.set('2031-03-31T23:58:00Z');
    const key = await apiKey({ monthlyQuota: 40 });
    expect((await run(server, key)).body.extensions.quota.month).toMatchObject({ limit: 40, used: 41, remaining: 0 });
    await settled();
    // The day's limit is the tier's (1,000): the month is what refuses, until April.
    const refused = await run(server, key);
    expect(refused.status).toBe(429);
    expect(firstError(refused).extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', period: 'month', resetAt: '2031-04-01T00:00:00.000Z' });
    expect(refused.headers.get('retry-after')).toBe('120');
    expect(refused.headers.get('x-quota-period')).toBe('month');
    clock.set('2031-04-01T00:00:00Z');
    expect((await run(server, key)).status).toBe(200);
  });

  it(`shares one count between two gateways on the same store (${store})`, async () => {
    const key = await apiKey({ dailyQuota: 100 });
    expect((await run(server, key)).body.extensions.quota.day.used).toBe(41);
    await settled();
    expect((await run(other, key)).body.extensions.quota.day.used).toBe(82);
    await settled();
    expect((await run(server, key)).body.extensions.quota.day.used).toBe(123);
    await settled();
    const refused = await run(other, key);
    expect(firstError(refused).extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', used: 123, limit: 100 });
  });

  it(`counts concurrent charges from both gateways without losing one (${store})`, async () => {
    const key = await apiKey({ dailyQuota: 100_000 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => run(i % 2 ? server : other, key, { first: 1 })));
    await settled();
    expect((await run(server, key, { first: 1 })).body.extensions.quota.day.used).toBe(33);
  });

  it(`leaves users alone: no quota read, no extensions.quota, no headers, and the same SQL statements as an API key's request (${store})`, async () => {
    const asUser = await server.query(QUERY, COST_41);
    expect(asUser.status).toBe(200);
    expect(asUser.body.extensions.quota).toBeUndefined();
    expect(asUser.headers.get('x-quota-limit')).toBeNull();
    const key = await apiKey({ dailyQuota: 1_000 });
    await run(server, key); // the key's lookup, cached after this
    await settled();
    const user = await server.countStatements(() => server.query(QUERY, COST_41));
    const withKey = await server.countStatements(async () => {
      const response = await run(server, key);
      await settled();
      return response;
    });
    expect(withKey.result.body.extensions.quota.day.used).toBe(82);
    // The quota's read and charge are the gateway's bookkeeping, outside every statement count.
    expect(withKey.statements).toBe(user.statements);
    expect(withKey.result.body.extensions.cost.database.statements).toBe(user.result.body.extensions.cost.database.statements);
  });
}

describe.each(stores)('quotas (%s store)', (store, storeEnv) => describeQuotas(store, storeEnv));
describeIf(Boolean(process.env.REDIS_URL), 'needs Redis (REDIS_URL)')('quotas (Redis store)', () => describeQuotas('Redis', withRedis));

describe('quota usage in PostgreSQL', () => {
  it('keeps days 92 days and months 13 months, then the sweep deletes them', async () => {
    const server = await createTestServer();
    try {
      const { record } = await createApiKey(server.db.prisma, { clientName: 'quota-sweep', scopes: [], rateTier: 'standard' });
      const store = new PostgresQuotaStore(server.db.pool);
      for (const at of ['2029-01-31T12:00:00Z', '2029-11-30T12:00:00Z', '2029-12-01T12:00:00Z', '2030-03-02T12:00:00Z']) {
        await store.charge(record.id, 1, quotaPeriodsAt(Date.parse(at)));
      }
      await store.deleteExpired(Date.parse('2030-03-02T12:00:00Z'));
      const left = await server.db.prisma.quotaUsage.findMany({ where: { apiKeyId: record.id }, orderBy: [{ period: 'asc' }, { periodStart: 'asc' }] });
      expect(left.map((row) => `${row.period} ${row.periodStart.toISOString().slice(0, 10)} ${row.cost}`)).toEqual([
        'day 2029-11-30 1', // 92 days before: the oldest day kept
        'day 2029-12-01 1',
        'day 2030-03-02 1',
        'month 2029-11-01 1',
        'month 2029-12-01 1',
        'month 2030-03-01 1',
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('quotas when their store is unavailable', () => {
  it('fails open: the request is served without a quota, and a warning is logged', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const server = await createTestServer({ REDIS_URL: 'redis://127.0.0.1:1', QUOTA_TIERS: JSON.stringify({ standard: { daily: 1 } }) }, { logger });
    try {
      const { key } = await createApiKey(server.db.prisma, { clientName: 'quota-down', scopes: [], rateTier: 'standard' });
      const started = Date.now();
      for (let i = 0; i < 2; i++) {
        const response = await server.queryAs({ 'x-api-key': key }, QUERY, COST_41);
        expect(response.status).toBe(200);
        expect(response.body.extensions.quota).toBeUndefined();
        expect(response.headers.get('x-quota-limit')).toBeNull();
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(lines.some((line) => line.includes('the quota store is unavailable'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('QUOTA=off', () => {
  it('reads and charges nothing', async () => {
    const server = await createTestServer({ QUOTA: 'off' });
    try {
      expect(server.server.quotas).toBeUndefined();
      const { key } = await createApiKey(server.db.prisma, { clientName: 'quota-off', scopes: [], rateTier: 'standard', dailyQuota: 1 });
      for (let i = 0; i < 2; i++) {
        const response = await server.queryAs({ 'x-api-key': key }, QUERY, COST_41);
        expect(response.status).toBe(200);
        expect(response.body.extensions.quota).toBeUndefined();
      }
    } finally {
      await server.close();
    }
  });
});

describe('npm run apikey -- usage', () => {
  const usageStores: Array<[string, Record<string, string>]> = [['PostgreSQL', { REDIS_URL: '' }]];
  if (process.env.REDIS_URL) usageStores.push(['Redis', { REDIS_URL: process.env.REDIS_URL, QUOTA_REDIS_PREFIX: `test:${randomUUID()}:quota:` }]);

  it.each(usageStores)(
    "prints the key's consumption today and this month: used, limit, remaining, reset (%s store)",
    async (_store, storeEnv) => {
      const server = await createTestServer(storeEnv);
      try {
        const { key, record } = await createApiKey(server.db.prisma, { clientName: 'usage-cli', scopes: [], rateTier: 'standard', dailyQuota: 500 });
        await server.queryAs({ 'x-api-key': key }, QUERY, COST_41);
        await server.queryAs({ 'x-api-key': key }, QUERY, { first: 1 });
        await server.server.quotas!.settled();
        const command = spawnTsx('src/cli/apiKey.ts', { DATABASE_URL: testDatabaseUrl(), NODE_ENV: 'test', ...storeEnv }, ['usage', record.prefix]);
        expect(await exitWithin(command, 60_000)).toBe(0);
        const output = command.output();
        // The periods of the real clock: the CLI reads the same ones as the gateway.
        const now = new Date();
        const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)).toISOString();
        const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
        expect(output).toContain(`${record.prefix}  usage-cli  quota tier=standard, with quotas of its own`);
        expect(output).toMatch(new RegExp(`^day\\s+${now.toISOString().slice(0, 10)}\\s+44\\s+500\\s+456\\s+${tomorrow}$`, 'm'));
        expect(output).toMatch(new RegExp(`^month\\s+${now.toISOString().slice(0, 8)}01\\s+44\\s+100000000\\s+99999956\\s+${nextMonth}$`, 'm'));
      } finally {
        await server.close();
      }
    },
    90_000,
  );

  it("changes a key's own quotas with set-quota, which the gateway applies to its next request (keys uncached here)", async () => {
    const server = await createTestServer();
    try {
      const { key, record } = await createApiKey(server.db.prisma, { clientName: 'set-quota', scopes: [], rateTier: 'standard', dailyQuota: 500 });
      const env = { DATABASE_URL: testDatabaseUrl(), NODE_ENV: 'test', REDIS_URL: '' };
      const command = spawnTsx('src/cli/apiKey.ts', env, ['set-quota', record.prefix, '--daily-quota', 'tier', '--monthly-quota', '70']);
      expect(await exitWithin(command, 60_000)).toBe(0);
      expect(command.output()).toContain(`${record.prefix} (set-quota): monthly-quota=70; running gateways apply it within API_KEY_CACHE_MS.`);
      const stored = await server.db.prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } });
      expect([stored.dailyQuota, stored.monthlyQuota]).toEqual([null, 70]);
      const { quota } = (await server.queryAs({ 'x-api-key': key }, QUERY, { first: 1 })).body.extensions;
      expect([quota.day.limit, quota.month.limit]).toEqual([5_000_000, 70]);
      const nothing = spawnTsx('src/cli/apiKey.ts', env, ['set-quota', record.prefix]);
      expect(await exitWithin(nothing, 60_000)).toBe(2);
      expect(nothing.output()).toContain('set-quota needs --daily-quota or --monthly-quota');
    } finally {
      await server.close();
    }
  }, 120_000);

  it('refuses an unknown prefix and a malformed quota with exit 2, naming the problem', async () => {
    const unknown = spawnTsx('src/cli/apiKey.ts', { DATABASE_URL: testDatabaseUrl(), NODE_ENV: 'test', REDIS_URL: '' }, ['usage', 'AAAAAAAAAAA']);
    expect(await exitWithin(unknown, 60_000)).toBe(2);
    expect(unknown.output()).toContain('No API key with prefix AAAAAAAAAAA.');
    const malformed = spawnTsx('src/cli/apiKey.ts', { NODE_ENV: 'test' }, ['create', '--client', 'x', '--scopes', 'orders:read', '--daily-quota', '1.5']);
    expect(await exitWithin(malformed, 60_000)).toBe(2);
    expect(malformed.output()).toContain('--daily-quota must be a whole number from 1 to 2147483647 (or `tier`), not "1.5".');
  }, 120_000);
});
