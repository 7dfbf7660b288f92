import type { Viewer } from './viewer';

/**
 * Who a request counts as, for budgets and keys kept per client: the API key, else the user,
 * else the IP address.
 */
export function clientKeyOf(viewer: Viewer | null, clientAddress: string): string {
  if (viewer?.kind === 'service') return viewer.id;
  if (viewer) return `user:${viewer.id}`;
  return `ip:${clientAddress}`;
}
