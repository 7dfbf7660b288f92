import { createApiKey, MAX_KEY_QUOTA, revokeApiKey } from '../auth/apiKeys';
import { isScope, SCOPES } from '../auth/scopes';
import { loadConfig } from '../config';
import type { Database } from '../db/database';
import { PostgresQuotaStore } from '../quota/postgresQuotaStore';
import { QUOTA_PERIODS, quotaPeriodsAt } from '../quota/quotaPeriods';
import { quotaLimitsOf, quotaStatus } from '../quota/quotas';
import { RedisQuotaStore } from '../quota/redisQuotaStore';
import { parseCli, runCli, UsageError } from './cli';
import { openCliDatabase } from './cliDatabase';

const USAGE = `Usage:
  npm run apikey -- create --client <name> --scopes <scope,scope> [--tier <tier>] [--daily-quota <n>] [--monthly-quota <n>]
  npm run apikey -- revoke <prefix>
  npm run apikey -- list
  npm run apikey -- usage <prefix>
  npm run apikey -- set-quota <prefix> [--daily-quota <n|tier>] [--monthly-quota <n|tier>]
Creates, revokes and lists the API keys of services (BFFs). A key is shown once, when created;
only its hash is stored; \`create\` prints the key alone on stdout (KEY=$(npm run --silent apikey -- create ...)).
--daily-quota and --monthly-quota give the key cost quotas of its own (per UTC day and month),
instead of its tier's (QUOTA_TIERS); \`set-quota\` changes them (\`tier\`: back to the tier's), which running
gateways apply within API_KEY_CACHE_MS. \`usage\` shows what the key consumed today and this month:
used, limit, remaining and reset, from the store the gateways share (Redis with REDIS_URL, else the database).
Works on the database at DATABASE_URL, or on the embedded one (EMBEDDED_DATA_DIR), through the
gateway when one is running on it.
Scopes: ${SCOPES.join(', ')}. Tiers: standard (default), premium, or one of RATE_LIMIT_TIERS.`;

/** A key's prefix is base64url, so it may begin with "-": after `revoke`, `usage` or `set-quota` it is never an option. */
function argumentsOf(argv: string[]): string[] {
  const [command, prefix, ...rest] = argv;
  if (
    (command === 'revoke' || command === 'usage' || command === 'set-quota') &&
    prefix !== undefined &&
    prefix.startsWith('-') &&
    prefix !== '--' &&
    prefix !== '--help' &&
    prefix !== '-h'
  ) {
    return [command, '--', prefix, ...rest];
  }
  return argv;
}

runCli(async () => {
  const { positionals, values } = parseCli(
    USAGE,
    {
      client: { type: 'string' },
      scopes: { type: 'string' },
      tier: { type: 'string', default: 'standard' },
      'daily-quota': { type: 'string' },
      'monthly-quota': { type: 'string' },
    },
    { positionals: true, args: argumentsOf(process.argv.slice(2)) },
  );
  const [command, argument] = positionals;
  if (command === 'create' && (!values.client || !values.scopes)) throw new UsageError(`create needs --client and --scopes.\n\n${USAGE}`);
  if ((command === 'revoke' || command === 'usage' || command === 'set-quota') && !argument)
    throw new UsageError(`${command} needs the key's prefix (as \`list\` shows it).\n\n${USAGE}`);
  if (!['create', 'revoke', 'list', 'usage', 'set-quota'].includes(command ?? ''))
    throw new UsageError(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknownScopes = scopes.filter((s) => !isScope(s));
  if (unknownScopes.length) throw new UsageError(`Unknown scopes: ${unknownScopes.join(', ')}. Scopes: ${SCOPES.join(', ')}.`);
  if (command === 'create' && !values.client!.trim()) throw new UsageError('--client must name the service the key is for.');
  const dailyQuota = quotaOption('--daily-quota', values['daily-quota']);
  const monthlyQuota = quotaOption('--monthly-quota', values['monthly-quota']);
  if (command !== 'create' && command !== 'set-quota' && (dailyQuota !== undefined || monthlyQuota !== undefined)) {
    throw new UsageError('--daily-quota and --monthly-quota go with create or set-quota.');
  }
  if (command === 'set-quota' && dailyQuota === undefined && monthlyQuota === undefined) {
    throw new UsageError(`set-quota needs --daily-quota or --monthly-quota (a number, or \`tier\` for the tier's).\n\n${USAGE}`);
  }
  const db = await openCliDatabase();
  try {
    if (command === 'create') {
      const { key, record } = await createApiKey(db.prisma, { clientName: values.client!.trim(), scopes, rateTier: values.tier, dailyQuota, monthlyQuota });
      // The key alone on stdout, so that scripts can capture it; what it is goes to stderr.
      console.error(
        `Created API key ${record.prefix} for ${record.clientName} (scopes: ${record.scopes.join(' ')}, tier: ${record.rateTier}${quotasOf(record)}).`,
      );
      console.error('The key is shown only now; store it as a secret. Send it as the X-API-Key header:');
      console.log(key);
    } else if (command === 'revoke') {
      const record = await revokeApiKey(db.prisma, argument!);
      if (!record) throw new UsageError(`No active API key with prefix ${argument}.`);
      console.log(`Revoked ${record.prefix} (${record.clientName}); running gateways stop accepting it within API_KEY_CACHE_MS.`);
    } else if (command === 'set-quota') {
      const { count } = await db.prisma.apiKey.updateMany({
        where: { prefix: argument! },
        data: { ...(dailyQuota !== undefined ? { dailyQuota } : {}), ...(monthlyQuota !== undefined ? { monthlyQuota } : {}) },
      });
      if (!count) throw new UsageError(`No API key with prefix ${argument}.`);
      const record = (await db.prisma.apiKey.findUnique({ where: { prefix: argument! } }))!;
      console.log(
        `${record.prefix} (${record.clientName}): ${quotasOf(record).trim() || "the tier's quotas"}; running gateways apply it within API_KEY_CACHE_MS.`,
      );
    } else if (command === 'usage') {
      await printUsage(db, argument!);
    } else {
      for (const key of await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
        console.log(
          `${key.prefix}  ${key.clientName}  [${key.scopes.join(' ')}]  tier=${key.rateTier}${quotasOf(key)}  created ${key.createdAt.toISOString()}  ${state}`,
        );
      }
    }
  } finally {
    await db.close();
  }
});

/** A quota option's value: a whole number from 1 to the column's maximum; null for `tier` (the tier's); undefined when not given. */
function quotaOption(name: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'tier') return null;
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > MAX_KEY_QUOTA)
    throw new UsageError(`${name} must be a whole number from 1 to ${MAX_KEY_QUOTA} (or \`tier\`), not "${value}".`);
  return Number(value);
}

