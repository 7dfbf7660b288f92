import Redis from 'ioredis';

/**
 * A Redis client for shared state (rate-limit buckets, quota usage, the response cache, the APQ
 * store) that never makes a request wait long on Redis: each command fails after `timeoutMs`,
 * is not retried, and is not queued while disconnected unless `queueWhileConnecting` (commands
 * sent just after start-up then wait for the connection, within the same timeout). It
 * reconnects in the background. Errors are reported by each caller, which decides what a failed
 * command means (fall back, bypass, fail open): the client's own error events are dropped.
 */
export function connectRedis(
  url: string,
  { timeoutMs = 250, queueWhileConnecting = false }: { timeoutMs?: number; queueWhileConnecting?: boolean } = {},
): Redis {
  const redis = new Redis(url, {
    commandTimeout: timeoutMs,
    connectTimeout: 2_000,
    enableOfflineQueue: queueWhileConnecting,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  redis.on('error', () => undefined);
  return redis;
}
