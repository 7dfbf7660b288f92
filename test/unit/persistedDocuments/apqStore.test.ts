import pino from 'pino';
import { createApqStore, ENTRY_OVERHEAD_BYTES } from '../../../src/persistedDocuments/apqStore';

const settings = { enabled: true, redisUrl: undefined, redisPrefix: 'unused:', maxBytes: 100_000, ttlSeconds: 60 };
const logger = pino({ level: 'silent' });

describe('the in-process APQ store', () => {
  it('holds at most maxBytes, counting the overhead of each entry: many tiny documents evict the oldest', async () => {
    const store = createApqStore(settings, logger)!;
    const documents = Array.from({ length: 1_000 }, (_, i) => `{ a${i} }`);
    for (const [i, document] of documents.entries()) await store.cache.set(`apq:${i}`, document);
    const kept = (await Promise.all(documents.map((_, i) => store.cache.get(`apq:${i}`)))).filter((d) => d !== undefined);
    const bytes = kept.reduce((sum, d) => sum + Buffer.byteLength(d!) + ENTRY_OVERHEAD_BYTES, 0);
    expect(bytes).toBeLessThanOrEqual(settings.maxBytes);
    expect(kept.length).toBeGreaterThan(250);
    expect(await store.cache.get('apq:0')).toBeUndefined(); // the least recently used went first
    expect(await store.cache.get('apq:999')).toBe('{ a999 }');
  });

  it('keeps no document larger than the whole store', async () => {
    const store = createApqStore(settings, logger)!;
    await store.cache.set('apq:large', 'x'.repeat(settings.maxBytes));
    expect(await store.cache.get('apq:large')).toBeUndefined();
  });

  it('is absent with PERSISTED_QUERIES=off', () => {
    expect(createApqStore({ ...settings, enabled: false }, logger)).toBeUndefined();
  });
});
