import type { Viewer } from '../auth/viewer';
import type { ClientIdentity } from '../pipeline/requestState';

export type ClientIdentityResolver = (viewer: Viewer | null, name: string | undefined, version: string | undefined) => ClientIdentity;

/** Names a request gets when it does not say who it is, or names a client this gateway does not know. */
export const UNKNOWN_CLIENT = 'unknown';
export const OTHER_CLIENT = 'other';

const VERSION = /^[A-Za-z0-9._+-]{1,32}$/;

/**
 * Who calls, for usage counts (deprecated fields now, metrics later), with a bounded number of
 * distinct values whatever clients send: an API key's client name (as many as there are keys);
 * else the `apollographql-client-name` header when it names a known client (KNOWN_CLIENTS and
 * the clients under schema/operations); else "other" (a name was sent) or "unknown" (none). A
 * version is kept for a known client of an authenticated request when it looks like one, and
 * at most `maxVersionsPerClient` versions per client are told apart; the rest count as "other".
 */
export function createClientIdentityResolver(knownClients: Iterable<string>, maxVersionsPerClient = 20): ClientIdentityResolver {
  const known = new Set(knownClients);
  const versionsSeen = new Map<string, Set<string>>();
  const boundedVersion = (client: string, version: string | undefined): string => {
    if (version === undefined) return UNKNOWN_CLIENT;
    if (!VERSION.test(version)) return OTHER_CLIENT;
    let seen = versionsSeen.get(client);
    if (!seen) versionsSeen.set(client, (seen = new Set()));
    if (seen.has(version)) return version;
    if (seen.size >= maxVersionsPerClient) return OTHER_CLIENT;
    seen.add(version);
    return version;
  };
  return (viewer, name, version) => {
    if (viewer?.clientName) return { name: viewer.clientName, version: boundedVersion(viewer.clientName, version) };
    // Anonymous requests may name a known client, but not fill its version slots.
    if (name !== undefined && known.has(name)) return { name, version: viewer ? boundedVersion(name, version) : UNKNOWN_CLIENT };
    return { name: name === undefined ? UNKNOWN_CLIENT : OTHER_CLIENT, version: UNKNOWN_CLIENT };
  };
}
