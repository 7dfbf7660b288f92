import { request } from 'node:http';
import { DEFAULT_QUERY, loadExampleTabs, type IdeSettings } from '../../src/ide/ideSettings';
import { IDE_CONTENT_SECURITY_POLICY } from '../../src/ide/idePage';
import { createTestServer, jsonOf, type TestServer } from '../helpers/testServer';

/** What a browser's address bar sends. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

const openPage = (server: TestServer) => fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });

/** The settings the page hands GraphiQL (its JSON data block). */
function settingsOf(html: string): IdeSettings {
  const json = /<script id="graphiql-settings" type="application\/json">([^<]*)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error(`no settings block in ${html}`);
  return JSON.parse(json) as IdeSettings;
}

/** Every URL an HTML, CSS or JS file makes the browser load. */
const referencesOf = {
  html: (text: string) => [...text.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!),
  css: (text: string) => [...text.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)/g)].map((match) => (match[1] ?? match[2])!),
  js: (text: string) => [...text.matchAll(/^\/\/# sourceMappingURL=(\S+)/gm)].map((match) => match[1]!),
};

/** GET with the path exactly as given: fetch would resolve `..` before sending. */
function getRawPath(server: TestServer, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path, headers: { accept: BROWSER_ACCEPT } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the GraphQL IDE in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer({ NODE_ENV: 'development' });
  });
  afterAll(() => server.close());

  it('serves GraphiQL to a browser at /graphql with a strict Content-Security-Policy, never cached', async () => {
    const page = await openPage(server);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(IDE_CONTENT_SECURITY_POLICY);
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(IDE_CONTENT_SECURITY_POLICY).not.toContain('unsafe-');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<div id="graphiql">');
    // Every script is a file of the gateway: the only inline one is the JSON data block.
    expect([...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]!.trim())).toEqual([
      'id="graphiql-settings" type="application/json"',
      ...['react.production.min.js', 'react-dom.production.min.js', 'graphql-ws.min.js', 'graphiql.min.js', 'boot.js'].map(
        (name) => `src="/graphql/ide/${name}"`,
      ),
    ]);
  });

  it('serves every file the page loads, and nothing it loads names another host', async () => {
    const html = await (await openPage(server)).text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+/i);
    const pending = referencesOf.html(html).map((reference) => new URL(reference, server.url));
    const served: string[] = [];
    while (pending.length > 0) {
      const url = pending.shift()!;
      if (url.protocol === 'data:' || served.includes(url.pathname)) continue;
      expect(url.origin).toBe(new URL(server.url).origin);
      const response = await fetch(url);
      expect([url.pathname, response.status]).toEqual([url.pathname, 200]);
      expect(response.headers.get('cache-control')).toMatch(/^(public, max-age=3600|no-cache)$/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const body = await response.text();
      served.push(url.pathname);
      const kind = url.pathname.endsWith('.css') ? 'css' : url.pathname.endsWith('.js') ? 'js' : undefined;
      expect(response.headers.get('content-type')).toBe(
        kind === 'css' ? 'text/css; charset=utf-8' : kind === 'js' ? 'text/javascript; charset=utf-8' : 'application/json; charset=utf-8',
      );
      if (kind === 'css') expect(body).not.toMatch(/@import/);
      if (kind) pending.push(...referencesOf[kind](body).map((reference) => new URL(reference, url)));
    }
    expect(served.sort()).toEqual(
      [
        'boot.js',
        'graphiql.min.css',
        'graphiql.min.js',
        'graphql-ws.min.js',
        'ide.css',
        'index.umd.js.map',
        'react-dom.production.min.js',
        'react.production.min.js',
      ].map((name) => `/graphql/ide/${name}`),
    );
  });

  it('opens with a products query that an anonymous viewer can run', async () => {
    const settings = settingsOf(await (await openPage(server)).text());
    expect(settings.defaultQuery).toBe(DEFAULT_QUERY);
    expect(settings.defaultTabs[0]).toEqual({ query: DEFAULT_QUERY });
    const result = await server.queryAs(null, settings.defaultQuery);
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data.products.edges).toHaveLength(5);
    expect(result.body.data.products.edges[0].node).toEqual({
      sku: expect.any(String),
      name: expect.any(String),
      price: { amount: expect.any(Number), currency: expect.any(String) },
      totalAvailable: expect.any(Number),
    });
  });

  it('offers every client operation of schema/operations as a tab, with its variables, and a development token that runs them', async () => {
    const settings = settingsOf(await (await openPage(server)).text());
    const examples = loadExampleTabs();
    expect(examples.map((tab) => /^# (\S+)/.exec(tab.query)?.[1])).toEqual([
      'schema/operations/support-bff/CustomerOrders.graphql',
      'schema/operations/support-bff/StockLevels.graphql',
      'schema/operations/web-shop/OrderHistory.graphql',
      'schema/operations/web-shop/PlaceOrder.graphql',
      'schema/operations/web-shop/ProductPage.graphql',
    ]);
    expect(settings.defaultTabs.slice(1)).toEqual(examples);
    expect(JSON.parse(examples[4]!.variables!)).toEqual({ sku: 'SKU-00001' });
    const headers = JSON.parse(settings.defaultHeaders) as { Authorization: string };
    expect(headers.Authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(settings.connectionParams).toEqual({ authorization: headers.Authorization });
    // The queries, run as GraphiQL runs them (the mutation would change the shared data).
    for (const tab of settings.defaultTabs.filter((tab) => !/^mutation /m.test(tab.query))) {
      const variables = tab.variables ? (JSON.parse(tab.variables) as Record<string, unknown>) : undefined;
      const result = await server.queryAs({ authorization: headers.Authorization }, tab.query, variables);
      expect([tab.query.split('\n')[0], result.body.errors]).toEqual([tab.query.split('\n')[0], undefined]);
    }
  });

  it('leaves GraphQL requests to GraphQL: a client that does not ask for HTML, or a GET with a query', async () => {
    const curl = await fetch(server.url, { headers: { accept: '*/*' } });
    expect(curl.status).toBe(400);
    expect((await jsonOf(curl)).errors[0].extensions.code).toBe('BAD_REQUEST');
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ products(first: 1) { totalCount } }')}`, {
      headers: { accept: BROWSER_ACCEPT, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect((await jsonOf(get)).data.products.totalCount).toBeGreaterThan(0);
  });

  it.each([
    '/graphql/ide/../../package.json',
    '/graphql/ide/..%2f..%2fpackage.json',
    '/graphql/ide/%2e%2e/%2e%2e/package.json',
    '/graphql/ide/boot.js/../../../package.json',
    '/graphql/ide/',
    '/graphql/ide/graphiql.js',
    '/graphql/ide/BOOT.JS',
    '/graphql/ide/boot.js%00',
  ])('answers %s with 404 NOT_FOUND', async (path) => {
    const response = await getRawPath(server, path);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('the GraphQL IDE outside development', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: '', JWT_JWKS_URL: 'https://id.example.com/jwks.json' };

  it.each([
    ['production', production],
    ['test', {}],
    ['development with GRAPHQL_IDE=off', { NODE_ENV: 'development', GRAPHQL_IDE: 'off' }],
  ])('is off in %s: a browser gets the JSON refusal of a GET without a query, and no IDE files', async (_name, env) => {
    const server = await createTestServer(env);
    try {
      const page = await openPage(server);
      expect(page.status).toBe(400);
      expect(page.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect((await jsonOf(page)).errors[0].extensions.code).toBe('BAD_REQUEST');
      expect((await fetch(new URL('/graphql/ide/boot.js', server.url))).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('is served in production with GRAPHQL_IDE=on, without a token', async () => {
    const server = await createTestServer({ ...production, GRAPHQL_IDE: 'on' });
    try {
      const page = await openPage(server);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(IDE_CONTENT_SECURITY_POLICY);
      const html = await page.text();
      expect(html).not.toMatch(/Bearer|eyJ/);
      const settings = settingsOf(html);
      expect(settings.defaultHeaders).toBe('');
      expect(settings.connectionParams).toBeNull();
      expect(settings.defaultTabs).toHaveLength(loadExampleTabs().length + 1);
      expect((await fetch(new URL('/graphql/ide/graphiql.min.js', server.url))).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
