import { createTestServer, firstError, type TestServer } from '../helpers/testServer';
import { createStockedProduct, globalId, PLACE_ORDER, TRANSITION } from '../helpers/orders';

let server: TestServer;
let shopper: Record<string, string>;
beforeAll(async () => {
  server = await createTestServer();
  shopper = await server.bearer({ roles: ['customer'], customer_id: 3 });
});
afterAll(() => server.close());

const stockOf = async (productId: number) =>
  (await server.db.prisma.inventoryLevel.findMany({ where: { productId }, orderBy: { warehouseId: 'asc' } })).map((l) => ({
    warehouseId: l.warehouseId,
    onHand: l.onHand,
    reserved: l.reserved,
  }));

describe('placeOrder', () => {
  it('prices from the catalogue, reserves from the warehouse with most available first, and splits', async () => {
    const product = await createStockedProduct(server, { 1: 4, 2: 6 }, 1_250);
    const result = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 8 }] } });
    const { order, userErrors } = result.body.data.placeOrder;
    expect(userErrors).toEqual([]);
    expect(order).toMatchObject({
      status: 'PENDING',
      total: { amount: 10_000, currency: 'USD' },
      items: [{ quantity: 8, unitPrice: { amount: 1_250 }, product: { sku: product.sku } }],
    });
    // 6 from warehouse 2 (most available), the other 2 from warehouse 1.
    expect(await stockOf(product.id)).toEqual([
      { warehouseId: 1, onHand: 4, reserved: 2 },
      { warehouseId: 2, onHand: 6, reserved: 6 },
    ]);
    const owner = await server.db.prisma.order.findUniqueOrThrow({ where: { id: Number(Buffer.from(order.id, 'base64url').toString().split(':')[1]) } });
    expect(owner.customerId).toBe(3);
  });

  it('reports the database work of the mutation in extensions.cost', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const { result, statements } = await server.countStatements(() =>
      server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 1 }] } }),
    );
    // Everything the driver sent but the transaction's BEGIN and COMMIT.
    expect(result.body.extensions.cost.database.statements).toBe(statements - 2);
  });

  it('records order.placed and inventory.low in the same transaction as the order', async () => {
    const product = await createStockedProduct(server, { 1: 12 });
    const result = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 5 }] } });
    const orderId = result.body.data.placeOrder.order.id;
    const events = await server.db.prisma.event.findMany({
      where: { OR: [{ payload: { path: ['orderId'], equals: orderId } }, { payload: { path: ['productId'], equals: product.globalId } }] },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => [e.type, e.schemaVersion, e.status])).toEqual([
      ['order.placed', 1, 'PENDING'],
      ['inventory.low', 1, 'PENDING'],
    ]);
    expect(events[0]!.payload).toMatchObject({
      orderId,
      previousStatus: null,
      status: 'PENDING',
      total: { amount: 5_000, currency: 'USD' },
      items: [{ productId: product.globalId, quantity: 5, unitPrice: 1_000 }],
    });
    expect(events[1]!.payload).toMatchObject({ productId: product.globalId, sku: product.sku, available: 7, threshold: 10 });
  });

  it.each([
    ['no lines', () => ({ items: [] }), 'INVALID_INPUT', ['input', 'items']],
    ['a quantity of 0', (p: string) => ({ items: [{ productId: p, quantity: 0 }] }), 'INVALID_INPUT', ['input', 'items', '0', 'quantity']],
    ['a quantity above 1,000', (p: string) => ({ items: [{ productId: p, quantity: 1_001 }] }), 'INVALID_INPUT', ['input', 'items', '0', 'quantity']],
    [
      'a product twice',
      (p: string) => ({
        items: [
          { productId: p, quantity: 1 },
          { productId: p, quantity: 1 },
        ],
      }),
      'INVALID_INPUT',
      ['input', 'items', '1', 'productId'],
    ],
    [
      'an unknown product',
      () => ({ items: [{ productId: globalId('Product', 999_999), quantity: 1 }] }),
      'PRODUCT_NOT_FOUND',
      ['input', 'items', '0', 'productId'],
    ],
    ['more units than available', (p: string) => ({ items: [{ productId: p, quantity: 11 }] }), 'INSUFFICIENT_STOCK', ['input', 'items', '0', 'quantity']],
  ])('answers %s with a userError and changes nothing', async (_name, input, code, field) => {
    const product = await createStockedProduct(server, { 1: 10 });
    const before = await server.db.prisma.order.count();
    const result = await server.queryAs(shopper, PLACE_ORDER, { input: input(product.globalId) });
    expect(result.body.data.placeOrder).toMatchObject({ order: null, userErrors: [{ code, field }] });
    expect(await server.db.prisma.order.count()).toBe(before);
    expect(await stockOf(product.id)).toEqual([{ warehouseId: 1, onHand: 10, reserved: 0 }]);
  });

  it('says which product lacks how many units', async () => {
    const short = await createStockedProduct(server, { 1: 3, 2: 4 });
    const result = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: short.globalId, quantity: 10 }] } });
    expect(result.body.data.placeOrder.userErrors[0].message).toBe(`${short.sku} lacks 3 of the 10 units asked for (7 available).`);
  });

  it('refuses an inactive product and products of two currencies', async () => {
    const inactive = await createStockedProduct(server, { 1: 5 });
    await server.db.prisma.product.update({ where: { id: inactive.id }, data: { active: false } });
    const off = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: inactive.globalId, quantity: 1 }] } });
    expect(off.body.data.placeOrder.userErrors[0].code).toBe('PRODUCT_INACTIVE');
    const euro = await createStockedProduct(server, { 1: 5 });
    await server.db.prisma.product.update({ where: { id: euro.id }, data: { currency: 'EUR' } });
    const dollar = await createStockedProduct(server, { 1: 5 });
    const mixed = await server.queryAs(shopper, PLACE_ORDER, {
      input: {
        items: [
          { productId: euro.globalId, quantity: 1 },
          { productId: dollar.globalId, quantity: 1 },
        ],
      },
    });
    expect(mixed.body.data.placeOrder.userErrors[0].code).toBe('CURRENCY_MISMATCH');
  });

  it('needs the customer from staff, and an existing one', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    const input = { items: [{ productId: product.globalId, quantity: 1 }] };
    expect((await server.query(PLACE_ORDER, { input })).body.data.placeOrder.userErrors[0]).toMatchObject({
      code: 'INVALID_INPUT',
      field: ['input', 'customerId'],
    });
    const unknown = await server.query(PLACE_ORDER, { input: { ...input, customerId: globalId('Customer', 999_999) } });
    expect(unknown.body.data.placeOrder.userErrors[0].code).toBe('CUSTOMER_NOT_FOUND');
    const placed = await server.query(PLACE_ORDER, { input: { ...input, customerId: globalId('Customer', 2) } });
    expect(placed.body.data.placeOrder.order.status).toBe('PENDING');
  });

  it('needs orders:write: support staff get FORBIDDEN', async () => {
    const support = await server.bearer({ roles: ['support'] });
    const result = await server.queryAs(support, PLACE_ORDER, { input: { items: [] } });
    expect(firstError(result).extensions.code).toBe('FORBIDDEN');
  });
});

