import { buildAccessRules } from '../../src/auth/accessRules';
import { rowScopeOf } from '../../src/auth/rowScope';
import { createClientIdentityResolver } from '../../src/context/clientIdentity';
import { createContext } from '../../src/context/createContext';
import { EventFeed } from '../../src/events/eventFeed';
import { IdempotencyStore } from '../../src/idempotency/idempotencyStore';
import { placeOrder } from '../../src/modules/orders/orderCommands.service';
import { buildSchema } from '../../src/server/buildSchema';
import { createStockedProduct } from '../helpers/orders';
import { viewerOf } from '../helpers/requestStates';
import { createTestServer, type TestServer } from '../helpers/testServer';

/**
 * The fence behind idempotency leases: a mutation records its effect in its own transaction,
 * under the key's primary key, so that two holders of one key (a lease taken over from a
 * request that was only slow) can never both commit.
 */
let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

describe('idempotent effects', () => {
  it("makes a second commit of the same field fail and answer with the first one's order", async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const viewer = viewerOf(['customer'], { customerId: 7, id: 'customer-7' });
    const store = new IdempotencyStore(server.db.prisma, { ttlMs: 3_600_000, leaseMs: 30_000, waitMs: 0 });
    const held = await store.claim(
      { clientKey: 'user:customer-7', key: 'key-two-holders', requestHash: 'h'.repeat(64), viewerScope: JSON.stringify(rowScopeOf(viewer)) },
      Date.now() + 1_000,
    );
    if (!('claim' in held)) throw new Error('expected a claim');
    const context = () => {
      const ctx = createContext(
        {
          prisma: server.db.prisma,
          readRows: server.db.readRows,
          dataLoaderBatching: true,
          accessRules: buildAccessRules(buildSchema()),
          lowStockThreshold: 0,
          eventFeed: new EventFeed(server.db.pool),
          clientIdentity: createClientIdentityResolver([]),
        },
        { traceId: 'trace', clientAddress: '127.0.0.1' },
        viewer,
      );
      ctx.idempotencyClaim = held.claim; // both believe they hold the key: neither is recovering
      return ctx;
    };
    const input = { items: [{ productId: product.globalId, quantity: 1 }] };
    const first = await placeOrder(context(), input, 'placeOrder');
    const second = await placeOrder(context(), input, 'placeOrder');
    if (!('order' in first) || !('order' in second)) throw new Error('expected orders');
    expect(second.order!.id).toBe(first.order!.id);
    expect(await server.db.prisma.orderItem.count({ where: { productId: product.id } })).toBe(1);
    const level = await server.db.prisma.inventoryLevel.findFirstOrThrow({ where: { productId: product.id } });
    expect(level.reserved).toBe(1);
  });
});
