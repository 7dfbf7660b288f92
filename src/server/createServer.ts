import { createServer as createNodeServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { buildAccessRules } from '../auth/accessRules';
import { createAuthenticator } from '../auth/authenticate';
import type { Config } from '../config';
import { createContext } from '../context/createContext';
import type { GraphQLContext } from '../context/GraphQLContext';
import type { Database } from '../db/database';
import { authorizationPlugin } from '../plugins/authorizationPlugin';
import { errorEnvelopePlugin } from '../plugins/errorEnvelopePlugin';
import { operationLimitsRule } from '../plugins/operationLimits';
import { complexityPlugin } from '../plugins/complexityPlugin';
import { buildCostModel } from '../complexity/costModel';
import { rateLimitPlugin } from '../plugins/rateLimitPlugin';
import { idempotencyPlugin } from '../plugins/idempotencyPlugin';
import { deprecationPlugin } from '../plugins/deprecationPlugin';
import { loadCheckedRegistry } from '../deprecations/registry';
import { DeprecatedUsageRecorder } from '../deprecations/usageRecorder';
import { RedisBucketStore } from '../rateLimit/redisBucketStore';
import { MemoryBucketStore } from '../rateLimit/tokenBucket';
import { buildSchema } from './buildSchema';
import { createFormatError } from './formatError';
import { createHttpHandler, InFlightRequests } from './httpServer';
import { runShutdownSteps, type UnfinishedStep } from './shutdownSteps';
import { startSubscriptionServer } from './subscriptionServer';
import { EventFeed } from '../events/eventFeed';
import { msUntil } from '../deadline';

export interface GatewayServer {
  httpServer: Server;
  apollo: ApolloServer<GraphQLContext>;
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

export async function createServer(config: Config, db: Database, logger: Logger): Promise<GatewayServer> {
  const httpServer = createNodeServer();
  const schema = buildSchema();
  const accessRules = buildAccessRules(schema);
  const registry = loadCheckedRegistry(schema);
  const usageRecorder = new DeprecatedUsageRecorder(db.prisma, logger);
  const buckets = config.rateLimit.redisUrl ? new RedisBucketStore(config.rateLimit.redisUrl, logger, config.rateLimit.redisPrefix) : new MemoryBucketStore();
  const validationRules = [operationLimitsRule(config.limits)];
  const formatError = createFormatError({ exposeInternals: config.isDevelopment });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: config.isDevelopment,
    introspection: config.introspection,
    // No "Did you mean ...?" outside development: suggestions map the schema for a prober.
    hideSchemaDetailsFromClientErrors: !config.isDevelopment,
    parseOptions: { maxTokens: config.limits.maxTokens },
    validationRules,
    allowBatchedHttpRequests: config.limits.maxBatchSize > 0,
    // main.ts owns shutdown: drain HTTP first, then close the database pool.
    stopOnTerminationSignals: false,
    plugins: [
      // The cache-control plugin wraps every resolver: a third of our throughput, for a
      // feature we do not use yet.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.http.shutdownGraceMs }),
      config.isDevelopment
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
      // Policies analyse the operation before execution, in this order.
      authorizationPlugin(accessRules),
      complexityPlugin(buildCostModel(schema), config.limits.maxCost),
      ...(config.rateLimit.enabled ? [rateLimitPlugin(buckets, config.rateLimit.tiers)] : []),
      deprecationPlugin({ registry, recorder: usageRecorder, policy: config.deprecationPolicy }),
      // Last: it stores the response the other plugins have completed, and replays it.
      idempotencyPlugin(db.prisma, { ttlMs: config.idempotencyTtlMs, waitMs: 30_000 }),
      errorEnvelopePlugin(logger),
    ],
  });
  await apollo.start();
  const inFlight = new InFlightRequests();
  const eventFeed = new EventFeed(db.prisma);
  const contextDependencies = {
    prisma: db.prisma,
    dataLoaderBatching: config.dataLoaderBatching,
    accessRules,
    lowStockThreshold: config.lowStockThreshold,
    eventFeed,
  };
  const authenticate = await createAuthenticator(config.auth, db.prisma);
  httpServer.on(
    'request',
    createHttpHandler({
      apollo,
      createContext: async (request, credentials) => {
        try {
          return createContext(contextDependencies, request, await authenticate(credentials));
        } catch (error) {
          // With no context, the error envelope plugin never sees this request: stamp it here.
          if (error instanceof GraphQLError) Object.assign(error.extensions, { traceId: request.traceId });
          throw error;
        }
      },
      isReady: () => db.isReachable(),
      maxBodyBytes: config.http.maxBodyBytes,
      maxDocumentBytes: config.limits.maxDocumentBytes,
      maxBatchSize: config.limits.maxBatchSize,
      logger,
      inFlight,
    }),
  );
  const subscriptions = startSubscriptionServer({
    httpServer,
    schema,
    accessRules,
    validationRules,
    maxTokens: config.limits.maxTokens,
    authenticate,
    createContext: (request, viewer) => createContext(contextDependencies, request, viewer),
    formatError: (error) => formatError(error.toJSON(), error),
  });
  return {
    httpServer,
    apollo,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.http.port, config.http.host, () => {
          const { address, port } = httpServer.address() as AddressInfo;
          const host = address.includes(':') ? `[${address}]` : address;
          resolve(`http://${host}:${port}/graphql`);
        });
      }),
    async stop({ deadline = Date.now() + config.http.shutdownGraceMs } = {}) {
      // The drain plugin waits at most its own grace period, which starts later: this cuts
      // off the requests still running (a database that hangs) at the caller's deadline.
      const cutOff = setTimeout(() => httpServer.closeAllConnections(), msUntil(deadline));
      try {
        return await runShutdownSteps(deadline, [
          ['subscriptions', () => subscriptions.close()],
          ['event feed', () => eventFeed.close()],
          ['http drain', () => apollo.stop()],
          // The drain plugin stops waiting for a request once its client disconnects; its
          // resolvers may still be using the database, which the caller closes next.
          ['in-flight requests', () => inFlight.drained(msUntil(deadline))],
          ['rate-limit buckets', () => buckets.close()],
          ['deprecated-usage flush', () => usageRecorder.flush()],
        ]);
      } finally {
        clearTimeout(cutOff);
      }
    },
  };
}
