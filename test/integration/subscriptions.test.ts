import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createStockedProduct, PLACE_ORDER, TRANSITION } from '../helpers/orders';
import { createTestServer, type TestServer } from '../helpers/testServer';

let server: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server.close();
});

const SUBSCRIPTION = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { previousStatus status occurredAt order { id status } } }`;

function connect(credentials: Record<string, string> | null): Client {
  const client = createClient({
    url: server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: credentials ?? {},
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(client);
  return client;
}

/** Collects up to `count` results of a subscription, or its error. */
function collect(client: Client, orderId: string, count: number): { done: Promise<{ results: any[]; error?: any }>; results: any[] } {
  const results: any[] = [];
  const done = new Promise<{ results: any[]; error?: any }>((resolve) => {
    const unsubscribe = client.subscribe(
      { query: SUBSCRIPTION, variables: { id: orderId } },
      {
        next: (result) => {
          results.push(result);
          if (result.errors || results.length >= count) {
            unsubscribe();
            resolve({ results });
          }
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
  return { done, results };
}

async function placeOrder(customerId: number) {
  const product = await createStockedProduct(server, { 1: 10 });
  const shopper = await server.bearer({ roles: ['customer'], customer_id: customerId, sub: `customer-${customerId}` });
  const placed = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 2 }] } });
  return { shopper, orderId: placed.body.data.placeOrder.order.id as string };
}

// Time for the subscription to reach the server and start listening to the event feed.
const settle = (ms = 1_000) => new Promise((resolve) => setTimeout(resolve, ms));

describe('orderStatusChanged over graphql-ws', () => {
  it('delivers each status change of the order to its customer, fed by the outbox', async () => {
    const { shopper, orderId } = await placeOrder(9);
    const subscription = collect(connect(shopper), orderId, 2);
    await settle();
    await server.query(TRANSITION('markOrderPaid'), { id: orderId });
    await server.query(TRANSITION('fulfillOrder'), { id: orderId });
    const { results, error } = await subscription.done;
    expect(error).toBeUndefined();
    expect(results.map((r) => [r.data.orderStatusChanged.previousStatus, r.data.orderStatusChanged.status])).toEqual([
      ['PENDING', 'PAID'],
      ['PAID', 'FULFILLED'],
    ]);
    // `order` is the order as it is when the change is delivered.
    for (const r of results) expect(r.data.orderStatusChanged.order.id).toBe(orderId);
  });

  it('lets staff subscribe to any order', async () => {
    const { orderId } = await placeOrder(10);
    const subscription = collect(connect(await server.bearer({ roles: ['support'] })), orderId, 1);
    await settle();
    await server.query(TRANSITION('cancelOrder'), { id: orderId, reason: 'test' });
    const { results } = await subscription.done;
    expect(results[0].data.orderStatusChanged).toMatchObject({ previousStatus: 'PENDING', status: 'CANCELLED' });
  });

  it('refuses another customer (NOT_FOUND, as for an id of no order) and anonymous clients', async () => {
    const { orderId } = await placeOrder(11);
    const stranger = await server.bearer({ roles: ['customer'], customer_id: 12, sub: 'customer-12' });
    const theirs = await collect(connect(stranger), orderId, 1).done;
    expect(theirs.results[0]?.errors?.[0]?.extensions?.code ?? theirs.error?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const anonymous = await collect(connect(null), orderId, 1).done;
    expect(anonymous.error?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets warehouse staff follow an order they ship: NOT_FOUND while it is PENDING, its fulfilment once PAID', async () => {
    const staff = await server.bearer({ roles: ['inventory_manager'], sub: 'warehouse-follows' });
    const { orderId } = await placeOrder(14);
    const pending = await collect(connect(staff), orderId, 1).done;
    expect(pending.results[0]?.errors?.[0]?.extensions?.code ?? pending.error?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await server.query(TRANSITION('markOrderPaid'), { id: orderId });
    const subscription = collect(connect(staff), orderId, 1);
    await settle();
    await server.query(TRANSITION('fulfillOrder'), { id: orderId });
    const { results, error } = await subscription.done;
    expect(error).toBeUndefined();
    expect(results.map((r) => r.data.orderStatusChanged)).toMatchObject([
      { previousStatus: 'PAID', status: 'FULFILLED', order: { id: orderId, status: 'FULFILLED' } },
    ]);
  });

  it('ends a warehouse subscription, delivering nothing, when the order is cancelled out of its sight', async () => {
    const staff = await server.bearer({ roles: ['inventory_manager'], sub: 'warehouse-follows' });
    const { orderId } = await placeOrder(15);
    await server.query(TRANSITION('markOrderPaid'), { id: orderId });
    const subscription = collect(connect(staff), orderId, 1);
    await settle();
    await server.query(TRANSITION('cancelOrder'), { id: orderId, reason: 'test' });
    expect(await subscription.done).toEqual({ results: [] });
  });

  it('closes the connection on bad credentials', async () => {
    const { orderId } = await placeOrder(13);
    const { error } = await collect(connect({ authorization: 'Bearer not.a.token' }), orderId, 1).done;
    expect(error?.code ?? error?.[0]?.code).toBe(4403);
  });
});
