import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { signHs256Token } from '../auth/signToken';
import { loadConfig } from '../config';
import { connectDatabase, type Database } from '../db/database';
import { createServer, type GatewayServer } from './createServer';

export interface LocalGateway {
  url: string;
  /** An Authorization header value for a viewer with `roles`. */
  authorization: string;
  db: Database;
  server: GatewayServer;
  stop(): Promise<void>;
}

/**
 * A gateway in this process on a loopback port, over `databaseUrl`, with a throwaway HS256
 * secret and a token for the given roles: what the benchmark and the schema check's
 * --execute drive. Errors are masked as in production (NODE_ENV=test); `env` overrides any
 * setting.
 */
export async function startLocalGateway(options: {
  databaseUrl: string;
  roles: string[];
  subject: string;
  env?: Record<string, string>;
}): Promise<LocalGateway> {
  const secret = randomBytes(32).toString('hex');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: options.databaseUrl,
    JWT_SECRET: secret,
    JWT_JWKS_URL: '',
    JWT_PUBLIC_KEY: '',
    ...options.env,
  });
  const token = await signHs256Token({
    secret,
    issuer: config.auth.jwtIssuer,
    audience: config.auth.jwtAudience,
    subject: options.subject,
    claims: { roles: options.roles },
    expiresIn: '1h',
  });
  const db = connectDatabase({ connectionString: options.databaseUrl, poolSize: config.database.poolSize, timeouts: config.database.timeouts });
  const server = await createServer(config, db, pino({ level: 'silent' }));
  const url = await server.listen();
  return {
    url,
    authorization: `Bearer ${token}`,
    db,
    server,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
