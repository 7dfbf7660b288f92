import { randomBytes } from 'node:crypto';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { signHs256Token } from '../auth/signToken';
import { loadConfig } from '../config';
import { connectDatabase, type Database } from '../db/database';
import { createLogger } from '../observability/logger';
import type { TracingHandle } from '../observability/tracingSdk';
import { createServer, type GatewayServer } from './createServer';

export interface LocalGateway {
  url: string;
  /** An Authorization header value for a viewer with `roles`. */
  authorization: string;
  db: Database;
  server: GatewayServer;
  stop(): Promise<void>;
}

export interface LocalGatewayOptions {
  databaseUrl: string;
  roles: string[];
  subject: string;
  env?: Record<string, string>;
  /**
   * 'stdout': logs as main.ts does (createLogger: LOG_LEVEL, LOG_VARIABLES, redaction, standard
   * output written asynchronously), flushed by stop(). Default 'silent': no line is built.
   */
  log?: 'silent' | 'stdout';
  /**
   * Installs the OpenTelemetry SDK for this process with this span processor (startTracing, with
   * OTEL_SERVICE_NAME and TRACING_SAMPLE_RATIO), as main.ts does with TRACING=otlp; stop() exports
   * what is buffered and uninstalls it. Default: no SDK, every span the API's no-op.
   */
  spanProcessor?: SpanProcessor;
}

/**
 * A gateway in this process on a loopback port, over `databaseUrl`, with a throwaway HS256
 * secret and a token for the given roles: what the benchmark and the schema check's
 * --execute drive. Errors are masked as in production (NODE_ENV=test); `env` overrides any
 * setting. Silent and untraced unless `log` and `spanProcessor` say otherwise (the benchmark's
 * instrumentation variants).
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
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
  const { observability } = config;
  const logger = options.log === 'stdout' ? createLogger({ level: config.logLevel, logVariables: observability.logVariables }) : pino({ level: 'silent' });
  // Loaded only when asked for: the schema check starts without the SDK's packages.
  let tracing: TracingHandle | undefined;
  if (options.spanProcessor) {
    const { startTracing } = await import('../observability/tracingSdk.js');
    tracing = startTracing({ spanProcessor: options.spanProcessor, serviceName: observability.serviceName, sampleRatio: observability.tracingSampleRatio });
  }
  const db = connectDatabase({ connectionString: options.databaseUrl, poolSize: config.database.poolSize, timeouts: config.database.timeouts });
  const server = await createServer(config, db, logger);
  const url = await server.listen();
  return {
    url,
    authorization: `Bearer ${token}`,
    db,
    server,
    async stop() {
      await server.stop();
      await db.close();
      await tracing?.shutdown();
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
    },
  };
}
