import { z } from 'zod';

/**
 * Every setting the server reads, from environment variables, validated once at start-up.
 * A bad value stops the server with a message naming the variable, what it accepts and its
 * default (see README, "Configuration").
 */
const settings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  EMBEDDED_DATA_DIR: z.string().min(1).default('.data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATALOADER_BATCHING: z.enum(['on', 'off']).default('on'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
} as const;

const configSchema = z.object(settings);
type Env = z.infer<typeof configSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isDevelopment: boolean;
  http: { host: string; port: number; maxBodyBytes: number; shutdownGraceMs: number };
  /** `url` absent: the embedded PostgreSQL (PGlite) in `embeddedDataDir`. */
  database: { url: string | undefined; poolSize: number; embeddedDataDir: string };
  logLevel: Env['LOG_LEVEL'];
  /** Diagnostic: 'off' makes every DataLoader load its own query, to measure what batching saves. */
  dataLoaderBatching: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(settings).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const defaultValue = describeDefault(settings[name as keyof typeof settings]);
      return `  ${name}=${JSON.stringify(env[name])}: ${issue.message}${defaultValue}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    isDevelopment: e.NODE_ENV === 'development',
    http: { host: e.HOST, port: e.PORT, maxBodyBytes: e.MAX_BODY_BYTES, shutdownGraceMs: e.SHUTDOWN_GRACE_MS },
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, embeddedDataDir: e.EMBEDDED_DATA_DIR },
    logLevel: e.LOG_LEVEL,
    dataLoaderBatching: e.DATALOADER_BATCHING === 'on',
  };
}

function describeDefault(setting: z.ZodType | undefined): string {
  const parsed = setting?.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? ` (default: ${String(parsed.data)})` : '';
}
