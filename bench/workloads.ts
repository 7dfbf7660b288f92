import { getIntrospectionQuery } from 'graphql';

/** One request the benchmark drives with autocannon: its GraphQL document and variables. */
export interface Workload {
  name: string;
  description: string;
  /** The gateway's DataLoader batching (DATALOADER_BATCHING); on unless said otherwise. */
  batching: 'on' | 'off';
  body(options: { first: number }): string;
  /** Included when --workloads is not given. */
  byDefault: boolean;
  /** The viewer's roles; support (reads everything) unless said otherwise. */
  roles?: string[];
  /**
   * Writes: its answers are not compared between targets, each request carries its own
   * idempotency key (autocannon's [<id>]), and it runs after every read workload.
   */
  mutation?: boolean;
}

/** A global id as the gateway prints it (src/modules/node/globalId.ts): base64url of "Type:id". */
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');
const orderGlobalId = (id: number) => globalId('Order', id);

const ordersQuery = (first: number) =>
  `query { orders(first: ${first}) { edges { node { id status createdAt customer { name email } items { quantity unitPrice { amount currency } product { sku name inventory { available warehouse { code } } } } } } } }`;

/** What placeOrder orders, one unit of each: active products in the bench dataset. */
export const PLACE_ORDER_PRODUCT_IDS = [2, 3, 5];

/** 20 order ids spread over the bench dataset's 20,000 orders. */
const NODE_IDS = Array.from({ length: 20 }, (_, i) => orderGlobalId(1 + i * 997));

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'orders',
    description: 'the nested orders(first: N) page: customers, items, products and their stock',
    batching: 'on',
    byDefault: true,
    body: ({ first }) => JSON.stringify({ query: ordersQuery(first) }),
  },
  {
    name: 'orders-unbatched',
    description: 'the same orders page with DataLoader batching off (what batching saves)',
    batching: 'off',
    byDefault: true,
    body: ({ first }) => JSON.stringify({ query: ordersQuery(first) }),
  },
  {
    name: 'nodes',
    description: 'nodes(ids:) with 20 order ids: status, total, customer, item count',
    batching: 'on',
    byDefault: true,
    body: () =>
      JSON.stringify({
        query: 'query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id ... on Order { status total { amount currency } itemCount customer { name } } } }',
        variables: { ids: NODE_IDS },
      }),
  },
  {
    name: 'product',
    description: 'the product page: one product by SKU, its price and its stock per warehouse',
    batching: 'on',
    byDefault: true,
    body: () =>
      JSON.stringify({
        query:
          'query { product(sku: "SKU-00001") { id name price { amount currency } totalAvailable inventory { warehouse { code } onHand reserved available } } }',
      }),
  },
  {
    name: 'stock',
    description: "every warehouse's stock page: warehouses { inventory(first: 50) }",
    batching: 'on',
    byDefault: true,
    body: () => JSON.stringify({ query: 'query { warehouses { code inventory(first: 50) { edges { node { product { sku } available } } } } }' }),
  },
  {
    name: 'introspection',
    description: "graphql-js's getIntrospectionQuery(), as IDEs and codegen send it",
    batching: 'on',
    byDefault: true,
    body: () => JSON.stringify({ query: getIntrospectionQuery() }),
  },
  {
    name: 'placeOrder',
    description: 'placeOrder of the same 3 products (their stock rows contended), a distinct idempotency key per request',
    batching: 'on',
    byDefault: true,
    roles: ['admin'],
    mutation: true,
    body: () =>
      JSON.stringify({
        query:
          'mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status total { amount currency } } userErrors { code message } } }',
        variables: {
          input: {
            customerId: globalId('Customer', 1),
            items: PLACE_ORDER_PRODUCT_IDS.map((id) => ({ productId: globalId('Product', id), quantity: 1 })),
          },
        },
        // Replaced by autocannon (-I) with a new id in every request.
        extensions: { idempotencyKey: 'bench-[<id>]' },
      }),
  },
];

/** The workloads --workloads names (comma-separated), in the order of WORKLOADS; all by default. */
export function selectWorkloads(names: string | undefined): Workload[] {
  if (!names) return WORKLOADS.filter((w) => w.byDefault);
  const wanted = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length > 0) throw new Error(`unknown workload(s) ${unknown.join(', ')}: choose from ${WORKLOADS.map((w) => w.name).join(', ')}`);
  return WORKLOADS.filter((w) => wanted.includes(w.name));
}
