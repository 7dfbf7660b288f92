import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitWithin, killSpawnedProcesses, loggedPid, spawnTsx, startGatewayProcess, waitForUrl, type SpawnedProcess } from '../helpers/gatewayProcess';

/**
 * One process per embedded database folder: a second `npm start`, or a CLI that opens the
 * folder, on a folder a running gateway uses is refused at once and leaves the gateway serving.
 */
afterAll(killSpawnedProcesses);

describe('the embedded database folder', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'gateway-embedded-lock-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('refuses a second server, the deprecations report and the API key tool while a server uses it, naming the folder and the owner', async () => {
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

      for (const [cli, args] of [['src/cli/deprecationsReport.ts', []], ['src/cli/apiKey.ts', ['list']]] as const) {
        const tool = spawnTsx(cli, { EMBEDDED_DATA_DIR: dataDir }, [...args]);
        contenders.push(tool);
        expect(await exitWithin(tool, 20_000)).toBe(2);
        expect(tool.output()).toContain(inUse);
        expect(tool.output()).not.toMatch(/\n\s+at /);
      }

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
