import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** The address a request comes from: what anonymous clients' rate-limit buckets and WebSocket connection counts are keyed by. */
export type ClientAddressOf = (request: IncomingMessage) => string;

/**
 * The TCP peer's address, unless it is a trusted proxy (TRUSTED_PROXIES): behind nginx or a
 * load balancer every client would otherwise be the proxy, and share one bucket. Through
 * trusted proxies, X-Forwarded-For is read from the right, hop by hop, up to the first address
 * that is not one of them (proxy-addr, as Express does): a client that sends the header itself
 * only adds entries left of what its proxy appends, so it cannot pass for another address.
 */
export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressOf {
  if (trustedProxies.length === 0) return (request) => request.socket.remoteAddress ?? 'unknown';
  const trust = proxyaddr.compile([...trustedProxies]);
  return (request) => (request.socket.remoteAddress ? proxyaddr(request, trust) : 'unknown');
}

/** Throws a message naming the first entry proxy-addr does not accept (an address, a CIDR range, or loopback, linklocal, uniquelocal). */
export function checkTrustedProxies(trustedProxies: readonly string[]): void {
  proxyaddr.compile([...trustedProxies]);
}
