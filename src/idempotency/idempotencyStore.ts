import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../errors';
import type { StoredResponse } from '../pipeline/requestState';

/** A key held by the request that runs it, for a short lease. */
export interface IdempotencyClaim {
  id: number;
  /** Fences this holder: once its lease is taken over, its writes to the key no longer apply. */
  token: string;
  /**
   * Taken over from a request whose lease ran out (a crashed process, a timed-out request):
   * its transactions may have committed, so each mutation looks for its recorded effect first.
   */
  recovering: boolean;
}

export type ClaimOutcome = { claim: IdempotencyClaim } | { replay: StoredResponse };

export interface IdempotencyOptions {
  /** How long a key and its stored outcome are kept. */
  ttlMs: number;
  /** How long a claim holds the key before another request with it may take over. */
  leaseMs: number;
  /** How long a duplicate waits for the holder to finish before it gets 409. */
  waitMs: number;
}

interface KeyRow {
  id: number;
  requestHash: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  httpStatus: number | null;
  response: unknown;
  viewerScope: string;
  expired: boolean;
  leaseExpired: boolean;
  leaseMsLeft: number;
}

/** The database's clock as Prisma stores DateTime (timestamp without time zone, in UTC), whatever the session's zone. */
const NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;
const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;

/**
 * Idempotency keys in the database (table IdempotencyKey), as Stripe keeps them, with leases
 * instead of locks: a request claims its key for `leaseMs`; a duplicate waits (polling with
 * backoff) for the outcome and replays it; when a holder dies or times out, its lease runs
 * out and the next request with the key takes over. What a holder's transactions committed
 * is recorded, in those transactions, in IdempotencyEffect, so the one that takes over
 * answers with it instead of acting again. All times are the database's clock.
 */
export class IdempotencyStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly options: IdempotencyOptions,
  ) {}

  /**
   * Claims the key, or returns the stored outcome to replay. Refuses a key used for another
   * request or by a viewer who sees other rows (IDEMPOTENCY_KEY_REUSED), and a key still held
   * by another request after the wait (IDEMPOTENCY_KEY_IN_PROGRESS, with Retry-After).
   */
  async claim(request: { clientKey: string; key: string; requestHash: string; viewerScope: string }, deadline: number): Promise<ClaimOutcome> {
    const { clientKey, key, requestHash, viewerScope } = request;
    const waitUntil = Math.min(Date.now() + this.options.waitMs, deadline);
    let pollMs = FIRST_POLL_MS;
    for (;;) {
      const token = randomUUID();
      const [inserted] = await this.prisma.$queryRaw<Array<{ id: number }>>`
        INSERT INTO "IdempotencyKey" ("clientKey", "key", "requestHash", "status", "viewerScope", "leaseToken", "lockedUntil", "expiresAt")
        VALUES (${clientKey}, ${key}, ${requestHash}, 'IN_PROGRESS', ${viewerScope}, ${token},
                ${NOW} + ${this.options.leaseMs} * interval '1 millisecond', ${NOW} + ${this.options.ttlMs} * interval '1 millisecond')
        ON CONFLICT ("clientKey", "key") DO NOTHING
        RETURNING "id"`;
      if (inserted) return { claim: { id: inserted.id, token, recovering: false } };

      const [existing] = await this.prisma.$queryRaw<KeyRow[]>`
        SELECT "id", "requestHash", "status"::text AS "status", "httpStatus", "response", "viewerScope",
               "expiresAt" < ${NOW} AS "expired",
               COALESCE("lockedUntil" < ${NOW}, true) AS "leaseExpired",
               GREATEST(0, EXTRACT(EPOCH FROM ("lockedUntil" - ${NOW})) * 1000)::float8 AS "leaseMsLeft"
        FROM "IdempotencyKey" WHERE "clientKey" = ${clientKey} AND "key" = ${key}`;
      if (!existing) continue; // expired and deleted meanwhile: claim it afresh
      if (existing.expired) {
        // An expired key starts over: its row and recorded effects go (cascade).
        await this.prisma.$executeRaw`DELETE FROM "IdempotencyKey" WHERE "id" = ${existing.id} AND "expiresAt" < ${NOW}`;
        continue;
      }
      if (existing.requestHash !== requestHash) throw new IdempotencyKeyReusedError('request');
      if (existing.viewerScope !== viewerScope) throw new IdempotencyKeyReusedError('viewer');
      if (existing.status === 'COMPLETED') {
        return { replay: { status: existing.httpStatus ?? 200, body: existing.response as StoredResponse['body'] } };
      }
      if (existing.leaseExpired) {
        const [taken] = await this.prisma.$queryRaw<Array<{ id: number }>>`
          UPDATE "IdempotencyKey" SET "leaseToken" = ${token}, "lockedUntil" = ${NOW} + ${this.options.leaseMs} * interval '1 millisecond'
          WHERE "id" = ${existing.id} AND "status" = 'IN_PROGRESS' AND ("lockedUntil" IS NULL OR "lockedUntil" < ${NOW})
          RETURNING "id"`;
        if (taken) return { claim: { id: taken.id, token, recovering: true } };
        continue; // another request took it over first: wait for that one
      }
      const now = Date.now();
      if (now >= waitUntil) throw new IdempotencyKeyInProgressError(Math.max(1, Math.ceil(existing.leaseMsLeft / 1000)));
      await sleep(Math.min(pollMs, waitUntil - now, existing.leaseMsLeft + 1));
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  /**
   * Renews the claim's lease every third of it while its request runs (a request may outlive a
   * lease: serial mutations, each with a transaction timeout), so that a key is taken over only
   * from a holder that stopped: a crashed process renews nothing. Returns the function that
   * stops renewing.
   */
  keepAlive(claim: IdempotencyClaim): () => void {
    const timer = setInterval(
      () => {
        this.prisma.$executeRaw`
        UPDATE "IdempotencyKey" SET "lockedUntil" = ${NOW} + ${this.options.leaseMs} * interval '1 millisecond'
        WHERE "id" = ${claim.id} AND "leaseToken" = ${claim.token}`.catch(() => undefined); // the next beat tries again
      },
      Math.max(100, Math.floor(this.options.leaseMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Deletes up to `limit` expired keys (and their recorded effects); returns how many. */
  async deleteExpired(limit = 1_000): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM "IdempotencyKey" WHERE "id" IN (SELECT "id" FROM "IdempotencyKey" WHERE "expiresAt" < ${NOW} LIMIT ${limit})`;
  }

  /** Stores the outcome of an execution, for replays; a holder whose lease was taken over stores nothing. */
  async complete(claim: IdempotencyClaim, outcome: StoredResponse): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "IdempotencyKey"
      SET "status" = 'COMPLETED', "httpStatus" = ${outcome.status}, "response" = ${JSON.stringify(outcome.body)}::jsonb,
          "leaseToken" = NULL, "lockedUntil" = NULL
      WHERE "id" = ${claim.id} AND "leaseToken" = ${claim.token}`;
  }

  /**
   * Gives the key up without an outcome (the execution failed on our side): the next request
   * with it takes over at once, and finds any effect that did commit.
   */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE "IdempotencyKey" SET "leaseToken" = NULL, "lockedUntil" = ${NOW} - interval '1 millisecond'
      WHERE "id" = ${claim.id} AND "leaseToken" = ${claim.token}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
