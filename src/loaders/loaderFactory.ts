import DataLoader from 'dataloader';
import { recordQuery, type DatabaseWork } from '../db/databaseWork';
import { inSpan } from '../observability/tracing';

/**
 * Builds the per-request DataLoaders. Every loader is positional (one value per key, in key
 * order) and runs one query per batch. `batch: false` is the documented diagnostic setting
 * DATALOADER_BATCHING=off: each key then costs its own query, which the benchmark measures.
 */
export interface LoaderFactory {
  /** At most one row per key, e.g. productById; a missing row is null. */
  one<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V | null>;
  /** Every row of a key, e.g. itemsByOrderId; rows keep the order `fetch` returned them in. */
  many<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V[]>;
  /**
   * One `many` loader per distinct argument set, for paged lists under each parent
   * (Customer.orders(first:, filter:)): parents asked with the same arguments share a batch.
   */
  manyPerArgs<A, K, V>(fetch: (args: A, keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): (args: A, argsKey: string) => DataLoader<K, V[]>;
}

export function createLoaderFactory({ batch, work }: { batch: boolean; work: DatabaseWork }): LoaderFactory {
  const options = { batch };
  const run = <K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keys: readonly K[]) => {
    work.batches += 1;
    work.batchSizes.push(keys.length);
    return inSpan('dataloader.batch', { 'dataloader.keys': keys.length }, async (span) => {
      const rows = await recordQuery(work, fetch(keys));
      span.setAttribute('dataloader.rows', rows.length);
      return rows;
    });
  };
  const factory: LoaderFactory = {
    one: (fetch, keyOf) =>
      new DataLoader(async (keys) => {
        const byKey = new Map((await run(fetch, keys)).map((row) => [keyOf(row), row]));
        return keys.map((key) => byKey.get(key) ?? null);
      }, options),
    many: (fetch, keyOf) =>
      new DataLoader(async (keys) => {
        const groups = new Map(keys.map((key) => [key, [] as Array<Awaited<ReturnType<typeof fetch>>[number]>]));
        for (const row of await run(fetch, keys)) groups.get(keyOf(row))?.push(row);
        return keys.map((key) => groups.get(key)!);
      }, options),
    manyPerArgs<A, K, V>(fetch: (args: A, keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K) {
      const loaders = new Map<string, DataLoader<K, V[]>>();
      return (args: A, argsKey: string) => {
        let loader = loaders.get(argsKey);
        if (!loader) {
          loader = factory.many((keys) => fetch(args, keys), keyOf);
          loaders.set(argsKey, loader);
        }
        return loader;
      };
    },
  };
  return factory;
}
