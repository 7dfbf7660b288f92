import { runShutdownSteps } from '../../../src/server/shutdownSteps';

const never = () => new Promise<never>(() => undefined);

describe('runShutdownSteps', () => {
  it('runs every step in order and reports none when all finish in time', async () => {
    const ran: string[] = [];
    const step = (name: string) => [name, async () => void ran.push(name)] as [string, () => Promise<void>];
    expect(await runShutdownSteps(Date.now() + 5_000, [step('http'), step('flush'), step('database')])).toEqual([]);
    expect(ran).toEqual(['http', 'flush', 'database']);
  });

  it('stops waiting for a step at the deadline, runs the next ones anyway, and reports each that did not finish', async () => {
    const ran: string[] = [];
    const unfinished = await runShutdownSteps(Date.now() + 50, [
      ['http drain', never],
      ['usage flush', async () => void ran.push('usage flush')],
      ['in-flight requests', async () => false],
      ['rate-limit buckets', () => Promise.reject(new Error('Redis went away'))],
      ['database', never],
    ]);
    expect(ran).toEqual(['usage flush']);
    expect(unfinished).toEqual([
      { step: 'http drain', reason: 'still running at the deadline' },
      { step: 'in-flight requests', reason: 'cut short at the deadline' },
      { step: 'rate-limit buckets', reason: 'failed: Redis went away' },
      { step: 'database', reason: 'still running at the deadline' },
    ]);
  });
});
