import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A gateway in its own Node process, started from the compiled code of one checkout (this
 * worktree or a --compare worktree; bench/productionBuild.ts), so that the CPU and peak RSS
 * measured are the gateway's alone, as production runs it, the same way for both sides.
 *
 * The launcher is written into the checkout at run time (older refs have no launcher of their
 * own) and imports only server/startLocalGateway.js, whose signature every ref shares:
 * startLocalGateway({ databaseUrl, roles, subject, env }) -> { url, authorization, db, server, stop }.
 * It answers the parent over IPC: "stats" (the pool's statements, its CPU, peak RSS, requests
 * seen) and "stop". The instrumentation variants (bench/variants.ts) also pass `log` and
 * `spanProcessor`, which only the current code knows (older refs ignore them): the launcher
 * imports the checkout's observability/tracingSdk.js only when tracing is asked for.
 */
const LAUNCHER = `// Written by bench/run.ts at run time; safe to delete.
import { pathToFileURL } from 'node:url';

const options = JSON.parse(process.env.BENCH_GATEWAY_OPTIONS);
const module = await import(pathToFileURL(options.module).href);
const startLocalGateway = module.startLocalGateway ?? module.default?.startLocalGateway;
let spanProcessor;
if (options.tracingModule) {
  // Production's processor (TRACING=otlp): OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, batched.
  const tracingSdk = await import(pathToFileURL(options.tracingModule).href);
  spanProcessor = await (tracingSdk.otlpSpanProcessor ?? tracingSdk.default?.otlpSpanProcessor)();
}
const gateway = await startLocalGateway({
  databaseUrl: options.databaseUrl,
  roles: options.roles,
  subject: options.subject,
  env: options.env,
  log: options.log,
  spanProcessor,
});
// Requests the server saw start and finish: autocannon abandons its in-flight requests at the
// deadline, but the server still completes them (and sends their statements).
const served = { started: 0, finished: 0 };
gateway.server.httpServer.on('request', (_req, res) => {
  served.started += 1;
  res.on('close', () => (served.finished += 1));
});
const stats = () => {
  const cpu = process.cpuUsage();
  return {
    type: 'stats',
    statements: gateway.db.stats.statements,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    started: served.started,
    inFlight: served.started - served.finished,
  };
};
process.on('message', (message) => {
  if (message.type === 'stats') process.send(stats());
  if (message.type === 'stop') {
    gateway.stop().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', url: gateway.url, authorization: gateway.authorization });
`;

export interface GatewayStats {
  statements: number;
  cpuMs: number;
  /** The child's peak resident set since it started (getrusage ru_maxrss). */
  peakRssMb: number;
  /** Requests its HTTP server has seen start. */
  started: number;
  inFlight: number;
}

export interface GatewayProcess {
  url: string;
  authorization: string;
  pid: number;
  stats(): Promise<GatewayStats>;
  /** Resolves once every request the server has seen has finished. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startGatewayProcess(options: {
  /** The checkout whose code runs, with its node_modules. */
  root: string;
  /** Its src/, compiled (buildForProduction). */
  compiled: string;
  databaseUrl: string;
  roles: string[];
  subject: string;
  env: Record<string, string>;
  /**
   * The request log written as production writes it (startLocalGateway's log: 'stdout'), the
   * process's standard output going into this file. Default: a silent logger.
   */
  logFile?: string;
  /** The OpenTelemetry SDK with production's OTLP/HTTP exporter, sending to this endpoint. Default: no SDK. */
  otlpEndpoint?: string;
  /** Node's options for the gateway process (e.g. --cpu-prof). */
  execArgv?: string[];
}): Promise<GatewayProcess> {
  // Inside the checkout's node_modules: ignored by git, tsc, ESLint, Prettier and Jest alike.
  const launcher = path.join(options.root, 'node_modules/.cache/gateway-bench/launcher.mjs');
  mkdirSync(path.dirname(launcher), { recursive: true });
  writeFileSync(launcher, LAUNCHER);
  const logFd = options.logFile ? openSync(options.logFile, 'w') : undefined;
  const child = fork(launcher, [], {
    cwd: options.root,
    execArgv: options.execArgv ?? [],
    env: {
      ...process.env,
      ...(options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint } : {}),
      BENCH_GATEWAY_OPTIONS: JSON.stringify({
        module: path.join(options.compiled, 'server/startLocalGateway.js'),
        databaseUrl: options.databaseUrl,
        roles: options.roles,
        subject: options.subject,
        env: options.env,
        ...(options.logFile ? { log: 'stdout' } : {}),
        ...(options.otlpEndpoint ? { tracingModule: path.join(options.compiled, 'observability/tracingSdk.js') } : {}),
      }),
    },
    stdio: ['ignore', logFd ?? 'inherit', 'inherit', 'ipc'],
  });
  // The child has its own copy of the descriptor.
  if (logFd !== undefined) closeSync(logFd);
  const ready = await new Promise<{ url: string; authorization: string }>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the gateway of ${options.root} exited (code ${code}) before it listened`));
    child.once('exit', onExit);
    child.once('message', (message: any) => {
      child.off('exit', onExit);
      resolve(message);
    });
  });
  const stats = () => request<GatewayStats>(child, { type: 'stats' });
  return {
    ...ready,
    pid: child.pid!,
    stats,
    async settle() {
      while ((await stats()).inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

function request<T>(child: ChildProcess, message: { type: string }): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error('the gateway process exited'));
    child.once('exit', onExit);
    child.once('message', (answer: any) => {
      child.off('exit', onExit);
      resolve(answer as T);
    });
    child.send(message);
  });
}
