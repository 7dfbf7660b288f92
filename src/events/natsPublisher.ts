import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  connect,
  ConnectionError,
  DrainingConnectionError,
  headers,
  RequestError,
  TimeoutError,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { BrokerUnavailableError, type OutboxEvent, type EventPublisher } from './dispatcher';

export interface NatsOptions {
  url: string;
  /** The JetStream stream that holds the events; created when missing. */
  stream: string;
  /** Events go to `<subjectPrefix>.<type>`, e.g. orders.events.order.placed. */
  subjectPrefix: string;
}

/** Between attempts to connect (or to set up the stream) while NATS cannot be reached at start. */
const CONNECT_RETRY_MS = 2_000;

/**
 * Publishes outbox events to NATS JetStream, each with its event id as the message id, so
 * that JetStream drops a republished duplicate within its window and consumers can dedupe.
 *
 * It follows the connection's status: while disconnected it publishes nothing (a publish then
 * fails at once with BrokerUnavailableError instead of waiting in the client's reconnect buffer,
 * to be sent at reconnection after its caller gave up on it), and a publish that got no answer
 * also counts as the broker being unavailable, not as the event being refused.
 */
export class NatsPublisher implements EventPublisher {
  private connection: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private connected = false;
  private closed = false;
  private waiters: (() => void)[] = [];

  private constructor(private readonly options: NatsOptions) {}

  /** Connects now, failing when NATS cannot be reached; `ensureStream: false` leaves the stream to someone else. */
  static async connect(options: NatsOptions, { ensureStream = true } = {}): Promise<NatsPublisher> {
    const publisher = new NatsPublisher(options);
    await publisher.open(ensureStream);
    return publisher;
  }

  /**
   * Returns at once and connects in the background, trying again every few seconds while NATS
   * cannot be reached (logged once): a replica started during a broker outage serves requests,
   * and its events wait in the outbox until NATS answers.
   */
  static connectInBackground(options: NatsOptions, logger: Logger): NatsPublisher {
    const publisher = new NatsPublisher(options);
    void (async () => {
      let warned = false;
      while (!publisher.closed) {
        try {
          await publisher.open(true);
          if (warned) logger.info({ url: options.url }, 'connected to NATS: publishing the outbox');
          return;
        } catch (error) {
          if (!warned) {
            logger.warn({ err: error, url: options.url }, 'cannot reach NATS at NATS_URL: events wait in the outbox; connecting in the background');
            warned = true;
          }
          await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
        }
      }
    })();
    return publisher;
  }

  private async open(ensureStream: boolean): Promise<void> {
    const { url, stream, subjectPrefix } = this.options;
    const connection = await connect({ servers: url, name: 'orders-gateway-outbox', maxReconnectAttempts: -1 });
    try {
      if (ensureStream) {
        const manager = await jetstreamManager(connection);
        try {
          await manager.streams.info(stream);
        } catch {
          await manager.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`] });
        }
      }
    } catch (error) {
      await connection.close();
      throw error;
    }
    if (this.closed) {
      await connection.close();
      return;
    }
    this.connection = connection;
    this.js = jetstream(connection);
    this.setConnected(true);
    void this.followStatus(connection);
  }

  private async followStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') this.setConnected(false);
      else if (status.type === 'reconnect') this.setConnected(true);
    }
    // The iterator ends when the connection closes.
    this.setConnected(false);
  }

  private setConnected(connected: boolean): void {
    this.connected = connected;
    if (!connected) return;
    for (const wake of this.waiters.splice(0)) wake();
  }

  isConnected(): boolean {
    return this.connected && !this.closed;
  }

  whenConnected(): Promise<void> {
    if (this.isConnected() || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async publish(event: OutboxEvent, traceHeaders: Record<string, string> = {}): Promise<void> {
    if (!this.isConnected() || !this.js) throw new BrokerUnavailableError(`NATS is not connected (${this.options.url})`);
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
    try {
      await this.js.publish(`${this.options.subjectPrefix}.${event.type}`, body, { msgID: event.id, timeout: 5_000, headers: messageHeaders });
    } catch (error) {
      if (isUnreachable(error)) throw new BrokerUnavailableError(`NATS did not take the event: ${(error as Error).message}`, { cause: error });
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    if (!this.connection) return;
    // Draining waits for the server; a disconnected connection has nothing to drain.
    if (this.connected) await this.connection.drain();
    else await this.connection.close();
  }
}

/** No answer, or no connection: errors of the way to the broker, not of the event. */
function isUnreachable(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof ConnectionError || error instanceof ClosedConnectionError || error instanceof DrainingConnectionError) {
    return true;
  }
  // A request made as the connection dropped ("connection disconnected"), or one whose cause is a timeout.
  return error instanceof RequestError && (error.message === 'connection disconnected' || error.cause instanceof TimeoutError);
}
