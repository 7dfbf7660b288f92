import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST_FILE } from '../persistedDocuments/manifest';
import { buildManifest, printManifest } from '../persistedDocuments/publishManifest';
import { PROJECT_ROOT } from '../projectRoot';
import { parseCli, runCli } from './cli';

const USAGE = `Usage: npm run documents:publish
Writes schema/operations/persisted-query-manifest.json: every client operation of
schema/operations/<client>/*.graphql (the documents npm run schema:check guards) as a trusted
document, in Apollo's persisted query manifest format, with its client. Commit it: the gateway
reads it at start-up, clients send its ids, and a test fails when it is stale.`;

if (require.main === module) {
  runCli(async () => {
    parseCli(USAGE, {});
    const manifest = buildManifest();
    writeFileSync(MANIFEST_FILE, printManifest(manifest));
    console.log(`Wrote ${path.relative(PROJECT_ROOT, MANIFEST_FILE)}: ${manifest.operations.length} trusted documents`);
  });
}
