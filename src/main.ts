import pino from 'pino';
import { MissingAccessRulesError } from './auth/accessRules';
import { ConfigError, loadConfig } from './config';
import { DatabaseSetupError, openDatabase } from './db/openDatabase';
import { createServer } from './server/createServer';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const db = await openDatabase(config, logger);
  const server = await createServer(config, db, logger);
  const url = await server.listen();
  logger.info({ url, batching: config.dataLoaderBatching }, `orders gateway ready at ${url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    try {
      await server.stop();
      logger.info('http server drained');
      await db.close();
      logger.info('database closed');
      logger.info('shut down cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseSetupError || error instanceof MissingAccessRulesError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
