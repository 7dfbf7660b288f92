import type { TestServer } from './testServer';

/**
 * A page of orders with every relation level under it (customer; items -> product -> stock ->
 * warehouse): 6 SQL statements, 5 DataLoader batches, whatever $first is.
 */
export const nestedOrdersQuery = (operationName: string) => /* GraphQL */ `
  query ${operationName}($first: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          customer {
            name
            email
          }
          items {
            quantity
            product {
              sku
              inventory {
                available
                warehouse {
                  code
                }
              }
            }
          }
        }
      }
    }
  }
`;

export const PLACE_ORDER = /* GraphQL */ `
  mutation Place($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      order {
        id
        status
        total {
          amount
          currency
        }
        items {
          quantity
          unitPrice {
            amount
          }
          product {
            sku
          }
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

export const TRANSITION = (mutation: 'cancelOrder' | 'markOrderPaid' | 'fulfillOrder') => /* GraphQL */ `
  mutation Transition($id: ID!${mutation === 'cancelOrder' ? ', $reason: String!' : ''}) {
    ${mutation}(id: $id${mutation === 'cancelOrder' ? ', reason: $reason' : ''}) {
      order { id status }
      userErrors { code message field }
    }
  }`;

export const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');

/**
 * A product of its own with exactly `stock` units in each of the given warehouses, so that a
 * test's arithmetic never depends on the seed or on other tests.
 */
export async function createStockedProduct(
  server: Pick<TestServer, 'db'>,
  stockByWarehouse: Record<number, number>,
  priceCents = 1_000,
): Promise<{ id: number; globalId: string; sku: string }> {
  const sku = `TEST-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const product = await server.db.prisma.product.create({ data: { sku, name: `Test product ${sku}`, priceCents, currency: 'USD' } });
  for (const [warehouseId, onHand] of Object.entries(stockByWarehouse)) {
    await server.db.prisma.inventoryLevel.create({ data: { productId: product.id, warehouseId: Number(warehouseId), onHand } });
  }
  return { id: product.id, globalId: globalId('Product', product.id), sku };
}
