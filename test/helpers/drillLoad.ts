import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connectDatabase } from '../../src/db/database';
import { applyMigrations } from '../../src/db/migrations';
import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { globalId, PLACE_ORDER } from './orders';
import { DEFAULT_DATABASE_TIMEOUTS } from './testDatabases';
import { signToken } from './tokens';
import { pause } from './waiting';

/**
 * The failure drills' steady load and what it saw: a few clients, each reading products and its
 * own orders and placing orders with an Idempotency-Key, retrying a failed placeOrder with the
 * same key after Retry-After as a real client would, until it succeeds. Every response is kept,
 * so that a drill can say what clients saw during the outage and when the gateway recovered.
 */

export interface Exchange {
  client: number;
  url: string;
  kind: 'products' | 'orders' | 'placeOrder';
  sentAt: number;
  doneAt: number;
  /** HTTP status; 0 when no response came (connection refused or reset, or no answer in time). */
  status: number;
  /** extensions.code of each error, in order. */
  codes: string[];
  retryAfter: string | null;
  /** extensions.cacheStatus: a hit or stale answer never reached the database. */
  cacheStatus: string | undefined;
  body: string;
  /** placeOrder: the order answered, when it succeeded. */
  orderId?: string;
  idempotencyKey?: string;
}

export const isSuccess = (exchange: Exchange) => exchange.status === 200 && exchange.codes.length === 0;

/** Answered from the database (not the response cache): what proves the database path works. */
export const reachedDatabase = (exchange: Exchange) => isSuccess(exchange) && exchange.cacheStatus !== 'hit' && exchange.cacheStatus !== 'stale';

/**
 * Why a response is not what the README promises clients (empty when it is): a success, or an
 * error with a stable code, the documented status and a Retry-After where one is promised;
 * never a 500, an uncoded error, a stack trace, or a wait past `answerWithinMs`.
 */
export function contractBreach(exchange: Exchange, answerWithinMs: number): string | undefined {
  const took = exchange.doneAt - exchange.sentAt;
  const describe = (what: string) => `${what} (${exchange.kind} at ${new Date(exchange.sentAt).toISOString()}, ${took} ms): ${exchange.body.slice(0, 300)}`;
  if (took > answerWithinMs) return describe(`answered after ${took} ms, past ${answerWithinMs} ms`);
  if (exchange.status === 0) return describe('no HTTP response');
  if (/stacktrace|\n\s+at /.test(exchange.body)) return describe('a stack trace');
  if (isSuccess(exchange)) return undefined;
  const promised: Record<string, number[]> = {
    SERVICE_UNAVAILABLE: [503, 200],
    IDEMPOTENCY_KEY_IN_PROGRESS: [409],
    RATE_LIMITED: [429],
  };
  if (exchange.codes.length === 0) return describe(`HTTP ${exchange.status} without an error code`);
  for (const code of exchange.codes) {
    if (!promised[code]?.includes(exchange.status)) return describe(`${code} with HTTP ${exchange.status}`);
  }
  if (exchange.status !== 200 && !exchange.retryAfter) return describe(`HTTP ${exchange.status} without Retry-After`);
  return undefined;
}

const READ_PRODUCTS = '{ products(first: 5) { edges { node { sku name } } } }';
const READ_ORDERS = '{ orders(first: 5) { edges { node { id status } } } }';

export interface DrillData {
  /** A product of the drill's own, stocked in warehouse 1 with `DRILL_STOCK` units. */
  productId: number;
  productGlobalId: string;
}

export const DRILL_STOCK = 100_000;

/** Migrates and seeds the drill's own database, and gives it a product with ample stock. */
export async function prepareDrillDatabase(url: string): Promise<DrillData> {
  const db = connectDatabase({ connectionString: url, poolSize: 2, timeouts: DEFAULT_DATABASE_TIMEOUTS });
  try {
    await applyMigrations(db.pool);
    await seedDatabase(db.prisma, SEED_SIZES.demo);
    const product = await db.prisma.product.create({ data: { sku: 'DRILL-1', name: 'Drill product', priceCents: 500, currency: 'USD' } });
    await db.prisma.inventoryLevel.create({ data: { productId: product.id, warehouseId: 1, onHand: DRILL_STOCK } });
    return { productId: product.id, productGlobalId: globalId('Product', product.id) };
  } finally {
    await db.close();
  }
}

export interface LoadOptions {
  /** Gateways to spread the requests over, client i using urls[i % urls.length]. */
  urls: string[];
  clients: number;
  productGlobalId: string;
  /** Each request is given up after this (then recorded with status 0). */
  requestTimeoutMs: number;
  /** Pause between one client's requests. */
  pauseMs?: number;
}

