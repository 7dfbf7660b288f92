import type { Logger } from 'pino';
import type { PrismaClient } from '../generated/prisma/client';
import { activeTraceHeaders, failSpan, linkedContextOf, SpanKind, tracer } from '../observability/tracing';

export interface OutboxEvent {
  id: string;
  type: string;
  schemaVersion: number;
  occurredAt: Date;
  payload: unknown;
  attempts: number;
  /** The W3C traceparent of the request that wrote it, if tracing was on. */
  traceparent: string | null;
}

export interface EventPublisher {
  /**
   * Publishes with `headers` (the publication's W3C trace context) for consumers to continue the
   * trace. Fails with BrokerUnavailableError when the broker cannot be reached or did not answer;
   * any other error is the broker refusing this event.
   */
  publish(event: OutboxEvent, headers: Record<string, string>): Promise<void>;
  /** Whether the broker is reachable now, as far as the publisher knows. */
  isConnected(): boolean;
  /** Resolves once the broker is reachable (at once when it is), or the publisher is closed. */
  whenConnected(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The broker could not be reached, or did not answer in time: not the event's fault, so the
 * dispatcher charges it no attempt and waits for the broker instead.
 */
export class BrokerUnavailableError extends Error {
  override readonly name = 'BrokerUnavailableError';
}

export interface DispatchOutcome {
  published: number;
  /** Refused by the broker: retried with backoff. */
  failed: number;
  /** Refused for the last time: parked as DEAD. */
  dead: number;
  /** Left as they were, uncharged, because the broker became unreachable. */
  deferred: number;
}

export interface DispatcherOptions {
  batchSize: number;
  /** Attempts before an event is parked as DEAD (dead letter). */
  maxAttempts: number;
  /** Retry delay after the first failure; doubles each time, up to 5 minutes. */
  baseBackoffMs: number;
  pollMs: number;
}

const MAX_BACKOFF_MS = 5 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes one event in a span of its own (a new trace: the dispatcher is not inside any
 * request), linked to the span of the request that wrote it, so that a trace backend leads
 * from the request to its events' publication and back.
 */
function publishInSpan(event: OutboxEvent, publish: (headers: Record<string, string>) => Promise<void>): Promise<void> {
  const link = linkedContextOf(event.traceparent);
  return tracer.startActiveSpan(
    'outbox.publish',
    {
      kind: SpanKind.PRODUCER,
      root: true,
      links: link ? [{ context: link }] : [],
      attributes: { 'messaging.system': 'nats', 'messaging.operation.type': 'publish', 'messaging.message.id': event.id, 'gateway.event.type': event.type },
    },
    async (span) => {
      try {
        await publish(activeTraceHeaders());
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * Publishes the outbox: PENDING events whose time has come, oldest first, a batch at a time.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so several gateway replicas can dispatch side
 * by side without publishing one event twice at once. Delivery is at least once (a crash
 * between publish and mark republishes; JetStream and consumers dedupe by event id). A publish
 * the broker refuses is retried with exponential backoff; after maxAttempts the event is parked
 * as DEAD. A broker that cannot be reached is nobody's event's fault: the dispatcher pauses,
 * charging no attempt, and resumes as soon as the publisher is connected again, so that an
 * outage of any length neither kills events nor leaves them waiting out a long backoff after it.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private wakeOnStop: () => void = () => undefined;
  private readonly stopping = new Promise<void>((resolve) => (this.wakeOnStop = resolve));
  /** Since when publication has been paused for an unreachable broker (undefined: it is not). */
  private pausedSince: number | undefined;
  /** Until the publisher first connects, waiting is start-up, not an outage (the publisher logs its own failure to connect). */
  private connectedOnce = false;
  private pauseLogged = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: EventPublisher,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {}

  /** One batch (none while the broker is unreachable); returns what became of its events. */
  async dispatchOnce(): Promise<DispatchOutcome> {
    // Claiming rows only to find the broker gone would hold their locks for nothing.
    if (!this.publisher.isConnected()) return { published: 0, failed: 0, dead: 0, deferred: 0 };
    return this.prisma.$transaction(
      async (tx) => {
        const events = await tx.$queryRaw<OutboxEvent[]>`
          SELECT "id", "type", "schemaVersion", "occurredAt", "payload", "attempts", "traceparent" FROM "Event"
          WHERE "status" = 'PENDING' AND "nextAttemptAt" <= now()
          ORDER BY "seq" LIMIT ${this.options.batchSize} FOR UPDATE SKIP LOCKED`;
        const outcome: DispatchOutcome = { published: 0, failed: 0, dead: 0, deferred: 0 };
        for (const [index, event] of events.entries()) {
          try {
            await publishInSpan(event, (headers) => this.publisher.publish(event, headers));
            await tx.event.update({
              where: { id: event.id },
              data: { status: 'PUBLISHED', publishedAt: new Date(), attempts: { increment: 1 }, lastError: null },
            });
            outcome.published += 1;
          } catch (error) {
            if (error instanceof BrokerUnavailableError) {
              // This event and the rest of the batch stay as they are: the next attempt, once
              // the broker is back, is still their first.
              outcome.deferred = events.length - index;
              this.pause(error);
              break;
            }
            const attempts = event.attempts + 1;
            const dead = attempts >= this.options.maxAttempts;
            const delay = Math.min(MAX_BACKOFF_MS, this.options.baseBackoffMs * 2 ** (attempts - 1));
            await tx.event.update({
              where: { id: event.id },
              data: {
                attempts,
                lastError: String((error as Error).message ?? error).slice(0, 1_000),
                status: dead ? 'DEAD' : 'PENDING',
                nextAttemptAt: new Date(Date.now() + delay),
              },
            });
            if (dead) {
              outcome.dead += 1;
              this.logger.error({ eventId: event.id, type: event.type, attempts, err: error }, 'event parked as DEAD after its last attempt');
            } else {
              outcome.failed += 1;
              this.logger.warn({ eventId: event.id, type: event.type, attempts, retryInMs: delay, err: error }, 'event publish failed; will retry');
            }
          }
        }
        return outcome;
      },
      { timeout: 60_000 },
    );
  }

  /**
   * Polls until stop(); a full batch is followed at once by the next. While the broker is
   * unreachable it waits for the publisher to connect, then goes on at once.
   */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      let published = 0;
      try {
        if (this.publisher.isConnected()) this.connectedOnce = true;
        else this.pause();
        if (this.pausedSince !== undefined) {
          // Disconnected: until the publisher reconnects. Connected yet not answering publishes
          // (they timed out): a poll interval between tries.
          const wait = this.publisher.isConnected() ? sleep(this.options.pollMs) : this.publisher.whenConnected();
          this.running = Promise.race([wait, this.stopping]);
          await this.running;
          if (this.stopped) return;
        }
        this.running = this.dispatchOnce();
        const outcome = (await this.running) as DispatchOutcome;
        published = outcome.published;
        if (outcome.deferred === 0 && this.publisher.isConnected()) this.resume();
      } catch (error) {
        this.logger.error({ err: error }, 'outbox dispatch failed');
      }
      if (!this.stopped) this.timer = setTimeout(tick, published >= this.options.batchSize ? 0 : this.options.pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Whether publication is paused for an unreachable broker. */
  isPaused(): boolean {
    return this.pausedSince !== undefined;
  }

  private pause(error?: unknown): void {
    if (this.pausedSince !== undefined) return;
    this.pausedSince = Date.now();
    this.pauseLogged = this.connectedOnce;
    if (!this.pauseLogged) return;
    this.logger.warn({ err: error }, 'the event broker is unreachable: outbox publication paused, events wait in the outbox without using up attempts');
  }

  private resume(): void {
    if (this.pausedSince === undefined) return;
    if (this.pauseLogged) this.logger.info({ pausedMs: Date.now() - this.pausedSince }, 'the event broker is reachable again: outbox publication resumed');
    this.pausedSince = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeOnStop();
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.publisher.close();
  }
}
