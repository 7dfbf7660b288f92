import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataDir } from './dataDirLock';

// The contrib entry has a CommonJS build but only ESM type declarations, so TypeScript needs
// the types resolved in import mode while Node loads the CommonJS file.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above: an ESM-typed module loaded as CommonJS
const { pg_trgm } = require('@electric-sql/pglite/contrib/pg_trgm') as typeof import('@electric-sql/pglite/contrib/pg_trgm', {
  with: { 'resolution-mode': 'import' },
});

export interface EmbeddedDatabase {
  /** A postgresql:// URL for pg and Prisma, served on a loopback port. */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL compiled to WebAssembly (PGlite), in this process, served over the PostgreSQL
 * wire protocol on 127.0.0.1 so that the very same pg + Prisma path serves it.
 * `dataDir` null keeps it in memory (tests); otherwise its files live in that folder.
 *
 * PGlite is a single session: the socket server queues statements from all connections
 * and keeps a transaction's statements together, so a pool of several clients is safe but
 * gains no parallelism. It is the zero-setup default, not the production path.
 *
 * A folder has one user at a time: a second process fails with EmbeddedDatabaseInUseError
 * before PGlite opens anything. The lock file says where the owner serves it, so that the
 * command-line tools can work through the running server (src/cli/cli.ts).
 */
export async function startEmbeddedDatabase(dataDir: string | null): Promise<EmbeddedDatabase> {
  if (dataDir) await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
  const lock = dataDir ? lockDataDir(dataDir) : null;
  try {
    const db = await PGlite.create({
      ...(dataDir ? { dataDir: path.resolve(dataDir) } : {}),
      extensions: { pg_trgm },
    });
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    await server.start().catch(async (error: unknown) => {
      await db.close();
      throw error;
    });
    const connectionString = `postgresql://postgres@${server.getServerConn()}/postgres`;
    lock?.advertise(connectionString);
    return {
      connectionString,
      async stop() {
        try {
          await server.stop();
          await db.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
