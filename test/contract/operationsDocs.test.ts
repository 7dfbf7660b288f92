import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GatewayMetrics } from '../../src/observability/metrics';
import { labelValuesReferences, promqlReferences, type PromqlReferences } from '../helpers/promql';

/**
 * The operations documentation against the code it describes: every metric and label the alert
 * rules, the Grafana dashboard and the queries of docs/operations.md use exists in a real
 * GatewayMetrics registry; every gateway metric is documented and on the dashboard; every alert
 * has a severity, a summary and a runbook that is a heading of docs/operations.md. promtool is
 * not installed here, so the expressions are read by test/helpers/promql.ts.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const DOC = 'docs/operations.md';
const ALERTS = 'docs/prometheus/gateway-alerts.yml';
const DASHBOARD = 'docs/grafana/gateway-dashboard.json';

/** The metrics these files may refer to: the gateway's own and prom-client's runtime ones. */
const CHECKED = /^(gateway|nodejs|process)_/;
/** Labels Prometheus adds to every series it scrapes. */
const TARGET_LABELS = ['instance', 'job'];

interface RegisteredMetric {
  type: string;
  labels: Set<string>;
}

async function registeredMetrics(): Promise<Map<string, RegisteredMetric>> {
  const metrics = new GatewayMetrics();
  metrics.watch({
    pool: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    webSocket: () => ({ connections: 0, operations: 0 }),
    outbox: async () => ({ pending: 0, dead: 0, oldestPendingSeconds: 0 }),
    responseCache: () => ({ entries: 0, bytes: 0 }),
  });
  const registered = new Map<string, RegisteredMetric>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    // A series without samples yet (a histogram never observed) still names its labels in prom-client's labelNames.
    const declared = (metrics.registry.getSingleMetric(metric.name) as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    const sampled = metric.values.flatMap((value) => Object.keys(value.labels)).filter((label) => label !== 'le' && label !== 'quantile');
    registered.set(metric.name, { type: String(metric.type), labels: new Set([...declared, ...sampled]) });
  }
  return registered;
}

/** The labels a selected name has: a histogram's `_bucket` adds `le`; undefined for a name the registry lacks. */
function labelsOf(registry: Map<string, RegisteredMetric>, name: string): Set<string> | undefined {
  const own = registry.get(name);
  if (own) return new Set([...own.labels, ...TARGET_LABELS]);
  const part = /^(.+)_(bucket|sum|count)$/.exec(name);
  const base = part ? registry.get(part[1]!) : undefined;
  if (!base || base.type !== 'histogram') return undefined;
  return new Set([...base.labels, ...TARGET_LABELS, ...(part![2] === 'bucket' ? ['le'] : [])]);
}

/** What is wrong with one expression's references; each problem names where the expression is. */
function problemsOf(registry: Map<string, RegisteredMetric>, where: string, references: PromqlReferences): string[] {
  const problems: string[] = [];
  for (const { metric, labels } of references.selectors) {
    if (!CHECKED.test(metric)) continue;
    const known = labelsOf(registry, metric);
    if (!known) problems.push(`${where}: ${metric} is not a metric of the gateway`);
    else for (const label of labels.filter((l) => !known.has(l))) problems.push(`${where}: ${metric} has no label ${label}`);
  }
  for (const { labels, metrics } of references.groupings) {
    for (const metric of metrics.filter((m) => CHECKED.test(m))) {
      const known = labelsOf(registry, metric);
      if (known) for (const label of labels.filter((l) => !known.has(l))) problems.push(`${where}: groups ${metric} by ${label}, which it does not have`);
    }
  }
  return problems;
}

function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (!heading) continue;
    // GitHub's anchors: lower case, punctuation dropped (backticks, slashes ...), each space a hyphen; repeats get -1, -2.
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; legendFormat?: string; datasource?: { uid: string } }>;
  panels?: DashboardPanel[];
}

interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query: string };
  current?: { value: unknown };
}

