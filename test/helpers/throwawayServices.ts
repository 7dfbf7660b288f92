import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { pause } from './waiting';

/**
 * PostgreSQL, Redis and NATS JetStream servers of a test's own, on free loopback ports, that the
 * test may stop, kill and start again: the failure drills' instances, never the machine's shared
 * services. Each keeps its files (PostgreSQL's cluster, NATS's stream store) in a temporary
 * folder across restarts, and `disposeThrowawayServices` (afterAll) ends every one still running
 * and removes its folder, whatever the test did. Running as root (CI containers), PostgreSQL is
 * run as the `postgres` OS user, since it refuses to run as root.
 */

const POSTGRES_DIRS = ['/usr/local/bin', '/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin', '/usr/bin'];

function findBinary(name: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs, '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

const isRoot = process.getuid?.() === 0;
const postgresUser = isRoot ? 'postgres' : undefined;
const hasPostgresUser = !isRoot || spawnSync('id', ['-u', 'postgres']).status === 0;

const binaries = {
  initdb: findBinary('initdb', POSTGRES_DIRS),
  pgCtl: findBinary('pg_ctl', POSTGRES_DIRS),
  redisServer: findBinary('redis-server'),
  natsServer: findBinary('nats-server'),
};

/** Whether each kind of server can be started here, and if not, why: a skipped drill says so. */
export const throwawayAvailability = {
  postgres:
    binaries.initdb && binaries.pgCtl && hasPostgresUser
      ? { available: true as const }
      : { available: false as const, reason: 'needs PostgreSQL binaries (initdb, pg_ctl) on PATH, and a postgres OS user when run as root' },
  redis: binaries.redisServer ? { available: true as const } : { available: false as const, reason: 'needs redis-server on PATH' },
  nats: binaries.natsServer ? { available: true as const } : { available: false as const, reason: 'needs nats-server (JetStream) on PATH' },
};

/** Resolves once `port` accepts a TCP connection; fails after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await pause(50);
  }
}

const disposers = new Set<() => void>();

/** Ends every throwaway server still running and removes its files (afterAll; also on exit). */
export function disposeThrowawayServices(): void {
  for (const dispose of disposers) dispose();
  disposers.clear();
}
process.once('exit', disposeThrowawayServices);

function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
  // PostgreSQL runs as its own user, which must own its cluster and socket folders.
  if (postgresUser) spawnSync('chown', ['-R', `${postgresUser}:`, folder]);
  return folder;
}

/** PostgreSQL's programs as the user that owns the cluster. */
function runAs(command: string, args: string[]): [string, string[]] {
  return postgresUser ? ['runuser', ['-u', postgresUser, '--', command, ...args]] : [command, args];
}

/** Runs one of PostgreSQL's programs without blocking the event loop (the drill's clients keep running). */
function runChecked(command: string, args: string[], what: string): Promise<void> {
  const [file, argv] = runAs(command, args);
  return new Promise((resolve, reject) =>
    execFile(file, argv, { timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${what} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    ),
  );
}

export interface ThrowawayPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  port: number;
  /** pg_ctl stop: `fast` ends sessions and checkpoints; `immediate` is a crash, recovered at the next start. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** The server's own log, for a failing test's message. */
  logFile: string;
}

/** initdb once, then a server on a free port; the cluster stays in its folder across stop/start. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const folder = temporaryFolder('drill-pg-');
  const dataDir = path.join(folder, 'data');
  const logFile = path.join(folder, 'server.log');
  const port = await freePort();
  await runChecked(binaries.initdb!, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], 'initdb');
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  let running = false;
  const pg: ThrowawayPostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    logFile,
    async stop(mode) {
      await runChecked(binaries.pgCtl!, ['stop', '-D', dataDir, '-m', mode, '-w'], `pg_ctl stop -m ${mode}`);
      running = false;
    },
    async start() {
      // -w: returns once the server accepts connections (crash recovery included).
      await runChecked(binaries.pgCtl!, ['start', '-D', dataDir, '-o', options, '-l', logFile, '-w', '-t', '60'], 'pg_ctl start');
      running = true;
    },
  };
  disposers.add(() => {
    if (running) spawnSync(...runAs(binaries.pgCtl!, ['stop', '-D', dataDir, '-m', 'immediate', '-w']));
    rmSync(folder, { recursive: true, force: true });
  });
  await pg.start();
  return pg;
}

/** A server process the test spawns itself (Redis, NATS), restartable on the same port. */
export interface ThrowawayServer {
  url: string;
  port: number;
  /** SIGKILL: a crash, with no goodbye to its clients. */
  kill(): Promise<void>;
  /** SIGTERM, and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (and files); resolves once it accepts connections. */
  start(): Promise<void>;
  /** What it has written, for a failing test's message. */
  output(): string;
}

function restartableServer(command: string, args: string[], port: number, url: string, folder: string): ThrowawayServer {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const end = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  const server: ThrowawayServer = {
    url,
    port,
    output: () => output,
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    async start() {
      const started = spawn(command, args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      exited = new Promise((resolve) => started.once('exit', () => resolve()));
      started.stdout!.on('data', (chunk) => (output += chunk));
      started.stderr!.on('data', (chunk) => (output += chunk));
      await Promise.race([
        waitForPort(port),
        exited.then(() => {
          throw new Error(`${path.basename(command)} exited at start:\n${output}`);
        }),
      ]);
    },
  };
  disposers.add(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });
  return server;
}

/** redis-server on a free port, without persistence: a restarted one starts empty, as after a crash. */
export async function startThrowawayRedis(): Promise<ThrowawayServer> {
  const port = await freePort();
  const folder = temporaryFolder('drill-redis-');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder];
  const server = restartableServer(binaries.redisServer!, args, port, `redis://127.0.0.1:${port}`, folder);
  await server.start();
  return server;
}

/** nats-server with JetStream on a free port; its store folder (streams and messages) survives restarts. */
export async function startThrowawayNats(): Promise<ThrowawayServer> {
  const port = await freePort();
  const folder = temporaryFolder('drill-nats-');
  const args = ['-js', '-sd', path.join(folder, 'store'), '-a', '127.0.0.1', '-p', String(port)];
  const server = restartableServer(binaries.natsServer!, args, port, `nats://127.0.0.1:${port}`, folder);
  await server.start();
  return server;
}
