import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_QUERY } from '../../src/ide/ideSettings';
import { describeIf } from '../helpers/conditions';
import { createTestServer, type TestServer } from '../helpers/testServer';

const CHROMIUM = '/usr/bin/chromium';
/** Screenshots for a human to look at; gitignored. */
const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

/**
 * GraphiQL in a real browser, offline: everything it loads comes from the gateway, the docs
 * explorer reads the schema, and the default query runs.
 */
describeIf(existsSync(CHROMIUM), `needs Chromium at ${CHROMIUM} (apt-get install chromium)`)('the GraphQL IDE in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await createTestServer({ NODE_ENV: 'development' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} (${request.failure()?.errorText})`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    // A Content-Security-Policy violation or a script error shows here.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // GraphiQL asks for the schema (introspection, POST /graphql) once it has started.
    const schemaLoaded = page.waitForResponse((response) => response.url() === server.url && response.request().method() === 'POST');
    await page.goto(server.url);
    expect((await schemaLoaded).status()).toBe(200);
    await page.locator('.graphiql-container').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads with no failed request and none to a host other than the gateway', async () => {
    const origin = new URL(server.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(requests).toContain(`${origin}/graphql/ide/graphiql.min.js`);
    expect(problems).toEqual([]);
  });

  it('shows Query.orders in the docs explorer', async () => {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.locator('a.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).click();
    await explorer.locator('.graphiql-doc-explorer-field-name', { hasText: /^orders$/ }).waitFor();
    expect(await explorer.locator('.graphiql-doc-explorer-title').textContent()).toBe('Query');
  });

  it('runs the default query and shows its data in the result pane', async () => {
    const expected = await server.queryAs(null, DEFAULT_QUERY);
    const firstSku: string = expected.body.data.products.edges[0].node.sku;
    await page.getByRole('button', { name: 'Execute query (Ctrl-Enter)' }).click();
    const result = page.locator('.graphiql-response');
    await result.getByText(`"${firstSku}"`).waitFor();
    expect(await result.textContent()).toContain(`"totalCount": ${expected.body.data.products.totalCount}`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphqlIde.png') });
    expect(problems).toEqual([]);
  });
});
