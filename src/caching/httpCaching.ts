import { createHash } from 'node:crypto';
import type { RequestState, ResponseBody } from '../pipeline/requestState';

/**
 * Whether a response may be stored by shared caches (a CDN, a proxy) and served to anyone: a
 * query whose every selected field is @public and PUBLIC with a maxAge, asked anonymously,
 * answered without errors. Such a response carries nothing about its client (no throttle
 * status): it is the same for everyone.
 */
export function isSharedResponse(state: RequestState, body: ResponseBody): boolean {
  const policy = state.cachePolicy;
  return (
    policy !== undefined &&
    policy.maxAge > 0 &&
    policy.scope === 'PUBLIC' &&
    policy.requiredScopes.length === 0 &&
    state.viewer === null &&
    state.refusedBy === undefined &&
    !body.errors?.length
  );
}

/**
 * The Cache-Control header of a response: `public` only for a shared response (above), whose
 * stale-if-error is at most its max-age (stock: 30 s past its 30 s);
 * `private` for one that may be cached but depends on who asks (their scopes, their throttle);
 * `no-store` for anything else (mutations, orders and customers, errors, refusals).
 */
export function cacheControlOf(state: RequestState, body: ResponseBody, staleIfErrorSeconds: number): string {
  const policy = state.cachePolicy;
  if (!policy || policy.maxAge === 0 || state.refusedBy !== undefined || body.errors?.length || state.cache?.status === 'stale') return 'no-store';
  if (isSharedResponse(state, body)) {
    // A shared cache cannot be told of a change: it may serve stale at most as long again as it serves fresh.
    const staleIfError = Math.min(staleIfErrorSeconds, policy.maxAge);
    return `public, max-age=${policy.maxAge}${staleIfError > 0 ? `, stale-if-error=${staleIfError}` : ''}`;
  }
  return `private, max-age=${policy.maxAge}`;
}

/**
 * A strong validator of the response's data (its JSON text): the data, not the extensions,
 * which describe the exchange (cacheStatus, the database work) and change between a miss and
 * a hit of the same data.
 */
export function entityTagOf(dataJson: string): string {
  return `"${createHash('sha256').update(dataJson).digest('base64url')}"`;
}

/** Whether If-None-Match names `etag` (or is `*`), per RFC 9110 13.1.2 (weak comparison). */
export function matchesIfNoneMatch(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}
