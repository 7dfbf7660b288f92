import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DockerfileParser } from 'dockerfile-ast';
import { readFileSync } from 'node:fs';
import { describeIf } from '../helpers/conditions';
import { readmeQuery, writeJwtKeyPair } from '../helpers/deployment';
import { killSpawnedProcesses, spawnDetached, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';
import { createThrowawayDatabase } from '../helpers/testDatabases';
import { isEmbeddedDatabase } from '../helpers/testServer';

/**
 * The gateway as the image runs it (Dockerfile): compiled by `npm run build`, laid out as the
 * runtime stage copies it (package.json with the scripts the build stage rewrites, dist/,
 * schema/, prisma/migrations/, no src/ nor TypeScript loader), migrated once by the image's
 * `npm run db:migrate`, then started with plain node in production mode. Only node_modules
 * differs: this checkout's, development dependencies included.
 */
const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
afterAll(killSpawnedProcesses);

/** The `npm pkg set ...` of the Dockerfile's build stage: the scripts the image offers. */
function imageScriptsCommand(): string {
  const dockerfile = DockerfileParser.parse(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const command = dockerfile
    .getInstructions()
    .filter((i) => i.getKeyword() === 'RUN')
    .map((i) => /npm pkg set [^&\n]+/.exec(i.getArgumentsContent() ?? '')?.[0])
    .find(Boolean);
  if (!command) throw new Error('Dockerfile: no `npm pkg set` of the image scripts');
  return command.trim();
}

describeIf(
  !isEmbeddedDatabase(),
  'needs PostgreSQL (DATABASE_URL): a deployment migrates a database server with its one-shot job, while the embedded database is migrated by the gateway itself',
)('the compiled gateway, laid out as the production image', () => {
  let app: string;
  let database: { url: string; drop: () => Promise<void> };
  let gateway: SpawnedProcess | undefined;

  beforeAll(async () => {
    app = await mkdtemp(path.join(tmpdir(), 'gateway-image-'));
    await run(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(app, 'dist')], { cwd: ROOT });
    for (const entry of ['package.json', 'schema', 'prisma/migrations', 'src/ide/browser']) {
      await cp(path.join(ROOT, entry), path.join(app, entry), { recursive: true });
    }
    await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
    await run('sh', ['-c', imageScriptsCommand()], { cwd: app });
    database = await createThrowawayDatabase(process.env.DATABASE_URL!);
  }, 300_000);

  afterAll(async () => {
    gateway?.kill();
    await database?.drop();
    if (app) await rm(app, { recursive: true, force: true });
  });

  const npmRun = (args: string[], env: Record<string, string>) =>
    run('npm', ['run', '--silent', ...args], { cwd: app, env: { ...process.env, DATABASE_URL: database.url, ...env } });

  it('migrates with npm run db:migrate once, serves the README query with a token of the deployment key, and stops cleanly', async () => {
    const migrated = await npmRun(['db:migrate'], {});
    expect(migrated.stdout).toMatch(/^Applied \d+ migrations: \d+_init, /);
    expect((await npmRun(['db:migrate'], {})).stdout).toMatch(/up to date/);
    await npmRun(['db:seed'], {});

    const { publicKey, privateKeyFile } = writeJwtKeyPair(app);
    const production = { NODE_ENV: 'production', JWT_PUBLIC_KEY: publicKey };
    gateway = spawnDetached('node', ['dist/src/main.js'], {
      cwd: app,
      // Not the Redis and NATS a CI run names: its keys and events would land under the default
      // prefixes and stream, shared with anyone else's, and outlive the test (an empty setting is an unset one).
      env: { ...production, DATABASE_URL: database.url, HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', REDIS_URL: '', NATS_URL: '' },
    });
    const url = await waitForUrl(gateway);
    expect(gateway.output()).not.toMatch(/migrat/i);

    const health = await fetch(new URL('/healthz', url));
    expect(health.status).toBe(200);
    const token = (
      await run('node', ['dist/src/cli/devToken.js', '--role', 'support', '--private-key', privateKeyFile], {
        cwd: app,
        env: { ...process.env, ...production },
      })
    ).stdout.trim();
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(readmeQuery()),
    });
    const body = (await response.json()) as { data?: { orders: { edges: Array<{ node: Record<string, unknown> }> } }; errors?: unknown };
    expect({ status: response.status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    expect(body.data!.orders.edges).toHaveLength(2);
    expect(body.data!.orders.edges[0]!.node).toEqual(
      expect.objectContaining({ id: expect.any(String), customer: { name: expect.any(String) }, items: expect.any(Array) }),
    );
    // A token signed with the development secret is not one this deployment accepts.
    const development = await run('node', ['dist/src/cli/devToken.js', '--role', 'support'], { cwd: app, env: { ...process.env, NODE_ENV: 'development' } });
    const refused = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${development.stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify(readmeQuery()),
    });
    expect(refused.status).toBe(401);

    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  }, 180_000);
});
