/** What `beforeDeadline` resolves to when the deadline comes first. */
export const PAST_DEADLINE = Symbol('past deadline');

/** Milliseconds from now until `deadline` (ms since the epoch), never negative. */
export function msUntil(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

/**
 * `work`'s result, or PAST_DEADLINE as soon as `deadline` (ms since the epoch; Infinity: none)
 * comes first. The work is not stopped, only no longer waited for, and its failure after the
 * deadline is ignored: the caller decides what to cut.
 */
export async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof PAST_DEADLINE> {
  work.catch(() => undefined); // no unhandled rejection once nobody waits for it
  if (deadline === Infinity) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<typeof PAST_DEADLINE>((resolve) => {
    timer = setTimeout(() => resolve(PAST_DEADLINE), msUntil(deadline));
  });
  try {
    return await Promise.race([work, timeUp]);
  } finally {
    clearTimeout(timer);
  }
}
