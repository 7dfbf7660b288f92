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
});
