import { z } from 'zod';
import { checkTrustedProxies } from './http/clientAddress';

/**
 * Every setting the server reads, from environment variables, validated once at start-up.
 * A bad value stops the server with a message naming the variable, what it accepts and its
 * default (see README, "Configuration").
 */
const tiersSchema = z.record(z.string(), z.object({ bucketSize: z.number().int().min(1), restoreRate: z.number().positive() }));

const quotaSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional();
const quotaTiersSchema = z.record(z.string(), z.object({ daily: quotaSchema, monthly: quotaSchema }).strict());

/** A duration setting: whole milliseconds, never 0, since for PostgreSQL and pg 0 means "wait forever". */
function milliseconds(defaultMs: number) {
  const wholeMs = 'must be a whole number of milliseconds';
  return z.coerce
    .number({ error: wholeMs })
    .int(wholeMs)
    .min(1, 'must be at least 1 (0 would mean no limit)')
    .max(3_600_000, 'must be at most 3600000 (an hour)')
    .default(defaultMs);
}

/** Points per bucket and per second, by tier; RATE_LIMIT_TIERS overrides any of them. */
export const DEFAULT_RATE_TIERS = {
  anonymous: { bucketSize: 2_000, restoreRate: 100 },
  user: { bucketSize: 10_000, restoreRate: 500 },
  standard: { bucketSize: 20_000, restoreRate: 1_000 },
  premium: { bucketSize: 100_000, restoreRate: 5_000 },
};

/**
 * API keys' cost quotas by tier: actual cost per UTC day and per UTC month (null: no limit).
 * QUOTA_TIERS overrides the periods it names of any tier (mergeQuotaTiers); a key's own quotas override its tier's.
 */
export const DEFAULT_QUOTA_TIERS: Record<string, { daily?: number | null; monthly?: number | null }> = {
  standard: { daily: 5_000_000, monthly: 100_000_000 },
  premium: { daily: 50_000_000, monthly: 1_000_000_000 },
};

/**
 * A tier of QUOTA_TIERS changes the periods it names and keeps the others: lowering the daily
 * quota of `standard` leaves its monthly one. Only an explicit null removes a limit.
 */
export function mergeQuotaTiers(defaults: typeof DEFAULT_QUOTA_TIERS, overrides: typeof DEFAULT_QUOTA_TIERS): typeof DEFAULT_QUOTA_TIERS {
  const merged = { ...defaults };
  for (const [tier, quota] of Object.entries(overrides)) merged[tier] = { ...defaults[tier], ...quota };
  return merged;
}

