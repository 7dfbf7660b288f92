import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitWithin, killSpawnedProcesses, loggedPid, spawnTsx, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';

/**
 * One process per embedded database folder: a second `npm start` on a folder a running gateway
 * uses is refused at once and leaves the gateway serving; the command-line tools work through
 * that gateway's database socket instead of opening the folder.
 */
afterAll(killSpawnedProcesses);

describe('the embedded database folder', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'gateway-embedded-lock-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('refuses a second server, naming the folder and the owner, while the API key tool and the deprecations report work through the running one', async () => {
    const dataDir = path.join(workDir, 'pglite');
    const first = startGatewayProcess({ EMBEDDED_DATA_DIR: dataDir });
    const contenders: SpawnedProcess[] = [];
    try {
      const url = await waitForUrl(first);
      const ownerPid = loggedPid(first);
      const inUse = `The embedded database in ${dataDir} is in use by process ${ownerPid} (started `;

      // "At once": long before a start that got as far as opening the database would have.
      const second = startGatewayProcess({ EMBEDDED_DATA_DIR: dataDir });
      contenders.push(second);
      expect(await exitWithin(second, 20_000)).toBe(1);
      expect(second.output()).toContain(inUse);
      expect(second.output()).toMatch(/EMBEDDED_DATA_DIR.*DATABASE_URL/);
      expect(second.output()).not.toMatch(/ready at|\n\s+at /); // refused before listening; no stack trace

      // The tools work through the running gateway's database instead: a key created now works at once.
      const created = spawnTsx('src/cli/apiKey.ts', { EMBEDDED_DATA_DIR: dataDir }, ['create', '--client', 'lock-test', '--scopes', 'inventory:read']);
      contenders.push(created);
      expect(await exitWithin(created, 20_000)).toBe(0);
      expect(created.output()).toContain(`Using the embedded database in ${dataDir} through the gateway that runs on it (process ${ownerPid}).`);
      const key = /^ogw_\S+$/m.exec(created.output())![0];
      const withKey = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: '{ warehouses { code } }' }),
      });
      expect(withKey.status).toBe(200);
      expect(((await withKey.json()) as any).data.warehouses.length).toBeGreaterThan(0);
      const report = spawnTsx('src/cli/deprecationsReport.ts', { EMBEDDED_DATA_DIR: dataDir });
      contenders.push(report);
      expect(await exitWithin(report, 20_000)).toBe(0);
      expect(report.output()).not.toMatch(/\n\s+at /);

      const health = await fetch(url.replace(/\/graphql$/, '/readyz'));
      expect(health.status).toBe(200);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ products(first: 1) { totalCount } }' }),
      });
      expect(((await response.json()) as any).data.products.totalCount).toBe(60);
    } finally {
      for (const contender of contenders) contender.kill();
      first.child.kill('SIGTERM');
    }
    expect(await first.exited).toBe(0);
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  }, 120_000);
});
