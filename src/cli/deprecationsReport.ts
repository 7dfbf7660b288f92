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
    const clientsListed = new Set<string>();
    for (const entry of registry.entries) {
      const daysLeft = Math.round((Date.parse(entry.removeAfter) - Date.parse(today)) / 86_400_000);
      const when = daysLeft > 0 ? `in ${daysLeft} days` : `sunset passed ${-daysLeft} days ago: may be removed once unused`;
      console.log(`${entry.coordinate}`);
      console.log(`  deprecated ${entry.deprecatedOn}, remove after ${entry.removeAfter} (${when}); owner ${entry.owner}`);
      console.log(`  use instead: ${entry.replacement}  (${entry.reason})`);
      const clients = usage.filter((u) => u.coordinate === entry.coordinate);
      if (clients.length === 0) console.log('  no use');
      for (const u of clients) {
        console.log(`  ${u.clientName} ${u.clientVersion}: ${u.count} uses, last ${u.lastSeenAt.toISOString()}`);
        clientsListed.add(u.clientName);
      }
      console.log('');
    }
    // Who to talk to is above; how much these clients call, and how well, is in the gateway's metrics.
    if (clientsListed.size) console.log(opsReportHint([...clientsListed].sort()));
  } finally {
    await db.close();
  }
});

function opsReportHint(clients: string[]): string {
  const figures = `Per-operation figures (calls, latency, errors, cost, SQL) of ${clients.length === 1 ? 'this client' : 'these clients'}, from a running gateway`;
  if (clients.length === 1) return `${figures}: npm run ops:report -- --client ${shellWord(clients[0]!)}`;
  return `${figures}: npm run ops:report -- --client <name>, <name> one of ${clients.map(shellWord).join(', ')}`;
}

/** A client name as the shell reads it back: quoted when it holds anything but a plain word. */
function shellWord(text: string): string {
  return /^[\w.@:+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
