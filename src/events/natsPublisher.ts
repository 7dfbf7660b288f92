import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { OutboxEvent, EventPublisher } from './dispatcher';

export interface NatsOptions {
  url: string;
  /** The JetStream stream that holds the events; created when missing. */
  stream: string;
  /** Events go to `<subjectPrefix>.<type>`, e.g. orders.events.order.placed. */
  subjectPrefix: string;
}

/**
 * Publishes outbox events to NATS JetStream, each with its event id as the message id, so
 * that JetStream drops a republished duplicate within its window and consumers can dedupe.
 */
export class NatsPublisher implements EventPublisher {
  private constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subjectPrefix: string,
  ) {}

  static async connect({ url, stream, subjectPrefix }: NatsOptions, { ensureStream = true } = {}): Promise<NatsPublisher> {
    const connection = await connect({ servers: url, name: 'orders-gateway-outbox', maxReconnectAttempts: -1 });
    if (ensureStream) {
      const manager = await jetstreamManager(connection);
      const subjects = [`${subjectPrefix}.>`];
      try {
        await manager.streams.info(stream);
      } catch {
        await manager.streams.add({ name: stream, subjects });
      }
    }
    return new NatsPublisher(connection, jetstream(connection), subjectPrefix);
  }

  async publish(event: OutboxEvent, traceHeaders: Record<string, string> = {}): Promise<void> {
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      occurredAt: event.occurredAt.toISOString(),
      payload: event.payload,
    });
    // The publication's trace context travels as message headers (W3C names), for consumers.
    const messageHeaders = Object.keys(traceHeaders).length ? headers() : undefined;
    for (const [name, value] of Object.entries(traceHeaders)) messageHeaders!.set(name, value);
    await this.js.publish(`${this.subjectPrefix}.${event.type}`, body, { msgID: event.id, timeout: 5_000, headers: messageHeaders });
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}
