import pino from 'pino';
import { DeprecatedUsageRecorder } from '../../src/deprecations/usageRecorder';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import { createTestServer, firstError } from '../helpers/testServer';

describe('deprecated coordinates in requests', () => {
  it('warns in extensions.deprecations with the sunset date, and counts the use per client and day', async () => {
    const server = await createTestServer();
    const headers = { 'apollographql-client-name': 'web-shop', 'apollographql-client-version': '4.2.0' };
    // The same client and version as counted after: other suites' requests as web-shop count under their own versions.
    const before = await server.db.prisma.deprecatedUsage.findMany({ where: { clientName: 'web-shop', clientVersion: '4.2.0' } });
    let response;
    try {
      response = await server.query(`{ orders(first: 2, orderBy: { field: TOTAL, direction: DESC }) { edges { node { totalCents } } } }`, undefined, {
        ...(await server.bearer({ roles: ['admin'] })),
        ...headers,
      });
    } finally {
      await server.close(); // flushes the recorder
    }
    expect(response.body.extensions.deprecations).toEqual([
      { coordinate: 'Order.totalCents', reason: 'Use total, which carries its currency.', replacement: 'Order.total', removeAfter: '2027-05-24' },
      { coordinate: 'OrderSortField.TOTAL', reason: 'Renamed TOTAL_AMOUNT.', replacement: 'OrderSortField.TOTAL_AMOUNT', removeAfter: '2027-02-24' },
    ]);
    expect(response.body.data.orders.edges).toHaveLength(2);
    const check = await createTestServer();
    try {
      const rows = await check.db.prisma.deprecatedUsage.findMany({
        where: { clientName: 'web-shop', clientVersion: '4.2.0' },
        orderBy: { coordinate: 'asc' },
      });
      const countOf = (c: string, list: typeof rows) => list.find((r) => r.coordinate === c)?.count ?? 0;
      expect(countOf('Order.totalCents', rows) - countOf('Order.totalCents', before)).toBe(1);
      expect(countOf('OrderSortField.TOTAL', rows) - countOf('OrderSortField.TOTAL', before)).toBe(1);
    } finally {
      await check.close();
    }
  });

  it('counts unknown client names as one "other" client, so that made-up names cannot grow the table', async () => {
    const server = await createTestServer();
    const query = `{ orders(first: 1) { edges { node { totalCents } } } }`;
    const admin = await server.bearer({ roles: ['admin'] });
    const rowsBefore = await server.db.prisma.deprecatedUsage.count();
    try {
      for (let i = 0; i < 30; i++) {
        await server.query(query, undefined, {
          ...admin,
          'apollographql-client-name': `made-up-${i}-${Math.random()}`,
          'apollographql-client-version': `${i}.0`,
        });
      }
    } finally {
      await server.close();
    }
    const check = await createTestServer();
    try {
      const names = await check.db.prisma.deprecatedUsage.findMany({ where: { coordinate: 'Order.totalCents', clientName: { startsWith: 'made-up' } } });
      expect(names).toEqual([]);
      const other = await check.db.prisma.deprecatedUsage.findMany({ where: { coordinate: 'Order.totalCents', clientName: 'other' } });
      expect(other).toHaveLength(1);
      expect(other[0]!.clientVersion).toBe('unknown');
      expect((await check.db.prisma.deprecatedUsage.count()) - rowsBefore).toBeLessThanOrEqual(1);
    } finally {
      await check.close();
    }
  });

  it('sends no warning for an operation without deprecated coordinates', async () => {
    const server = await createTestServer();
    try {
      const response = await server.query(`{ orders(first: 1, orderBy: { field: TOTAL_AMOUNT, direction: DESC }) { edges { node { total { amount } } } } }`);
      expect(response.body.extensions.deprecations).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('rejects coordinates past their sunset with DEPRECATED_FIELD_REMOVED under the reject policy', async () => {
    // Today is before every sunset in the registry; a clock after them shows the policy.
    jest.useFakeTimers({
      now: new Date('2027-03-01T00:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'performance', 'hrtime'],
    });
    const server = await createTestServer({ DEPRECATION_POLICY: 'reject' });
    try {
      const past = await server.query(`{ orders(first: 1, orderBy: { field: TOTAL, direction: DESC }) { totalCount } }`);
      expect(past.status).toBe(400);
      expect(firstError(past)).toMatchObject({
        extensions: { code: 'DEPRECATED_FIELD_REMOVED', removed: [{ coordinate: 'OrderSortField.TOTAL', removeAfter: '2027-02-24' }] },
      });
      // Order.totalCents is deprecated but not yet past its sunset: still served, with a warning.
      const notYet = await server.query(`{ orders(first: 1) { edges { node { totalCents } } } }`);
      expect(notYet.body.errors).toBeUndefined();
      expect(notYet.body.extensions.deprecations[0].coordinate).toBe('Order.totalCents');
    } finally {
      jest.useRealTimers();
      await server.close();
    }
  });
});

describe('DeprecatedUsageRecorder', () => {
  it('writes concurrent usage in a bounded number of statements and loses no count', async () => {
    const { db, close } = await createIsolatedDatabase();
    try {
      const recorder = new DeprecatedUsageRecorder(db.prisma, pino({ level: 'silent' }), { flushMs: 50, maxPending: 500 });
      const clients = Array.from({ length: 10 }, (_, i) => ({ name: `client-${i % 5}`, version: `1.${i % 2}` }));
      const before = db.stats.statements;
      await Promise.all(
        Array.from({ length: 2_000 }, (_, i) =>
          Promise.resolve().then(() => recorder.record(['Order.totalCents', ...(i % 3 === 0 ? ['Product.priceCents'] : [])], clients[i % clients.length]!)),
        ),
      );
      await recorder.flush();
      const statements = db.stats.statements - before;
      expect(statements).toBeLessThanOrEqual(3);
      const rows = await db.prisma.deprecatedUsage.findMany();
      expect(rows.filter((r) => r.coordinate === 'Order.totalCents').reduce((n, r) => n + r.count, 0)).toBe(2_000);
      expect(rows.filter((r) => r.coordinate === 'Product.priceCents').reduce((n, r) => n + r.count, 0)).toBe(667);
      // A second wave adds to the stored counts.
      for (let i = 0; i < 10; i++) recorder.record(['Order.totalCents'], clients[0]!);
      await recorder.flush();
      const [row] = await db.prisma.deprecatedUsage.findMany({ where: { coordinate: 'Order.totalCents', clientName: 'client-0', clientVersion: '1.0' } });
      expect(row!.count).toBe(200 + 10);
    } finally {
      await close();
    }
  });
});
