import { isEmbeddedDatabase } from './testServer';

type Describe = (name: string, tests: () => void) => void;

/**
 * `describe` when the condition holds; otherwise a skipped describe whose name carries the
 * reason, which the run's summary lists (test/helpers/skippedTestsReporter.js): a skipped test
 * always says why.
 */
export function describeIf(condition: boolean, reason: string): Describe {
  return condition ? describe : (name, tests) => describe.skip(`${name} [skipped: ${reason}]`, tests);
}

/** Races, row locks and server-side timeouts: the embedded database runs one statement at a time and honours no timeouts. */
export const describeOnPostgreSQL = describeIf(
  !isEmbeddedDatabase(),
  'needs PostgreSQL (DATABASE_URL): the embedded database runs one statement at a time and has no lock or statement timeouts',
);

export const describeWithNats = describeIf(Boolean(process.env.NATS_URL), 'needs NATS JetStream (NATS_URL)');
