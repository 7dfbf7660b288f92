import net from 'node:net';

export interface FreezableProxy {
  /** The database URL it was given, pointing at the proxy instead. */
  url: string;
  /**
   * From now on, forwards no byte either way and keeps every connection open (and accepts new
   * ones): what a hung server or a dead network path looks like to the client, with no reset
   * and no end of stream. Only the client's own timeouts can end its wait.
   */
  freeze(): void;
  /** Cuts every connection at once (a reset), as a crashed server or a dropped route does. */
  cutConnections(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on a loopback port in front of the PostgreSQL server of `databaseUrl`, so that a
 * test can make "the database" stop answering without touching the shared server.
 */
export async function startFreezableProxy(databaseUrl: string): Promise<FreezableProxy> {
  const target = new URL(databaseUrl);
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as net.AddressInfo).port);
  return {
    url: url.toString(),
    freeze() {
      frozen = true;
    },
    cutConnections() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
