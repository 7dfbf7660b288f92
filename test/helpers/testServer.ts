import pino, { type Logger } from 'pino';
import { loadConfig } from '../../src/config';
import { connectDatabase, type Database } from '../../src/db/database';
import { createServer, type GatewayServer } from '../../src/server/createServer';
import { TEST_AUTH_ENV, signToken } from './tokens';

export interface GraphQLTestError {
  message: string;
  path?: Array<string | number>;
  extensions: Record<string, any>;
}

export interface GraphQLResponse<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: GraphQLTestError[]; extensions?: any };
}

/** The response's first error; fails the test when there is none. */
export function firstError(response: GraphQLResponse): GraphQLTestError {
  const error = response.body.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(response.body)}`);
  return error;
}

/** A fetch response's JSON body, untyped: tests assert its shape. */
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}

export interface TestServer {
  url: string;
  db: Database;
  server: GatewayServer;
  /**
   * POSTs a GraphQL operation as JSON, as an admin unless `headers` carry other credentials
   * (authorization or x-api-key).
   */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** POSTs with exactly these credentials: null for anonymous, else the headers to send. */
  queryAs<T = any>(credentials: Record<string, string> | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Authorization headers of a token with these roles (and claims). */
  bearer(claims: Record<string, unknown>): Promise<Record<string, string>>;
  /** Runs `work` and returns its result with the SQL statements the driver sent meanwhile. */
  countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }>;
  close(): Promise<void>;
}

/** A real gateway on a free port, over the run's test database (see globalSetup). */
export async function createTestServer(env: Record<string, string> = {}, options: { logger?: Logger; clock?: () => number } = {}): Promise<TestServer> {
  // Rate limiting is off unless a test turns it on: suites send many requests as one client.
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', RATE_LIMIT: 'off', ...TEST_AUTH_ENV, ...env });
  const db = connectDatabase({
    connectionString: env.DATABASE_URL ?? testDatabaseUrl(),
    poolSize: config.database.poolSize,
    timeouts: config.database.timeouts,
  });
  const server = await createServer(config, db, options.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { clock: options.clock });
  const url = await server.listen();
  const admin = await bearerHeaders({ roles: ['admin'] });
  const post = async (credentials: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...credentials },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse['body'] };
  };
  return {
    url,
    db,
    server,
    query(query, variables, headers = {}) {
      const hasCredentials = 'authorization' in headers || 'x-api-key' in headers;
      return post(hasCredentials ? headers : { ...admin, ...headers }, query, variables);
    },
    queryAs(credentials, query, variables) {
      return post(credentials ?? {}, query, variables);
    },
    bearer: bearerHeaders,
    async countStatements(work) {
      const before = db.stats.statements;
      const result = await work();
      return { result, statements: db.stats.statements - before };
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is unset: run the tests through `npm test` (jest globalSetup).');
  return url;
}

export const isEmbeddedDatabase = () => process.env.TEST_DATABASE_KIND === 'embedded';

export async function bearerHeaders(claims: Record<string, unknown>): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signToken(claims)}` };
}
