/**
 * Three projects, run together by `npm test` or one at a time with `--selectProjects`:
 * - unit: no database, no server (test/unit mirrors src/);
 * - integration: a real server on a real database, the embedded PostgreSQL by default or a
 *   throwaway database on the server DATABASE_URL names (test/helpers/globalSetup.ts);
 * - contract: the schema's own rules (descriptions, access rules, resolvers, snapshot).
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  testTimeout: 30000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  // Read from the global configuration by the test runner, not from each project's.
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/helpers/skippedTestsReporter.js'],
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
      globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
    },
    { ...shared, displayName: 'contract', roots: ['<rootDir>/test/contract'], testMatch: ['**/*.test.ts'] },
  ],
};
