/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query OrderHistory($first: Int, $after: String) {\n    orders(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          itemCount\n          items {\n            quantity\n            unitPrice {\n              amount\n              currency\n            }\n            product {\n              sku\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.OrderHistoryDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        id\n        status\n        total {\n          amount\n          currency\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n  }\n": typeof types.PlaceOrderDocument,
    "\n  query ProductPage($sku: String!) {\n    product(sku: $sku) {\n      id\n      sku\n      name\n      description\n      price {\n        amount\n        currency\n      }\n      totalAvailable\n      active\n    }\n  }\n": typeof types.ProductPageDocument,
};
const documents: Documents = {
    "\n  query OrderHistory($first: Int, $after: String) {\n    orders(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          itemCount\n          items {\n            quantity\n            unitPrice {\n              amount\n              currency\n            }\n            product {\n              sku\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.OrderHistoryDocument,
    "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        id\n        status\n        total {\n          amount\n          currency\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n  }\n": types.PlaceOrderDocument,
    "\n  query ProductPage($sku: String!) {\n    product(sku: $sku) {\n      id\n      sku\n      name\n      description\n      price {\n        amount\n        currency\n      }\n      totalAvailable\n      active\n    }\n  }\n": types.ProductPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OrderHistory($first: Int, $after: String) {\n    orders(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          itemCount\n          items {\n            quantity\n            unitPrice {\n              amount\n              currency\n            }\n            product {\n              sku\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query OrderHistory($first: Int, $after: String) {\n    orders(first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          status\n          createdAt\n          total {\n            amount\n            currency\n          }\n          itemCount\n          items {\n            quantity\n            unitPrice {\n              amount\n              currency\n            }\n            product {\n              sku\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        id\n        status\n        total {\n          amount\n          currency\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation PlaceOrder($input: PlaceOrderInput!) {\n    placeOrder(input: $input) {\n      order {\n        id\n        status\n        total {\n          amount\n          currency\n        }\n      }\n      userErrors {\n        code\n        message\n        field\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProductPage($sku: String!) {\n    product(sku: $sku) {\n      id\n      sku\n      name\n      description\n      price {\n        amount\n        currency\n      }\n      totalAvailable\n      active\n    }\n  }\n"): (typeof documents)["\n  query ProductPage($sku: String!) {\n    product(sku: $sku) {\n      id\n      sku\n      name\n      description\n      price {\n        amount\n        currency\n      }\n      totalAvailable\n      active\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;