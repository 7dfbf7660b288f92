import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse } from 'yaml';
import { loadConfig, settings } from '../../src/config';
import { describeIf } from '../helpers/conditions';

/**
 * The Dockerfile and compose.yaml, read with parsers, since CI has no Docker daemon: the image is
 * built in stages from this repository, runs the compiled gateway as a non-root user and never
 * migrates at start; compose runs the migration once, two replicas on settings the gateway
 * accepts, and one proxy publishing the only port. Where a daemon answers, the image is built too.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

function readStages(): Stage[] {
  const dockerfile = DockerfileParser.parse(read('Dockerfile'));
  const args = new Map(dockerfile.getInitialARGs().map((arg) => [arg.getProperty()!.getName(), arg.getProperty()!.getValue() ?? '']));
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, , name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({ name: name ?? null, image: image!.replace(/\$\{(\w+)\}/g, (_, arg: string) => args.get(arg) ?? ''), instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

const keyword = (stage: Stage, name: string) => stage.instructions.filter((i) => i.getKeyword() === name);
const content = (instruction: Instruction) => instruction.getArgumentsContent() ?? '';
/** The stage a COPY --from names, or null for a COPY from the build context. */
const copiedFrom = (instruction: Instruction) => (instruction instanceof Copy ? (instruction.getFromFlag()?.getValue() ?? null) : null);
/** An exec-form instruction's words (CMD ["node", "x.js"]), or its shell form as one word. */
function words(instruction: Instruction): string[] {
  const text = content(instruction);
  return text.startsWith('[') ? (JSON.parse(text) as string[]) : [text];
}