describe('order lifecycle', () => {
  const place = async (quantity: number) => {
    const product = await createStockedProduct(server, { 1: 10 });
    const result = await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity }] } });
    return { product, orderId: result.body.data.placeOrder.order.id as string };
  };
  const transition = (mutation: 'cancelOrder' | 'markOrderPaid' | 'fulfillOrder', id: string, as?: Record<string, string>) =>
    (as
      ? server.queryAs(as, TRANSITION(mutation), { id, reason: 'changed my mind' })
      : server.query(TRANSITION(mutation), { id, reason: 'changed my mind' })
    ).then((r) => r.body.data[mutation]);

  it('goes PENDING -> PAID -> FULFILLED: fulfilment takes the reserved units out of stock and records a shipment', async () => {
    const { product, orderId } = await place(4);
    expect(await transition('markOrderPaid', orderId)).toMatchObject({ order: { status: 'PAID' }, userErrors: [] });
    const { result, statements } = await server.countStatements(() => server.query(TRANSITION('fulfillOrder'), { id: orderId }));
    expect(result.body.data.fulfillOrder).toMatchObject({ order: { status: 'FULFILLED' }, userErrors: [] });
    expect(result.body.extensions.cost.database.statements).toBe(statements - 2); // but BEGIN and COMMIT
    expect(await stockOf(product.id)).toEqual([{ warehouseId: 1, onHand: 6, reserved: 0 }]);
    const id = Number(Buffer.from(orderId, 'base64url').toString().split(':')[1]);
    const shipment = await server.db.prisma.shipment.findUniqueOrThrow({ where: { orderId: id } });
    expect(shipment.lines).toEqual([{ productId: product.globalId, warehouseId: globalId('Warehouse', 1), quantity: 4 }]);
    expect(await server.db.prisma.reservation.count({ where: { orderId: id } })).toBe(0);
    const events = await server.db.prisma.event.findMany({ where: { payload: { path: ['orderId'], equals: orderId } }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.fulfilled']);
  });

  it('cancels a PENDING order by its own customer and releases the stock', async () => {
    const { product, orderId } = await place(4);
    expect(await transition('cancelOrder', orderId, shopper)).toMatchObject({ order: { status: 'CANCELLED' }, userErrors: [] });
    expect(await stockOf(product.id)).toEqual([{ warehouseId: 1, onHand: 10, reserved: 0 }]);
    const event = await server.db.prisma.event.findFirstOrThrow({ where: { type: 'order.cancelled', payload: { path: ['orderId'], equals: orderId } } });
    expect(event.payload).toMatchObject({ previousStatus: 'PENDING', status: 'CANCELLED', reason: 'changed my mind' });
  });

  it.each([
    ['fulfil a PENDING order', 'fulfillOrder', []],
    ['pay a PAID order', 'markOrderPaid', ['markOrderPaid']],
    ['cancel a FULFILLED order', 'cancelOrder', ['markOrderPaid', 'fulfillOrder']],
    ['pay a CANCELLED order', 'markOrderPaid', ['cancelOrder']],
  ] as const)('refuses to %s with INVALID_TRANSITION', async (_name, mutation, before) => {
    const { orderId } = await place(1);
    for (const step of before) expect((await transition(step, orderId)).userErrors).toEqual([]);
    const result = await transition(mutation, orderId);
    expect(result).toMatchObject({ order: null, userErrors: [{ code: 'INVALID_TRANSITION', field: ['id'] }] });
  });

  it('needs a cancellation reason of 1 to 500 characters', async () => {
    const { orderId } = await place(1);
    for (const reason of ['   ', 'x'.repeat(501)]) {
      const result = await server.query(TRANSITION('cancelOrder'), { id: orderId, reason });
      expect(result.body.data.cancelOrder).toMatchObject({ order: null, userErrors: [{ code: 'INVALID_INPUT', field: ['reason'] }] });
    }
  });

  it("answers ORDER_NOT_FOUND for another customer's order, as for an id of no order", async () => {
    const { orderId } = await place(1);
    const stranger = await server.bearer({ roles: ['customer'], customer_id: 4 });
    expect((await transition('cancelOrder', orderId, stranger)).userErrors[0].code).toBe('ORDER_NOT_FOUND');
    expect((await transition('cancelOrder', globalId('Order', 999_999), stranger)).userErrors[0].code).toBe('ORDER_NOT_FOUND');
  });
});
