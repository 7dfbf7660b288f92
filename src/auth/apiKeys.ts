import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, PrismaClient } from '../generated/prisma/client';
import { BadCredentialsError } from '../errors';
import { isScope, type Scope } from './scopes';
import type { Viewer } from './viewer';

/** Keys look like `ogw_<prefix>_<secret>`: 8 + 32 random bytes, base64url. */
const KEY_FORMAT = /^ogw_([A-Za-z0-9_-]{11})_([A-Za-z0-9_-]{43})$/;

/**
 * A SHA-256 of the whole key. Keys are 256-bit random secrets, not passwords, so a fast hash
 * is enough: nothing can be guessed, and the stored hash cannot be turned back into a key.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface CreatedApiKey {
  /** The key itself: shown once, never stored. */
  key: string;
  record: ApiKey;
}

/** The largest quota a key may have of its own: the column is a 32-bit integer. */
export const MAX_KEY_QUOTA = 2_147_483_647;

export async function createApiKey(
  prisma: PrismaClient,
  input: { clientName: string; scopes: string[]; rateTier: string; dailyQuota?: number | null; monthlyQuota?: number | null },
): Promise<CreatedApiKey> {
  const unknown = input.scopes.filter((s) => !isScope(s));
  if (unknown.length) throw new Error(`Unknown scopes: ${unknown.join(', ')}`);
  if (!input.clientName.trim()) throw new Error('The client name must not be empty.');
  for (const quota of [input.dailyQuota, input.monthlyQuota]) {
    if (quota != null && !(Number.isInteger(quota) && quota >= 1 && quota <= MAX_KEY_QUOTA))
      throw new Error(`A quota must be a whole number from 1 to ${MAX_KEY_QUOTA}.`);
  }
  const prefix = randomBytes(8).toString('base64url');
  const key = `ogw_${prefix}_${randomBytes(32).toString('base64url')}`;
  const record = await prisma.apiKey.create({
    data: {
      clientName: input.clientName.trim(),
      prefix,
      keyHash: hashApiKey(key),
      scopes: input.scopes,
      rateTier: input.rateTier,
      dailyQuota: input.dailyQuota ?? null,
      monthlyQuota: input.monthlyQuota ?? null,
    },
  });
  return { key, record };
}

/** Revokes by prefix (as listed) and returns the revoked record, or null when there is none. */
export async function revokeApiKey(prisma: PrismaClient, prefix: string): Promise<ApiKey | null> {
  const { count } = await prisma.apiKey.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } });
  return count ? prisma.apiKey.findUnique({ where: { prefix } }) : null;
}

/**
 * Looks API keys up, caching each answer for `cacheMs` so that a busy client costs one query
 * per interval, not one per request. A revoked key therefore stops working within `cacheMs`.
 */
export function createApiKeyVerifier(prisma: PrismaClient, { cacheMs = 30_000, maxEntries = 10_000 } = {}) {
  const cache = new Map<string, { viewer: Viewer | null; expires: number }>();
  return async function verifyApiKey(key: string): Promise<Viewer> {
    if (!KEY_FORMAT.test(key)) throw new BadCredentialsError('malformed API key');
    const keyHash = hashApiKey(key);
    const now = Date.now();
    let entry = cache.get(keyHash);
    if (!entry || entry.expires < now) {
      const record = await prisma.apiKey.findUnique({ where: { keyHash } });
      entry = { viewer: record && !record.revokedAt ? viewerFromApiKey(record) : null, expires: now + cacheMs };
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(keyHash, entry);
    }
    if (!entry.viewer) throw new BadCredentialsError('unknown or revoked API key');
    return entry.viewer;
  };
}

function viewerFromApiKey(record: ApiKey): Viewer {
  const scopes = new Set(record.scopes.filter(isScope) as Scope[]);
  return {
    kind: 'service',
    id: `apikey:${record.id}`,
    roles: [],
    scopes,
    explicitScopes: scopes,
    customerId: null,
    clientName: record.clientName,
    rateTier: record.rateTier,
    expiresAt: null,
    apiKey: { id: record.id, quota: { daily: record.dailyQuota, monthly: record.monthlyQuota } },
  };
}