export interface Load {
  exchanges: Exchange[];
  /** Stops sending new work; resolves once every placeOrder key started has succeeded, or after `settleMs`. */
  stop(settleMs?: number): Promise<{ unsettledKeys: string[] }>;
  /** The order each key got (its last success): one per key. */
  ordersByKey: Map<string, string>;
}

/** Starts `clients` clients, each as customer i + 1 (seeded), cycling through reads and placeOrder. */
export function startLoad({ urls, clients, productGlobalId, requestTimeoutMs, pauseMs = 50 }: LoadOptions): Load {
  const exchanges: Exchange[] = [];
  const ordersByKey = new Map<string, string>();
  const pendingKeys = new Set<string>();
  let stopping = false;
  let giveUpAt = Infinity;

  const send = async (client: number, kind: Exchange['kind'], token: string, query: string, variables?: object, idempotencyKey?: string) => {
    const url = urls[client % urls.length]!;
    const sentAt = Date.now();
    const exchange: Exchange = {
      client,
      url,
      kind,
      sentAt,
      doneAt: 0,
      status: 0,
      codes: [],
      retryAfter: null,
      cacheStatus: undefined,
      body: '',
      idempotencyKey,
    };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      exchange.status = response.status;
      exchange.retryAfter = response.headers.get('retry-after');
      exchange.body = await response.text();
      const parsed = JSON.parse(exchange.body) as { errors?: { extensions?: { code?: string } }[]; extensions?: { cacheStatus?: string }; data?: any };
      exchange.codes = (parsed.errors ?? []).map((error) => error.extensions?.code ?? 'NO_CODE');
      exchange.cacheStatus = parsed.extensions?.cacheStatus;
      if (kind === 'placeOrder' && isSuccess(exchange)) exchange.orderId = parsed.data?.placeOrder?.order?.id;
    } catch (error) {
      exchange.body = String((error as Error).message ?? error);
    }
    exchange.doneAt = Date.now();
    exchanges.push(exchange);
    return exchange;
  };

  const placeOrder = async (client: number, token: string) => {
    const key = `drill-${randomUUID()}`;
    pendingKeys.add(key);
    for (;;) {
      const exchange = await send(client, 'placeOrder', token, PLACE_ORDER, { input: { items: [{ productId: productGlobalId, quantity: 1 }] } }, key);
      if (isSuccess(exchange)) {
        if (!exchange.orderId) throw new Error(`placeOrder succeeded without an order: ${exchange.body}`);
        ordersByKey.set(key, exchange.orderId);
        pendingKeys.delete(key);
        return;
      }
      if (Date.now() > giveUpAt) return;
      // As a client would: after Retry-After (kept short here), or a second when none came.
      const retryAfterMs = Math.min(2_000, Number(exchange.retryAfter ?? 1) * 1_000);
      await pause(retryAfterMs);
    }
  };

  const run = async (client: number) => {
    const token = await signToken({ roles: ['customer'], customer_id: client + 1, sub: `drill-client-${client}` }, { expiresIn: '1h' });
    for (let turn = 0; !stopping; turn += 1) {
      if (turn % 3 === 0) await send(client, 'products', token, READ_PRODUCTS);
      else if (turn % 3 === 1) await send(client, 'orders', token, READ_ORDERS);
      else await placeOrder(client, token);
      await pause(pauseMs);
    }
  };

  const running = Promise.all(Array.from({ length: clients }, (_, client) => run(client)));
  const load: Load = {
    exchanges,
    ordersByKey,
    async stop(settleMs = 60_000) {
      stopping = true;
      giveUpAt = Math.min(giveUpAt, Date.now() + settleMs);
      await running;
      loads.delete(load);
      return { unsettledKeys: [...pendingKeys] };
    },
  };
  loads.add(load);
  return load;
}

const loads = new Set<Load>();

/** Stops every load still running, without waiting for its keys to settle (afterAll, when a drill failed midway). */
export async function stopLoads(): Promise<void> {
  await Promise.all([...loads].map((load) => load.stop(0)));
}

const ARTIFACT = path.resolve(__dirname, '../artifacts/drills.json');

/**
 * Prints one line per drill (`drill <name>: recovered in <ms> ms`) and merges its figures into
 * test/artifacts/drills.json, the numbers docs/operations.md quotes.
 */
export function reportDrill(name: string, recoveredInMs: number, figures: Record<string, unknown>): void {
  process.stdout.write(`drill ${name}: recovered in ${recoveredInMs} ms ${JSON.stringify(figures)}\n`);
  mkdirSync(path.dirname(ARTIFACT), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(ARTIFACT, 'utf8')) as Record<string, unknown>;
  } catch {
    // first drill of the run
  }
  all[name] = { recoveredInMs, ...figures, at: new Date().toISOString() };
  writeFileSync(ARTIFACT, `${JSON.stringify(all, null, 2)}\n`);
}
