import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSink {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: the exporter posts to <endpoint>/v1/traces. */
  endpoint: string;
  /** Export requests received and their body bytes, since the sink started. */
  received(): { exports: number; bytes: number };
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP collector that accepts every export (200, an empty response: no partial
 * success) and discards it, counting only what arrived: the traced variant's gateway pays for
 * recording, batching, serializing and sending its spans, and nothing waits on a backend. It
 * runs in the bench process, whose CPU is not the gateway's.
 */
export async function startOtlpSink(): Promise<OtlpSink> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      exports += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received: () => ({ exports, bytes }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
