import { parseArgs } from 'node:util';
import { createApiKey, revokeApiKey } from '../auth/apiKeys';
import { SCOPES } from '../auth/scopes';
import { loadConfig } from '../config';
import { connectDatabase } from '../db/database';

const USAGE = `Usage (DATABASE_URL names the database):
  npm run apikey -- create --client <name> --scopes <scope,scope> [--tier <tier>]
  npm run apikey -- revoke <prefix>
  npm run apikey -- list
Scopes: ${SCOPES.join(', ')}`;

/** A key's prefix is base64url, so it may begin with "-": after `revoke` it is never an option. */
function argumentsOf(argv: string[]): string[] {
  const [command, prefix, ...rest] = argv;
  if (command === 'revoke' && prefix !== undefined && prefix.startsWith('-') && prefix !== '--') return [command, '--', prefix, ...rest];
  return argv;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argumentsOf(process.argv.slice(2)),
    allowPositionals: true,
    options: { client: { type: 'string' }, scopes: { type: 'string' }, tier: { type: 'string', default: 'standard' } },
  });
  const [command, argument] = positionals;
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString || !command) fail(connectionString ? USAGE : `DATABASE_URL is required.\n${USAGE}`);
  const db = connectDatabase({ connectionString, poolSize: 1, timeouts: loadConfig().database.timeouts });
  try {
    if (command === 'create') {
      if (!values.client || !values.scopes) fail(USAGE);
      const { key, record } = await createApiKey(db.prisma, {
        clientName: values.client,
        scopes: values.scopes.split(',').map((s) => s.trim()).filter(Boolean),
        rateTier: values.tier,
      });
      console.log(`Created API key ${record.prefix} for ${record.clientName} (scopes: ${record.scopes.join(' ')}, tier: ${record.rateTier}).`);
      console.log('The key is shown only now; store it as a secret. Send it as the X-API-Key header:');
      console.log(key);
    } else if (command === 'revoke') {
      if (!argument) fail(USAGE);
      const record = await revokeApiKey(db.prisma, argument);
      if (!record) fail(`No active API key with prefix ${argument}.`);
      console.log(`Revoked ${record.prefix} (${record.clientName}); running gateways stop accepting it within API_KEY_CACHE_MS.`);
    } else if (command === 'list') {
      for (const key of await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
        console.log(`${key.prefix}  ${key.clientName}  [${key.scopes.join(' ')}]  tier=${key.rateTier}  created ${key.createdAt.toISOString()}  ${state}`);
      }
    } else {
      fail(USAGE);
    }
  } finally {
    await db.close();
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

main().catch((error: unknown) => fail((error as Error).message));