describe('the Dockerfile', () => {
  const stages = readStages();
  const build = stages.find((s) => s.name === 'build')!;
  const runtime = stages.at(-1)!;

  it('builds in a stage of its own: npm ci, then the compiled output, then the development dependencies pruned', () => {
    expect(build).toBeDefined();
    const runs = keyword(build, 'RUN').map(content).join('\n');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build[\s\S]*npm prune --omit=dev/);
  });

  it('runs from the Node major of .nvmrc, on a slim image, with the build stage its only source of built files', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(runtime).not.toBe(build);
    expect(runtime.image).toMatch(new RegExp(`^node:${nvmrc}(\\.[\\d.]+)?-\\w+-slim$`));
    expect(build.image).toBe(runtime.image);
    const names = new Set(stages.map((s) => s.name));
    const fromStages = stages.flatMap((s) => keyword(s, 'COPY').map(copiedFrom)).filter(Boolean);
    expect(fromStages.length).toBeGreaterThan(0);
    expect(fromStages.filter((stage) => !names.has(stage!))).toEqual([]);
    expect(stages.indexOf(build)).toBeLessThan(stages.indexOf(runtime));
  });

  it('runs as a non-root user, checks /healthz with node, and starts the compiled gateway with plain node', () => {
    const users = keyword(runtime, 'USER').map(content);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const [healthcheck] = keyword(runtime, 'HEALTHCHECK');
    expect(content(healthcheck!)).toMatch(/CMD \["node", "-e", ".*\/healthz/);
    const [cmd, ...more] = keyword(runtime, 'CMD');
    expect(more).toEqual([]);
    expect(words(cmd!)).toEqual(['node', 'dist/src/main.js']);
    expect(keyword(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  it('never migrates at start: no migration in CMD, ENTRYPOINT or RUN of the image that runs', () => {
    const started = [...keyword(runtime, 'CMD'), ...keyword(runtime, 'ENTRYPOINT'), ...keyword(runtime, 'RUN')].map(content).join('\n');
    expect(started).not.toMatch(/migrat/i);
  });

  it("offers scripts that run files the build emits: the image's npm run db:migrate is the compiled migration command", () => {
    const rewritten = keyword(build, 'RUN')
      .map(content)
      .flatMap((run) => [...run.matchAll(/'scripts\.([\w:]+)=node (dist\/\S+)\.js'/g)])
      .map(([, script, output]) => ({ script, source: output!.replace(/^dist\//, '') + '.ts' }));
    expect(rewritten.map((r) => r.script).sort()).toEqual(['db:migrate', 'db:seed', 'start']);
    const compiled: string[] = JSON.parse(read('tsconfig.build.json')).include;
    for (const { source } of rewritten) {
      expect(existsSync(path.join(ROOT, source))).toBe(true);
      expect(compiled.some((included) => source === included || source.startsWith(`${included}/`))).toBe(true);
    }
    expect(rewritten.find((r) => r.script === 'db:migrate')!.source).toBe('src/cli/migrate.ts');
    expect(JSON.parse(read('package.json')).scripts['db:migrate']).toBe('tsx src/cli/migrate.ts');
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1));
    const sources = stages.flatMap((s) =>
      keyword(s, 'COPY')
        .filter((copy) => copiedFrom(copy) === null)
        .flatMap((copy) => content(copy).split(/\s+/).slice(0, -1)),
    );
    expect(sources.length).toBeGreaterThan(5);
    expect(sources.filter((source) => !existsSync(path.join(ROOT, source)))).toEqual([]);
    expect(sources.filter((source) => !allowed.some((entry) => source === entry || source.startsWith(`${entry}/`)))).toEqual([]);
    expect(read('.dockerignore')).toMatch(/^\*$/m);
  });
});

type Service = {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  stop_grace_period?: string;
};

/**
 * The Compose Specification's properties that this file may use. No npm package of good
 * provenance ships the specification's JSON schema (the one named after it has no repository
 * and no maintainer anyone can check), so these structural checks stand in for it.
 */
const TOP_LEVEL = new Set(['name', 'services', 'volumes', 'secrets', 'networks', 'configs']);
const SERVICE_KEYS = new Set([
  'build',
  'image',
  'command',
  'environment',
  'depends_on',
  'ports',
  'volumes',
  'secrets',
  'healthcheck',
  'stop_grace_period',
  'restart',
]);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; secrets: Record<string, { file: string }> };
  const services = Object.entries(compose.services);
  const replicas = services.filter(([, s]) => s.command?.join(' ').includes('node dist/src/main.js'));
  const [, migrate] = services.find(([name]) => name === 'migrate')!;

  it('uses only keys of the Compose Specification, with depends_on conditions it defines, on services that exist', () => {
    const topLevel = Object.keys(compose).filter((key) => !key.startsWith('x-'));
    expect(topLevel.filter((key) => !TOP_LEVEL.has(key))).toEqual([]);
    for (const [name, service] of services) {
      expect({ name, unknown: Object.keys(service).filter((key) => !SERVICE_KEYS.has(key)) }).toEqual({ name, unknown: [] });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency]).toBeDefined();
        expect(CONDITIONS.has(condition)).toBe(true);
      }
    }
  });

  it('runs two gateway replicas of the image this repository builds', () => {
    expect(replicas.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2']);
    for (const [, replica] of replicas) expect({ build: replica.build, image: replica.image }).toEqual({ build: '.', image: migrate.image });
  });

  it('migrates once, with npm run db:migrate, before any replica starts', () => {
    expect(migrate.command).toEqual(['npm', 'run', 'db:migrate']);
    expect(migrate.depends_on?.postgres?.condition).toBe('service_healthy');
    for (const [, replica] of replicas) expect(replica.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    const others = services.filter(([name]) => name !== 'migrate').map(([, s]) => s.command?.join(' ') ?? '');
    expect(others.filter((command) => /migrat/.test(command))).toEqual([]);
  });

  it('publishes one port, the proxy’s, which forwards to every replica', () => {
    const publishing = services.filter(([, s]) => s.ports?.length).map(([name]) => name);
    expect(publishing).toEqual(['proxy']);
    const [published] = compose.services.proxy!.ports!;
    expect(published).toMatch(/^\d+:8080$/);
    const mounts = Object.fromEntries(compose.services.proxy!.volumes!.map((v) => v.split(':')).map(([host, container]) => [container, host]));
    expect(mounts['/etc/nginx/nginx.conf']).toBe('./deploy/nginx/nginx.conf');
    const upstream = read(mounts['/etc/nginx/upstream.conf']!);
    const port = replicas[0]![1].environment!.PORT;
    expect([...upstream.matchAll(/^\s*server (\S+);/gm)].map((m) => m[1])).toEqual(replicas.map(([name]) => `${name}:${port}`));
    expect(read('deploy/nginx/nginx.conf')).toMatch(/listen 8080;/);
  });

  it('gives the replicas only settings the gateway accepts, in production mode, the JWT key from a secret file that is never committed', () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    for (const [, replica] of replicas) {
      const environment = replica.environment!;
      expect(Object.keys(environment).filter((name) => !(name in settings))).toEqual([]);
      const command = replica.command!.join(' ');
      const secret = /JWT_PUBLIC_KEY="\$\$\(cat \/run\/secrets\/(\w+)\)" exec node dist\/src\/main\.js/.exec(command)?.[1];
      expect(replica.secrets).toEqual([secret]);
      const config = loadConfig({ ...environment, JWT_PUBLIC_KEY: publicKey });
      expect(config.env).toBe('production');
      expect(config.auth.jwtPublicKey).toBe(publicKey);
      expect(config.observability.metricsAccess).toEqual({ kind: 'port', port: 9464 });
      expect([config.database.url, config.rateLimit.redisUrl, config.outbox.natsUrl].every(Boolean)).toBe(true);
      // Docker kills a container this long after SIGTERM: the gateway must have drained by then.
      expect(Number(/^(\d+)s$/.exec(replica.stop_grace_period!)![1]) * 1000).toBeGreaterThan(config.http.shutdownGraceMs);
      const secretFile = compose.secrets[secret!]!.file;
      const ignored = spawnSync('git', ['check-ignore', '-q', secretFile], { cwd: ROOT });
      expect(ignored.status).toBe(0);
    }
  });

  it("keeps every replica's connections within PostgreSQL's default max_connections (100, 3 reserved)", () => {
    // Per replica: its pool, plus the one connection that follows the outbox (src/server/createServer.ts); the migration job holds one.
    const connections = replicas.reduce((sum, [, r]) => sum + loadConfig(r.environment).database.poolSize + 1, 0) + 1;
    expect(connections).toBeLessThanOrEqual(97);
  });

  it('starts the proxy after replicas that are healthy, and every service waited on as healthy has a healthcheck', () => {
    const imageHasHealthcheck = /^HEALTHCHECK /m.test(read('Dockerfile'));
    for (const [, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition !== 'service_healthy') continue;
        const waitedOn = compose.services[dependency]!;
        expect({ dependency, healthcheck: Boolean(waitedOn.healthcheck?.test) || (waitedOn.build === '.' && imageHasHealthcheck) }).toEqual({
          dependency,
          healthcheck: true,
        });
      }
    }
    expect(Object.keys(compose.services.proxy!.depends_on!).sort()).toEqual(replicas.map(([name]) => name).sort());
  });
});

