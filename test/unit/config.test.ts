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

  it('refuses a NATS_URL that could never connect, since the gateway starts without NATS and would retry it for ever', () => {
    expect(loadConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).outbox.natsUrl).toBe('nats://127.0.0.1:4222');
    for (const url of ['nats://', 'nats://host:notaport', 'http://host:4222']) {
      expect(() => loadConfig({ NATS_URL: url })).toThrow(new RegExp(`NATS_URL="${url.replace(/[/.]/g, '\\$&')}": must be a nats:// URL`));
    }
  });

  it('reads TRUSTED_PROXIES as a list of addresses, ranges and names, and names an entry it cannot read', () => {
    expect(loadConfig({}).http.trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,192.0.2.7' }).http.trustedProxies).toEqual(['loopback', '10.0.0.0/8', '192.0.2.7']);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'loopback,nginx' })).toThrow(/TRUSTED_PROXIES="loopback,nginx": invalid IP address: nginx/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '' }).http.port).toBe(4000);
  });

  it('uses the development JWT secret only in development with no key configured', () => {
    expect(loadConfig({}).auth.jwtSecret).toBeDefined();
    expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example.com/jwks.json' }).auth.jwtSecret).toBeUndefined();
  });

  it('serves the GraphQL IDE in development only, unless GRAPHQL_IDE says otherwise', () => {
    expect(loadConfig({}).graphqlIde).toBe(true);
    expect(loadConfig({ GRAPHQL_IDE: 'off' }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example.com/jwks.json' }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_JWKS_URL: 'https://id.example.com/jwks.json', GRAPHQL_IDE: 'on' }).graphqlIde).toBe(true);
    expect(() => loadConfig({ GRAPHQL_IDE: 'yes' })).toThrow(/GRAPHQL_IDE="yes".*"on".*"off"/);
  });

  it('refuses a shared JWT secret in production, and more than one key source', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/JWT_SECRET: a shared secret is for development/);
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_JWKS_URL: 'https://id.example.com/jwks.json' })).toThrow(/set only one way/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET="short": must be at least 32 characters/);
  });

  it('bounds database time by default, and takes the four limits in milliseconds', () => {
    expect(loadConfig({}).database.timeouts).toEqual({ statementTimeoutMs: 5_000, lockTimeoutMs: 2_000, acquireTimeoutMs: 2_000, transactionTimeoutMs: 8_000 });
    const timeouts = loadConfig({
      DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      DATABASE_LOCK_TIMEOUT_MS: '1000',
      DATABASE_ACQUIRE_TIMEOUT_MS: '500',
      DATABASE_TRANSACTION_TIMEOUT_MS: '60000',
    }).database.timeouts;
    expect(timeouts).toEqual({ statementTimeoutMs: 30_000, lockTimeoutMs: 1_000, acquireTimeoutMs: 500, transactionTimeoutMs: 60_000 });
  });

  it('refuses a database limit that is not a positive whole number of milliseconds, naming its default', () => {
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0' })).toThrow(
      'DATABASE_STATEMENT_TIMEOUT_MS="0": must be at least 1 (0 would mean no limit) (default: 5000)',
    );
    expect(() => loadConfig({ DATABASE_ACQUIRE_TIMEOUT_MS: '2s' })).toThrow(
      'DATABASE_ACQUIRE_TIMEOUT_MS="2s": must be a whole number of milliseconds (default: 2000)',
    );
    expect(() => loadConfig({ DATABASE_TRANSACTION_TIMEOUT_MS: '7200000' })).toThrow(/DATABASE_TRANSACTION_TIMEOUT_MS="7200000": must be at most 3600000/);
  });

  it('refuses database limits that contradict each other, saying which gives way', () => {
    expect(() => loadConfig({ DATABASE_LOCK_TIMEOUT_MS: '6000' })).toThrow(
      /DATABASE_LOCK_TIMEOUT_MS=6000 is longer than DATABASE_STATEMENT_TIMEOUT_MS=5000: a statement waiting for a lock would be cancelled by the statement timeout first/,
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '8000' })).toThrow(
      /DATABASE_TRANSACTION_TIMEOUT_MS=8000 is not longer than DATABASE_STATEMENT_TIMEOUT_MS=8000: a transaction runs several statements/,
    );
  });
});
