import { MemoryResponseCacheStore, type CachedResponse } from '../../../src/caching/responseCacheStore';

const entry = (data: string, generations: number[] = [0]): CachedResponse => ({ data, etag: '"e"', storedAt: 0, maxAge: 60, generations });

describe('MemoryResponseCacheStore', () => {
  it('stays within its byte bound, evicting the least recently used entries first', async () => {
    const store = new MemoryResponseCacheStore(3_100); // three entries of 1,008 bytes
    for (const key of ['a', 'b', 'c', 'd']) await store.write(key, entry('x'.repeat(400)), 60_000);
    expect(store.size.bytes).toBeLessThanOrEqual(3_100);
    expect((await store.read('a', [])).entry).toBeUndefined();
    await store.read('b', []); // b is now the most recently used
    await store.write('e', entry('x'.repeat(400)), 60_000);
    expect((await store.read('b', [])).entry).toBeDefined();
    expect((await store.read('c', [])).entry).toBeUndefined();
  });

  it('never holds an entry larger than the whole bound', async () => {
    const store = new MemoryResponseCacheStore(1_000);
    await store.write('big', entry('x'.repeat(1_000)), 60_000);
    expect(store.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('drops an entry once its time to live is over', async () => {
    let now = 0;
    const store = new MemoryResponseCacheStore(10_000, () => now);
    await store.write('k', entry('{}'), 1_000);
    now = 999;
    expect((await store.read('k', [])).entry).toBeDefined();
    now = 1_000;
    expect((await store.read('k', [])).entry).toBeUndefined();
    expect(store.size.entries).toBe(0);
  });

  it('bumps the generation of each invalidated tag, and only those', async () => {
    const store = new MemoryResponseCacheStore(10_000);
    await store.invalidate(['Product.totalAvailable']);
    await store.invalidate(['Product.totalAvailable', '*']);
    expect((await store.read('k', ['*', 'Product.totalAvailable', 'InventoryLevel.onHand'])).generations).toEqual([1, 2, 0]);
  });
});
