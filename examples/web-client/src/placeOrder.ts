import { graphql } from './gql';
import type { PlaceOrderMutation, PlaceOrderMutationVariables } from './gql/graphql';
import { request, type RequestOptions } from './request';

/** The web shop's checkout. */
export const PlaceOrderDocument = graphql(`
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      order {
        id
        status
        total {
          amount
          currency
        }
      }
      userErrors {
        code
        message
        field
      }
    }
  }
`);

export type PlaceOrderResult = NonNullable<PlaceOrderMutation['placeOrder']>;

/**
 * Places the signed-in customer's order. The idempotency key is required: a checkout retried
 * after a timeout or a lost connection must not order twice, so the same key (and the same
 * input) gets the first attempt's order back instead of a new one. A business refusal (not
 * enough stock, an inactive product) comes back in `userErrors`, not as an exception.
 */
export async function placeOrder(options: RequestOptions & { idempotencyKey: string }, input: PlaceOrderMutationVariables['input']): Promise<PlaceOrderResult> {
  const { placeOrder: result } = await request(PlaceOrderDocument, { input }, options);
  // Null only alongside an error, which request() has thrown.
  if (!result) throw new Error('The gateway returned no placeOrder payload and no error.');
  return result;
}
