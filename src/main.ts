import type pino from 'pino';
import { MissingAccessRulesError } from './auth/accessRules';
import { DeprecationRegistryError } from './deprecations/registry';
import { ConfigError, loadConfig } from './config';
import { ManifestError } from './persistedDocuments/manifest';
import { EmbeddedDatabaseInUseError } from './db/dataDirLock';
import { DatabaseSetupError, openDatabase } from './db/openDatabase';
import { OutboxDispatcher } from './events/dispatcher';
import { NatsPublisher } from './events/natsPublisher';
import { createLogger } from './observability/logger';
import { otlpSpanProcessor, startTracing } from './observability/tracingSdk';
import { createServer } from './server/createServer';
import { runShutdownSteps } from './server/shutdownSteps';

async function main(): Promise<void> {
  const config = loadConfig();
  const { observability } = config;
  const logger = createLogger({ level: config.logLevel, logVariables: observability.logVariables });
  const tracing =
    observability.tracing === 'otlp'
      ? startTracing({ spanProcessor: await otlpSpanProcessor(), serviceName: observability.serviceName, sampleRatio: observability.tracingSampleRatio })
      : undefined;
  const db = await openDatabase(config, logger);
  const server = await createServer(config, db, logger);
  const url = await server.listen();
  logger.info(
    { url, batching: config.dataLoaderBatching, metrics: server.metricsUrl ?? 'not served', tracing: observability.tracing },
    `orders gateway ready at ${url}`,
  );
  if (observability.metrics && observability.metricsAccess.kind === 'none') {
    logger.warn('GET /metrics is not served: in production set METRICS_PORT (a port of its own) or METRICS_TOKEN (a bearer token), or METRICS=off');
  }
  const dispatcher = startOutboxDispatcher(config, db.prisma, logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // One deadline for every step, whatever the database does meanwhile.
    const graceMs = config.http.shutdownGraceMs;
    const deadline = Date.now() + graceMs;
    logger.info({ signal, graceMs }, 'shutting down: draining in-flight requests');
    const serverUnfinished = await server.stop({ deadline });
    if (serverUnfinished.length === 0) logger.info('http server drained');
    const databaseUnfinished = await runShutdownSteps(deadline, [
      ['outbox dispatcher', async () => dispatcher?.stop()],
      ['database', () => db.close({ deadline })],
    ]);
    if (databaseUnfinished.length === 0) logger.info('database closed');
    // Spans still buffered are exported, within what is left of the deadline.
    const tracingUnfinished = await runShutdownSteps(deadline, [['trace export', async () => tracing?.shutdown()]]);
    const unfinished = [...serverUnfinished, ...databaseUnfinished, ...tracingUnfinished];
    if (unfinished.length === 0) {
      logger.info('shut down cleanly');
      exitAfterLogs(logger, 0);
      return;
    }
    const steps = unfinished.map((u) => u.step).join(', ');
    logger.warn({ unfinished }, `shut down within SHUTDOWN_GRACE_MS (${graceMs} ms) by cutting short: ${steps}`);
    exitAfterLogs(logger, 1);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** The log is written asynchronously: what is buffered goes out before the process ends. */
function exitAfterLogs(logger: pino.Logger, code: number): void {
  logger.flush(() => process.exit(code));
}

/**
 * With NATS_URL, publishes the outbox to JetStream; without, events stay recorded in the outbox.
 * NATS unreachable at start does not stop the gateway (requests never need the broker; a
 * replica restarted during a broker outage must still serve): the publisher connects in the
 * background while events wait in the outbox. A malformed NATS_URL fails at loadConfig.
 */
function startOutboxDispatcher(config: ReturnType<typeof loadConfig>, prisma: Parameters<typeof createServer>[1]['prisma'], logger: pino.Logger) {
  const { natsUrl, stream, subjectPrefix, ...options } = config.outbox;
  if (!natsUrl) {
    logger.info('NATS_URL is unset: events are recorded in the outbox, not published');
    return undefined;
  }
  const publisher = NatsPublisher.connectInBackground({ url: natsUrl, stream, subjectPrefix }, logger);
  const dispatcher = new OutboxDispatcher(prisma, publisher, { ...options, baseBackoffMs: 1_000 }, logger);
  dispatcher.start();
  logger.info({ stream, subjectPrefix }, 'publishing outbox events to NATS JetStream');
  return dispatcher;
}

main().catch((error: unknown) => {
  const setupErrors = [ConfigError, DatabaseSetupError, EmbeddedDatabaseInUseError, MissingAccessRulesError, DeprecationRegistryError, ManifestError];
  if (setupErrors.some((type) => error instanceof type)) {
    console.error((error as Error).message);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
