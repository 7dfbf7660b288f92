import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exitWithin, killSpawnedProcesses, spawnTsx } from '../helpers/gatewayProcess';

/**
 * Every command answers --help with its usage, refuses an unknown or contradictory option with
 * a message and exit 2 (never a stack trace), and the tools that read the database work on the
 * default setup: the embedded database, with no DATABASE_URL.
 */
afterAll(killSpawnedProcesses);

const COMMANDS: Array<[string, string]> = [
  ['token:dev', 'src/cli/devToken.ts'],
  ['apikey', 'src/cli/apiKey.ts'],
  ['deprecations:report', 'src/cli/deprecationsReport.ts'],
  ['ops:report', 'src/cli/opsReport.ts'],
  ['schema:check', 'src/cli/schemaCheck.ts'],
  ['schema:snapshot', 'src/cli/schemaSnapshot.ts'],
  ['documents:publish', 'src/cli/documentsPublish.ts'],
  ['db:seed', 'prisma/seed.ts'],
  ['db:migrate', 'src/cli/migrate.ts'],
];
const STACK = /\n\s+at /;

async function run(script: string, args: string[], env: Record<string, string> = {}) {
  const command = spawnTsx(script, { NODE_ENV: 'development', ...env }, args);
  const code = await exitWithin(command, 60_000);
  return { code, output: command.output() };
}

describe('command line tools', () => {
  it.each(COMMANDS)(
    '%s answers --help with its usage and exit 0',
    async (_name, script) => {
      const { code, output } = await run(script, ['--help']);
      expect(code).toBe(0);
      expect(output).toMatch(/^Usage/m);
    },
    60_000,
  );

  it.each(COMMANDS)(
    '%s refuses an unknown option with exit 2, naming it, without a stack trace',
    async (_name, script) => {
      const { code, output } = await run(script, ['--no-such-option']);
      expect(code).toBe(2);
      expect(output).toContain("Unknown option '--no-such-option'");
      expect(output).toMatch(/Usage/);
      expect(output).not.toMatch(STACK);
    },
    60_000,
  );

  it("refuses a shopper's token without its customer, with exit 2", async () => {
    const { code, output } = await run('src/cli/devToken.ts', ['--role', 'customer']);
    expect(code).toBe(2);
    expect(output).toMatch(/--role customer needs --customer <id>/);
    const ok = await run('src/cli/devToken.ts', ['--role', 'customer', '--customer', '7']);
    expect(ok.code).toBe(0);
    expect(ok.output.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  }, 60_000);

  it('db:migrate names DATABASE_URL when it cannot reach the database, with exit 2 and no stack trace', async () => {
    for (const url of ['postgresql://postgres@127.0.0.1:1/nowhere', 'postgresql://u:p@host:notaport/db']) {
      const { code, output } = await run('src/cli/migrate.ts', [], { DATABASE_URL: url });
      expect({ url, code }).toEqual({ url, code: 2 });
      expect(output).toMatch(/^Cannot reach the database at DATABASE_URL: /m);
      expect(output).not.toMatch(STACK);
    }
  }, 60_000);

  it('creates and lists API keys on the embedded database, with no DATABASE_URL', async () => {
    const workDir = await mkdtemp(path.join(tmpdir(), 'gateway-cli-'));
    try {
      const env = { EMBEDDED_DATA_DIR: path.join(workDir, 'pglite') };
      const created = await run('src/cli/apiKey.ts', ['create', '--client', 'web-bff', '--scopes', 'orders:read'], env);
      expect(created.code).toBe(0);
      const key = /^(ogw_\S+)$/m.exec(created.output)?.[1];
      expect(key).toBeDefined();
      const listed = await run('src/cli/apiKey.ts', ['list'], env);
      expect(listed.code).toBe(0);
      expect(listed.output).toMatch(/web-bff\s+\[orders:read\]\s+tier=standard/);
      const report = await run('src/cli/deprecationsReport.ts', ['--days', '7'], env);
      expect(report.code).toBe(0);
      expect(report.output).toMatch(/Order\.totalCents/);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 120_000);
});
