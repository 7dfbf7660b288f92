import { lockDataDir } from '../../src/db/dataDirLock';

/**
 * One contender for an embedded database folder, in a process of its own: prints "ready", waits
 * for a line on stdin (so that several contenders try at the same moment), tries to lock the
 * folder in argv[2], prints "won" or "refused: <message>", holds a won lock until stdin closes.
 */
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  try {
    const lock = lockDataDir(process.argv[2]!);
    process.stdout.write('won\n');
    process.stdin.once('end', () => lock.release());
  } catch (error) {
    process.stdout.write(`refused: ${(error as Error).message}\n`);
    process.exit(0);
  }
});
