import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { OutboxDispatcher, type EventPublisher, type OutboxEvent } from '../../src/events/dispatcher';
import { recordEvent } from '../../src/events/outbox';
import { trace, traceContext, tracer } from '../../src/observability/tracing';
import { startTracing, type TracingHandle } from '../../src/observability/tracingSdk';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import { createStockedProduct, nestedOrdersQuery, PLACE_ORDER } from '../helpers/orders';
import { createTestServer, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

/**
 * OpenTelemetry spans of a request, recorded by an in-memory exporter: the tree of the nested
 * orders page (one request span; parse, validate, policies and execution under it; every
 * DataLoader batch and SQL statement under the execution), and a caller's traceparent continued.
 */
const exporter = new InMemorySpanExporter();
let tracing: TracingHandle;
let server: TestServer;
beforeAll(async () => {
  tracing = startTracing({ spanProcessor: new SimpleSpanProcessor(exporter), serviceName: 'gateway-test', sampleRatio: 1 });
  server = await createTestServer({ MAX_COST: '1000000' });
});
afterAll(async () => {
  await server.close();
  await tracing.shutdown();
});

const NESTED_ORDERS = nestedOrdersQuery('NestedOrders');

/** The spans of one trace, finished, once the request span has ended. */
async function spansOf(traceId: string): Promise<ReadableSpan[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    if (spans.some((span) => span.kind === SpanKind.SERVER)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request span for trace ${traceId}`);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function isUnder(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  for (let parent = parentOf(span); parent !== undefined; parent = parentOf(byId.get(parent)!)) {
    if (parent === ancestor.spanContext().spanId) return true;
    if (!byId.has(parent)) return false;
  }
  return false;
}

describe('tracing', () => {
  it('records the nested orders page as one request span with its 6 SQL statements under the execution', async () => {
    const secretEmail = 'variables-must-not-leak@example.com';
    const response = await server.query(NESTED_ORDERS, { first: 20, unused: secretEmail });
    expect(response.body.errors).toBeUndefined();
    const traceId = response.headers.get('x-trace-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const spans = await spansOf(traceId);

    const requests = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(requests).toHaveLength(1);
    const [request] = requests as [ReadableSpan];
    expect(request.name).toBe('POST /graphql');
    expect(parentOf(request)).toBeUndefined();
    expect(request.attributes['http.response.status_code']).toBe(200);
    expect(response.headers.get('traceparent')).toBe(`00-${traceId}-${request.spanContext().spanId}-01`);
    expect(request.attributes).toMatchObject({
      'graphql.operation.name': 'NestedOrders',
      'graphql.operation.type': 'query',
      'gateway.outcome': 'ok',
      'gateway.sql.statements': 6,
      'gateway.dataloader.batches': 5,
    });
    expect(request.attributes['gateway.sql.rows']).toBeGreaterThan(20);

    const named = (name: string) => spans.filter((span) => span.name === name);
    for (const name of ['graphql.parse', 'graphql.validate', 'gateway.policies', 'graphql.execute']) {
      expect(named(name)).toHaveLength(1);
      expect(parentOf(named(name)[0]!)).toBe(request.spanContext().spanId);
    }
    expect(named('gateway.policies')[0]!.attributes['graphql.operation.name']).toBe('NestedOrders');

    const execution = named('graphql.execute')[0]!;
    const statements = named('sql');
    expect(statements).toHaveLength(6);
    expect(response.body.extensions.cost.database.statements).toBe(6);
    for (const statement of statements) {
      expect(isUnder(statement, execution, spans)).toBe(true);
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.attributes['db.system.name']).toBe('postgresql');
      expect(typeof statement.attributes['db.response.returned_rows']).toBe('number');
    }
    const batches = named('dataloader.batch');
    expect(batches.length).toBe(5); // customers, items, products, inventory, warehouses
    for (const batch of batches) expect(parentOf(statements.find((s) => parentOf(s) === batch.spanContext().spanId)!)).toBe(batch.spanContext().spanId);
    expect(statements.reduce((rows, s) => rows + (s.attributes['db.response.returned_rows'] as number), 0)).toBeGreaterThan(20);

    // No variable's value is an attribute of any span.
    const attributes = JSON.stringify(spans.map((span) => span.attributes));
    expect(attributes).not.toContain(secretEmail);
    expect(attributes).not.toContain('"first"');
  });

  it("continues a caller's traceparent: the response's X-Trace-Id, traceparent and every error's traceId are its trace id", async () => {
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const response = await server.query('{ order(id: "not-an-id") { id } }', undefined, { traceparent: `00-${callerTraceId}-${callerSpanId}-01` });
    expect(response.headers.get('x-trace-id')).toBe(callerTraceId);
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${callerTraceId}-[0-9a-f]{16}-01$`));
    expect(response.body.errors?.length).toBeGreaterThan(0);
    for (const error of response.body.errors!) expect(error.extensions.traceId).toBe(callerTraceId);

    const spans = await spansOf(callerTraceId);
    const request = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(parentOf(request)).toBe(callerSpanId);
    expect(response.headers.get('traceparent')).toContain(request.spanContext().spanId);
  });

  it('starts a trace of its own when the traceparent sent is malformed', async () => {
    const response = await server.query('{ warehouses { code } }', undefined, { traceparent: '00-not-a-trace-01' });
    const traceId = response.headers.get('x-trace-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const request = (await spansOf(traceId)).find((span) => span.kind === SpanKind.SERVER)!;
    expect(parentOf(request)).toBeUndefined();
  });
});

