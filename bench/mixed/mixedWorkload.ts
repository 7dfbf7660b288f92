import { mulberry32 } from '../../src/db/seed';
import { WORKLOADS } from '../workloads';
import type { OperationRecord } from './latency';

/** The operations of the mix and their shares: 80% reads of the bench's kinds, 15% placeOrder, 5% status changes. */
export const MIX = [
  { operation: 'orders', weight: 20 },
  { operation: 'nodes', weight: 20 },
  { operation: 'product', weight: 20 },
  { operation: 'stock', weight: 20 },
  { operation: 'placeOrder', weight: 15 },
  { operation: 'statusChange', weight: 5 },
] as const;
export type Operation = (typeof MIX)[number]['operation'];

/** A client gives up a mutation after this many attempts (each on the next replica). */
const MAX_ATTEMPTS = 5;

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64url');

const PLACE_ORDER = `mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } userErrors { code message } } }`;
const TRANSITIONS = {
  markOrderPaid: 'mutation Paid($id: ID!) { markOrderPaid(id: $id) { order { id status } userErrors { code message } } }',
  fulfillOrder: 'mutation Fulfil($id: ID!) { fulfillOrder(id: $id) { order { id status } userErrors { code message } } }',
  cancelOrder: 'mutation Cancel($id: ID!, $reason: String!) { cancelOrder(id: $id, reason: $reason) { order { id status } userErrors { code message } } }',
} as const;

export interface MixedLoadOptions {
  /** Each replica's /graphql URL: requests go to them in turn. */
  urls: string[];
  /** Clients sending one request after another, side by side. */
  connections: number;
  durationMs: number;
  /** Authorization header values: a support viewer for reads, an admin for writes. */
  readAuthorization: string;
  writeAuthorization: string;
  /** The orders page size. */
  first: number;
  /** Ordered products (ids), one or two units each: a few, so that their stock rows are contended. */
  productIds: number[];
  customerIds: number[];
  /** Prefix of every idempotency key: a run never replays another run's keys. */
  runId: string;
  /** The mix's random choices are repeatable from this. */
  seed: number;
}

export interface MixedLoadResult {
  records: Map<Operation, OperationRecord>;
  /** placeOrder keys answered with an order, and that order's global id. */
  confirmedOrders: Map<string, string>;
  /** placeOrder keys never answered with an outcome (every attempt failed): their order may or may not exist. */
  unconfirmedKeys: string[];
  /** Status changes answered with the order's new status. */
  confirmedTransitions: number;
  /** Attempts past the first, on the next replica, with the same key. */
  retries: number;
  elapsedMs: number;
}

interface Answer {
  outcome: string;
  data?: Record<string, { order: { id: string; status: string } | null; userErrors: Array<{ code: string }> } | null>;
  retryable: boolean;
}

export function pickOperation(random: () => number): Operation {
  const total = MIX.reduce((sum, m) => sum + m.weight, 0);
  let roll = random() * total;
  for (const { operation, weight } of MIX) {
    if ((roll -= weight) < 0) return operation;
  }
  return MIX[MIX.length - 1]!.operation;
}

/**
 * Drives the replicas with `connections` clients for `durationMs`: each picks an operation
 * from MIX, sends it to the next replica, and records its latency and outcome. Mutations carry
 * an Idempotency-Key and, as a careful client does, are retried with the same key on the next
 * replica when the answer says retry (503, 409 in progress, a dropped connection).
 */
