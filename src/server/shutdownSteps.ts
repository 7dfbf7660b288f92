import { beforeDeadline, PAST_DEADLINE } from '../deadline';

/** A shutdown step that did not finish: still running at the deadline, or failed. */
export interface UnfinishedStep {
  step: string;
  reason: string;
}

/**
 * A step's work; it may resolve to false to say that it gave up at the deadline itself (a drain
 * that stopped waiting, a pool whose connections were cut).
 */
export type ShutdownStep = [name: string, work: () => Promise<unknown>];

/**
 * Runs shutdown steps one after another against one deadline (ms since the epoch), each for at
 * most the time left, and returns those that did not finish. A step still running at the
 * deadline is no longer waited for (it runs on, unobserved, until the process exits), and a
 * failed one does not stop the next: a stuck database must not keep the HTTP server or the
 * pool open past the grace period.
 */
export async function runShutdownSteps(deadline: number, steps: ShutdownStep[]): Promise<UnfinishedStep[]> {
  const unfinished: UnfinishedStep[] = [];
  for (const [step, work] of steps) {
    try {
      const outcome = await beforeDeadline(work(), deadline);
      if (outcome === PAST_DEADLINE) unfinished.push({ step, reason: 'still running at the deadline' });
      else if (outcome === false) unfinished.push({ step, reason: 'cut short at the deadline' });
    } catch (error) {
      unfinished.push({ step, reason: `failed: ${(error as Error).message ?? String(error)}` });
    }
  }
  return unfinished;
}