const hasDocker = spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0;

describeIf(hasDocker, 'needs a Docker daemon (`docker info` fails here)')('the image, built with Docker', () => {
  it('builds, and runs as the non-root user with the healthcheck', () => {
    const tag = `orders-gateway:contract-${process.pid}`;
    execFileSync('docker', ['build', '-t', tag, '.'], { cwd: ROOT, stdio: 'inherit', timeout: 900_000 });
    try {
      const [config] = JSON.parse(execFileSync('docker', ['image', 'inspect', tag], { encoding: 'utf8' })) as Array<{
        Config: { User: string; Healthcheck: { Test: string[] }; Cmd: string[] };
      }>;
      expect(config!.Config.User).toBe('node');
      expect(config!.Config.Cmd).toEqual(['node', 'dist/src/main.js']);
      expect(config!.Config.Healthcheck.Test.join(' ')).toContain('/healthz');
      const script = execFileSync('docker', ['run', '--rm', tag, 'npm', 'pkg', 'get', 'scripts.db:migrate'], { encoding: 'utf8' });
      expect(JSON.parse(script)).toBe('node dist/src/cli/migrate.js');
    } finally {
      spawnSync('docker', ['image', 'rm', tag], { stdio: 'ignore' });
    }
  }, 900_000);
});
