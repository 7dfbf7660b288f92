import type { Logger } from 'pino';
import type { EventFeed } from '../events/eventFeed';
import type { GatewayMetrics } from '../observability/metrics';
import { tagsOfEvents } from './invalidation';
import type { ResponseCacheStore } from './responseCacheStore';

/**
 * Retires this replica's cached responses when any writer's outbox event commits (another
 * replica's mutation), within a poll of the outbox; this replica's own mutations retire theirs
 * before their response leaves (responseCachePolicy). Starts following the outbox as soon as the
 * database answers, retrying until then, so that a gateway starts without its database. Its feed
 * should poll on a pool of its own (createServer gives it one connection).
 */
export function followOutboxInvalidations(
  feed: EventFeed,
  store: ResponseCacheStore,
  { metrics, logger, retryMs = 1_000 }: { metrics: GatewayMetrics | undefined; logger: Logger; retryMs?: number },
): { stop(): void } {
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const start = () => {
    feed
      .listen((event) => {
        store.invalidate(tagsOfEvents([event.type])).then(
          () => metrics?.countCacheInvalidation('event'),
          (error: unknown) => logger.warn({ err: error, eventId: event.id }, 'could not invalidate cached responses for an event'),
        );
      })
      .then(
        (stop) => {
          if (stopped) stop();
          else unsubscribe = stop;
        },
        (error: unknown) => {
          if (stopped) return;
          logger.debug({ err: error }, 'the outbox cannot be followed yet: retrying');
          retry = setTimeout(start, retryMs);
          retry.unref();
        },
      );
  };
  start();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      unsubscribe?.();
    },
  };
}
