import { graphql } from './gql';
import type { ProductPageQuery } from './gql/graphql';
import { GraphQLRequestError, request, type RequestOptions } from './request';

/** The web shop's product page. Products are public: no token needed. */
export const ProductPageDocument = graphql(`
  query ProductPage($sku: String!) {
    product(sku: $sku) {
      id
      sku
      name
      description
      price {
        amount
        currency
      }
      totalAvailable
      active
    }
  }
`);

export type ProductDetails = NonNullable<ProductPageQuery['product']>;

/**
 * The product with this SKU, or null when there is none (show a 404 page): the gateway answers
 * an unknown SKU with a NOT_FOUND error. Any other error is thrown.
 */
export async function fetchProductPage(options: RequestOptions, sku: string): Promise<ProductDetails | null> {
  try {
    const { product } = await request(ProductPageDocument, { sku }, options);
    return product;
  } catch (error) {
    if (error instanceof GraphQLRequestError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
}
