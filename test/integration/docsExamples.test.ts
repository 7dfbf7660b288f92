import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEVELOPMENT_JWT_SECRET } from '../../src/config';
import { SEED_SIZES, seedDatabase } from '../../src/db/seed';
import { codeBlocks, expectedOutcome, notRunReason, sendsRequests, type DocBlock } from '../helpers/docExamples';
import { createIsolatedDatabase } from '../helpers/isolatedDatabase';
import { createTestServer, type TestServer } from '../helpers/testServer';
import { signToken } from '../helpers/tokens';

/**
 * Every shell example of README.md and docs/*.md runs here, as a reader would paste it into a
 * terminal, against a gateway in development mode on its own demo database: the examples of one
 * file run in order in one shell (later ones use the variables and helpers earlier ones define),
 * and every request they send must answer 200 without `errors`, unless a
 * `<!-- docs-test: expect <status> <CODE> -->` marker above the block says which refusal the text
 * shows. A block that cannot run here says why in a `<!-- docs-test: not run: <reason> -->` marker.
 */
const ROOT = path.resolve(__dirname, '../..');
const DOCUMENTED_URL = 'http://127.0.0.1:4000';
const FILES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const SHELL = new Set(['sh', 'bash', 'shell']);

// Every request a block's `curl` sends is recorded (status and body, per block), with the
// documented address swapped for the test server's; the output still goes to the pipeline.
const RECORDING_CURL = `
curl() {
  local call args=() a documented='${DOCUMENTED_URL}'
  call=$(mktemp "$DOCS_LOG/call.XXXXXX")
  for a in "$@"; do args+=("\${a//"$documented"/$DOCS_BASE}"); done
  echo "$DOCS_BLOCK" > "$call.block"
  command curl "\${args[@]}" -o "$call.body" -w '%{http_code}' > "$call.status"
  local status=$?
  cat "$call.body"
  return $status
}
`;

interface RecordedCall {
  block: number;
  status: number;
  body: string;
}

