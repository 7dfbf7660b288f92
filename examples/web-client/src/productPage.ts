import { graphql } from './gql';
import type { ProductPageQuery } from './gql/graphql';
import { request, type RequestOptions } from './request';

/** The web shop's product page. Products are public: no token needed. */
export const ProductPageDocument = graphql(`
  query ProductPage($sku: String!) {
    product(sku: $sku) { id sku name description price { amount currency } totalAvailable active }
  }
`);

export type ProductDetails = NonNullable<ProductPageQuery['product']>;

/** The product with this SKU, or null when there is none (show a 404 page). */
export async function fetchProductPage(options: RequestOptions, sku: string): Promise<ProductDetails | null> {
  const { product } = await request(ProductPageDocument, { sku }, options);
  return product ?? null;
}
