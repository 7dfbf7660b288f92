import { loadRegistry } from '../deprecations/registry';
import { usageSince } from '../deprecations/usageQueries';
import { parseCli, runCli, UsageError } from './cli';
import { openCliDatabase } from './cliDatabase';

const USAGE = `Usage: npm run deprecations:report -- [--days 30]
Lists every deprecated schema coordinate (schema/deprecations.yaml) with its sunset date and
the clients that used it in the last --days days. Reads the database at DATABASE_URL, or the
embedded one (EMBEDDED_DATA_DIR), through the gateway when one is running on it.`;

runCli(async () => {
  const { values } = parseCli(USAGE, { days: { type: 'string', default: '30' } });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--days must be a positive integer, got "${values.days}".`);
  const db = await openCliDatabase({ seed: false });
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
  }
});