function hasHost(url: string): boolean {
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

export const settings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(5_000),
  DATABASE_LOCK_TIMEOUT_MS: milliseconds(2_000),
  DATABASE_ACQUIRE_TIMEOUT_MS: milliseconds(2_000),
  DATABASE_TRANSACTION_TIMEOUT_MS: milliseconds(8_000),
  EMBEDDED_DATA_DIR: z.string().min(1).default('.data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_VARIABLES: z.enum(['on', 'off']).default('off'),
  SLOW_OPERATION_MS: z.coerce.number().int().min(1).default(1_000),
  METRICS: z.enum(['on', 'off']).default('on'),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_MAX_OPERATIONS: z.coerce.number().int().min(0).max(10_000).default(200),
  TRACING: z.enum(['off', 'otlp']).default('off'),
  TRACING_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
  OTEL_SERVICE_NAME: z.string().min(1).default('orders-gateway'),
  DATALOADER_BATCHING: z.enum(['on', 'off']).default('on'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  TRUSTED_PROXIES: z
    .string()
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      try {
        checkTrustedProxies(entries);
        return entries;
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `${(error as Error).message}: a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal`,
        });
        return z.NEVER;
      }
    })
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_PUBLIC_KEY: z.string().startsWith('-----BEGIN PUBLIC KEY-----', 'must be a PEM public key (SPKI)').optional(),
  JWT_PUBLIC_KEY_ALG: z.enum(['RS256', 'ES256', 'EdDSA']).default('RS256'),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_ISSUER: z.string().min(1).default('orders-gateway'),
  JWT_AUDIENCE: z.string().min(1).default('orders-gateway'),
  JWT_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  API_KEY_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  MAX_COST: z.coerce.number().int().min(1).default(10_000),
  MAX_DEPTH: z.coerce.number().int().min(1).default(15),
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  MAX_ROOT_FIELDS: z.coerce.number().int().min(1).default(10),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(50),
  MAX_TOKENS: z.coerce.number().int().min(100).default(5_000),
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(100).default(20_000),
  MAX_BATCH_SIZE: z.coerce.number().int().min(0).max(100).default(10),
  MAX_SELECTIONS: z.coerce.number().int().min(1).default(2_000),
  MAX_VARIABLES_DEPTH: z.coerce.number().int().min(1).max(1_000).default(32),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  WS_MAX_CONNECTIONS: z.coerce.number().int().min(1).default(1_000),
  WS_MAX_CONNECTIONS_PER_CLIENT: z.coerce.number().int().min(1).default(20),
  WS_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  KNOWN_CLIENTS: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$/, 'a comma-separated list of client names (letters, digits, . _ -)')
    .optional(),
  INTROSPECTION: z.enum(['on', 'off']).optional(),
  GRAPHQL_IDE: z.enum(['on', 'off']).optional(),
  LOW_STOCK_THRESHOLD: z.coerce.number().int().min(0).default(10),
  DEPRECATION_POLICY: z.enum(['warn', 'reject']).default('warn'),
  IDEMPOTENCY_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
  IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).default(5_000),
  NATS_URL: z
    .string()
    .regex(/^(nats|tls|wss?):\/\//, 'must be a nats:// URL')
    // The gateway starts without NATS (it connects in the background), so a URL that could never
    // work is refused here rather than retried for ever.
    .refine(hasHost, 'must be a nats:// URL with a host and an optional numeric port, e.g. nats://127.0.0.1:4222')
    .optional(),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('ORDERS_EVENTS'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated tokens')
    .default('orders.events'),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(500),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_TIERS: z
    .string()
    .transform((text, ctx) => {
      try {
        return tiersSchema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON like {"standard":{"bucketSize":20000,"restoreRate":1000}}' });
        return z.NEVER;
      }
    })
    .optional(),
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('gateway:ratelimit:'),
  RESPONSE_CACHE: z.enum(['on', 'off']).default('on'),
  RESPONSE_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(64 * 1024 * 1024),
  RESPONSE_CACHE_MAX_ENTRY_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(512 * 1024),
  RESPONSE_CACHE_REDIS_PREFIX: z.string().min(1).default('gateway:cache:'),
  STALE_IF_ERROR_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  QUOTA: z.enum(['on', 'off']).default('on'),
  QUOTA_TIERS: z
    .string()
    .transform((text, ctx) => {
      try {
        return quotaTiersSchema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'must be JSON like {"standard":{"daily":5000000,"monthly":100000000}} (whole numbers of at least 1, or null for no limit)',
        });
        return z.NEVER;
      }
    })
    .optional(),
  QUOTA_REDIS_PREFIX: z.string().min(1).default('gateway:quota:'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  PERSISTED_QUERIES: z.enum(['on', 'off']).default('on'),
  PERSISTED_QUERIES_MAX_BYTES: z.coerce.number().int().min(100_000).max(1_000_000_000).default(16_000_000),
  PERSISTED_QUERIES_TTL_S: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
  PERSISTED_QUERIES_REDIS_PREFIX: z.string().min(1).default('gateway:'),
  TRUSTED_DOCUMENTS_CLIENTS: z
    .string()
    .regex(/^[A-Za-z0-9._-]+(,[A-Za-z0-9._-]+)*$/, 'a comma-separated list of client names (letters, digits, . _ -)')
    .optional(),
} as const;

