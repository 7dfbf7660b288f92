import { recordEvent } from '../../src/events/outbox';
import type { TestServer } from './testServer';
import { waitFor } from './waiting';

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

/**
 * Resolves once a subscription to the status changes of order `orderGlobalId` follows the
 * outbox, `delivered` counting what it has received. A subscription delivers only what commits
 * after its replica read where the outbox ends, a moment after the replica took the operation,
 * and nothing outside the process shows that moment: so this records a copy of the order's own
 * order.placed event every 500 ms until one arrives. Every change committed from then on is
 * delivered, after the copies that are (one recorded before that moment never is). A copy
 * arrives as the change `{ previousStatus: null, status: 'PENDING' }`.
 */
export async function waitUntilSubscriptionFollows(server: Pick<TestServer, 'db'>, orderGlobalId: string, delivered: () => number): Promise<void> {
  const placed = await server.db.prisma.event.findFirstOrThrow({ where: { type: 'order.placed', payload: { path: ['orderId'], equals: orderGlobalId } } });
  let nextCopyAt = 0;
  await waitFor(
    'the subscription to deliver a change committed after it was opened',
    async () => {
      if (delivered() > 0) return true;
      if (Date.now() >= nextCopyAt) {
        await server.db.prisma.$transaction((tx) => recordEvent(tx, 'order.placed', placed.payload as Record<string, unknown>));
        nextCopyAt = Date.now() + 500;
      }
      return false;
    },
    20_000,
  );
}
