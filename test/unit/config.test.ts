import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has working defaults: embedded database, port 4000, batching on', () => {
    const config = loadConfig({});
    expect(config.database.url).toBeUndefined();
    expect(config.http.port).toBe(4000);
    expect(config.dataLoaderBatching).toBe(true);
    expect(config.isDevelopment).toBe(true);
  });

  it('fails naming each bad variable, what it accepts and its default', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'abc', DATALOADER_BATCHING: 'maybe', DATABASE_URL: 'mysql://x' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/PORT="abc".*\(default: 4000\)/);
    expect(message).toMatch(/DATALOADER_BATCHING="maybe".*"on".*"off".*\(default: on\)/);
    expect(message).toMatch(/DATABASE_URL="mysql:\/\/x": must be a postgres/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(4000);
  });

  it('uses the development JWT secret only in development with no key configured', () => {
    expect(loadConfig({}).auth.jwtSecret).toBeDefined();
    expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example.com/jwks.json' }).auth.jwtSecret).toBeUndefined();
  });

  it('refuses a shared JWT secret in production, and more than one key source', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/JWT_SECRET: a shared secret is for development/);
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_JWKS_URL: 'https://id.example.com/jwks.json' })).toThrow(/set only one way/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET="short": must be at least 32 characters/);
  });
});
