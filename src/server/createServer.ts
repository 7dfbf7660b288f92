import { createServer as createNodeServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from 'pino';
import { AnalysisCache } from '../analysis/analysisCache';
import { buildAccessRules } from '../auth/accessRules';
import { createAuthenticator } from '../auth/authenticate';
import { buildCostModel } from '../complexity/costModel';
import type { Config } from '../config';
import { createClientIdentityResolver } from '../context/clientIdentity';
import { createContext } from '../context/createContext';
import type { GraphQLContext } from '../context/GraphQLContext';
import type { Database } from '../db/database';
import { loadCheckedRegistry } from '../deprecations/registry';
import { DeprecatedUsageRecorder } from '../deprecations/usageRecorder';
import pg from 'pg';
import { EventFeed } from '../events/eventFeed';
import { createCompiledExecution, type CompiledExecution } from '../execution/compiledExecution';
import { executionGateway } from '../execution/executionGateway';
import { createGraphQLRoute } from '../http/graphqlRoute';
import { createClientAddressResolver } from '../http/clientAddress';
import { createHttpHandler, type HttpRoutes } from '../http/httpHandler';
import { sendError } from '../http/responses';
import { ErrorCode, HttpRequestError } from '../errors';
import { GatewayMetrics } from '../observability/metrics';
import { createMetricsRoute } from '../observability/metricsRoute';
import { OperationLabels } from '../observability/operationLabels';
import { observationPolicy, recordRefusal } from '../observability/requestObservation';
import { readOutboxFigures } from '../events/outbox';
import { InFlightRequests } from '../http/inFlightRequests';
import { loadIdeAssets } from '../ide/ideAssets';
import { createIdeRoute } from '../ide/ideRoute';
import { createIdeSettings } from '../ide/ideSettings';
import { IdempotencyStore } from '../idempotency/idempotencyStore';
import { apolloPipelinePlugin } from '../pipeline/apolloPipelinePlugin';
import { PolicyPipeline } from '../pipeline/pipeline';
import { responseEnvelope } from '../pipeline/responseEnvelope';
import { authenticationPolicy } from '../policies/authenticationPolicy';
import { authorizationPolicy } from '../policies/authorizationPolicy';
import { costPolicy } from '../policies/costPolicy';
import { deprecationPolicy } from '../policies/deprecationPolicy';
import { idempotencyPolicy } from '../policies/idempotencyPolicy';
import { limitsPolicy } from '../policies/limitsPolicy';
import { quotaPolicy } from '../policies/quotaPolicy';
import { rateLimitPolicy } from '../policies/rateLimitPolicy';
import { createApqStore } from '../persistedDocuments/apqStore';
import { readManifest } from '../persistedDocuments/manifest';
import { TrustedDocuments } from '../persistedDocuments/trustedDocuments';
import { PostgresQuotaStore } from '../quota/postgresQuotaStore';
import { Quotas } from '../quota/quotas';
import { RedisQuotaStore } from '../quota/redisQuotaStore';
import { RedisBucketStore } from '../rateLimit/redisBucketStore';
import { MemoryBucketStore } from '../rateLimit/tokenBucket';
import { RateLimiter } from '../rateLimit/rateLimiter';
import { CacheHints } from '../caching/cacheHints';
import { followOutboxInvalidations } from '../caching/outboxInvalidation';
import { createResponseCacheStore } from '../caching/responseCacheStore';
import { responseCachePolicy } from '../policies/responseCachePolicy';
import type { Viewer } from '../auth/viewer';
import { DocumentCache } from '../websocket/documentCache';
import { startWebSocketServer } from '../websocket/webSocketServer';
import { msUntil } from '../deadline';
import { buildSchema } from './buildSchema';
import { listClientsWithOperations, listKnownOperations } from './schemaFiles';
import { classifyFailure, createFormatError } from './formatError';
import { runShutdownSteps, type UnfinishedStep } from './shutdownSteps';

export interface GatewayServer {
  httpServer: Server;
  apollo: ApolloServer<GraphQLContext>;
  pipeline: PolicyPipeline;
  analyses: AnalysisCache;
  /** How many operations ran compiled (graphql-jit) and how many graphql-jit left to graphql-js. */
  execution: CompiledExecution['stats'];
  /** The WebSocket transport: how many connections and operations it holds. */
  webSocket: { readonly connections: number; readonly operations: number };
  /** API keys' quotas (absent with QUOTA=off). */
  quotas: Quotas | undefined;
  /** The Prometheus metrics (absent with METRICS=off). */
  metrics: GatewayMetrics | undefined;
  /** Where GET /metrics answers, once listening (absent when it is not served). */
  metricsUrl?: string;
  /** Starts listening; resolves to the /graphql URL. */
  listen(): Promise<string>;
  /**
   * Stops accepting, drains in-flight requests, stops Apollo and flushes what is pending, all by
   * `deadline` (ms since the epoch; default: SHUTDOWN_GRACE_MS from now). At the deadline the
   * HTTP connections still open are closed. Resolves, at the deadline at the latest, to the
   * steps that did not finish (empty: a clean stop).
   */
  stop(options?: { deadline?: number }): Promise<UnfinishedStep[]>;
}

/** Listens on `host`:`port`; resolves to the http://host:port origin. */
function listenOn(server: Server, hostName: string, portNumber: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(portNumber, hostName, () => {
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      resolve(`http://${host}:${port}`);
    });
  });
}

