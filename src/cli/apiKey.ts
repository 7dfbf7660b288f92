import { createApiKey, revokeApiKey } from '../auth/apiKeys';
import { isScope, SCOPES } from '../auth/scopes';
import { parseCli, runCli, UsageError } from './cli';
import { openCliDatabase } from './cliDatabase';

const USAGE = `Usage:
  npm run apikey -- create --client <name> --scopes <scope,scope> [--tier <tier>]
  npm run apikey -- revoke <prefix>
  npm run apikey -- list
Creates, revokes and lists the API keys of services (BFFs). A key is shown once, when created;
only its hash is stored; \`create\` prints the key alone on stdout (KEY=$(npm run --silent apikey -- create ...)).
Works on the database at DATABASE_URL, or on the embedded one (EMBEDDED_DATA_DIR), through the
gateway when one is running on it.
Scopes: ${SCOPES.join(', ')}. Tiers: standard (default), premium, or one of RATE_LIMIT_TIERS.`;

/** A key's prefix is base64url, so it may begin with "-": after `revoke` it is never an option. */
function argumentsOf(argv: string[]): string[] {
  const [command, prefix, ...rest] = argv;
  if (command === 'revoke' && prefix !== undefined && prefix.startsWith('-') && prefix !== '--' && prefix !== '--help' && prefix !== '-h') {
    return [command, '--', prefix, ...rest];
  }
  return argv;
}

runCli(async () => {
  const { positionals, values } = parseCli(
    USAGE,
    { client: { type: 'string' }, scopes: { type: 'string' }, tier: { type: 'string', default: 'standard' } },
    { positionals: true, args: argumentsOf(process.argv.slice(2)) },
  );
  const [command, argument] = positionals;
  if (command === 'create' && (!values.client || !values.scopes)) throw new UsageError(`create needs --client and --scopes.\n\n${USAGE}`);
  if (command === 'revoke' && !argument) throw new UsageError(`revoke needs the key's prefix (as \`list\` shows it).\n\n${USAGE}`);
  if (!['create', 'revoke', 'list'].includes(command ?? '')) throw new UsageError(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknownScopes = scopes.filter((s) => !isScope(s));
  if (unknownScopes.length) throw new UsageError(`Unknown scopes: ${unknownScopes.join(', ')}. Scopes: ${SCOPES.join(', ')}.`);
  if (command === 'create' && !values.client!.trim()) throw new UsageError('--client must name the service the key is for.');
  const db = await openCliDatabase();
  try {
    if (command === 'create') {
      const { key, record } = await createApiKey(db.prisma, { clientName: values.client!.trim(), scopes, rateTier: values.tier });
      // The key alone on stdout, so that scripts can capture it; what it is goes to stderr.
      console.error(`Created API key ${record.prefix} for ${record.clientName} (scopes: ${record.scopes.join(' ')}, tier: ${record.rateTier}).`);
      console.error('The key is shown only now; store it as a secret. Send it as the X-API-Key header:');
      console.log(key);
    } else if (command === 'revoke') {
      const record = await revokeApiKey(db.prisma, argument!);
      if (!record) throw new UsageError(`No active API key with prefix ${argument}.`);
      console.log(`Revoked ${record.prefix} (${record.clientName}); running gateways stop accepting it within API_KEY_CACHE_MS.`);
    } else {
      for (const key of await db.prisma.apiKey.findMany({ orderBy: { id: 'asc' } })) {
        const state = key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active';
        console.log(`${key.prefix}  ${key.clientName}  [${key.scopes.join(' ')}]  tier=${key.rateTier}  created ${key.createdAt.toISOString()}  ${state}`);
      }
    }
  } finally {
    await db.close();
  }
});
