import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { fetchScrape, readScrapeFile, ScrapeSourceError } from '../../../src/observability/scrapeSource';

/**
 * The bounds on what the ops report reads: a time limit on a gateway that does not answer, and
 * a size limit on whatever answers, checked as the bytes arrive (a local HTTP server plays the
 * gateway; no database).
 */
let server: Server;
let baseUrl: string;
let handle: (res: ServerResponse, req: IncomingMessage) => void;

beforeAll(async () => {
  server = createServer((req, res) => handle(res, req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function refusal(reading: Promise<unknown>): Promise<string> {
  const error = await reading.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrapeSourceError);
  return (error as Error).message;
}

describe('fetchScrape', () => {
  it('gives up on a gateway that does not answer within the time limit', async () => {
    handle = () => {}; // never answers
    expect(await refusal(fetchScrape(`${baseUrl}/metrics`, undefined, { timeoutMs: 200 }))).toBe(
      `${baseUrl}/metrics did not answer within 0.2 s: is the gateway overloaded, or is this the right address?`,
    );
  });

  it('gives up on a body that stalls past the time limit', async () => {
    handle = (res) => res.writeHead(200, { 'content-type': 'text/plain' }).write('up 1\n');
    expect(await refusal(fetchScrape(`${baseUrl}/metrics`, undefined, { timeoutMs: 300 }))).toContain('did not answer within 0.3 s');
  });

  it('refuses a body larger than the limit, whether its length is declared or not', async () => {
    handle = (res) => res.writeHead(200, { 'content-length': '2048' }).end('x'.repeat(2048));
    expect(await refusal(fetchScrape(`${baseUrl}/metrics`, undefined, { maxBytes: 1024 }))).toContain('is larger than');
    handle = (res) => {
      res.writeHead(200);
      for (let i = 0; i < 4; i += 1) res.write('x'.repeat(512));
      res.end();
    };
    expect(await refusal(fetchScrape(`${baseUrl}/metrics`, undefined, { maxBytes: 1024 }))).toContain('is larger than');
  });

  it('sends the token as a bearer token, and returns the text', async () => {
    let authorization: string | undefined;
    handle = (res, req) => {
      authorization = req.headers.authorization;
      res.end('up 1\n');
    };
    expect(await fetchScrape(`${baseUrl}/metrics`, 'the-token-0123456789')).toBe('up 1\n');
    expect(authorization).toBe('Bearer the-token-0123456789');
  });

  it('refuses what is not an http(s) URL', async () => {
    expect(await refusal(fetchScrape('localhost:4000/metrics', undefined))).toContain('only http and https URLs are read');
    expect(await refusal(fetchScrape('file:///tmp/scrape.txt', undefined))).toContain('a saved scrape is read with --file');
    expect(await refusal(fetchScrape('127.0.0.1:4000/metrics', undefined))).toContain('is not a URL');
    expect(await refusal(fetchScrape('not a url', undefined))).toContain('"not a url" is not a URL');
  });
});

describe('readScrapeFile', () => {
  it('reads standard input for "-", and refuses it past the limit', async () => {
    expect(await readScrapeFile('-', { stdin: Readable.from([Buffer.from('up 1\n')]) })).toBe('up 1\n');
    const endless = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(1024, 'x');
      })(),
    );
    expect(await refusal(readScrapeFile('-', { stdin: endless, maxBytes: 10_000 }))).toBe(
      "stdin is larger than 10000 bytes: not a gateway's metrics (they are a few hundred kilobytes).",
    );
  });
});
