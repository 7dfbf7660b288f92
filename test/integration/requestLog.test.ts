import { Writable } from 'node:stream';
import { createConnection } from 'node:net';
import { createLogger } from '../../src/observability/logger';
import { createTestServer, type TestServer } from '../helpers/testServer';
import { connectWebSocket } from '../helpers/webSocketClients';

/**
 * "Find one request from its trace id" (docs/operations.md): whatever the transport and however
 * early the request was refused, the trace id the client got names one log line.
 */
const lines: Array<Record<string, any>> = [];
let server: TestServer;
beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  server = await createTestServer({}, { logger: createLogger({ level: 'info', logVariables: false, destination }) });
});
afterAll(() => server.close());

const linesOf = (traceId: string) => lines.filter((line) => line.traceId === traceId);

describe('the log line of each request', () => {
  it('over HTTP: one request line, with the figures of the response', async () => {
    const response = await server.query('query Depots { warehouses { code } }', undefined, { 'apollographql-client-name': 'web-shop' });
    const [line, ...more] = linesOf(response.headers.get('x-trace-id')!);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ msg: 'request', transport: 'http', operation: 'Depots', client: 'web-shop', status: 200, outcome: 'ok' });
    expect(line!.statements).toBe(response.body.extensions.cost.database.statements);
  });

  it('over WebSocket, an operation refused before it ran (unparseable) gets a refused line under the trace id of its errors', async () => {
    const ws = connectWebSocket(server.url, await server.bearer({ roles: ['admin'] }));
    try {
      const refused = await ws.run('{ warehouses { code }');
      const errors = refused.errors ?? refused.result?.errors ?? [];
      expect(errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      const traceId = errors[0].extensions.traceId;
      expect(linesOf(traceId)).toEqual([expect.objectContaining({ msg: 'refused', transport: 'websocket', codes: ['GRAPHQL_PARSE_FAILED'] })]);
    } finally {
      await ws.dispose();
    }
  });
});

describe('a request target that is not a path', () => {
  /** Sends a raw request line and returns the response's status line and headers. */
  function rawRequest(requestLine: string): Promise<string> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: Number(port) }, () => socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
  }

  it('is a 400 BAD_REQUEST with a trace id (asterisk form), and the server goes on serving', async () => {
    const answer = await rawRequest('GET * HTTP/1.1');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(answer).toMatch(/x-trace-id: [0-9a-f]{32}/i);
    expect(answer).toContain('"code":"BAD_REQUEST"');
    expect((await server.query('{ warehouses { code } }')).status).toBe(200);
  });

  it('never ends the process: //[ (which the URL parser refuses as a host) is the path //[, no route', async () => {
    expect(await rawRequest('GET //[ HTTP/1.1')).toMatch(/^HTTP\/1\.1 404/);
    expect((await server.query('{ warehouses { code } }')).status).toBe(200);
  });

  it('reads //host/path as a path, not as a host: //x/metrics is no route', async () => {
    expect(await rawRequest('GET //x/metrics HTTP/1.1')).toMatch(/^HTTP\/1\.1 404/);
  });
});
