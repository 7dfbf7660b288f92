import type { OperationFigures, Quantile, SortKey } from './operationFigures';

export type ReportFormat = 'text' | 'markdown' | 'json';

/**
 * The version of the JSON report's shape (docs/ops-report.schema.json): raised when a field is
 * removed or changes meaning, so that scripts reading it can tell; added fields keep it.
 */
export const OPS_REPORT_FORMAT_VERSION = 1;

/** What the figures were read from and how they were chosen: the report's heading. */
export interface ReportContext {
  /** The metrics URL, the file, or `stdin`. */
  source: string;
  gatewayStartedAt: Date | null;
  sort: SortKey;
  operation?: string;
  client?: string;
}

const COLUMNS = [
  'operation',
  'client',
  'calls',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'errors',
  'client_error',
  'server_error',
  'refused',
  'est. cost/call',
  'actual cost/call',
  'SQL/call',
] as const;
/** Operation and client read left-aligned; every figure right-aligned. */
const TEXT_COLUMNS = 2;

export function formatOperationReport(rows: readonly OperationFigures[], context: ReportContext, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(jsonReport(rows, context), null, 2);
  const cells = rows.map((r) => [
    r.operation,
    r.client,
    String(r.calls),
    quantile(r.latencyMs.p50),
    quantile(r.latencyMs.p95),
    quantile(r.latencyMs.p99),
    String(r.errors.total),
    String(r.errors.clientError),
    String(r.errors.serverError),
    String(r.errors.refused),
    decimal(r.costPerCall.estimated),
    decimal(r.costPerCall.actual),
    decimal(r.sqlStatementsPerCall),
  ]);
  const filters = [context.operation !== undefined && `operation ${context.operation}`, context.client !== undefined && `client ${context.client}`].filter(
    Boolean,
  );
  const since = context.gatewayStartedAt ? `since the gateway started (${context.gatewayStartedAt.toISOString()})` : 'since the gateway started';
  const about = `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}${filters.length ? ` for ${filters.join(' and ')}` : ''}, ${since}, by ${SORT_LABELS[context.sort]}.`;
  const note =
    `Latencies are interpolated within the duration histogram's buckets, as Prometheus' histogram_quantile does; ">= X" lies past its highest bucket. ` +
    'Errors are calls whose outcome was not ok. Cost and SQL statements are averages per call.';

  if (format === 'markdown') {
    const escape = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [`### Operation figures`, '', `From \`${context.source}\`: ${about}`, ''];
    lines.push(`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map((_, i) => (i < TEXT_COLUMNS ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of cells) lines.push(`| ${row.map((cell, i) => (i === 0 ? `\`${escape(cell)}\`` : escape(cell))).join(' | ')} |`);
    if (cells.length === 0) lines.push('', '_No calls recorded._');
    lines.push('', `<sub>${note}</sub>`);
    return lines.join('\n');
  }

  const shown = cells.map((row) => row.map((cell) => cell.replace(/\n/g, '\\n')));
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...shown.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i < TEXT_COLUMNS ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [`Operation figures from ${context.source}: ${about}`, '', line(COLUMNS), ...shown.map(line)];
  if (shown.length === 0) lines.push('(no calls recorded)');
  lines.push('', note);
  return lines.join('\n');
}

const SORT_LABELS: Record<SortKey, string> = { calls: 'calls', p99: 'p99 latency', errors: 'errors' };

function quantile(q: Quantile | null): string {
  if (!q) return '-';
  // A bucket bound reads as configured (>= 10000, >= 7.5), not as a measurement.
  return q.atLeast ? `>= ${rounded(q.ms)}` : decimal(q.ms);
}

/** One decimal: enough for milliseconds, cost and statements per call, and columns that line up. */
function decimal(value: number | null): string {
  return value === null ? '-' : value.toFixed(1);
}

/** Rounded to a microsecond (or a thousandth of a statement): no 12.499999999 in a CI log. */
function rounded(value: number): number;
function rounded(value: number | null): number | null;
function rounded(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}

/** The JSON report: every field named here, in docs/ops-report.schema.json's shape. */
function jsonReport(rows: readonly OperationFigures[], context: ReportContext) {
  const q = (value: Quantile | null) => value && { ms: rounded(value.ms), atLeast: value.atLeast };
  return {
    formatVersion: OPS_REPORT_FORMAT_VERSION,
    source: context.source,
    gatewayStartedAt: context.gatewayStartedAt?.toISOString() ?? null,
    sort: context.sort,
    filters: { operation: context.operation ?? null, client: context.client ?? null },
    operations: rows.map((r) => ({
      operation: r.operation,
      client: r.client,
      types: r.types,
      calls: r.calls,
      latencyMs: { p50: q(r.latencyMs.p50), p95: q(r.latencyMs.p95), p99: q(r.latencyMs.p99) },
      errors: { ...r.errors },
      costPerCall: { estimated: rounded(r.costPerCall.estimated), actual: rounded(r.costPerCall.actual) },
      sqlStatementsPerCall: rounded(r.sqlStatementsPerCall),
    })),
  };
}
