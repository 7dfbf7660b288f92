import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type TracingHandle } from '../../src/observability/tracingSdk';
import { createTestServer, type TestServer } from '../helpers/testServer';

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

const NESTED_ORDERS = /* GraphQL */ `
  query NestedOrders($first: Int!) {
    orders(first: $first) {
      edges {
        node {
          id
          customer {
            name
            email
          }
          items {
            quantity
            product {
              sku
              inventory {
                available
                warehouse {
                  code
                }
              }
            }
          }
        }
      }
    }
  }
`;

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
