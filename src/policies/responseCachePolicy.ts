import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CacheHints } from '../caching/cacheHints';
import { cacheControlOf, entityTagOf } from '../caching/httpCaching';
import { tagsOfEvents, tagsOfSelection } from '../caching/invalidation';
import type { CachedResponse, ResponseCacheStore } from '../caching/responseCacheStore';
import { ErrorCode } from '../errors';
import type { GatewayMetrics } from '../observability/metrics';
import type { Policy } from '../pipeline/pipeline';
import type { CacheStatus, RequestState, ResponseBody } from '../pipeline/requestState';

export interface ResponseCacheOptions {
  hints: CacheHints;
  /** Absent: RESPONSE_CACHE=off; responses still get their Cache-Control and ETag. */
  store: ResponseCacheStore | undefined;
  maxEntryBytes: number;
  staleIfErrorSeconds: number;
  metrics: GatewayMetrics | undefined;
  logger: Logger;
  now?: () => number;
}

/**
 * HTTP caching and the response cache, one step of the pipeline after the rate limit (a hit is
 * charged like any request) and idempotency. Before execution it derives the operation's cache
 * policy from its selection (cached with the analysis: no resolver is wrapped) and, for a query
 * every field of which this viewer may read, looks its response up under the operation, its
 * coerced variables and its visibility class (the scopes its fields require): a fresh entry
 * answers without executing. After execution it stores a cacheable response without errors,
 * serves the stale entry instead when the database failed (stale-if-error), retires the entries
 * a mutation's outbox events change before the mutation's response leaves, and sets
 * Cache-Control, ETag and `extensions.cacheStatus`.
 */
export function responseCachePolicy(options: ResponseCacheOptions): Policy {
  const { hints, store, maxEntryBytes, staleIfErrorSeconds, metrics, logger, now = Date.now } = options;
  let lastWarning = 0;
  const warn = (error: unknown, what: string) => {
    if (now() - lastWarning < 60_000) return;
    lastWarning = now();
    logger.warn({ err: error }, `the response cache could not ${what}: requests bypass it until it answers`);
  };

  const invalidate = async (eventTypes: readonly string[]) => {
    if (!store || eventTypes.length === 0) return;
    try {
      await store.invalidate(tagsOfEvents(eventTypes));
      metrics?.countCacheInvalidation('mutation');
    } catch (error) {
      warn(error, 'invalidate entries');
    }
  };

  return {
    name: 'cache',
    async prepare(state) {
      const { analysis, request, source, operationName } = state.operation!;
      const policy = request.cached('cachePolicy', () => hints.policyOf(analysis.operationType, request.coordinates.fields));
      state.cachePolicy = policy;
      state.cache = { status: 'bypass' };
      if (!store || policy.maxAge === 0 || policy.scope === 'PRIVATE' || state.authorization?.denied.size) return;
      const documentHash = analysis.cached('documentHash', () => createHash('sha256').update(source).digest('hex'));
      const key = request.cached('cacheKey', () =>
        createHash('sha256')
          .update(JSON.stringify([policy.requiredScopes, documentHash, operationName ?? null, request.variables]))
          .digest('hex'),
      );
      const tags = request.cached('cacheTags', () => tagsOfSelection(request.coordinates.fields));
      let lookup;
      try {
        lookup = await store.read(key, tags);
      } catch (error) {
        warn(error, 'be read');
        return;
      }
      const { entry, generations } = lookup;
      const current = entry !== undefined && entry.generations.length === generations.length && entry.generations.every((g, i) => g === generations[i]);
      const age = entry ? now() - entry.storedAt : 0;
      const maxAgeMs = Math.min(entry?.maxAge ?? 0, policy.maxAge) * 1000;
      if (current && age < maxAgeMs) {
        state.cache = { status: 'hit', entry };
        return;
      }
      const stale = current && age < maxAgeMs + staleIfErrorSeconds * 1000 ? entry : undefined;
      state.cache = { status: 'miss', key, generations, entry: stale };
    },
    async complete(state, body) {
      const cache = state.cache;
      if (!cache) return; // refused before it was analysed
      if (state.work.events.length) {
        // The mutation's transactions are over: its changes are committed (or rolled back,
        // and then retiring entries costs a miss, nothing more).
        if (state.lateOutcome) void state.lateOutcome.finally(() => invalidate(state.work.events));
        else await invalidate(state.work.events);
      }
      let etag: string | undefined;
      if (cache.status === 'hit') {
        etag = cache.entry!.etag;
        state.http.headers.set('age', String(Math.max(0, Math.floor((now() - cache.entry!.storedAt) / 1000))));
      } else if (cache.status === 'miss' && cache.entry && databaseFailed(body)) {
        // stale-if-error: the last good answer, said to be one, instead of an error.
        const ageSeconds = Math.floor((now() - cache.entry.storedAt) / 1000);
        state.http.headers.set('age', String(ageSeconds));
        body.data = JSON.parse(cache.entry.data) as Record<string, unknown>;
        delete body.errors;
        cache.status = 'stale';
        body.extensions = {
          ...body.extensions,
          warnings: [
            ...((body.extensions?.warnings as unknown[] | undefined) ?? []),
            {
              code: 'STALE_RESPONSE',
              message: `The database is unavailable: this response is the one cached ${ageSeconds} s ago, served stale (at most ${staleIfErrorSeconds} s past its max-age).`,
              ageSeconds,
            },
          ],
        };
      } else if (cache.status === 'miss' && body.data && !body.errors?.length && state.cachePolicy!.maxAge > 0) {
        const data = JSON.stringify(body.data);
        etag = entityTagOf(data);
        if (Buffer.byteLength(data) <= maxEntryBytes) {
          const entry: CachedResponse = { data, etag, storedAt: now(), maxAge: state.cachePolicy!.maxAge, generations: [...cache.generations!] };
          try {
            await store!.write(cache.key!, entry, (entry.maxAge + staleIfErrorSeconds) * 1000);
          } catch (error) {
            warn(error, 'be written');
          }
        }
      }
      const cacheControl = cacheControlOf(state, body, staleIfErrorSeconds);
      if (cacheControl !== 'no-store') {
        state.http.headers.set('etag', etag ?? entityTagOf(JSON.stringify(body.data ?? null)));
        // A browser's cache keeps one copy per URL: not the copy of another token's viewer, nor
        // the media type negotiated for another Accept (application/json or graphql-response+json).
        state.http.headers.set('vary', 'accept, authorization, x-api-key');
      }
      state.http.headers.set('cache-control', cacheControl);
      body.extensions = { ...body.extensions, cacheStatus: cache.status satisfies CacheStatus };
      metrics?.countCacheResult(cache.status);
    },
  };
}

/** The database failed and nothing was answered: what stale-if-error stands in for. */
function databaseFailed(body: ResponseBody): boolean {
  const unavailable = body.errors?.some((error) => error.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE);
  return Boolean(unavailable) && (!body.data || Object.values(body.data).every((value) => value === null));
}

/** The body a hit answers with, before the later steps complete it (cost, cacheStatus, ...). */
export function cachedBodyOf(state: RequestState): ResponseBody | undefined {
  return state.cache?.status === 'hit' ? { data: JSON.parse(state.cache.entry!.data) as Record<string, unknown> } : undefined;
}