export async function runMixedLoad(options: MixedLoadOptions): Promise<MixedLoadResult> {
  const random = mulberry32(options.seed);
  const records = new Map<Operation, OperationRecord>(MIX.map(({ operation }) => [operation, { latenciesMs: [], outcomes: new Map() }]));
  const result: MixedLoadResult = { records, confirmedOrders: new Map(), unconfirmedKeys: [], confirmedTransitions: 0, retries: 0, elapsedMs: 0 };
  const readBodies = new Map(
    ['orders', 'nodes', 'product', 'stock'].map((name) => [name, WORKLOADS.find((w) => w.name === name)!.body({ first: options.first })]),
  );
  /** Orders this run placed, by status, for the status changes to move along. */
  const pending: string[] = [];
  const paid: string[] = [];
  let nextReplica = 0;
  let nextKey = 0;
  const started = Date.now();
  const deadline = started + options.durationMs;

  const send = async (operation: Operation, body: string, authorization: string, idempotencyKey?: string): Promise<Answer> => {
    const url = options.urls[nextReplica++ % options.urls.length]!;
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    const sent = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(url, { method: 'POST', headers, body });
      const payload = (await response.json()) as { data?: Answer['data']; errors?: Array<{ extensions?: { code?: string } }> };
      answer = classify(response.status, payload);
      records.get(operation)!.latenciesMs.push(performance.now() - sent);
    } catch {
      answer = { outcome: 'NETWORK_ERROR', retryable: true };
    }
    const outcomes = records.get(operation)!.outcomes;
    outcomes.set(answer.outcome, (outcomes.get(answer.outcome) ?? 0) + 1);
    return answer;
  };

  /** A mutation until it has an outcome or MAX_ATTEMPTS: every attempt with the same key. */
  const mutate = async (operation: Operation, body: string, key: string): Promise<Answer | undefined> => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (attempt > 1) result.retries += 1;
      const answer = await send(operation, body, options.writeAuthorization, key);
      if (!answer.retryable) return answer;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
    return undefined;
  };

  const placeOrder = async () => {
    const key = `${options.runId}-order-${nextKey++}`;
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const productIds = [...new Set([pick(options.productIds), pick(options.productIds)])];
    const input = {
      customerId: globalId('Customer', pick(options.customerIds)),
      items: productIds.map((id) => ({ productId: globalId('Product', id), quantity: 1 + Math.floor(random() * 2) })),
    };
    const answer = await mutate('placeOrder', JSON.stringify({ query: PLACE_ORDER, variables: { input } }), key);
    const order = answer?.data?.placeOrder?.order;
    if (order) {
      result.confirmedOrders.set(key, order.id);
      pending.push(order.id);
    } else if (!answer) {
      result.unconfirmedKeys.push(key);
    }
  };

  /** Pays a pending order of this run, or fulfils or cancels a paid one (half and half). */
  const changeStatus = async () => {
    const moveOn = paid.length > 0 && (pending.length === 0 || random() < 0.5);
    const id = moveOn ? paid.shift() : pending.shift();
    if (!id) return placeOrder(); // nothing placed yet: the first status changes wait for orders
    const mutation = !moveOn ? 'markOrderPaid' : random() < 0.5 ? 'fulfillOrder' : 'cancelOrder';
    const variables = mutation === 'cancelOrder' ? { id, reason: 'load test' } : { id };
    const answer = await mutate('statusChange', JSON.stringify({ query: TRANSITIONS[mutation], variables }), `${options.runId}-status-${nextKey++}`);
    const order = answer?.data?.[mutation]?.order;
    if (order) {
      result.confirmedTransitions += 1;
      if (order.status === 'PAID') paid.push(order.id);
    }
  };

  const client = async () => {
    while (Date.now() < deadline) {
      const operation = pickOperation(random);
      if (operation === 'placeOrder') await placeOrder();
      else if (operation === 'statusChange') await changeStatus();
      else await send(operation, readBodies.get(operation)!, options.readAuthorization);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  result.elapsedMs = Date.now() - started;
  return result;
}

/** An answer's outcome: what the client would branch on, and whether it should retry. */
export function classify(status: number, payload: { data?: Answer['data']; errors?: Array<{ extensions?: { code?: string } }> }): Answer {
  const errorCode = payload.errors?.[0]?.extensions?.code;
  if (errorCode) {
    return { outcome: errorCode, retryable: errorCode === 'SERVICE_UNAVAILABLE' || errorCode === 'IDEMPOTENCY_KEY_IN_PROGRESS', data: payload.data };
  }
  if (status !== 200) return { outcome: `http:${status}`, retryable: status >= 502 };
  const userError = Object.values(payload.data ?? {}).find((field) => field && Array.isArray(field.userErrors) && field.userErrors.length > 0);
  if (userError) return { outcome: `user:${userError.userErrors[0]!.code}`, retryable: false, data: payload.data };
  return { outcome: 'ok', retryable: false, data: payload.data };
}
