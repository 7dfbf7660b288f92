import pino from 'pino';
import { quotaPolicy } from '../../../src/policies/quotaPolicy';
import type { ByPeriod, QuotaPeriod } from '../../../src/quota/quotaPeriods';
import type { QuotaStore } from '../../../src/quota/quotaStore';
import { Quotas } from '../../../src/quota/quotas';
import { requestStateFor, viewerOf } from '../../helpers/requestStates';

/** A store in memory that records the calls made to it: what the policy asks of the backend. */
class RecordingStore implements QuotaStore {
  readonly calls: string[] = [];
  readonly counts = new Map<string, number>();
  failing = false;

  async read(apiKeyId: number, periods: ByPeriod<QuotaPeriod>) {
    this.calls.push(`read ${apiKeyId}`);
    if (this.failing) throw new Error('store down');
    return this.totals(apiKeyId, periods);
  }

  async charge(apiKeyId: number, cost: number, periods: ByPeriod<QuotaPeriod>) {
    this.calls.push(`charge ${apiKeyId} ${cost}`);
    if (this.failing) throw new Error('store down');
    for (const { start } of [periods.day, periods.month]) this.counts.set(`${apiKeyId}:${start}`, (this.counts.get(`${apiKeyId}:${start}`) ?? 0) + cost);
    return this.totals(apiKeyId, periods);
  }

  private totals(apiKeyId: number, periods: ByPeriod<QuotaPeriod>) {
    return { day: this.counts.get(`${apiKeyId}:${periods.day.start}`) ?? 0, month: this.counts.get(`${apiKeyId}:${periods.month.start}`) ?? 0 };
  }

  async close() {}
}

const NOW = Date.parse('2026-11-27T23:00:00Z');
const keyViewer = (daily: number | null) => viewerOf([], { kind: 'service', rateTier: 'standard', apiKey: { id: 7, quota: { daily, monthly: null } } });

function setUp() {
  const store = new RecordingStore();
  const lines: string[] = [];
  const quotas = new Quotas(store, { standard: { daily: 1_000 } }, pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }), () => NOW);
  return { store, quotas, lines, policy: quotaPolicy(quotas) };
}

describe('quota policy', () => {
  it('asks nothing of the store for a user, and adds nothing to the response', async () => {
    const { store, policy } = setUp();
    const state = requestStateFor('{ products { totalCount } }');
    await policy.prepare!(state);
    state.cost = { requestedQueryCost: 5, actualQueryCost: 5, maximumQueryCost: 1_000 };
    const body = {};
    await policy.complete!(state, body);
    expect(store.calls).toEqual([]);
    expect(body).toEqual({});
    expect(state.http.headers.size).toBe(0);
  });

  it("reads the key's usage before execution and charges the actual cost after it, not the estimate", async () => {
    const { store, quotas, policy } = setUp();
    const state = requestStateFor('{ products { totalCount } }', { viewer: keyViewer(50) });
    await policy.prepare!(state);
    state.cost = { requestedQueryCost: 40, actualQueryCost: 12, maximumQueryCost: 1_000 };
    const body: { extensions?: Record<string, any> } = {};
    await policy.complete!(state, body);
    await quotas.settled();
    expect(store.calls).toEqual(['read 7', 'charge 7 12']);
    expect(body.extensions?.quota.day).toEqual({ limit: 50, used: 12, remaining: 38, resetAt: '2026-11-28T00:00:00.000Z' });
    expect(Object.fromEntries(state.http.headers)).toEqual({
      'x-quota-limit': '50',
      'x-quota-remaining': '38',
      'x-quota-reset': '3600',
      'x-quota-period': 'day',
    });
  });

  it('refuses a used-up period with QUOTA_EXCEEDED, 429 and Retry-After until the reset, and charges nothing for the refusal', async () => {
    const { store, quotas, policy } = setUp();
    store.counts.set('7:2026-11-27', 50);
    const state = requestStateFor('{ products { totalCount } }', { viewer: keyViewer(50) });
    await expect(policy.prepare!(state)).rejects.toMatchObject({
      extensions: { code: 'QUOTA_EXCEEDED', period: 'day', limit: 50, used: 50, retryAfterSeconds: 3600, http: { status: 429 } },
    });
    state.refusedBy = 'quota';
    await policy.complete!(state, {});
    await quotas.settled();
    expect(store.calls).toEqual(['read 7']);
  });

  it("charges nothing for a replay of an idempotent mutation's stored response: nothing ran", async () => {
    const { store, quotas, policy } = setUp();
    const state = requestStateFor('mutation { cancelOrder(id: "T3JkZXI6MQ") { order { id } } }', { viewer: keyViewer(50) });
    await policy.prepare!(state);
    state.idempotency = { replay: { status: 200, body: { data: { cancelOrder: { order: { id: 'T3JkZXI6MQ' } } } } } };
    state.cost = { requestedQueryCost: 11, actualQueryCost: 11, maximumQueryCost: 1_000 };
    const body: { extensions?: Record<string, any> } = {};
    await policy.complete!(state, body);
    await quotas.settled();
    expect(store.calls).toEqual(['read 7']);
    expect(body.extensions?.quota.day).toMatchObject({ used: 0, remaining: 50 });
  });

  it('fails open when the store fails: served, not charged, no quota reported, one warning', async () => {
    const { store, quotas, policy, lines } = setUp();
    store.failing = true;
    for (let i = 0; i < 3; i++) {
      const state = requestStateFor('{ products { totalCount } }', { viewer: keyViewer(1) });
      await policy.prepare!(state);
      state.cost = { requestedQueryCost: 1, actualQueryCost: 1, maximumQueryCost: 1_000 };
      const body = {};
      await policy.complete!(state, body);
      expect(body).toEqual({});
    }
    quotas.charge(7, 5, quotas.periods());
    await quotas.settled();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('the quota store is unavailable');
  });
});
