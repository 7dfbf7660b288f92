import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config';

/** The database time limits of a gateway started with no settings: what test databases run with. */
export const DEFAULT_DATABASE_TIMEOUTS = loadConfig({}).database.timeouts;

/**
 * Creates an empty database with a unique name on the PostgreSQL server of `serverUrl`
 * (whatever database that URL names is only used to connect), so that concurrent test runs
 * never share data. Returns its URL and a function that drops it.
 */
export async function createThrowawayDatabase(serverUrl: string, prefix = 'gateway_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
