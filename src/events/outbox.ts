import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { uncountedQuery } from '../db/uncountedQuery';
import type { Prisma } from '../generated/prisma/client';
import type { OutboxFigures } from '../observability/metrics';
import { activeTraceHeaders } from '../observability/tracing';

/**
 * The event catalogue: every event type with its current payload schema version. A payload
 * change that is not backward compatible takes a new version (docs/mutations.md lists them).
 */
export const EVENT_SCHEMA_VERSIONS = {
  'order.placed': 1,
  'order.paid': 1,
  'order.cancelled': 1,
  'order.fulfilled': 1,
  'inventory.low': 1,
  'inventory.adjusted': 1,
} as const;
export type EventType = keyof typeof EVENT_SCHEMA_VERSIONS;

/** The statuses every order event carries, so that a consumer can follow an order from any. */
export interface OrderEventPayload {
  orderId: string;
  customerId: string;
  previousStatus: string | null;
  status: string;
  [more: string]: unknown;
}

/**
 * Writes an event in the caller's transaction (the transactional outbox): it exists exactly
 * when the change it describes was committed. The dispatcher publishes it later, in a span
 * linked to the request's (the traceparent stored with the event, when tracing is on).
 */
export async function recordEvent(tx: Prisma.TransactionClient, type: EventType, payload: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  const { traceparent } = activeTraceHeaders();
  await tx.event.create({ data: { id, type, schemaVersion: EVENT_SCHEMA_VERSIONS[type], payload: payload as Prisma.InputJsonValue, traceparent } });
  return id;
}

/**
 * The outbox's backlog for the metrics: pending and dead events, and the age of the oldest
 * pending one. One statement over the (status, nextAttemptAt) index, run on a connection of its
 * own outside the gateway's statement counts (it is not a request's work).
 */
export async function readOutboxFigures(pool: pg.Pool): Promise<OutboxFigures> {
  const { rows } = await uncountedQuery<{ status: string; events: number; oldest: number | null }>(
    pool,
    `SELECT status::text AS status, count(*)::int AS events,
            extract(epoch FROM now() - min("occurredAt"))::float8 AS oldest
       FROM "Event" WHERE status IN ('PENDING', 'DEAD') GROUP BY status`,
  );
  const of = (status: string) => rows.find((row) => row.status === status);
  return { pending: of('PENDING')?.events ?? 0, dead: of('DEAD')?.events ?? 0, oldestPendingSeconds: Math.max(0, of('PENDING')?.oldest ?? 0) };
}
