import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/** Who holds an embedded database folder: what the lock file contains. */
export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /**
   * Where the owner serves the database (its PostgreSQL wire-protocol socket on 127.0.0.1),
   * once it does: the command-line tools work through it instead of being refused.
   */
  connectionString?: string;
}

export interface DataDirLock {
  /** `<dataDir>.lock`: next to the folder, not in it, so that PGlite never sees it and deleting the folder to start over keeps it. */
  readonly lockFile: string;
  /** Adds where this process serves the database to the lock file, for the tools to connect through. */
  advertise(connectionString: string): void;
  /** Deletes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

/** A second process asked for a folder that another one uses. */
export class EmbeddedDatabaseInUseError extends Error {
  override readonly name = 'EmbeddedDatabaseInUseError';
  readonly code = 'EMBEDDED_DATABASE_IN_USE';
  /** The process using the folder, when the lock file names one that is running on this host. */
  readonly localOwner: LockOwner | null;
  constructor(message: string, localOwner: LockOwner | null = null) {
    super(message);
    this.localOwner = localOwner;
  }
}

/** Folders locked by this process: a lock file naming our own pid is stale unless listed here. */
const heldHere = new Set<string>();

/**
 * Makes this process the only user of the embedded database in `dataDir`: PGlite has no lock of
 * its own, and two processes writing one folder corrupt it. The lock file holds the owner's pid,
 * host and start time; another process on the same folder is refused at once with a message
 * naming them. A lock whose owner is no longer running on this host is stale and taken over.
 * Released by `release()` and, failing that, when the process exits.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const folder = path.resolve(dataDir);
  const lockFile = `${folder}.lock`;
  const me: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  let content = JSON.stringify(me);
  takeLock(folder, lockFile, content);
  heldHere.add(lockFile);
  const releaseOnExit = () => release();
  process.on('exit', releaseOnExit);
  let released = false;
  function release(): void {
    if (released) return;
    released = true;
    process.off('exit', releaseOnExit);
    heldHere.delete(lockFile);
    // Never delete a lock someone else has taken over since.
    if (readFileOrNull(lockFile) === content) unlinkQuietly(lockFile);
  }
  function advertise(connectionString: string): void {
    if (released || readFileOrNull(lockFile) !== content) return;
    const advertised = JSON.stringify({ ...me, connectionString });
    const draft = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(draft, advertised, { flag: 'wx' });
    renameSync(draft, lockFile); // atomic: a reader sees the old content or the new, never half
    content = advertised;
  }
  return { lockFile, advertise, release };
}

function takeLock(folder: string, lockFile: string, content: string): void {
  // Each pass takes the lock, throws, or finds that another process changed it meanwhile.
  for (let pass = 0; pass < 100; pass += 1) {
    if (createExclusively(lockFile, content)) return;
    const seen = readOwner(lockFile);
    if (seen === 'missing') continue; // released between our attempt and our read
    if (seen === 'unreadable') throw unreadableLock(folder, lockFile);
    if (isAlive(seen, lockFile)) throw inUse(folder, lockFile, seen);
    if (takeOverStaleLock(lockFile, seen, content)) return;
  }
  throw new EmbeddedDatabaseInUseError(`Could not take the lock ${lockFile}: other processes kept changing it. Start one process at a time on ${folder}.`);
}

/**
 * Writes the whole file under a temporary name, then links it into place: the link fails when
 * the lock exists, and nobody ever reads a lock file half written (as `open(wx)` then `write`
 * would allow, and a crash in between would leave an empty lock that no one can judge).
 */
function createExclusively(file: string, content: string): boolean {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(draft, content, { flag: 'wx' });
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(draft);
  }
}

/**
 * Replaces a stale lock so that, of several processes finding the same stale lock at once, one
 * wins: the takeover is guarded by a second file created exclusively, and the lock is read again
 * under the guard (another process may have replaced it already) before it is replaced.
 * Returns false when another process changed the lock meanwhile: the caller looks again.
 */
function takeOverStaleLock(lockFile: string, stale: LockOwner, content: string): boolean {
  const guard = `${lockFile}.takeover`;
  if (!createExclusively(guard, content)) {
    const taker = readOwner(guard);
    if (taker === 'unreadable' || (taker !== 'missing' && !isAlive(taker, guard))) throw interruptedTakeover(lockFile, guard);
    sleep(10); // another process is taking the lock over right now: a matter of milliseconds
    return false;
  }
  try {
    if (!sameOwner(readOwner(lockFile), stale)) return false;
    const draft = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(draft, content, { flag: 'wx' });
    renameSync(draft, lockFile);
    return true;
  } finally {
    unlinkQuietly(guard);
  }
}

function readOwner(file: string): LockOwner | 'missing' | 'unreadable' {
  const text = readFileOrNull(file);
  if (text === null) return 'missing';
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(owner.pid) && owner.pid! > 0 && typeof owner.hostname === 'string' && typeof owner.startedAt === 'string') {
      const connectionString =
        typeof owner.connectionString === 'string' && /^postgresql:\/\/[^@/]+@127\.0\.0\.1:\d+\/\w+$/.test(owner.connectionString)
          ? owner.connectionString
          : undefined;
      return { pid: owner.pid!, hostname: owner.hostname, startedAt: owner.startedAt, ...(connectionString ? { connectionString } : {}) };
    }
  } catch {
    // falls through: not JSON
  }
  return 'unreadable';
}

function sameOwner(a: LockOwner | 'missing' | 'unreadable', b: LockOwner): boolean {
  return typeof a === 'object' && a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;
}

/**
 * Whether the owner may still be running. A process on another host cannot be checked, so it
 * counts as alive; our own pid counts as dead unless this process holds the lock, since a
 * restarted container often gets the very pid its previous run had.
 */
function isAlive(owner: LockOwner, file: string): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return heldHere.has(file);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

function inUse(folder: string, lockFile: string, owner: LockOwner): EmbeddedDatabaseInUseError {
  const local = owner.hostname === hostname();
  const where = local ? '' : ` on host ${owner.hostname}`;
  return new EmbeddedDatabaseInUseError(
    `The embedded database in ${folder} is in use by process ${owner.pid}${where} (started ${owner.startedAt}): ` +
      'two processes on one folder would corrupt it. Stop that process first, or set EMBEDDED_DATA_DIR to another ' +
      `folder, or DATABASE_URL to use a PostgreSQL server. If that process is gone${where ? ' from that host' : ''}, delete ${lockFile}.`,
    local ? owner : null,
  );
}

function unreadableLock(folder: string, lockFile: string): EmbeddedDatabaseInUseError {
  return new EmbeddedDatabaseInUseError(
    `The embedded database in ${folder} is locked by ${lockFile}, which does not say by whom. ` +
      `If no gateway or CLI is using that folder, delete ${lockFile}; or set EMBEDDED_DATA_DIR to another folder.`,
  );
}

function interruptedTakeover(lockFile: string, guard: string): EmbeddedDatabaseInUseError {
  return new EmbeddedDatabaseInUseError(
    `A process died while taking over the stale lock ${lockFile} and left ${guard} behind. ` +
      `If no gateway or CLI is starting on that folder, delete ${guard} and start again.`,
  );
}

function readFileOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
