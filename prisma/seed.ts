import { parseCli, runCli, UsageError } from '../src/cli/cli';
import { openCliDatabase } from '../src/cli/cliDatabase';
import { SEED_SIZES, seedDatabase, type SeedSize, type SeedSizeName } from '../src/db/seed';

const USAGE = `Usage: npm run db:seed -- [--size demo|bench] [--orders N] [--products N] [--customers N]
                           [--warehouses N] [--seed N] [--reset]
Fills the database with deterministic demo data (the same flags always give the same rows): the
database at DATABASE_URL (migrated first: npm run db:migrate), or the embedded one while the
server is stopped. Refuses a database that already has data unless --reset empties it first.
  --size   demo (what npm start serves) or bench (20,000 orders over 1,000 products)`;

runCli(async () => {
  const { values } = parseCli(USAGE, {
    size: { type: 'string', default: 'demo' },
    orders: { type: 'string' },
    products: { type: 'string' },
    customers: { type: 'string' },
    warehouses: { type: 'string' },
    seed: { type: 'string' },
    reset: { type: 'boolean', default: false },
  });
  const count = (flag: keyof SeedSize, fallback: number): number => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${text}".`);
    return n;
  };
  const base = SEED_SIZES[values.size as SeedSizeName];
  if (!base) throw new UsageError(`--size must be one of ${Object.keys(SEED_SIZES).join(', ')}; got "${values.size}".`);
  const size: SeedSize = {
    orders: count('orders', base.orders),
    products: count('products', base.products),
    customers: count('customers', base.customers),
    warehouses: count('warehouses', base.warehouses),
    seed: count('seed', base.seed),
  };
  const db = await openCliDatabase({ seed: false });
  try {
    const started = Date.now();
    const counts = await seedDatabase(db.prisma, size, { reset: values.reset });
    console.log(`Seeded in ${Date.now() - started} ms:`, counts);
  } finally {
    await db.close();
  }
});