describe('tracing over WebSocket', () => {
  it('gives each operation a span of its own, continuing the traceparent of its extensions', async () => {
    const callerTraceId = 'a3ce929d0e0e47364bf92f3577b34da6';
    const ws = connectWebSocket(server.url, await server.bearer({ roles: ['admin'] }));
    try {
      const refused = await ws.run('{ order(id: "not-an-id") { id } }', undefined, { traceparent: `00-${callerTraceId}-00f067aa0ba902b7-01` });
      const errors = refused.errors ?? refused.result?.errors ?? [];
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) expect(error.extensions.traceId).toBe(callerTraceId);
      const ok = await ws.run('{ warehouses { code } }');
      expect(ok.result?.errors).toBeUndefined();
    } finally {
      await ws.dispose();
    }
    const spans = await spansOf(callerTraceId);
    const operation = spans.find((span) => span.kind === SpanKind.SERVER)!;
    expect(operation.name).toBe('WS subscribe');
    expect(operation.attributes['gateway.error.codes']).toEqual(['BAD_USER_INPUT']);
    expect(parentOf(operation)).toBe('00f067aa0ba902b7');
    expect(spans.find((span) => span.name === 'graphql.execute')).toBeDefined();
  });
});

describe('outbox publication traces', () => {
  it("stores the traceparent of the request that wrote an event (placeOrder's order.placed)", async () => {
    const product = await createStockedProduct(server, { 1: 10 });
    const shopper = await server.bearer({ roles: ['customer'], customer_id: 7, sub: 'customer-7' });
    const placed = await server.queryAs({ ...shopper, 'idempotency-key': `trace-${Date.now()}` }, PLACE_ORDER, {
      input: { items: [{ productId: product.globalId, quantity: 1 }] },
    });
    expect(placed.body.errors).toBeUndefined();
    const traceId = placed.headers.get('x-trace-id')!;
    const events = await server.db.prisma.event.findMany({ where: { traceparent: { contains: traceId } } });
    expect(events.map((event) => event.type)).toContain('order.placed');
    for (const event of events) expect(event.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it("publishes each event in a span linked to the writer's span, and hands consumers the publication's traceparent", async () => {
    const isolated = await createIsolatedDatabase();
    try {
      const writer = tracer.startSpan('a request');
      const writerContext = writer.spanContext();
      await traceContext.with(trace.setSpan(traceContext.active(), writer), () =>
        isolated.db.prisma.$transaction((tx) => recordEvent(tx, 'order.placed', { orderId: 'o-1' })),
      );
      writer.end();
      const published: Array<{ event: OutboxEvent; headers: Record<string, string> }> = [];
      const publisher: EventPublisher = {
        publish: async (event, headers) => void published.push({ event, headers }),
        isConnected: () => true,
        whenConnected: async () => undefined,
        close: async () => undefined,
      };
      const dispatcher = new OutboxDispatcher(
        isolated.db.prisma,
        publisher,
        { batchSize: 10, maxAttempts: 3, baseBackoffMs: 0, pollMs: 20 },
        pino({ level: 'silent' }),
      );
      expect(await dispatcher.dispatchOnce()).toEqual({ published: 1, failed: 0, dead: 0, deferred: 0 });

      const publication = exporter.getFinishedSpans().find((span) => span.name === 'outbox.publish')!;
      expect(publication.kind).toBe(SpanKind.PRODUCER);
      expect(publication.spanContext().traceId).not.toBe(writerContext.traceId); // a trace of its own
      expect(publication.links.map((link) => link.context.spanId)).toEqual([writerContext.spanId]);
      expect(publication.links[0]!.context.traceId).toBe(writerContext.traceId);
      expect(published[0]!.headers.traceparent).toBe(`00-${publication.spanContext().traceId}-${publication.spanContext().spanId}-01`);
    } finally {
      await isolated.close();
    }
  });
});