describe('the operations documentation', () => {
  let registry: Map<string, RegisteredMetric>;
  const doc = read(DOC);
  const anchors = headingAnchors(doc);
  const rules: AlertRule[] = (parseYaml(read(ALERTS)) as { groups: Array<{ name: string; rules: AlertRule[] }> }).groups.flatMap((g) => g.rules);
  const dashboard = JSON.parse(read(DASHBOARD)) as {
    __inputs: Array<{ name: string; pluginId: string }>;
    panels: DashboardPanel[];
    templating: { list: DashboardVariable[] };
  };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((panel) => panel.type !== 'row');
  const variables = dashboard.templating.list;
  const variableQuery = (v: DashboardVariable) => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''));
  const docQueries = [...doc.matchAll(/^```promql\n([\s\S]*?)\n```/gm)].map((m) => m[1]!);
  const gatewayMetrics = () => [...registry.keys()].filter((name) => name.startsWith('gateway_'));

  beforeAll(async () => {
    registry = await registeredMetrics();
  });

  it('reads the registry it checks against (labels included, even of series not yet observed)', () => {
    expect([...registry.get('gateway_operation_duration_seconds')!.labels].sort()).toEqual(['client', 'operation', 'outcome', 'type']);
    expect([...registry.get('gateway_db_pool_connections')!.labels]).toEqual(['state']);
    expect([...registry.get('nodejs_gc_duration_seconds')!.labels]).toEqual(['kind']);
    expect(gatewayMetrics()).toEqual(expect.arrayContaining(['gateway_outbox_backlog', 'gateway_websocket_connections', 'gateway_errors_total']));
  });

  it('catches what it is for: an unknown metric, an unknown label, a grouping by a label the metric lacks', () => {
    const check = (expr: string) => problemsOf(registry, 'x', promqlReferences(expr));
    expect(check('sum by (le, operation) (rate(gateway_operation_duration_seconds_bucket{outcome="ok"}[5m]))')).toEqual([]);
    expect(check('rate(gateway_operation_durations_seconds_count[5m])')).toEqual([
      'x: gateway_operation_durations_seconds_count is not a metric of the gateway',
    ]);
    expect(check('gateway_errors_total{tier="anonymous"}')).toEqual(['x: gateway_errors_total has no label tier']);
    expect(check('sum by (client) (rate(gateway_operation_dataloader_batches_count[5m]))')).toEqual([
      'x: groups gateway_operation_dataloader_batches_count by client, which it does not have',
    ]);
    expect(check('sum(rate(gateway_operation_sql_statements_sum[5m])) by (le)')).toEqual([
      'x: groups gateway_operation_sql_statements_sum by le, which it does not have',
    ]);
  });

  describe('docs/operations.md', () => {
    it('names every gateway metric of the registry', () => {
      expect(gatewayMetrics().filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    });

    it('queries only metrics and labels that exist', () => {
      expect(docQueries.length).toBeGreaterThanOrEqual(5);
      expect(docQueries.flatMap((query, i) => problemsOf(registry, `${DOC} query ${i + 1}`, promqlReferences(query)))).toEqual([]);
    });

    it('links only to its own headings', () => {
      const links = [...doc.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
      expect(links.length).toBeGreaterThan(10);
      expect(links.filter((anchor) => !anchors.has(anchor))).toEqual([]);
    });
  });

  describe(ALERTS, () => {
    it('has alerts, each with a unique name, an expression, a duration, a severity, a summary, a description and a runbook', () => {
      const alerts = rules.filter((rule) => rule.alert);
      expect(alerts.length).toBeGreaterThanOrEqual(8);
      expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
      const incomplete = alerts.filter(
        (a) =>
          !a.expr?.trim() ||
          !/^\d+[smh]$/.test(a.for ?? '') ||
          !['critical', 'warning'].includes(a.labels?.severity ?? '') ||
          !a.annotations?.summary ||
          !a.annotations?.description ||
          !a.annotations?.runbook_url,
      );
      expect(incomplete.map((a) => a.alert)).toEqual([]);
    });

    it('points every runbook at an existing heading of docs/operations.md', () => {
      const broken = rules
        .filter((rule) => rule.alert)
        .map((rule) => ({ alert: rule.alert, runbook: rule.annotations?.runbook_url ?? '' }))
        .filter(({ runbook }) => {
          // The repository path, or a URL ending in it (a deployment may put its repository host in front).
          const match = /(?:^|\/)docs\/operations\.md#(.+)$/.exec(runbook);
          return !match || !anchors.has(match[1]!);
        });
      expect(broken).toEqual([]);
    });

    it('uses only metrics and labels that exist', () => {
      expect(rules.flatMap((rule) => problemsOf(registry, `${ALERTS} ${rule.alert ?? rule.record}`, promqlReferences(rule.expr)))).toEqual([]);
    });
  });

  describe(DASHBOARD, () => {
    it('asks for a Prometheus data source on import and uses it through the datasource variable', () => {
      expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
      const datasource = variables.find((v) => v.name === 'datasource');
      expect(datasource).toEqual(
        expect.objectContaining({ type: 'datasource', query: 'prometheus', current: expect.objectContaining({ value: '${DS_PROMETHEUS}' }) }),
      );
      const elsewhere = panels.filter((p) => p.datasource?.uid !== '${datasource}' || p.targets?.some((t) => t.datasource?.uid !== '${datasource}'));
      expect(elsewhere.map((p) => p.title)).toEqual([]);
    });

    it('filters by operation and client with variables from label_values', () => {
      for (const name of ['operation', 'client']) {
        const variable = variables.find((v) => v.name === name);
        expect(variable?.type).toBe('query');
        expect(labelValuesReferences(variableQuery(variable!))).toBeDefined();
      }
    });

    it('gives every panel a unique id and at least one query', () => {
      expect(new Set(dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id)).size).toBe(
        dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).length,
      );
      expect(panels.filter((p) => !p.targets?.length || p.targets.some((t) => !t.expr?.trim())).map((p) => p.title)).toEqual([]);
    });

    it('uses only metrics and labels that exist, in its queries, variables and legends', () => {
      const problems = panels.flatMap((panel) =>
        (panel.targets ?? []).flatMap((target) => {
          const where = `${DASHBOARD} "${panel.title}"`;
          const references = promqlReferences(target.expr);
          const available = new Set(references.selectors.flatMap(({ metric }) => [...(labelsOf(registry, metric) ?? [])]));
          const legend = [...(target.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!).filter((label) => !available.has(label));
          return [...problemsOf(registry, where, references), ...legend.map((label) => `${where}: legend {{${label}}} is no label of its metrics`)];
        }),
      );
      const variableProblems = variables
        .filter((v) => v.type === 'query')
        .flatMap((v) => problemsOf(registry, `${DASHBOARD} variable ${v.name}`, labelValuesReferences(variableQuery(v)) ?? promqlReferences(variableQuery(v))));
      expect([...problems, ...variableProblems]).toEqual([]);
    });

    it('shows every gateway metric of the registry', () => {
      const shown = new Set(
        panels.flatMap((p) => (p.targets ?? []).flatMap((t) => promqlReferences(t.expr).selectors.map((s) => s.metric.replace(/_(bucket|sum|count)$/, '')))),
      );
      expect(gatewayMetrics().filter((name) => !shown.has(name))).toEqual([]);
    });
  });
});
