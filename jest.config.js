/**
 * Unit tests never touch a database; integration tests run a real server against a real
 * database: the embedded PostgreSQL by default, or a throwaway database created on the server
 * that DATABASE_URL points at (see test/helpers/globalSetup.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  testTimeout: 30000,
};
