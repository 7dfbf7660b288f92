import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Prisma's native engines cannot be downloaded on our machines: the CLI runs its WebAssembly
// schema engine through the same pg driver adapter the server uses.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations', seed: 'tsx prisma/seed.ts' },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error('DATABASE_URL is required for Prisma CLI commands');
    // allowExitOnIdle: the CLI never closes the pool, which would otherwise keep it alive for 10 s.
    return new PrismaPg({ connectionString, allowExitOnIdle: true, idleTimeoutMillis: 50 });
  },
});
