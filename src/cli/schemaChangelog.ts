import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeprecationRegistryError } from '../deprecations/registry';
import { CHANGELOG_FILE, isShallowClone, readSchemaHistory, renderChangelog } from '../schemaCheck/schemaChangelog';
import { hasCommits, workingTreeRegistry } from '../schemaCheck/schemaSources';
import { parseCli, runCli, UsageError } from './cli';

const USAGE = `Usage: npm run schema:changelog
Writes ${CHANGELOG_FILE}: every change of schema/ along the main line of the git history
(date, change, its class, commit), and the upcoming breaking changes from
schema/deprecations.yaml, soonest first. Run it after committing a schema change, and commit
the file: npm run schema:check fails when it is stale.`;

runCli(
  async () => {
    parseCli(USAGE, {});
    const repo = process.cwd();
    if (!hasCommits(repo)) throw new UsageError('The changelog is written from the git history of schema/: run it in a git repository with commits.');
    if (isShallowClone(repo)) throw new UsageError('This is a shallow clone: its history is cut short. Fetch the whole history (git fetch --unshallow) first.');
    const history = readSchemaHistory(repo);
    mkdirSync(path.join(repo, path.dirname(CHANGELOG_FILE)), { recursive: true });
    // No registry file: nothing is deprecated, so nothing is upcoming.
    writeFileSync(path.join(repo, CHANGELOG_FILE), renderChangelog(history, workingTreeRegistry(repo).registry));
    const changes = history.releases.reduce((sum, release) => sum + release.changes.length, 0);
    console.log(`Wrote ${CHANGELOG_FILE}: ${changes} changes in ${history.releases.length} commits.`);
  },
  // A registry that cannot be read is the user's to fix: its message names the file and line.
  { userErrors: [DeprecationRegistryError] },
);