/**
 * Development only, and only when no key is configured: the HS256 secret that
 * `npm run token:dev` signs with, so that a fresh clone can authenticate at once.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-never-use-in-production';

const configSchema = z.object(settings);
type Env = z.infer<typeof configSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  isDevelopment: boolean;
  http: {
    host: string;
    port: number;
    maxBodyBytes: number;
    shutdownGraceMs: number;
    /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES); none: the TCP peer is the client. */
    trustedProxies: string[];
  };
  /** `url` absent: the embedded PostgreSQL (PGlite) in `embeddedDataDir`. */
  database: { url: string | undefined; poolSize: number; embeddedDataDir: string; timeouts: DatabaseTimeouts };
  logLevel: Env['LOG_LEVEL'];
  observability: {
    /** Variables appear in slow-operation log lines only with LOG_VARIABLES=on; redacted otherwise. */
    logVariables: boolean;
    /** Operations slower than this are logged with their normalized document's hash. */
    slowOperationMs: number;
    /** Prometheus metrics: recorded, and served at GET /metrics (see `metricsAccess`). */
    metrics: boolean;
    /**
     * Where /metrics is served: its own port (METRICS_PORT), the gateway's port behind a bearer
     * token (METRICS_TOKEN), the gateway's port openly (development and tests), or not at all
     * (production with neither: the metrics still feed the logs' figures).
     */
    metricsAccess: { kind: 'port'; port: number } | { kind: 'token'; token: string } | { kind: 'open' } | { kind: 'none' };
    /** Distinct operation names told apart in metrics, beyond the known clients' operations. */
    maxOperationLabels: number;
    /** OpenTelemetry: 'otlp' exports spans to OTEL_EXPORTER_OTLP_ENDPOINT. */
    tracing: Env['TRACING'];
    tracingSampleRatio: number;
    serviceName: string;
  };
  /** Diagnostic: 'off' makes every DataLoader load its own query, to measure what batching saves. */
  dataLoaderBatching: boolean;
  auth: {
    /** HS256 (development and tests). At most one of jwtSecret, jwtPublicKey, jwksUrl is set. */
    jwtSecret: string | undefined;
    jwtPublicKey: string | undefined;
    jwtPublicKeyAlgorithm: Env['JWT_PUBLIC_KEY_ALG'];
    jwksUrl: string | undefined;
    jwtIssuer: string;
    jwtAudience: string;
    jwtClockToleranceSeconds: number;
    apiKeyCacheMs: number;
  };
  limits: {
    /** The most an operation may cost (see README, "Cost and limits"). */
    maxCost: number;
    maxDepth: number;
    maxAliases: number;
    maxRootFields: number;
    maxDirectives: number;
    maxTokens: number;
    maxDocumentBytes: number;
    /** Operations in one array-batched request; 0 refuses batches. */
    maxBatchSize: number;
    /** Field selections, a fragment counted at every place it is spread. */
    maxSelections: number;
    /** How deeply variables and extensions may nest objects and lists. */
    maxVariablesDepth: number;
  };
  /** Every request is answered (503 SERVICE_UNAVAILABLE at the latest) within this. */
  requestTimeoutMs: number;
  /** Open WebSocket connections in all, and from one IP address. */
  webSocket: { maxConnections: number; maxConnectionsPerClient: number; idleTimeoutMs: number };
  /** Client names (apollographql-client-name) counted by name in usage reports; others count as "other". */
  knownClients: string[];
  /** On in development, off elsewhere unless INTROSPECTION=on. */
  introspection: boolean;
  /** GraphiQL for a browser's GET /graphql: on in development, off elsewhere unless GRAPHQL_IDE=on. */
  graphqlIde: boolean;
  /** inventory.low fires when a stock level's available units fall below this. */
  lowStockThreshold: number;
  /** After a deprecated coordinate's sunset date: warn, or reject operations that use it. */
  deprecationPolicy: 'warn' | 'reject';
  idempotency: {
    /** How long a key and its outcome are kept. */
    ttlMs: number;
    /** How long a request holds its key; after it, a retry may take over (a crashed holder). */
    leaseMs: number;
    /** How long a duplicate waits for the holder's outcome before IDEMPOTENCY_KEY_IN_PROGRESS. */
    waitMs: number;
  };
  outbox: {
    /** Unset: events are recorded in the outbox but not published. */
    natsUrl: string | undefined;
    stream: string;
    subjectPrefix: string;
    maxAttempts: number;
    pollMs: number;
    batchSize: number;
  };
  rateLimit: {
    enabled: boolean;
    tiers: Record<string, { bucketSize: number; restoreRate: number }>;
    /** Shared buckets in Redis; unset: in this process. */
    redisUrl: string | undefined;
    /** Prefix of the bucket keys in Redis: gateways sharing it share budgets. */
    redisPrefix: string;
  };
  responseCache: {
    enabled: boolean;
    /** In this process (unset redisUrl): the bytes it may hold. */
    maxBytes: number;
    /** A response larger than this (its data as JSON) is not stored. */
    maxEntryBytes: number;
    /** Shared by every replica in Redis; unset: in this process. */
    redisUrl: string | undefined;
    redisPrefix: string;
    /** How long past its maxAge a public response may be served while the database fails (0: never). */
    staleIfErrorSeconds: number;
  };
  /** Automatic persisted queries (Apollo's APQ): the store of registered documents. */
  persistedQueries: {
    enabled: boolean;
    /** In Redis (shared by every replica) when set; in this process otherwise. */
    redisUrl: string | undefined;
    redisPrefix: string;
    /** The in-process store's bound: documents' text plus a per-entry overhead. */
    maxBytes: number;
    /** How long a registered document is kept (Redis: the key's TTL; in process: the entry's). */
    ttlSeconds: number;
  };
  /** Clients (an API key's client name) that may only run documents of the trusted-documents manifest. */
  trustedDocumentsClients: string[];
  quota: {
    enabled: boolean;
    /** Daily and monthly cost quotas of API keys, by tier (null or absent: no limit). */
    tiers: Record<string, { daily?: number | null; monthly?: number | null }>;
    /** Usage kept in Redis (REDIS_URL) under this prefix; else in PostgreSQL. */
    redisUrl: string | undefined;
    redisPrefix: string;
  };
}

