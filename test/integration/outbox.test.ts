import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { OutboxDispatcher, type EventPublisher, type OutboxEvent } from '../../src/events/dispatcher';
import { NatsPublisher } from '../../src/events/natsPublisher';
import { recordEvent } from '../../src/events/outbox';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import type { Database } from '../../src/db/database';
import { describeWithNats } from '../helpers/conditions';

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
  async close() {}
}

describe('outbox dispatcher', () => {
  it('publishes pending events oldest first and marks them published', async () => {
    const ids = [await record('order.placed', { n: 1 }), await record('inventory.low', { n: 2 })];
    const publisher = new FlakyPublisher();
    publisher.failing = false;
    expect(await new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent).dispatchOnce()).toEqual({ published: 2, failed: 0, dead: 0 });
    expect(publisher.published).toEqual(ids);
    expect((await db.prisma.event.findMany()).every((e) => e.status === 'PUBLISHED' && e.publishedAt)).toBe(true);
  });

  it('retries a failed publish with backoff, then parks the event as DEAD after maxAttempts', async () => {
    const id = await record('order.placed', { n: 1 });
    const publisher = new FlakyPublisher();
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, { ...OPTIONS, baseBackoffMs: 60_000 }, silent);
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 1, dead: 0 });
    let event = await db.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'broker unavailable' });
    expect(event.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 0 }); // not due yet
    await db.prisma.event.update({ where: { id }, data: { nextAttemptAt: new Date(), attempts: 2 } });
    expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 0, dead: 1 });
    event = await db.prisma.event.findUniqueOrThrow({ where: { id } });
    expect(event).toMatchObject({ status: 'DEAD', attempts: 3 });
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

  it('delivers each event once, with its id as the message id, after a failed publish and its retry', async () => {
    const id = await record('order.placed', { orderId: 'T3JkZXI6MQ', status: 'PENDING' });
    // No stream holds the subjects yet: JetStream refuses the publish.
    const publisher = await NatsPublisher.connect({ url: process.env.NATS_URL!, stream, subjectPrefix }, { ensureStream: false });
    const dispatcher = new OutboxDispatcher(db.prisma, publisher, OPTIONS, silent);
    try {
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 0, failed: 1, dead: 0 });
      expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PENDING', attempts: 1 });
      await manager.streams.add({ name: stream, subjects: [`${subjectPrefix}.>`] });
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 1, failed: 0, dead: 0 });
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
    expect(await db.prisma.event.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'PUBLISHED', attempts: 2 });
  });
});