/** The metrics port serves /metrics, /healthz and /readyz only. */
const notServedHere: HttpRoutes['graphql'] = async (_req, res, _url, { traceId }) =>
  sendError(res, new HttpRequestError(ErrorCode.NOT_FOUND, 404, 'This is the metrics port: GraphQL is served on PORT.'), traceId);

/** How often expired idempotency keys are deleted (a thousand at a time). */
const EXPIRED_KEYS_SWEEP_MS = 10 * 60_000;

export interface ServerOptions {
  /** The clock of time-based policies (ms since the epoch): the response cache's freshness, quota periods; tests move it. */
  clock?: () => number;
}

export async function createServer(config: Config, db: Database, logger: Logger, options: ServerOptions = {}): Promise<GatewayServer> {
  const httpServer = createNodeServer();
  const schema = buildSchema();
  const accessRules = buildAccessRules(schema);
  const registry = loadCheckedRegistry(schema);
  const usageRecorder = new DeprecatedUsageRecorder(db.prisma, logger);
  const buckets = config.rateLimit.redisUrl ? new RedisBucketStore(config.rateLimit.redisUrl, logger, config.rateLimit.redisPrefix) : new MemoryBucketStore();
  const trustedDocuments = new TrustedDocuments(readManifest(), config.trustedDocumentsClients);
  const apqStore = createApqStore(config.persistedQueries, logger);
  const formatError = createFormatError({ exposeInternals: config.isDevelopment });
  const analyses = new AnalysisCache(schema);
  const idempotencyStore = new IdempotencyStore(db.prisma, config.idempotency);
  // API keys' daily and monthly quotas, shared by every replica: in Redis when configured, else
  // in PostgreSQL (never per process: a quota per replica would multiply with the replicas).
  const quotas = config.quota.enabled
    ? new Quotas(
        config.quota.redisUrl ? new RedisQuotaStore(config.quota.redisUrl, config.quota.redisPrefix) : new PostgresQuotaStore(db.pool),
        config.quota.tiers,
        logger,
        options.clock,
      )
    : undefined;
  // Expired idempotency keys are otherwise only replaced when their key is sent again, and past
  // quota periods in PostgreSQL would stay for good.
  const expirySweep = setInterval(() => {
    idempotencyStore.deleteExpired().catch((error: unknown) => logger.warn({ err: error }, 'could not delete expired idempotency keys'));
    quotas?.deleteExpired().catch((error: unknown) => logger.warn({ err: error }, 'could not delete past quota periods'));
  }, EXPIRED_KEYS_SWEEP_MS);
  expirySweep.unref();
  const rateLimiter = config.rateLimit.enabled ? new RateLimiter(buckets, config.rateLimit.tiers) : undefined;
  const { observability } = config;
  const metrics = observability.metrics ? new GatewayMetrics() : undefined;
  const tierOf = (viewer: Viewer | null) => rateLimiter?.tierOf(viewer) ?? 'anonymous';
  const cacheConfig = config.responseCache;
  const { store: responseCache, memory: memoryCache } = createResponseCacheStore(cacheConfig, options.clock);
  const refuseIfThrottled = async (viewer: Viewer | null, clientAddress: string) => {
    const refusal = await rateLimiter?.refuseIfEmpty(viewer, clientAddress);
    if (refusal) metrics?.countRateLimitRefusal(tierOf(viewer));
    return refusal;
  };

  // The one order every operation goes through, over HTTP and WebSocket alike.
  const pipeline = new PolicyPipeline(
    analyses,
    [
      limitsPolicy(config.limits),
      authenticationPolicy(),
      authorizationPolicy(accessRules, { introspection: config.introspection }),
      costPolicy(buildCostModel(schema), config.limits.maxCost),
      // Before the rate limit: a key over its quota is refused without draining its bucket.
      ...(quotas ? [quotaPolicy(quotas)] : []),
      ...(rateLimiter ? [rateLimitPolicy(rateLimiter)] : []),
      deprecationPolicy({ schema, registry, recorder: usageRecorder, policy: config.deprecationPolicy }),
      idempotencyPolicy(idempotencyStore),
      responseCachePolicy({
        hints: new CacheHints(schema, accessRules),
        store: responseCache,
        maxEntryBytes: cacheConfig.maxEntryBytes,
        staleIfErrorSeconds: cacheConfig.staleIfErrorSeconds,
        metrics,
        logger,
        now: options.clock,
      }),
      responseEnvelope(),
      observationPolicy({
        metrics,
        operationLabels: new OperationLabels(listKnownOperations(), observability.maxOperationLabels),
        logger,
        slowOperationMs: observability.slowOperationMs,
        tierOf: (state) => tierOf(state.viewer),
      }),
    ],
    logger,
  );

  // Queries and mutations run compiled (graphql-jit), over HTTP and WebSocket alike.
  const execution = createCompiledExecution(schema);
  const { execute } = execution;
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: executionGateway(schema, execute),
    formatError,
    includeStacktraceInErrorResponses: config.isDevelopment,
    // Open here: the pipeline's authorization decides per viewer (schema:read).
    introspection: true,
    // No "Did you mean ...?" outside development: suggestions map the schema for a prober.
    hideSchemaDetailsFromClientErrors: !config.isDevelopment,
    parseOptions: { maxTokens: config.limits.maxTokens },
    allowBatchedHttpRequests: config.limits.maxBatchSize > 0,
    // Automatic persisted queries in an explicit, bounded store (PERSISTED_QUERIES_*, REDIS_URL);
    // trusted documents never reach it: the edge puts them in place of their ids.
    persistedQueries: apqStore ? { cache: apqStore.cache, ttl: apqStore.ttl } : false,
    // main.ts owns shutdown: drain HTTP first, then close the database pool.
    stopOnTerminationSignals: false,
    plugins: [
      // Apollo's cache-control plugin wraps every resolver (a third of our throughput): the
      // pipeline's cache step reads the same @cacheControl hints once per operation instead.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.http.shutdownGraceMs }),
      // The HTTP edge serves the IDE itself (src/ide/, GRAPHQL_IDE): Apollo's landing pages
      // load their scripts from Apollo's CDN.
      ApolloServerPluginLandingPageDisabled(),
      apolloPipelinePlugin(pipeline, logger, config.requestTimeoutMs),
    ],
  });
  await apollo.start();

  const inFlight = new InFlightRequests();
  const eventFeed = new EventFeed(db.pool);
  // Other replicas share a PostgreSQL server (DATABASE_URL); the embedded database has one gateway (its folder's lock).
  // It polls on a connection of its own: a request never waits for a pool connection behind it.
  const outboxPool = responseCache && config.database.url ? new pg.Pool({ ...db.pool.options, max: 1 }) : undefined;
  // A connection's failure (the database gone) fails its poll, and the next one reconnects.
  outboxPool?.on('error', () => undefined).on('connect', (client) => client.on('error', () => undefined));
  const outboxInvalidation = responseCache && outboxPool ? followOutboxInvalidations(new EventFeed(outboxPool), responseCache, { metrics, logger }) : undefined;
  const contextDependencies = {
    prisma: db.prisma,
    readRows: db.readRows,
    dataLoaderBatching: config.dataLoaderBatching,
    accessRules,
    lowStockThreshold: config.lowStockThreshold,
    eventFeed,
    clientIdentity: createClientIdentityResolver([...config.knownClients, ...listClientsWithOperations()]),
  };
  const authenticate = await createAuthenticator(config.auth, db.prisma);
  const clientAddressOf = createClientAddressResolver(config.http.trustedProxies);
  const observeRefusal = (codes: readonly string[], status: number | undefined, durationMs: number) =>
    metrics && recordRefusal(metrics, codes, status, durationMs);
  const operationLimits = { maxDocumentBytes: config.limits.maxDocumentBytes, maxVariablesDepth: config.limits.maxVariablesDepth };
  httpServer.on(
    'request',
    createHttpHandler(
      {
        graphql: createGraphQLRoute({
          apollo,
          authenticate,
          createContext: (request, viewer) => createContext(contextDependencies, request, viewer),
          classifyFailure,
          refuseIfThrottled,
          clientAddressOf,
          trustedDocuments,
          limits: {
            ...operationLimits,
            maxBodyBytes: config.http.maxBodyBytes,
            maxBatchSize: config.limits.maxBatchSize,
            requestTimeoutMs: config.requestTimeoutMs,
          },
          inFlight,
          logger,
        }),
        isReady: () => db.isReachable(),
        metrics:
          metrics && observability.metricsAccess.kind === 'open'
            ? createMetricsRoute(metrics)
            : metrics && observability.metricsAccess.kind === 'token'
              ? createMetricsRoute(metrics, observability.metricsAccess.token)
              : undefined,
        observeRefusal: (code, status, durationMs) => observeRefusal([code], status, durationMs),
        ide: config.graphqlIde ? createIdeRoute({ assets: loadIdeAssets(), settings: createIdeSettings(config) }) : undefined,
      },
      logger,
    ),
  );
  const webSocket = startWebSocketServer({
    httpServer,
    schema,
    execute,
    pipeline,
    documents: new DocumentCache(schema, { maxTokens: config.limits.maxTokens, hideSuggestions: !config.isDevelopment }),
    trustedDocuments,
    authenticate,
    refuseIfThrottled,
    clientAddressOf,
    observeRefusal: (errors, durationMs) =>
      observeRefusal(
        errors.map((e) => String(e.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR)),
        undefined,
        durationMs,
      ),
    createContext: (request, viewer) => createContext(contextDependencies, request, viewer),
    clientIdentity: contextDependencies.clientIdentity,
    formatError,
    logger,
    limits: {
      ...operationLimits,
      maxPayloadBytes: config.http.maxBodyBytes,
      maxConnections: config.webSocket.maxConnections,
      maxConnectionsPerClient: config.webSocket.maxConnectionsPerClient,
      idleTimeoutMs: config.webSocket.idleTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      apiKeyRecheckMs: Math.max(1_000, config.auth.apiKeyCacheMs),
    },
  });
  metrics?.watch({
    pool: () => ({ total: db.pool.totalCount, idle: db.pool.idleCount, waiting: db.pool.waitingCount, max: config.database.poolSize }),
    webSocket: () => ({ connections: webSocket.connections, operations: webSocket.operations }),
    outbox: () => readOutboxFigures(db.pool),
    ...(memoryCache ? { responseCache: () => memoryCache.size } : {}),
  });
  // METRICS_PORT: /metrics alone on a port of its own, for the network to protect.
  const metricsServer =
    metrics && observability.metricsAccess.kind === 'port'
      ? createNodeServer(createHttpHandler({ graphql: notServedHere, isReady: () => db.isReachable(), metrics: createMetricsRoute(metrics) }, logger))
      : undefined;
  const gateway: GatewayServer = {
    httpServer,
    apollo,
    metrics,
    quotas,
    pipeline,
    analyses,
    execution: execution.stats,
    webSocket,
    async listen() {
      const url = await listenOn(httpServer, config.http.host, config.http.port);
      if (metricsServer && observability.metricsAccess.kind === 'port') {
        gateway.metricsUrl = `${await listenOn(metricsServer, config.http.host, observability.metricsAccess.port)}/metrics`;
      } else if (metrics && observability.metricsAccess.kind !== 'none') {
        gateway.metricsUrl = `${url}/metrics`;
      }
      return `${url}/graphql`;
    },
    async stop({ deadline = Date.now() + config.http.shutdownGraceMs } = {}) {
      // The drain plugin waits at most its own grace period, which starts later: this cuts
      // off the requests still running (a database that hangs) at the caller's deadline.
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), msUntil(deadline));
      clearInterval(expirySweep);
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      try {
        return await runShutdownSteps(deadline, [
          ['websocket', () => webSocket.close()],
          [
            'event feed',
            async () => {
              outboxInvalidation?.stop();
              // Not awaited: a poll hung on a database that stopped answering ends with it.
              outboxPool?.end().catch(() => undefined);
              await eventFeed.close();
            },
          ],
          ['http drain', () => apollo.stop()],
          // The drain plugin stops waiting for a request once its client disconnects (or was
          // answered at its deadline); its resolvers may still be using the database, which
          // the caller closes next.
          ['in-flight requests', () => inFlight.drained(msUntil(deadline))],
          ['rate-limit buckets', () => buckets.close()],
          ['response cache', async () => responseCache?.close()],
          ['persisted-query store', () => apqStore?.close() ?? Promise.resolve()],
          ['quota charges', async () => quotas?.close()],
          ['deprecated-usage flush', () => usageRecorder.flush()],
        ]);
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
  return gateway;
}
