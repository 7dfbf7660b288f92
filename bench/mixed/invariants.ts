import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type pg from 'pg';
import type { MixedLoadResult } from './mixedWorkload';

/** One promise the run must have kept, and what was found. */
export interface Invariant {
  name: string;
  held: boolean;
  detail: string;
}

const ORDER_ID = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString().split(':')[1]);

/**
 * What the mixed load must leave true, read from the database (and the stream) after the
 * replicas have stopped: stock never negative nor over-reserved, every stock level's reserved
 * units those of its reservations, the reservations of the run's orders matching their items,
 * one order per idempotency key, one order.placed event per order and every event published.
 * `ordersBefore` is the highest order id before the run: the run's orders are those above it.
 */
export async function checkInvariants(pool: pg.Pool, ordersBefore: number, load: MixedLoadResult): Promise<Invariant[]> {
  const count = async (sql: string, params: unknown[] = []) => Number((await pool.query<{ n: string }>(sql, params)).rows[0]!.n);
  const invariants: Invariant[] = [];
  const check = (name: string, held: boolean, detail: string) => invariants.push({ name, held, detail });

  const badLevels = await count('SELECT count(*) AS n FROM "InventoryLevel" WHERE "onHand" < 0 OR "reserved" < 0 OR "reserved" > "onHand"');
  check('stock never negative or over-reserved', badLevels === 0, `${badLevels} stock levels with onHand < 0, reserved < 0 or reserved > onHand`);

  const unmatchedLevels = await count(`SELECT count(*) AS n FROM "InventoryLevel" l
    LEFT JOIN (SELECT "inventoryLevelId", sum("quantity") AS q FROM "Reservation" GROUP BY 1) r ON r."inventoryLevelId" = l."id"
    WHERE l."reserved" <> coalesce(r.q, 0)`);
  check('reserved units = reservations, per stock level', unmatchedLevels === 0, `${unmatchedLevels} stock levels differ from their reservations`);

  const unmatchedOrders = await count(
    `SELECT count(*) AS n FROM "Order" o
     LEFT JOIN (SELECT "orderId", sum("quantity") AS q FROM "OrderItem" GROUP BY 1) i ON i."orderId" = o."id"
     LEFT JOIN (SELECT "orderId", sum("quantity") AS q FROM "Reservation" GROUP BY 1) r ON r."orderId" = o."id"
     WHERE o."id" > $1 AND coalesce(r.q, 0) <> CASE WHEN o."status" IN ('PENDING', 'PAID') THEN coalesce(i.q, 0) ELSE 0 END`,
    [ordersBefore],
  );
  check(
    "reservations match the run's orders",
    unmatchedOrders === 0,
    `${unmatchedOrders} orders whose reservations are not their items (pending, paid) or not none (fulfilled, cancelled)`,
  );

  const created = await count('SELECT count(*) AS n FROM "Order" WHERE "id" > $1', [ordersBefore]);
  const confirmedIds = new Set([...load.confirmedOrders.values()].map(ORDER_ID));
  const missing = await count('SELECT count(*) AS n FROM unnest($1::int[]) AS c(id) WHERE NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."id" = c.id)', [
    [...confirmedIds],
  ]);
  const duplicates = load.confirmedOrders.size - confirmedIds.size;
  // A key whose every attempt failed may have placed its order (the answer was lost): at most one each.
  const unaccounted = created - confirmedIds.size;
  check(
    'one order per idempotency key, none lost',
    missing === 0 && duplicates === 0 && unaccounted >= 0 && unaccounted <= load.unconfirmedKeys.length,
    `${created} orders created; ${confirmedIds.size} confirmed to clients (${duplicates} keys shared an order, ${missing} missing); ` +
      `${unaccounted} more, with ${load.unconfirmedKeys.length} keys never answered`,
  );

  const placedEvents = await count(
    `SELECT count(*) AS n FROM "Order" o WHERE o."id" > $1 AND
       (SELECT count(*) FROM "Event" e WHERE e."type" = 'order.placed' AND e."payload"->>'orderId' = rtrim(translate(encode(convert_to('Order:' || o."id", 'UTF8'), 'base64'), '+/', '-_'), '=')) <> 1`,
    [ordersBefore],
  );
  check('one order.placed event per order', placedEvents === 0, `${placedEvents} of the run's orders without exactly one order.placed event`);
  return invariants;
}

/** The outbox after the run: nothing left behind (PENDING or DEAD). */
export async function checkOutbox(pool: pg.Pool, since: Date, published: boolean): Promise<Invariant> {
  const { rows } = await pool.query<{ status: string; n: string }>('SELECT "status", count(*) AS n FROM "Event" WHERE "occurredAt" >= $1 GROUP BY 1', [since]);
  const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const left = (byStatus.PENDING ?? 0) + (byStatus.DEAD ?? 0);
  return {
    name: published ? 'every event published' : 'every event recorded (NATS_URL unset: none published)',
    held: published ? left === 0 : (byStatus.DEAD ?? 0) === 0,
    detail: JSON.stringify(byStatus),
  };
}

/** Every message in the run's stream, by its Nats-Msg-Id (the event id): each exactly once, and as many as the outbox published. */
export async function checkStream(natsUrl: string, stream: string, publishedEvents: number): Promise<Invariant> {
  const connection = await connect({ servers: natsUrl });
  try {
    const manager = await jetstreamManager(connection);
    const info = await manager.streams.info(stream);
    const seen = new Map<string, number>();
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const message = await manager.streams.getMessage(stream, { seq });
      const id = message?.header.get('Nats-Msg-Id') ?? '(none)';
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    const twice = [...seen.values()].filter((n) => n > 1).length;
    return {
      name: 'each event in the stream exactly once',
      held: twice === 0 && seen.size === publishedEvents,
      detail: `${info.state.messages} messages, ${seen.size} event ids (${twice} more than once); the outbox published ${publishedEvents}`,
    };
  } finally {
    await connection.close();
  }
}
