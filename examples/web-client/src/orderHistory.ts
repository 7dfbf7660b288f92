import { graphql } from './gql';
import type { OrderHistoryQuery } from './gql/graphql';
import { request, type RequestOptions } from './request';

/** The web shop's order history page: the signed-in customer's orders, newest first. */
export const OrderHistoryDocument = graphql(`
  query OrderHistory($first: Int, $after: String) {
    orders(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          createdAt
          total {
            amount
            currency
          }
          itemCount
          items {
            quantity
            unitPrice {
              amount
              currency
            }
            product {
              sku
              name
            }
          }
        }
      }
    }
  }
`);

export type OrderSummary = NonNullable<OrderHistoryQuery['orders']>['edges'][number]['node'];

export interface OrderHistoryPage {
  orders: OrderSummary[];
  /** Pass as `after` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

/**
 * One page of the viewer's orders (a customer sees only their own). The cursor of the previous
 * page's `nextCursor` continues where it ended, even while new orders arrive.
 */
export async function fetchOrderHistoryPage(options: RequestOptions, page: { first: number; after?: string | null }): Promise<OrderHistoryPage> {
  const { orders } = await request(OrderHistoryDocument, { first: page.first, after: page.after ?? null }, options);
  // Null only alongside an error, which request() has thrown.
  if (!orders) throw new Error('The gateway returned no orders connection and no error.');
  return {
    orders: orders.edges.map((edge) => edge.node),
    nextCursor: orders.pageInfo.hasNextPage ? (orders.pageInfo.endCursor ?? null) : null,
  };
}
