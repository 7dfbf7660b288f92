import type pg from 'pg';
import { uncountedQuery } from '../db/uncountedQuery';

export interface FeedEvent {
  id: string;
  seq: bigint;
  type: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

type Listener = (event: FeedEvent) => void;

/** How far back each poll re-reads, for a transaction that committed after a later one. */
const LOOKBACK = 500n;
const MAX_REMEMBERED = 10_000;

/**
 * Follows the outbox (the Event table) and hands new events to in-process listeners: what
 * feeds GraphQL subscriptions. Reading the table, not NATS, means every replica sees every
 * event with or without a broker. It polls only while someone listens. Sequence numbers are
 * given out at insert, not commit, so each poll re-reads a window below the last one seen
 * and skips the events it already delivered. Its statements are the process's own, outside
 * the requests' statement counts, and carry no parameters (the sequence numbers are bigints
 * written into the text): the embedded PGlite serves every connection from one session, where a
 * parameterised statement's messages could interleave with another connection's.
 */
export class EventFeed {
  private readonly listeners = new Set<Listener>();
  private readonly delivered = new Set<string>();
  private watermark: bigint | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly pollMs = 250,
  ) {}

  /** Calls `listener` with every event committed from now on; returns the unsubscribe function. */
  async listen(listener: Listener): Promise<() => void> {
    const { rows: last } = await uncountedQuery<{ max: string | null }>(this.pool, 'SELECT max("seq")::text AS max FROM "Event"');
    const since = BigInt(last[0]?.max ?? 0);
    if (!this.timer) {
      // Idle until now: restart at the end of the log; its look-back window is history.
      const { rows: history } = await uncountedQuery<{ id: string }>(this.pool, `SELECT "id" FROM "Event" WHERE "seq" > ${since - LOOKBACK}`);
      this.delivered.clear();
      for (const { id } of history) this.delivered.add(id);
      this.watermark = since;
    }
    const fromNowOn: Listener = (event) => {
      if (event.seq > since) listener(event);
    };
    this.listeners.add(fromNowOn);
    if (!this.timer) this.schedule();
    return () => {
      this.listeners.delete(fromNowOn);
      if (this.listeners.size === 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  /**
   * Stops polling. A poll still running is not waited for: it only reads, it delivers to no one
   * now, and on a database that stopped answering it would hold up the shutdown steps after it
   * (its statement ends with the pool, its error ignored).
   */
  async close(): Promise<void> {
    this.listeners.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        if (this.listeners.size > 0) this.schedule();
      });
    }, this.pollMs);
  }

  private async poll(): Promise<void> {
    const from = this.watermark! > LOOKBACK ? this.watermark! - LOOKBACK : 0n;
    let events: FeedEvent[];
    try {
      const { rows } = await uncountedQuery<Omit<FeedEvent, 'seq'> & { seq: string }>(
        this.pool,
        `SELECT "id", "seq"::text AS "seq", "type", "occurredAt" AT TIME ZONE 'UTC' AS "occurredAt", "payload"
           FROM "Event" WHERE "seq" > ${from} ORDER BY "seq"`,
      );
      events = rows.map((row) => ({ ...row, seq: BigInt(row.seq) }));
    } catch {
      return; // the next poll tries again
    }
    for (const event of events) {
      if (this.delivered.has(event.id)) continue;
      this.delivered.add(event.id);
      if (event.seq > this.watermark!) this.watermark = event.seq;
      for (const listener of this.listeners) listener(event);
    }
    while (this.delivered.size > MAX_REMEMBERED) this.delivered.delete(this.delivered.values().next().value!);
  }
}
