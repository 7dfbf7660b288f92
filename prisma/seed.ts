import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/database';
import { SEED_SIZES, seedDatabase, type SeedSize, type SeedSizeName } from '../src/db/seed';

// npm run db:seed -- [--size demo|bench] [--orders N] [--products N] [--customers N]
//                    [--warehouses N] [--seed N] [--reset]
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'demo' },
    orders: { type: 'string' },
    products: { type: 'string' },
    customers: { type: 'string' },
    warehouses: { type: 'string' },
    seed: { type: 'string' },
    reset: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function count(flag: keyof SeedSize, fallback: number): number {
  const text = values[flag];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) fail(`--${flag} must be a positive integer, got "${text}".`);
  return n;
}

async function main(): Promise<void> {
  const base = SEED_SIZES[values.size as SeedSizeName];
  if (!base) fail(`--size must be one of ${Object.keys(SEED_SIZES).join(', ')}; got "${values.size}".`);
  const size: SeedSize = {
    orders: count('orders', base.orders),
    products: count('products', base.products),
    customers: count('customers', base.customers),
    warehouses: count('warehouses', base.warehouses),
    seed: count('seed', base.seed),
  };
  const connectionString = process.env.DATABASE_URL ?? fail('DATABASE_URL is required: the database to seed (run `npm run db:migrate` first).');
  const db = connectDatabase({ connectionString, poolSize: 4, timeouts: loadConfig().database.timeouts });
  try {
    const started = Date.now();
    const counts = await seedDatabase(db.prisma, size, { reset: values.reset });
    console.log(`Seeded in ${Date.now() - started} ms:`, counts);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => fail(`Seeding failed: ${(error as Error).message}`));
