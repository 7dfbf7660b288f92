import type { Logger } from 'pino';
import { Prisma, type PrismaClient } from '../generated/prisma/client';

export interface UsageClient {
  name: string;
  version: string;
}

/**
 * Counts deprecated-coordinate usage per client and day in memory and writes it in batches,
 * off the requests' path: one multi-row upsert per flush, adding to the stored counts, every
 * `flushMs` or as soon as `maxPending` distinct keys wait. A failed flush keeps its counts for
 * the next one, so none is lost while the database is briefly away.
 */
export class DeprecatedUsageRecorder {
  private pending = new Map<string, { coordinate: string; client: UsageClient; day: string; count: number; lastSeenAt: Date }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly options = { flushMs: 1_000, maxPending: 500 },
  ) {}

  record(coordinates: readonly string[], client: UsageClient, at = new Date()): void {
    const day = at.toISOString().slice(0, 10);
    for (const coordinate of coordinates) {
      const key = `${coordinate}\u0000${client.name}\u0000${client.version}\u0000${day}`;
      const entry = this.pending.get(key);
      if (entry) {
        entry.count += 1;
        entry.lastSeenAt = at;
      } else {
        this.pending.set(key, { coordinate, client, day, count: 1, lastSeenAt: at });
      }
    }
    if (this.pending.size >= this.options.maxPending) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
  }

  /** Writes what is pending; resolves when it is stored (or kept for the next try). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      const rows = batch.map((e) => Prisma.sql`(${e.coordinate}, ${e.client.name}, ${e.client.version}, ${e.day}::date, ${e.count}, ${e.lastSeenAt})`);
      await this.prisma.$executeRaw`
        INSERT INTO "DeprecatedUsage" ("coordinate", "clientName", "clientVersion", "day", "count", "lastSeenAt")
        VALUES ${Prisma.join(rows)}
        ON CONFLICT ("coordinate", "clientName", "clientVersion", "day")
        DO UPDATE SET "count" = "DeprecatedUsage"."count" + EXCLUDED."count",
                      "lastSeenAt" = GREATEST("DeprecatedUsage"."lastSeenAt", EXCLUDED."lastSeenAt")`;
    } catch (error) {
      for (const entry of batch) {
        const key = `${entry.coordinate}\u0000${entry.client.name}\u0000${entry.client.version}\u0000${entry.day}`;
        const newer = this.pending.get(key);
        if (newer) newer.count += entry.count;
        else this.pending.set(key, entry);
      }
      this.logger.warn({ err: error, keys: batch.length }, 'could not store deprecated-field usage; will retry');
      this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
    }
  }
}
