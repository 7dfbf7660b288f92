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
  /** Publishes with `headers` (the publication's W3C trace context) for consumers to continue the trace. */
  publish(event: OutboxEvent, headers: Record<string, string>): Promise<void>;
  close(): Promise<void>;
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
 * between publish and mark republishes; JetStream and consumers dedupe by event id). A failed
 * publish is retried with exponential backoff; after maxAttempts the event is parked as DEAD.
 */
export class OutboxDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publisher: EventPublisher,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {}

  /** One batch; returns how many events were published. */
  async dispatchOnce(): Promise<{ published: number; failed: number; dead: number }> {
    return this.prisma.$transaction(
      async (tx) => {
        const events = await tx.$queryRaw<OutboxEvent[]>`
          SELECT "id", "type", "schemaVersion", "occurredAt", "payload", "attempts", "traceparent" FROM "Event"
          WHERE "status" = 'PENDING' AND "nextAttemptAt" <= now()
          ORDER BY "seq" LIMIT ${this.options.batchSize} FOR UPDATE SKIP LOCKED`;
        const outcome = { published: 0, failed: 0, dead: 0 };
        for (const event of events) {
          try {
            await publishInSpan(event, (headers) => this.publisher.publish(event, headers));
            await tx.event.update({
              where: { id: event.id },
              data: { status: 'PUBLISHED', publishedAt: new Date(), attempts: { increment: 1 }, lastError: null },
            });
            outcome.published += 1;
          } catch (error) {
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

  /** Polls until stop(); a full batch is followed at once by the next. */
  start(): void {
    const tick = async () => {
      if (this.stopped) return;
      let published = 0;
      try {
        this.running = this.dispatchOnce();
        published = ((await this.running) as { published: number }).published;
      } catch (error) {
        this.logger.error({ err: error }, 'outbox dispatch failed');
      }
      if (!this.stopped) this.timer = setTimeout(tick, published >= this.options.batchSize ? 0 : this.options.pollMs);
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    await this.publisher.close();
  }
}
