import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/database';
import { startEmbeddedDatabase } from '../db/embeddedDatabase';
import { loadRegistry } from '../deprecations/registry';
import { usageSince } from '../deprecations/usageQueries';

// npm run deprecations:report -- [--days 30]
// Reads DATABASE_URL, or the embedded database's folder (refused while a server uses it).
const { values } = parseArgs({ options: { days: { type: 'string', default: '30' } } });

async function main(): Promise<void> {
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new Error(`--days must be a positive integer, got "${values.days}".`);
  const config = loadConfig();
  const embedded = config.database.url ? null : await startEmbeddedDatabase(config.database.embeddedDataDir);
  const db = connectDatabase({ connectionString: config.database.url ?? embedded!.connectionString, poolSize: 1, timeouts: config.database.timeouts });
  try {
    const registry = loadRegistry();
    const usage = await usageSince(db.prisma, days);
    const today = new Date().toISOString().slice(0, 10);
    console.log(`Deprecated schema coordinates, with their use in the last ${days} days (today ${today})\n`);
    for (const entry of registry.entries) {
      const daysLeft = Math.round((Date.parse(entry.removeAfter) - Date.parse(today)) / 86_400_000);
      const when = daysLeft > 0 ? `in ${daysLeft} days` : `sunset passed ${-daysLeft} days ago: may be removed once unused`;
      console.log(`${entry.coordinate}`);
      console.log(`  deprecated ${entry.deprecatedOn}, remove after ${entry.removeAfter} (${when}); owner ${entry.owner}`);
      console.log(`  use instead: ${entry.replacement}  (${entry.reason})`);
      const clients = usage.filter((u) => u.coordinate === entry.coordinate);
      if (clients.length === 0) console.log('  no use');
      for (const u of clients) console.log(`  ${u.clientName} ${u.clientVersion}: ${u.count} uses, last ${u.lastSeenAt.toISOString()}`);
      console.log('');
    }
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(2);
});