/** How long the database may keep a caller waiting, whatever it does (see connectDatabase). */
export interface DatabaseTimeouts {
  /** PostgreSQL cancels a statement running longer (statement_timeout). */
  statementTimeoutMs: number;
  /** PostgreSQL cancels a statement waiting longer for a row or table lock (lock_timeout). */
  lockTimeoutMs: number;
  /** Waiting for a free pooled connection, and for a new connection to be established. */
  acquireTimeoutMs: number;
  /** An interactive transaction, from BEGIN to COMMIT. */
  transactionTimeoutMs: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.keys(settings).map((name) => [name, env[name] === '' ? undefined : env[name]]));
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
  const keySources = (['JWT_SECRET', 'JWT_PUBLIC_KEY', 'JWT_JWKS_URL'] as const).filter((name) => e[name] !== undefined);
  if (keySources.length > 1) {
    throw new ConfigError(`Invalid configuration:\n  ${keySources.join(', ')}: set only one way to verify tokens.`);
  }
  if (e.NODE_ENV === 'production' && e.JWT_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_SECRET: a shared secret is for development and tests; in production set JWT_JWKS_URL or JWT_PUBLIC_KEY.',
    );
  }
  if (e.IDEMPOTENCY_LEASE_MS <= e.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  IDEMPOTENCY_LEASE_MS=${e.IDEMPOTENCY_LEASE_MS}: must be longer than REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS}), so that a key is never taken over from a request still running (default: 30000).`,
    );
  }
  if (e.DATABASE_LOCK_TIMEOUT_MS > e.DATABASE_STATEMENT_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  DATABASE_LOCK_TIMEOUT_MS=${e.DATABASE_LOCK_TIMEOUT_MS} is longer than DATABASE_STATEMENT_TIMEOUT_MS=${e.DATABASE_STATEMENT_TIMEOUT_MS}: ` +
        'a statement waiting for a lock would be cancelled by the statement timeout first. Set the lock timeout at most the statement timeout (defaults: 2000 and 5000).',
    );
  }
  if (e.DATABASE_TRANSACTION_TIMEOUT_MS <= e.DATABASE_STATEMENT_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration:\n  DATABASE_TRANSACTION_TIMEOUT_MS=${e.DATABASE_TRANSACTION_TIMEOUT_MS} is not longer than DATABASE_STATEMENT_TIMEOUT_MS=${e.DATABASE_STATEMENT_TIMEOUT_MS}: ` +
        'a transaction runs several statements, each allowed the statement timeout. Set the transaction timeout above the statement timeout (defaults: 8000 and 5000).',
    );
  }
  const jwtSecret = e.JWT_SECRET ?? (e.NODE_ENV === 'development' && keySources.length === 0 ? DEVELOPMENT_JWT_SECRET : undefined);
  return {
    env: e.NODE_ENV,
    isDevelopment: e.NODE_ENV === 'development',
    http: { host: e.HOST, port: e.PORT, maxBodyBytes: e.MAX_BODY_BYTES, shutdownGraceMs: e.SHUTDOWN_GRACE_MS, trustedProxies: e.TRUSTED_PROXIES ?? [] },
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      embeddedDataDir: e.EMBEDDED_DATA_DIR,
      timeouts: {
        statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        lockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
        acquireTimeoutMs: e.DATABASE_ACQUIRE_TIMEOUT_MS,
        transactionTimeoutMs: e.DATABASE_TRANSACTION_TIMEOUT_MS,
      },
    },
    logLevel: e.LOG_LEVEL,
    observability: {
      logVariables: e.LOG_VARIABLES === 'on',
      slowOperationMs: e.SLOW_OPERATION_MS,
      metrics: e.METRICS === 'on',
      metricsAccess:
        e.METRICS_PORT !== undefined
          ? { kind: 'port', port: e.METRICS_PORT }
          : e.METRICS_TOKEN
            ? { kind: 'token', token: e.METRICS_TOKEN }
            : e.NODE_ENV === 'production'
              ? { kind: 'none' }
              : { kind: 'open' },
      maxOperationLabels: e.METRICS_MAX_OPERATIONS,
      tracing: e.TRACING,
      tracingSampleRatio: e.TRACING_SAMPLE_RATIO,
      serviceName: e.OTEL_SERVICE_NAME,
    },
    dataLoaderBatching: e.DATALOADER_BATCHING === 'on',
    auth: {
      jwtSecret,
      jwtPublicKey: e.JWT_PUBLIC_KEY,
      jwtPublicKeyAlgorithm: e.JWT_PUBLIC_KEY_ALG,
      jwksUrl: e.JWT_JWKS_URL,
      jwtIssuer: e.JWT_ISSUER,
      jwtAudience: e.JWT_AUDIENCE,
      jwtClockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_S,
      apiKeyCacheMs: e.API_KEY_CACHE_MS,
    },
    limits: {
      maxCost: e.MAX_COST,
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxRootFields: e.MAX_ROOT_FIELDS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxTokens: e.MAX_TOKENS,
      maxDocumentBytes: e.MAX_DOCUMENT_BYTES,
      maxBatchSize: e.MAX_BATCH_SIZE,
      maxSelections: e.MAX_SELECTIONS,
      maxVariablesDepth: e.MAX_VARIABLES_DEPTH,
    },
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    webSocket: { maxConnections: e.WS_MAX_CONNECTIONS, maxConnectionsPerClient: e.WS_MAX_CONNECTIONS_PER_CLIENT, idleTimeoutMs: e.WS_IDLE_TIMEOUT_MS },
    knownClients: e.KNOWN_CLIENTS?.split(',') ?? [],
    introspection: e.INTROSPECTION ? e.INTROSPECTION === 'on' : e.NODE_ENV === 'development',
    graphqlIde: e.GRAPHQL_IDE ? e.GRAPHQL_IDE === 'on' : e.NODE_ENV === 'development',
    lowStockThreshold: e.LOW_STOCK_THRESHOLD,
    idempotency: { ttlMs: e.IDEMPOTENCY_TTL_HOURS * 3_600_000, leaseMs: e.IDEMPOTENCY_LEASE_MS, waitMs: e.IDEMPOTENCY_WAIT_MS },
    deprecationPolicy: e.DEPRECATION_POLICY,
    outbox: {
      natsUrl: e.NATS_URL,
      stream: e.NATS_STREAM,
      subjectPrefix: e.NATS_SUBJECT_PREFIX,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      pollMs: e.OUTBOX_POLL_MS,
      batchSize: e.OUTBOX_BATCH_SIZE,
    },
    rateLimit: {
      enabled: e.RATE_LIMIT === 'on',
      tiers: { ...DEFAULT_RATE_TIERS, ...e.RATE_LIMIT_TIERS },
      redisUrl: e.REDIS_URL,
      redisPrefix: e.RATE_LIMIT_REDIS_PREFIX,
    },
    responseCache: {
      enabled: e.RESPONSE_CACHE === 'on',
      maxBytes: e.RESPONSE_CACHE_MAX_BYTES,
      maxEntryBytes: e.RESPONSE_CACHE_MAX_ENTRY_BYTES,
      redisUrl: e.REDIS_URL,
      redisPrefix: e.RESPONSE_CACHE_REDIS_PREFIX,
      staleIfErrorSeconds: e.STALE_IF_ERROR_SECONDS,
    },
    persistedQueries: {
      enabled: e.PERSISTED_QUERIES === 'on',
      redisUrl: e.REDIS_URL,
      redisPrefix: e.PERSISTED_QUERIES_REDIS_PREFIX,
      maxBytes: e.PERSISTED_QUERIES_MAX_BYTES,
      ttlSeconds: e.PERSISTED_QUERIES_TTL_S,
    },
    trustedDocumentsClients: e.TRUSTED_DOCUMENTS_CLIENTS?.split(',') ?? [],
    quota: {
      enabled: e.QUOTA === 'on',
      tiers: mergeQuotaTiers(DEFAULT_QUOTA_TIERS, e.QUOTA_TIERS ?? {}),
      redisUrl: e.REDIS_URL,
      redisPrefix: e.QUOTA_REDIS_PREFIX,
    },
  };
}

function describeDefault(setting: z.ZodType | undefined): string {
  const parsed = setting?.safeParse(undefined);
  return parsed?.success && parsed.data !== undefined ? ` (default: ${String(parsed.data)})` : '';
}
