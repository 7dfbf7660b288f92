import { loadConfig } from '../../../src/config';
import { quotaPeriodsAt } from '../../../src/quota/quotaPeriods';
import { quotaLimitsOf, quotaStatus } from '../../../src/quota/quotas';

describe('quota periods', () => {
  it('are the UTC day and the UTC calendar month, whatever the time of day', () => {
    expect(quotaPeriodsAt(Date.parse('2028-02-29T23:59:59.999Z'))).toEqual({
      day: { name: 'day', start: '2028-02-29', resetAt: Date.parse('2028-03-01T00:00:00Z') },
      month: { name: 'month', start: '2028-02-01', resetAt: Date.parse('2028-03-01T00:00:00Z') },
    });
    expect(quotaPeriodsAt(Date.parse('2026-12-31T00:00:00Z'))).toEqual({
      day: { name: 'day', start: '2026-12-31', resetAt: Date.parse('2027-01-01T00:00:00Z') },
      month: { name: 'month', start: '2026-12-01', resetAt: Date.parse('2027-01-01T00:00:00Z') },
    });
  });
});

describe('quota limits', () => {
  const tiers = { standard: { daily: 100, monthly: 1_000 }, premium: { daily: null, monthly: 5_000 } };

  it("are a key's own overrides, else its tier's, else standard's for a tier not configured", () => {
    expect(quotaLimitsOf(tiers, 'premium', { daily: null, monthly: null })).toEqual({ tier: 'premium', limits: { day: null, month: 5_000 } });
    expect(quotaLimitsOf(tiers, 'premium', { daily: 7, monthly: null })).toEqual({ tier: 'premium', limits: { day: 7, month: 5_000 } });
    expect(quotaLimitsOf(tiers, 'gold', { daily: null, monthly: null })).toEqual({ tier: 'standard', limits: { day: 100, month: 1_000 } });
    expect(quotaLimitsOf(tiers, 'toString', { daily: null, monthly: null }).tier).toBe('standard');
  });

  it('report the tightest limited period: the least remaining, the month on a tie', () => {
    const periods = quotaPeriodsAt(Date.parse('2026-11-27T12:00:00Z'));
    const subject = { apiKeyId: 1, tier: 'standard', limits: { day: 100, month: 1_000 } };
    expect(quotaStatus(subject, { day: 10, month: 500 }, periods).tightest).toBe('day');
    expect(quotaStatus(subject, { day: 10, month: 950 }, periods).tightest).toBe('month');
    expect(quotaStatus(subject, { day: 100, month: 1_000 }, periods).tightest).toBe('month');
    expect(quotaStatus({ ...subject, limits: { day: null, month: null } }, { day: 10, month: 10 }, periods).tightest).toBeUndefined();
    expect(quotaStatus(subject, { day: 130, month: 130 }, periods).status.day).toEqual({
      limit: 100,
      used: 130,
      remaining: 0,
      resetAt: '2026-11-28T00:00:00.000Z',
    });
  });
});

describe('quota settings', () => {
  it('default to standard and premium quotas, overridden per tier by QUOTA_TIERS', () => {
    expect(loadConfig({}).quota).toMatchObject({
      enabled: true,
      tiers: { standard: { daily: 5_000_000, monthly: 100_000_000 } },
      redisPrefix: 'gateway:quota:',
    });
    const config = loadConfig({ QUOTA: 'off', QUOTA_TIERS: '{"standard":{"daily":10,"monthly":null},"bff":{"monthly":99}}' });
    expect(config.quota.enabled).toBe(false);
    expect(config.quota.tiers).toMatchObject({ standard: { daily: 10, monthly: null }, bff: { monthly: 99 }, premium: { daily: 50_000_000 } });
  });

  it('keep the periods a QUOTA_TIERS tier does not name: lowering a daily quota leaves the monthly one', () => {
    const { tiers } = loadConfig({ QUOTA_TIERS: '{"standard":{"daily":100},"premium":{"monthly":null}}' }).quota;
    expect(tiers.standard).toEqual({ daily: 100, monthly: 100_000_000 });
    expect(tiers.premium).toEqual({ daily: 50_000_000, monthly: null });
  });

  it.each(['not json', '{"standard":{"daily":0}}', '{"standard":{"daily":1.5}}', '{"standard":{"dayly":10}}', '{"standard":10}'])(
    'refuses QUOTA_TIERS=%s, saying what it accepts',
    (value) => {
      expect(() => loadConfig({ QUOTA_TIERS: value })).toThrow(/QUOTA_TIERS=.*must be JSON like \{"standard":\{"daily":5000000,"monthly":100000000\}\}/);
    },
  );
});
