import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything it has written so far, stdout and stderr interleaved. */
  output(): string;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGKILLs it and the node process tsx started, if still running. */
  kill(): void;
}

const spawned = new Set<ChildProcess>();

/**
 * Runs one of the project's TypeScript entry points (`src/main.ts`, a CLI) as `npm start` or
 * `npm run` would, in the project folder, with this process's environment minus DATABASE_URL
 * (the tests' own database server) plus `env`.
 */
export function spawnTsx(script: string, env: Record<string, string>, args: string[] = []): SpawnedProcess {
  return spawnDetached(TSX, [script, ...args], { cwd: ROOT, env });
}

/**
 * Any command, run as `spawnTsx` runs one (in `cwd`, with this process's environment minus
 * DATABASE_URL plus `env`): the compiled gateway under plain node, nginx.
 */
export function spawnDetached(command: string, args: string[], { cwd, env }: { cwd: string; env: Record<string, string> }): SpawnedProcess {
  const { DATABASE_URL: _unset, ...inherited } = process.env;
  // Its own process group, so that killing it also kills the processes it starts (tsx's node, nginx's workers).
  const child = spawn(command, args, { cwd, env: { ...inherited, ...env }, detached: true });
  spawned.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  void exited.then(() => spawned.delete(child));
  return { child, output: () => output, exited, kill: () => killGroup(child) };
}

/** `npm start` on a free port, logging at info, in development mode unless `env` says otherwise. */
export function startGatewayProcess(env: Record<string, string>): SpawnedProcess {
  return spawnTsx('src/main.ts', { NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', ...env });
}

/** The /graphql URL the gateway logs once it listens; fails with its output if it exits or takes a minute. */
export async function waitForUrl(gateway: SpawnedProcess): Promise<string> {
  const deadline = Date.now() + 60_000;
  let done = false;
  void gateway.exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    const match = /ready at (http:\/\/\S+\/graphql)/.exec(gateway.output());
    if (match) return match[1]!.replace(/"$/, '');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start:\n${gateway.output()}`);
}

/** Where the gateway serves /metrics, from the line it logs once it listens (METRICS_PORT: a port of its own). */
export function loggedMetricsUrl(gateway: SpawnedProcess): string {
  const match = /"metrics":"(http:\/\/[^"]+\/metrics)"/.exec(gateway.output());
  if (!match) throw new Error(`no metrics URL in the gateway's log:\n${gateway.output()}`);
  return match[1]!;
}

/** The pid the gateway's own process logs (tsx runs it in a child of the process we spawned). */
export function loggedPid(gateway: SpawnedProcess): number {
  const match = /"pid":(\d+)/.exec(gateway.output());
  if (!match) throw new Error(`no pid in the gateway's log:\n${gateway.output()}`);
  return Number(match[1]);
}

/** Resolves to its exit code, or to 'still running' after `ms`: a test's bound on "exits at once". */
export function exitWithin(spawnedProcess: SpawnedProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  return Promise.race([spawnedProcess.exited, late]).finally(() => clearTimeout(timer));
}

/** Kills whatever a test left running, with the processes they started (afterAll). */
export function killSpawnedProcesses(): void {
  for (const child of spawned) killGroup(child);
}

function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}
