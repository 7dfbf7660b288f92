import { MemoryBucketStore } from '../../src/rateLimit/tokenBucket';

describe('MemoryBucketStore', () => {
  const limits = { bucketSize: 100, restoreRate: 10 };

  it('takes points while the bucket holds them, then refuses with the seconds until it would', async () => {
    let now = 0;
    const store = new MemoryBucketStore(() => now);
    expect(await store.take('a', 60, limits)).toEqual({ allowed: true, available: 40, retryAfterSeconds: 0 });
    expect(await store.take('a', 60, limits)).toEqual({ allowed: false, available: 40, retryAfterSeconds: 2 });
    now += 2_000; // +20 points
    expect(await store.take('a', 60, limits)).toEqual({ allowed: true, available: 0, retryAfterSeconds: 0 });
  });

  it('refills at the restore rate up to the bucket size, and refunds up to it', async () => {
    let now = 0;
    const store = new MemoryBucketStore(() => now);
    await store.take('a', 100, limits);
    now += 5_000;
    expect(await store.refund('a', 10, limits)).toBe(60);
    expect(await store.refund('a', 1_000, limits)).toBe(100);
  });

  it('keeps clients apart and bounds its memory', async () => {
    const store = new MemoryBucketStore(() => 0, 2);
    await store.take('a', 100, limits);
    await store.take('b', 100, limits);
    await store.take('c', 100, limits); // evicts a: a missing bucket is a full one
    expect((await store.take('a', 100, limits)).allowed).toBe(true);
    expect((await store.take('c', 1, limits)).allowed).toBe(false);
  });
});
