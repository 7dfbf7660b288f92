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
  /** Whether this publisher creates the stream when it is missing (at start, and when the broker lost it). */
  private ensuresStream = true;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly options: NatsOptions,
    /** Set when connecting in the background: it also reconnects when the client gives up. */
    private readonly logger?: Logger,
  ) {}

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
    const publisher = new NatsPublisher(options, logger);
    void publisher.connectUntilOpen();
    return publisher;
  }

  private async connectUntilOpen(): Promise<void> {
    let warned = false;
    while (!this.closed) {
      try {
        await this.open(true);
        if (warned) this.logger?.info({ url: this.options.url }, 'connected to NATS: publishing the outbox');
        return;
      } catch (error) {
        if (!warned) {
          this.logger?.warn({ err: error, url: this.options.url }, 'cannot reach NATS at NATS_URL: events wait in the outbox; connecting in the background');
          warned = true;
        }
        await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
      }
    }
  }

  private async open(ensureStream: boolean): Promise<void> {
    this.ensuresStream = ensureStream;
    const connection = await connect({ servers: this.options.url, name: 'orders-gateway-outbox', maxReconnectAttempts: -1 });
    try {
      if (ensureStream) await this.ensureStream(connection);
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

  /** Creates the stream when it is missing: at start, and after a broker that came back without it (its store lost, or the stream deleted). */
  private async ensureStream(connection: NatsConnection): Promise<void> {
    const manager = await jetstreamManager(connection);
    try {
      await manager.streams.info(this.options.stream);
    } catch {
      await manager.streams.add({ name: this.options.stream, subjects: [`${this.options.subjectPrefix}.>`] });
    }
  }

  private async followStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') this.setConnected(false);
      else if (status.type === 'reconnect') this.setConnected(true);
    }
    // The iterator ends when the connection closes: by close(), or by the client giving up
    // (it retries for ever, but an authorization refused at reconnection ends it). The dispatcher
    // would then wait for ever: a publisher connecting in the background starts again.
    this.setConnected(false);
    if (this.closed || !this.logger) return;
    this.logger.error({ url: this.options.url }, 'the NATS connection closed: connecting again in the background');
    void this.connectUntilOpen();
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
      // The client's JetStreamNotEnabled, which the package exports only by name.
      if ((error as Error).name === 'JetStreamNotEnabled') {
        // No stream listens on the subject (JetStream answers "no responders"): the broker came
        // back without it. Not the event's fault: the stream is made again and the event waits.
        if (this.ensuresStream) await this.ensureStream(this.connection!).catch(() => undefined);
        throw new BrokerUnavailableError(`JetStream did not take the event: no stream holds its subject (${this.options.stream})`, { cause: error });
      }
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
