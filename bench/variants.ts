/**
 * One way of running the current checkout's gateway, differing from the others only by settings:
 * `--variants` (or `--instrumentation`) measures them in alternating rounds, as `--compare`
 * does for two checkouts.
 */
export interface Variant {
  name: string;
  description: string;
  /** Settings, as the gateway's configuration reads them (startLocalGateway's `env`). */
  env: Record<string, string>;
  /**
   * The request log as production writes it (createLogger: asynchronous, to standard output),
   * with the gateway's standard output redirected into a temporary file; silent otherwise.
   */
  log: boolean;
  /** The OpenTelemetry SDK installed with production's OTLP/HTTP exporter, sending to a sink in the bench process that discards. */
  tracing: boolean;
}

/** What the other variants are divided by. */
export const BASELINE_VARIANT = 'bare';

/** The production default, which the issue holds to at most 5% less throughput on the orders page than `bare`. */
export const INSTRUMENTED_VARIANT = 'instrumented';

export const VARIANTS: readonly Variant[] = [
  {
    name: INSTRUMENTED_VARIANT,
    description: 'the production default: METRICS=on, LOG_LEVEL=info (one line per request, written to a file), TRACING=off (the API, no SDK)',
    env: { METRICS: 'on', LOG_LEVEL: 'info', TRACING: 'off' },
    log: true,
    tracing: false,
  },
  {
    name: BASELINE_VARIANT,
    description: 'METRICS=off, LOG_LEVEL=silent; the tracing API calls stay (no-ops, as in every variant without the SDK)',
    env: { METRICS: 'off', LOG_LEVEL: 'silent', TRACING: 'off' },
    log: false,
    tracing: false,
  },
  {
    name: 'uncached',
    description: 'instrumented with RESPONSE_CACHE=off: every query executes (what a miss costs, and the product and stock pages without their cache hits)',
    env: { METRICS: 'on', LOG_LEVEL: 'info', TRACING: 'off', RESPONSE_CACHE: 'off' },
    log: true,
    tracing: false,
  },
  {
    name: 'traced',
    description: 'instrumented plus TRACING=otlp: every span recorded (TRACING_SAMPLE_RATIO=1), batched and exported over OTLP/HTTP',
    env: { METRICS: 'on', LOG_LEVEL: 'info', TRACING: 'otlp', TRACING_SAMPLE_RATIO: '1' },
    log: true,
    tracing: true,
  },
];

/** What `--instrumentation` runs: every variant but `uncached`, which is about the response cache. */
export const INSTRUMENTATION_VARIANTS = VARIANTS.filter((v) => v.name !== 'uncached')
  .map((v) => v.name)
  .join(',');

/** The variants --variants names (comma-separated), in the order of VARIANTS; the baseline is always among them. */
export function selectVariants(names: string): Variant[] {
  const wanted = names
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = wanted.filter((n) => !VARIANTS.some((v) => v.name === n));
  if (unknown.length > 0) throw new Error(`unknown variant(s) ${unknown.join(', ')}: choose from ${VARIANTS.map((v) => v.name).join(', ')}`);
  if (!wanted.includes(BASELINE_VARIANT)) wanted.push(BASELINE_VARIANT);
  if (wanted.length < 2) throw new Error(`--variants needs a variant besides ${BASELINE_VARIANT}, which the others are divided by`);
  return VARIANTS.filter((v) => wanted.includes(v.name));
}
