import { percentile, summarize } from '../../../bench/mixed/latency';
import { classify, MIX, pickOperation } from '../../../bench/mixed/mixedWorkload';
import { mulberry32 as seededRandom } from '../../../src/db/seed';

describe('percentile', () => {
  it('is the nearest rank: the smallest value with at least p% of the values at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect([50, 95, 99, 100].map((p) => percentile(values, p))).toEqual([50, 95, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarize', () => {
  it('counts every outcome as a request, and divides by the seconds the load ran', () => {
    const summary = summarize(
      'placeOrder',
      {
        latenciesMs: [10, 20, 30],
        outcomes: new Map([
          ['ok', 2],
          ['SERVICE_UNAVAILABLE', 1],
          ['NETWORK_ERROR', 1],
        ]),
      },
      2,
    );
    expect(summary).toMatchObject({ requests: 4, requestsPerSecond: 2, p50Ms: 20, outcomes: { NETWORK_ERROR: 1, SERVICE_UNAVAILABLE: 1, ok: 2 } });
  });
});

describe('the mix', () => {
  it('sends 80% reads, 15% placeOrder and 5% status changes, the same choices for the same seed', () => {
    const random = seededRandom(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const operation = pickOperation(random);
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
    }
    for (const { operation, weight } of MIX) expect(Math.abs(counts.get(operation)! / 20_000 - weight / 100)).toBeLessThan(0.015);
    const again = seededRandom(1);
    const first = seededRandom(1);
    expect(Array.from({ length: 5 }, () => pickOperation(again))).toEqual(Array.from({ length: 5 }, () => pickOperation(first)));
  });
});

describe('classify', () => {
  it('retries what the gateway says to retry, with the same key, and nothing else', () => {
    expect(classify(503, { errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE' } }] })).toMatchObject({ outcome: 'SERVICE_UNAVAILABLE', retryable: true });
    expect(classify(409, { errors: [{ extensions: { code: 'IDEMPOTENCY_KEY_IN_PROGRESS' } }] })).toMatchObject({ retryable: true });
    expect(classify(429, { errors: [{ extensions: { code: 'RATE_LIMITED' } }] })).toMatchObject({ outcome: 'RATE_LIMITED', retryable: false });
    expect(classify(502, {})).toMatchObject({ outcome: 'http:502', retryable: true });
  });

  it("names a mutation's user error by its code, and a clean answer ok", () => {
    const refused = { data: { placeOrder: { order: null, userErrors: [{ code: 'INSUFFICIENT_STOCK' }] } } };
    expect(classify(200, refused)).toMatchObject({ outcome: 'user:INSUFFICIENT_STOCK', retryable: false });
    expect(classify(200, { data: { placeOrder: { order: { id: 'T3JkZXI6MQ', status: 'PENDING' }, userErrors: [] } } })).toMatchObject({ outcome: 'ok' });
  });
});
