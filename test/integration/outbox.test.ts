import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { BrokerUnavailableError, OutboxDispatcher, type EventPublisher, type OutboxEvent } from '../../src/events/dispatcher';
import { NatsPublisher } from '../../src/events/natsPublisher';
import { recordEvent } from '../../src/events/outbox';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import type { Database } from '../../src/db/database';
import { describeWithNats } from '../helpers/conditions';
import { pause } from '../helpers/waiting';

const silent = pino({ level: 'silent' });
const OPTIONS = { batchSize: 10, maxAttempts: 3, baseBackoffMs: 0, pollMs: 20 };

let isolated: Awaited<ReturnType<typeof createIsolatedDatabase>>;
let db: Database;
beforeAll(async () => {
  isolated = await createIsolatedDatabase();
  db = isolated.db;
});
afterAll(() => isolated.close());
beforeEach(() => db.prisma.event.deleteMany());

const record = (type: 'order.placed' | 'inventory.low', payload: Record<string, unknown>) => db.prisma.$transaction((tx) => recordEvent(tx, type, payload));

/** A publisher that fails while `failing` is true: the dispatcher's bookkeeping, without NATS. */
class FlakyPublisher implements EventPublisher {
  failing = true;
  published: string[] = [];
  async publish(event: OutboxEvent) {
    if (this.failing) throw new Error('broker unavailable');
    this.published.push(event.id);
  }
  isConnected() {
    return true;
  }
  async whenConnected() {}
  async close() {}
}

/** A broker that goes away and comes back, as NatsPublisher reports it: no event is at fault. */
class UnreachablePublisher implements EventPublisher {
  connected = true;
  /** The connection drops during the next publish (it times out). */
  dropDuringNextPublish = false;
  published: string[] = [];
  private waiters: (() => void)[] = [];
  async publish(event: OutboxEvent) {
    if (this.dropDuringNextPublish) {
      this.dropDuringNextPublish = false;
      this.connected = false;
      throw new BrokerUnavailableError('timeout');
    }
    if (!this.connected) throw new BrokerUnavailableError('not connected');
    this.published.push(event.id);
  }
  isConnected() {
    return this.connected;
  }
  whenConnected() {
    return this.connected ? Promise.resolve() : new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  reconnect() {
    this.connected = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
  async close() {}
}

describe('outbox dispatcher', () => {
  it('publishes pending events oldest first and marks them published', async () => {
    const ids = [await record('order.placed', { n: 1 }), await record('inventory.low', { n: 2 })];
    const publisher = new FlakyPublisher();
    publisher.failing = false;
    expect(await new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent).dispatchOnce()).toEqual({ published: 2, failed: 0, dead: 0, deferred: 0 });
    expect(publisher.published).toEqual(ids);
    expect((await db.prisma.event.findMany()).every((e) => e.status === 'PUBLISHED' && e.publishedAt)).toBe(true);
  });

  it('retries a failed publish with backoff, then parks the event as DEAD after maxAttempts', async () => {
    const id = await record('order.placed', { n: 1 });
    const publisher = new FlakyPublisher();
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, { ...OPTIONS, baseBackoffMs: 60_000 }, silent);
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 1, dead: 0, deferred: 0 });
    let event = await db.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'broker unavailable' });
    expect(event.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0, deferred: 0 }); // not due yet
    await db.prisma.event.update({ where: { id }, data: { nextAttemptAt: new Date(), attempts: 2 } });
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 1, deferred: 0 });
    event = await db.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event).toMatchObject({ status: 'DEAD', attempts: 3 });
  });

  it('charges no attempt while the broker is unreachable, and publishes as soon as it is back', async () => {
    const ids = [await record('order.placed', { n: 1 }), await record('order.placed', { n: 2 }), await record('order.placed', { n: 3 })];
    const publisher = new UnreachablePublisher();
    publisher.dropDuringNextPublish = true;
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, { ...OPTIONS, pollMs: 60_000 }, silent);
    // The first publish times out as the connection drops: it and the rest of the batch are deferred, uncharged.
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0, deferred: 3 });
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0, deferred: 0 }); // nothing claimed meanwhile
    for (const event of await db.prisma.event.findMany()) expect(event).toMatchObject({ status: 'PENDING', attempts: 0, lastError: null });

    dispatcher.start();
    try {
      await pause(100);
      expect(dispatcher.isPaused()).toBe(true);
      const reconnectedAt = Date.now();
      publisher.reconnect();
      const deadline = Date.now() + 10_000;
      while ((await db.prisma.event.count({ where: { status: 'PUBLISHED' } })) < 3 && Date.now() < deadline) await pause(20);
      // Resumed on the reconnection, not at the next poll a minute later.
      expect(Date.now() - reconnectedAt).toBeLessThan(10_000);
      expect(dispatcher.isPaused()).toBe(false);
    } finally {
      await dispatcher.stop();
    }
    expect(publisher.published).toEqual(ids);
    for (const event of await db.prisma.event.findMany()) expect(event).toMatchObject({ status: 'PUBLISHED', attempts: 1 });
  });

  it('stops while paused for an unreachable broker', async () => {
    const publisher = new UnreachablePublisher();
    publisher.connected = false;
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent);
    dispatcher.start();
    await pause(100);
    expect(dispatcher.isPaused()).toBe(true);
    const stopped = dispatcher.stop().then(() => 'stopped');
    const stillWaiting = new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting').unref());
    await expect(Promise.race([stopped, stillWaiting])).resolves.toBe('stopped');
  });
});

