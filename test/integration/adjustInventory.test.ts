import { createStockedProduct, globalId, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, firstError, type TestServer } from '../helpers/testServer';

let server: TestServer;
let staff: Record<string, string>;
beforeAll(async () => {
  server = await createTestServer();
  staff = await server.bearer({ roles: ['inventory_manager'], sub: 'warehouse-kim' });
});
afterAll(() => server.close());

const ADJUST = /* GraphQL */ `
  mutation Adjust($productId: ID!, $warehouseId: ID!, $delta: Int!, $reason: String!) {
    adjustInventory(productId: $productId, warehouseId: $warehouseId, delta: $delta, reason: $reason) {
      inventoryLevel {
        onHand
        reserved
        available
        warehouse {
          code
        }
      }
      userErrors {
        code
        message
        field
      }
    }
  }
`;
const adjust = (productId: string, warehouseId: number, delta: number, reason = 'cycle count') =>
  server.queryAs(staff, ADJUST, { productId, warehouseId: globalId('Warehouse', warehouseId), delta, reason }).then((r) => r.body.data.adjustInventory);

describe('adjustInventory', () => {
  it('changes units on hand and keeps an audit trail of who, how much and why', async () => {
    const product = await createStockedProduct(server, { 1: 20 });
    expect(await adjust(product.globalId, 1, -5, 'water damage')).toMatchObject({ inventoryLevel: { onHand: 15, available: 15 }, userErrors: [] });
    const [audit] = await server.db.prisma.inventoryAdjustment.findMany({ where: { inventoryLevel: { productId: product.id } } });
    expect(audit).toMatchObject({ delta: -5, reason: 'water damage', actor: 'warehouse-kim' });
  });

  it('creates the stock level on a first delivery to a warehouse', async () => {
    const product = await createStockedProduct(server, { 1: 1 });
    expect(await adjust(product.globalId, 2, 30, 'delivery')).toMatchObject({ inventoryLevel: { onHand: 30, warehouse: { code: 'FRA-1' } }, userErrors: [] });
  });

  it('never leaves fewer units on hand than are reserved', async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 6 });
    await server.queryAs(shopper, PLACE_ORDER, { input: { items: [{ productId: product.globalId, quantity: 8 }] } });
    const result = await adjust(product.globalId, 1, -3);
    expect(result).toMatchObject({ inventoryLevel: null, userErrors: [{ code: 'STOCK_BELOW_RESERVED', field: ['delta'] }] });
    expect(result.userErrors[0].message).toBe('10 on hand with 8 reserved: at most 2 units can be removed.');
  });

  it('records inventory.low when available units fall below the threshold', async () => {
    const product = await createStockedProduct(server, { 1: 15 });
    await adjust(product.globalId, 1, -8);
    const event = await server.db.prisma.event.findFirstOrThrow({
      where: { type: 'inventory.low', payload: { path: ['productId'], equals: product.globalId } },
    });
    expect(event.payload).toMatchObject({ available: 7, threshold: 10, warehouseCode: 'AMS-1' });
  });

  it.each([
    ['a zero delta', 0, 'cycle count', 'INVALID_INPUT', ['delta']],
    ['an empty reason', 5, '  ', 'INVALID_INPUT', ['reason']],
  ])('answers %s with a userError', async (_name, delta, reason, code, field) => {
    const product = await createStockedProduct(server, { 1: 5 });
    expect((await adjust(product.globalId, 1, delta, reason)).userErrors[0]).toMatchObject({ code, field });
  });

  it('answers INVENTORY_NOT_FOUND for an unknown warehouse, and removing stock a warehouse never had', async () => {
    const product = await createStockedProduct(server, { 1: 5 });
    expect((await adjust(product.globalId, 99, 5)).userErrors[0].code).toBe('INVENTORY_NOT_FOUND');
    expect((await adjust(product.globalId, 3, -1)).userErrors[0].code).toBe('STOCK_BELOW_RESERVED');
  });

  it('needs inventory:write', async () => {
    const support = await server.bearer({ roles: ['support'] });
    const result = await server.queryAs(support, ADJUST, { productId: globalId('Product', 1), warehouseId: globalId('Warehouse', 1), delta: 1, reason: 'x' });
    expect(firstError(result).extensions.code).toBe('FORBIDDEN');
  });
});
