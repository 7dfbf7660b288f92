import { QuotaExceededError } from '../errors';
import type { Policy } from '../pipeline/pipeline';
import { quotaStatus, type Quotas } from '../quota/quotas';

/**
 * Daily and monthly cost quotas of API keys, beside rate limits: a rate limit smooths bursts, a
 * quota caps what a key consumes in a UTC day and a UTC month. Before execution, a key whose
 * period is used up is refused with 429 QUOTA_EXCEEDED and Retry-After until the period ends (a
 * read of the shared count); after execution the operation's actual cost is added, off the
 * response path. The operation that crosses the limit runs, so a period can end above its limit
 * by what was running then. Every API-key response reports both periods in `extensions.quota`
 * and the tightest one in the X-Quota-* headers. Users and anonymous clients are not concerned:
 * nothing runs for them. A subscription is checked when it starts; its events are not charged.
 */
export function quotaPolicy(quotas: Quotas): Policy {
  return {
    name: 'quota',
    async prepare(state) {
      const subject = quotas.subjectOf(state.viewer);
      if (!subject) return;
      const periods = quotas.periods();
      const used = await quotas.usage(subject.apiKeyId, periods);
      if (!used) return; // the store is unavailable: fail open (logged by Quotas)
      state.quota = { subject, periods, used };
      const exhausted = (['month', 'day'] as const).find((name) => {
        const limit = subject.limits[name];
        return limit !== null && used[name] >= limit;
      });
      if (!exhausted) return;
      const { resetAt } = periods[exhausted];
      const retryAfterSeconds = Math.max(1, Math.ceil((resetAt - quotas.now()) / 1000));
      throw new QuotaExceededError(exhausted, subject.limits[exhausted]!, used[exhausted], resetAt, retryAfterSeconds);
    },
    complete(state, body) {
      if (!state.quota) return;
      const { subject, periods, used } = state.quota;
      // A refusal ran nothing; a replay of an idempotent mutation's stored response ran nothing either.
      const replayed = state.idempotency !== undefined && 'replay' in state.idempotency;
      const actual = state.refusedBy || replayed ? 0 : (state.cost?.actualQueryCost ?? 0);
      if (actual > 0) quotas.charge(subject.apiKeyId, actual, periods);
      const { status, tightest } = quotaStatus(subject, { day: used.day + actual, month: used.month + actual }, periods);
      body.extensions = { ...body.extensions, quota: status };
      if (!tightest) return;
      const { limit, remaining } = status[tightest];
      const resetSeconds = Math.max(0, Math.ceil((periods[tightest].resetAt - quotas.now()) / 1000));
      state.http.headers.set('x-quota-limit', String(limit));
      state.http.headers.set('x-quota-remaining', String(remaining));
      state.http.headers.set('x-quota-reset', String(resetSeconds));
      state.http.headers.set('x-quota-period', tightest);
    },
  };
}