/** A key's own quotas, as listings show them (none: its tier's apply). */
function quotasOf(key: { dailyQuota: number | null; monthlyQuota: number | null }): string {
  return `${key.dailyQuota !== null ? `  daily-quota=${key.dailyQuota}` : ''}${key.monthlyQuota !== null ? `  monthly-quota=${key.monthlyQuota}` : ''}`;
}

/** What the key consumed in the current UTC day and month, from the store the gateways share. */
async function printUsage(db: Database, prefix: string): Promise<void> {
  const key = await db.prisma.apiKey.findUnique({ where: { prefix } });
  if (!key) throw new UsageError(`No API key with prefix ${prefix}.`);
  const config = loadConfig();
  const store = config.quota.redisUrl ? new RedisQuotaStore(config.quota.redisUrl, config.quota.redisPrefix, 2_000) : new PostgresQuotaStore(db.pool);
  try {
    const periods = quotaPeriodsAt(Date.now());
    const used = await store.read(key.id, periods).catch((error: unknown) => {
      throw new Error(`could not read the usage from ${config.quota.redisUrl ? 'Redis (REDIS_URL)' : 'the database'}: ${(error as Error).message}`);
    });
    const { tier, limits } = quotaLimitsOf(config.quota.tiers, key.rateTier, { daily: key.dailyQuota, monthly: key.monthlyQuota });
    const { status } = quotaStatus({ apiKeyId: key.id, tier, limits }, used, periods);
    const own = key.dailyQuota !== null || key.monthlyQuota !== null ? ', with quotas of its own' : '';
    // The limits are this shell's QUOTA_TIERS: say so when the key's tier is not among them.
    const tierNote = tier === key.rateTier ? `quota tier=${tier}` : `tier=${key.rateTier} (not in this shell's QUOTA_TIERS: ${tier}'s limits shown)`;
    console.log(`${key.prefix}  ${key.clientName}  ${tierNote}${own}${config.quota.enabled ? '' : '  (QUOTA=off: not enforced)'}`);
    const rows = [['period', 'from', 'used', 'limit', 'remaining', 'resets']];
    for (const name of QUOTA_PERIODS) {
      const { used: spent, limit, remaining, resetAt } = status[name];
      rows.push([name, periods[name].start, String(spent), limit === null ? 'none' : String(limit), remaining === null ? '-' : String(remaining), resetAt]);
    }
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    for (const row of rows)
      console.log(
        row
          .map((cell, column) => cell.padEnd(widths[column]!))
          .join('  ')
          .trimEnd(),
      );
  } finally {
    await store.close();
  }
}