/** Real delivery: runs where a NATS server with JetStream is given (CI's second pass). */

describeWithNats('outbox to NATS JetStream', () => {
  let nc: NatsConnection;
  let manager: JetStreamManager;
  const stream = `TEST_${randomUUID().replace(/-/g, '')}`;
  const subjectPrefix = `test.${stream}`;
  beforeAll(async () => {
    nc = await connect({ servers: process.env.NATS_URL });
    manager = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await manager.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('delivers each event once, with its id as the message id, once a stream holds its subject, charging no attempt meanwhile', async () => {
    const id = await record('order.placed', { orderId: 'T3JkZXI6MQ', status: 'PENDING' });
    // No stream holds the subjects yet, and this publisher leaves the stream to someone else:
    // JetStream has no one to answer, which is the broker's state, not the event's fault.
    const publisher = await NatsPublisher.connect({ url: process.env.NATS_URL!, stream, subjectPrefix }, { ensureStream: false });
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent);
    try {
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0, deferred: 1 });
      expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING', attempts: 0 });
      await manager.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`] });
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 1, failed: 0, dead: 0, deferred: 0 });
      // A republish (a crash between publish and mark) is dropped by JetStream as a duplicate.
      await publisher.publish({ ...(await db.prisma.event.findUniqueOrThrow({ where: { id } })), payload: {} } as OutboxEvent);
    } finally {
      await dispatcher.stop();
    }
    const info = await manager.streams.info(stream);
    expect(info.state.messages).toBe(1);
    const message = await jetstream(nc)
      .streams.get(stream)
      .then((s) => s.getMessage({ seq: 1 }));
    expect(message!.subject).toBe(`${subjectPrefix}.order.placed`);
    expect(message!.header?.get('Nats-Msg-Id')).toBe(id);
    expect(message!.json()).toMatchObject({ id, type: 'order.placed', schemaVersion: 1, payload: { orderId: 'T3JkZXI6MQ', status: 'PENDING' } });
    expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PUBLISHED', attempts: 1 });
  });

  it('makes the stream again when the broker lost it (its store wiped, the stream deleted), and the events wait uncharged', async () => {
    const lost = `${stream}_LOST`;
    const lostPrefix = `${subjectPrefix}_lost`;
    const publisher = await NatsPublisher.connect({ url: process.env.NATS_URL!, stream: lost, subjectPrefix: lostPrefix });
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent);
    try {
      await manager.streams.delete(lost);
      const id = await record('order.placed', { orderId: 'T3JkZXI6Mg', status: 'PENDING' });
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0, deferred: 1 });
      expect((await manager.streams.info(lost)).config.subjects).toEqual([`${lostPrefix}.>`]);
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 1, failed: 0, dead: 0, deferred: 0 });
      expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PUBLISHED', attempts: 1 });
    } finally {
      await dispatcher.stop();
      await manager.streams.delete(lost).catch(() => undefined);
    }
  });

  it('charges an attempt for an event the broker refuses (larger than its stream takes)', async () => {
    const small = `${stream}_SMALL`;
    const smallPrefix = `${subjectPrefix}_small`;
    // Messages of at most 64 bytes: every event is larger, and JetStream refuses it.
    await manager.streams.add({ name: small, subjects: [`${smallPrefix}.>`], max_msg_size: 64 });
    const publisher = await NatsPublisher.connect({ url: process.env.NATS_URL!, stream: small, subjectPrefix: smallPrefix }, { ensureStream: false });
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent);
    try {
      const id = await record('order.placed', { orderId: 'T3JkZXI6Mw', status: 'PENDING' });
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 1, dead: 0, deferred: 0 });
      expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING', attempts: 1 });
    } finally {
      await dispatcher.stop();
      await manager.streams.delete(small).catch(() => undefined);
    }
  });
});