function runShell(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { JWT_SECRET: _secret, NODE_ENV: _env, DATABASE_URL: _db, ...inherited } = process.env;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env: { ...inherited, NODE_ENV: 'development', ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function recordedCalls(log: string): RecordedCall[] {
  return readdirSync(log)
    .filter((name) => name.endsWith('.block'))
    .map((name) => {
      const call = path.join(log, name.slice(0, -'.block'.length));
      return {
        block: Number(readFileSync(`${call}.block`, 'utf8')),
        status: Number(readFileSync(`${call}.status`, 'utf8')),
        // `curl -i` writes the headers first.
        body: (existsSync(`${call}.body`) ? readFileSync(`${call}.body`, 'utf8') : '').replace(/^(HTTP\/[\s\S]*?\r\n\r\n)+/, ''),
      };
    });
}

/** What is wrong with one answer, given what the example promises; null when it keeps it. */
function problemWith(call: RecordedCall, block: DocBlock): string | null {
  const expected = expectedOutcome(block);
  let body: unknown;
  try {
    body = JSON.parse(call.body);
  } catch {
    return `answered ${call.status} with a body that is not JSON: ${call.body.slice(0, 300)}`;
  }
  const results = (Array.isArray(body) ? body : [body]) as Array<{ errors?: Array<{ extensions?: { code?: string } }> }>;
  const errors = results.flatMap((result) => result.errors ?? []);
  if (call.status !== expected.status) return `answered ${call.status}, not ${expected.status}: ${call.body.slice(0, 300)}`;
  if (expected.code === null && errors.length > 0) return `answered with errors: ${call.body.slice(0, 300)}`;
  if (expected.code !== null && errors[0]?.extensions?.code !== expected.code) return `answered without ${expected.code}: ${call.body.slice(0, 300)}`;
  return null;
}

describe('the examples of the documentation', () => {
  let database: Awaited<ReturnType<typeof createIsolatedDatabase>>;
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    database = await createIsolatedDatabase();
    await seedDatabase(database.db.prisma, SEED_SIZES.demo);
    // As `npm start` runs: development mode (tokens of `npm run token:dev`), rate limits on.
    server = await createTestServer({ DATABASE_URL: database.url, NODE_ENV: 'development', JWT_SECRET: DEVELOPMENT_JWT_SECRET, RATE_LIMIT: 'on' });
    base = new URL(server.url).origin;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('mark every block that cannot run, with a reason', () => {
    const blocks = FILES.flatMap((file) => codeBlocks(path.join(ROOT, file)));
    const unexplained = blocks.filter((b) => b.marker !== null && notRunReason(b) === null && !/^expect \d{3} [A-Z_]+$/.test(b.marker));
    expect(unexplained.map((b) => `${b.file}:${b.line} ${b.marker}`)).toEqual([]);
    // The examples are there: a docs rewrite that drops the fences would pass the rest silently.
    expect(blocks.filter((b) => SHELL.has(b.language) && notRunReason(b) === null && sendsRequests(b)).length).toBeGreaterThanOrEqual(15);
  });

  it.each(FILES)(
    '%s: every shell example runs as written',
    async (file) => {
      const blocks = codeBlocks(path.join(ROOT, file)).filter((b) => SHELL.has(b.language) && notRunReason(b) === null);
      if (blocks.length === 0) return; // every example of the file is marked not run, with its reason
      const log = mkdtempSync(path.join(tmpdir(), 'docs-examples-'));
      try {
        const script = [RECORDING_CURL, ...blocks.map((b, i) => `DOCS_BLOCK=${i}\n${b.code}\necho "${i} $?" >> "$DOCS_LOG/exits"`)].join('\n');
        // The tools (`npm run apikey`) work on the test server's database, as they would on the one of `npm start`.
        const { output } = await runShell(script, { DOCS_BASE: base, DOCS_LOG: log, DATABASE_URL: database.url });
        const exits = readFileSync(path.join(log, 'exits'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(' ').map(Number));
        const calls = recordedCalls(log);
        const problems = blocks
          .flatMap((block, i) => {
            const where = `${file}:${block.line}`;
            const exit = exits.find(([index]) => index === i)?.[1];
            const own = calls.filter((call) => call.block === i);
            return [
              exit === 0 ? null : `${where}: its last command exited ${exit ?? 'never (the shell stopped before it)'}`,
              sendsRequests(block) && own.length === 0 ? `${where}: sent no request` : null,
              ...own.map((call) => {
                const problem = problemWith(call, block);
                return problem && `${where}: ${problem}`;
              }),
            ];
          })
          .filter((problem): problem is string => problem !== null);
        if (problems.length) problems.push(`shell output:\n${output.slice(-2000)}`);
        expect(problems).toEqual([]);
      } finally {
        rmSync(log, { recursive: true, force: true });
      }
    },
    180_000,
  );

  it('docs/mutations.md: the subscription example, run on this Node, receives an order status change', async () => {
    const example = codeBlocks(path.join(ROOT, 'docs/mutations.md')).find((b) => b.language === 'js' && b.code.includes('orderStatusChanged'));
    expect(example).toBeDefined();
    const shopper = await signToken({ roles: ['customer'], customer_id: 1, sub: 'customer-1' }, { secret: DEVELOPMENT_JWT_SECRET });
    const placed = await server.queryAs(
      { authorization: `Bearer ${shopper}` },
      'mutation { placeOrder(input: {items: [{productId: "UHJvZHVjdDox", quantity: 1}]}) { order { id } } }',
    );
    const order: string = placed.body.data.placeOrder.order.id;

    const code = example!.code.replace('ws://127.0.0.1:4000', base.replace('http://', 'ws://'));
    const { JWT_SECRET: _secret, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, env: { ...inherited, TOKEN: shopper, ORDER: order } });
    let output = '';
    const seen = (text: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => output.includes(text) && resolve();
        child.stdout.on('data', (chunk) => ((output += chunk), check()));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('exit', (status) => reject(new Error(`the example exited ${status} before printing ${text}:\n${output}`)));
        check();
      });
    try {
      await seen('connected');
      // The subscription is sent right after the connection is acknowledged: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const admin = await signToken({ roles: ['admin'], sub: 'admin' }, { secret: DEVELOPMENT_JWT_SECRET });
      const paid = await server.queryAs({ authorization: `Bearer ${admin}` }, `mutation { markOrderPaid(id: "${order}") { order { status } } }`);
      expect(paid.body.data.markOrderPaid.order.status).toBe('PAID');
      await seen('"status":"PAID"');
      expect(JSON.parse(output.split('\n').find((line) => line.includes('"PAID"'))!)).toEqual({
        data: { orderStatusChanged: { previousStatus: 'PENDING', status: 'PAID', order: { id: order } } },
      });
    } finally {
      child.kill();
    }
  }, 60_000);
});
