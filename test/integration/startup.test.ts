import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signHs256Token } from '../../src/auth/signToken';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';

/**
 * `npm start` on a fresh clone: no DATABASE_URL, so the embedded database is created,
 * migrated and seeded, and the server answers; SIGTERM stops it cleanly.
 */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const { DATABASE_URL: _unset, ...inherited } = process.env;
  const child = spawn(TSX, ['src/main.ts'], { cwd: ROOT, env: { ...inherited, NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', ...env } });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForUrl(output: () => string, exited: Promise<unknown>): Promise<string> {
  const deadline = Date.now() + 60_000;
  let done = false;
  void exited.then(() => (done = true));
  while (Date.now() < deadline && !done) {
    const match = /ready at (http:\/\/\S+\/graphql)/.exec(output());
    if (match) return match[1]!.replace(/"$/, '');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not start:\n${output()}`);
}

describe('start-up', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gateway-embedded-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('creates, migrates and seeds the embedded database, serves the demo data, and stops on SIGTERM', async () => {
    const server = start({ EMBEDDED_DATA_DIR: path.join(dataDir, 'pglite') });
    try {
      const url = await waitForUrl(server.output, server.exited);
      // What `npm run token:dev -- --role admin` prints on a fresh clone.
      const token = await signHs256Token({
        secret: DEVELOPMENT_JWT_SECRET,
        issuer: 'orders-gateway',
        audience: 'orders-gateway',
        subject: 'dev-admin',
        claims: { roles: ['admin'] },
        expiresIn: '5m',
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ orders(first: 50) { totalCount edges { node { items { product { sku } } } } } }' }),
      });
      const body: any = await response.json();
      expect(body.data.orders.totalCount).toBe(250);
      expect(body.data.orders.edges).toHaveLength(50);
      expect(server.output()).toMatch(/seeded with demo data/);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/shut down cleanly/);

    // A second start finds the data in place: nothing is seeded twice.
    const again = start({ EMBEDDED_DATA_DIR: path.join(dataDir, 'pglite') });
    try {
      await waitForUrl(again.output, again.exited);
      expect(again.output()).not.toMatch(/seeded/);
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).toBe(0);
  }, 120_000);

  it('refuses to start on a bad setting, naming the variable', async () => {
    const server = start({ PORT: 'eighty', EMBEDDED_DATA_DIR: path.join(dataDir, 'unused') });
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/PORT="eighty"/);
  });
});
