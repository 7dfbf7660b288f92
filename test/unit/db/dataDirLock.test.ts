import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedDatabaseInUseError, lockDataDir } from '../../../src/db/dataDirLock';

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

let workDir: string;
let dataDir: string;
let lockFile: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'gateway-lock-'));
  dataDir = path.join(workDir, 'pglite');
  lockFile = `${dataDir}.lock`;
});
afterEach(() => rm(workDir, { recursive: true, force: true }));

function writeLock(owner: { pid: number; hostname?: string; startedAt?: string }): void {
  writeFileSync(lockFile, JSON.stringify({ hostname: hostname(), startedAt: '2026-01-02T03:04:05.000Z', ...owner }));
}

/** A process that is running until the test kills it. */
function startSleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

function refusal(lock: () => unknown): EmbeddedDatabaseInUseError {
  try {
    lock();
  } catch (error) {
    expect(error).toBeInstanceOf(EmbeddedDatabaseInUseError);
    return error as EmbeddedDatabaseInUseError;
  }
  throw new Error('expected the lock to be refused');
}

describe('lockDataDir', () => {
  it('creates <dataDir>.lock next to the folder, naming this process, and deletes it on release', () => {
    const lock = lockDataDir(dataDir);
    expect(lock.lockFile).toBe(lockFile);
    const owner = JSON.parse(readFileSync(lockFile, 'utf8'));
    expect(owner).toEqual({ pid: process.pid, hostname: hostname(), startedAt: expect.any(String) });
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    lock.release();
  });

  it('refuses a folder held by a running process, naming the folder, the owner and the ways out', () => {
    const sleeper = startSleeper();
    try {
      writeLock({ pid: sleeper.pid! });
      const error = refusal(() => lockDataDir(dataDir));
      expect(error.code).toBe('EMBEDDED_DATABASE_IN_USE');
      expect(error.message).toBe(
        `The embedded database in ${dataDir} is in use by process ${sleeper.pid} (started 2026-01-02T03:04:05.000Z): ` +
          'two processes on one folder would corrupt it. Stop that process first, or set EMBEDDED_DATA_DIR to another ' +
          `folder, or DATABASE_URL to use a PostgreSQL server. If that process is gone, delete ${lockFile}.`,
      );
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(sleeper.pid);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('says where its owner serves the database, so that a refused tool can connect there; release still deletes it', () => {
    const lock = lockDataDir(dataDir);
    lock.advertise('postgresql://postgres@127.0.0.1:54321/postgres');
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, connectionString: 'postgresql://postgres@127.0.0.1:54321/postgres' });
    expect(refusal(() => lockDataDir(dataDir)).localOwner).toMatchObject({
      pid: process.pid,
      connectionString: 'postgresql://postgres@127.0.0.1:54321/postgres',
    });
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('offers a tool no address but a loopback PostgreSQL one, and none of a process on another host', () => {
    const sleeper = startSleeper();
    try {
      writeLock({ pid: sleeper.pid!, connectionString: 'postgresql://postgres@evil.example:5432/postgres' } as never);
      expect(refusal(() => lockDataDir(dataDir)).localOwner).toEqual({ pid: sleeper.pid, hostname: hostname(), startedAt: '2026-01-02T03:04:05.000Z' });
      writeLock({ pid: sleeper.pid!, hostname: 'elsewhere', connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' } as never);
      expect(refusal(() => lockDataDir(dataDir)).localOwner).toBeNull();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('refuses a second lock on the same folder in the same process', () => {
    const lock = lockDataDir(dataDir);
    try {
      expect(refusal(() => lockDataDir(dataDir)).message).toContain(`in use by process ${process.pid}`);
    } finally {
      lock.release();
    }
  });

  it('takes over a lock whose process has died', async () => {
    writeLock({ pid: await deadPid() });
    const lock = lockDataDir(dataDir);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a lock naming its own pid that it does not hold (a restarted container reuses pids)', () => {
    writeLock({ pid: process.pid, startedAt: '2020-01-01T00:00:00.000Z' });
    const lock = lockDataDir(dataDir);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).startedAt).not.toBe('2020-01-01T00:00:00.000Z');
    lock.release();
  });

  it('refuses a lock held on another host, whose process it cannot check', async () => {
    writeLock({ pid: await deadPid(), hostname: 'elsewhere.example' });
    expect(refusal(() => lockDataDir(dataDir)).message).toMatch(
      /in use by process \d+ on host elsewhere\.example .*If that process is gone from that host, delete /,
    );
  });

  it('refuses an unreadable lock file and says how to clear it', () => {
    writeFileSync(lockFile, '');
    expect(refusal(() => lockDataDir(dataDir)).message).toBe(
      `The embedded database in ${dataDir} is locked by ${lockFile}, which does not say by whom. ` +
        `If no gateway or CLI is using that folder, delete ${lockFile}; or set EMBEDDED_DATA_DIR to another folder.`,
    );
  });

  it('never deletes a lock that another process has taken over since', () => {
    const lock = lockDataDir(dataDir);
    writeLock({ pid: 1, startedAt: '2026-05-05T00:00:00.000Z' });
    lock.release();
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(1);
  });

  it('lets exactly one of several processes take over the same stale lock at once', async () => {
    writeLock({ pid: await deadPid() });
    const contenders = Array.from({ length: 5 }, () => {
      const child = spawn(TSX, [path.join(ROOT, 'test/helpers/lockDataDirProcess.ts'), dataDir], { cwd: ROOT });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      const ready = new Promise<void>((resolve) => child.stdout.on('data', () => output.includes('ready') && resolve()));
      const decided = new Promise<string>((resolve) => child.stdout.on('data', () => /won|refused.*\n/.test(output) && resolve(output)));
      return { child, ready, decided };
    });
    try {
      await Promise.all(contenders.map((c) => c.ready));
      for (const { child } of contenders) child.stdin.write('go\n');
      const outcomes = await Promise.all(contenders.map((c) => c.decided));
      expect(outcomes.filter((outcome) => outcome.includes('won'))).toEqual(['ready\nwon\n']);
      const winnerPid = JSON.parse(readFileSync(lockFile, 'utf8')).pid;
      for (const outcome of outcomes.filter((o) => !o.includes('won'))) expect(outcome).toContain(`in use by process ${winnerPid}`);
    } finally {
      for (const { child } of contenders) child.stdin.end();
      await Promise.all(contenders.map(({ child }) => new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve(null)))));
    }
    expect(existsSync(lockFile)).toBe(false);
  }, 60_000);
});
