/**
 * The scale-out tests: real gateway processes, slower than the rest, run once by `.ci/run`
 * (`npm run test:scaleout`) after the main suites, not by `npm test`:
 * - replicas: two gateway processes on one PostgreSQL, Redis and NATS (the servers the
 *   environment names) agree on budgets, idempotency keys, stock, events and subscriptions;
 * - drills: PostgreSQL, Redis or NATS instances the tests start themselves on free ports,
 *   stopped and started again under load, each drill reporting its recovery time.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  testTimeout: 180_000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  testTimeout: 180_000,
  // One file at a time: each starts several processes, and the machine has few cores.
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/helpers/skippedTestsReporter.js'],
  projects: [
    { ...shared, displayName: 'replicas', roots: ['<rootDir>/test/replicas'], testMatch: ['**/*.test.ts'] },
    { ...shared, displayName: 'drills', roots: ['<rootDir>/test/drills'], testMatch: ['**/*.test.ts'] },
  ],
};
