import path from 'node:path';
import { loadConfig } from '../config';
import { DeprecationRegistryError } from '../deprecations/registry';
import type { ExecutionReport } from '../schemaCheck/executeOperations';
import { formatReport, type ReportFormat } from '../schemaCheck/formatReport';
import { runCheck } from '../schemaCheck/runCheck';
import { publishedChangelogProblem } from '../schemaCheck/schemaChangelog';
import { baseVersion, SchemaSourceError, workingTreeVersion } from '../schemaCheck/schemaSources';
import { listSchemaFiles } from '../server/schemaFiles';
import { parseCli, runCli, UsageError } from './cli';
import { ManifestError } from '../persistedDocuments/manifest';

const USAGE = `Usage: npm run schema:check -- [--base <git ref | SDL file>] [--base-registry <file>]
                              [--format text|markdown|json] [--documents <dir>] [--usage-days 7] [--execute]
Compares the working tree's schema/ with the base (default: the merge base with main, else
schema/snapshot.graphql), checks every client operation under --documents (default
schema/operations), and exits 1 when the change would break a client or the deprecation policy,
2 when the check could not run (a base, SDL file or registry it cannot read). With DATABASE_URL it
also reads deprecated-field usage, and --execute runs each operation at two page sizes.

  --base-registry  the deprecation registry that went with the base, which decides what the
                   change may remove (default: a git ref's own; for an SDL file, the one
                   committed at HEAD, or the working tree's in a repository with no commits)`;

runCli(
  async () => {
    const { values } = parseCli(USAGE, {
      base: { type: 'string' },
      'base-registry': { type: 'string' },
      format: { type: 'string', default: 'text' },
      documents: { type: 'string' },
      'usage-days': { type: 'string', default: '7' },
      execute: { type: 'boolean', default: false },
    });
    const format = values.format as ReportFormat;
    if (!['text', 'markdown', 'json'].includes(format)) throw new UsageError(`--format must be text, markdown or json.\n\n${USAGE}`);
    const usageDays = Number(values['usage-days']);
    if (!Number.isInteger(usageDays) || usageDays < 1) throw new UsageError('--usage-days must be a positive integer.');
    const repo = process.cwd();
    const config = loadConfig({ ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'production' });
    const databaseUrl = config.database.url;
    if (values.execute && !databaseUrl) throw new UsageError('--execute needs DATABASE_URL: a migrated, seeded database to run the operations against.');

    const base = baseVersion(repo, { base: values.base, baseRegistry: values['base-registry'] });
    const next = workingTreeVersion(repo, listSchemaFiles);
    let recentUsage: Map<string, number> | null = null;
    if (databaseUrl) {
      // Loaded only when used: the database client and the gateway (for --execute) are most of
      // the command's start-up, and a check on an unchanged tree should take a second or two.
      const { connectDatabase } = await import('../db/database.js');
      const { usageSince } = await import('../deprecations/usageQueries.js');
      const db = connectDatabase({ connectionString: databaseUrl, poolSize: 1, timeouts: config.database.timeouts });
      try {
        recentUsage = new Map();
        for (const u of await usageSince(db.prisma, usageDays)) recentUsage.set(u.coordinate, (recentUsage.get(u.coordinate) ?? 0) + u.count);
      } catch {
        recentUsage = null; // unreachable or not migrated: the policy then rests on the registry alone
      } finally {
        await db.close();
      }
    }
    const result = runCheck(base, next, {
      operationsDir: path.resolve(repo, values.documents ?? 'schema/operations'),
      limits: config.limits,
      today: new Date().toISOString().slice(0, 10),
      recentUsage,
      usageDays,
    });
    // The published changelog (npm run schema:changelog) must be current, as the snapshot must.
    const changelogProblem = publishedChangelogProblem(repo, next.registry);
    if (changelogProblem) result.failures.push(changelogProblem);
    let executions: ExecutionReport[] | null = null;
    if (values.execute) {
      const { executeOperations } = await import('../schemaCheck/executeOperations.js');
      executions = await executeOperations(databaseUrl!, result.operations);
      for (const e of executions) {
        if (e.growsWithPageSize)
          result.failures.push(
            `${e.client}/${e.name} sends more SQL statements at a larger page size (${e.statements!.small} → ${e.statements!.large}): an N+1 regression.`,
          );
      }
    }
    console.log(formatReport(result, executions, format));
    return result.failures.length ? 1 : 0;
  },
  // Exit 1 means "this change breaks a client or the policy"; a check that could not run (a
  // baseline, SDL or registry it cannot read) exits 2, with the message alone.
  { failureCode: 2, userErrors: [SchemaSourceError, DeprecationRegistryError, ManifestError] },
);
