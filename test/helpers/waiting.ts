/**
 * Resolves after `ms`. For pacing (a load's think time, a client's Retry-After, an outage's
 * length), never to stand for something a test could wait on instead: that is `waitFor`.
 */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every 50 ms until it returns something other than undefined or false, and
 * resolves to that; fails naming `what` after `timeoutMs`.
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await pause(50);
  }
}
