import type { ExecutionReport } from './executeOperations';
import type { CheckResult } from './runCheck';

export type ReportFormat = 'text' | 'markdown' | 'json';

/**
 * The version of the JSON report's shape (docs/schema-check-report.schema.json): raised when a
 * field is removed or changes meaning, so that CI scripts reading it can tell; added fields keep it.
 */
export const JSON_REPORT_VERSION = 1;

/** In markdown, a list longer than this is collapsed (<details>): a pull-request comment stays readable. */
const MARKDOWN_OPEN_ITEMS = 10;

export function formatReport(result: CheckResult, executions: ExecutionReport[] | null, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(jsonReport(result, executions), null, 2);
  const md = format === 'markdown';
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', md ? `### ${text}` : `${text}\n${'-'.repeat(text.length)}`);
  /** A list under its heading; in markdown, a long one inside a collapsed section. */
  const list = (items: string[], summary: string) => {
    if (md && items.length > MARKDOWN_OPEN_ITEMS) lines.push('', `<details><summary>${summary}</summary>`, '', ...items, '', '</details>');
    else lines.push(...items);
  };
  const verdict = result.failures.length === 0 ? 'PASS' : 'FAIL';
  lines.push(md ? `## Schema check: ${verdict}` : `Schema check: ${verdict}`, `Comparing ${result.next} with ${result.base}.`);
  if (result.failures.length) {
    heading('Why it fails');
    list(
      result.failures.map((f) => `- ${f}`),
      `${result.failures.length} reasons`,
    );
  }
  for (const severity of ['breaking', 'dangerous', 'safe'] as const) {
    const changes = result.changes.filter((c) => c.severity === severity);
    heading(`${severity[0]!.toUpperCase()}${severity.slice(1)} changes (${changes.length})`);
    if (changes.length === 0) lines.push('- none');
    list(
      changes.map((c) => {
        const removal = result.removals.find((r) => r.coordinate === c.coordinate && c.severity === 'breaking');
        return `- ${c.message}${removal ? ` ${removal.allowed ? 'Allowed' : 'Not allowed'}: ${removal.reason}` : ''}`;
      }),
      `${changes.length} ${severity} changes`,
    );
  }
  heading(`Client operations (${result.operations.length})`);
  if (md) lines.push('| client | operation | valid | cost before → after | scopes | deprecated used |', '|---|---|---|---|---|---|');
  for (const op of result.operations) {
    const valid = op.errors.length
      ? `no: ${op.errors.join(' ')}`
      : op.newlyRestricted.length
        ? `yes, but newly restricted: ${op.newlyRestricted.map((r) => `${r.coordinate} ${r.before} → ${r.after}`).join(', ')}`
        : 'yes';
    const cost = `${op.costBefore ?? '-'} → ${op.costAfter ?? '-'}${op.overBudget ? ' (over the maximum)' : ''}`;
    const deprecated = op.deprecated.map((d) => `${d.coordinate} (sunset ${d.removeAfter ?? '?'})`).join(', ') || 'none';
    const scopes = op.scopes.join(' ') || 'public';
    if (md) lines.push(`| ${op.client} | ${op.name} | ${valid} | ${cost} | ${scopes} | ${deprecated} |`);
    else
      lines.push(
        `- ${op.client}/${op.name} (${op.kind}${op.documentId ? `, trusted document ${op.documentId}` : ''}): valid ${valid}; cost ${cost}; scopes ${scopes}; deprecated ${deprecated}`,
      );
  }
  if (executions) {
    heading('N+1 guard (--execute)');
    for (const e of executions) {
      const counts = e.statements ? `${e.statements.small} → ${e.statements.large} SQL statements` : '-';
      lines.push(`- ${e.client}/${e.name}: ${counts}${e.growsWithPageSize ? ' GROWS WITH THE PAGE SIZE' : ''} (${e.note})`);
    }
  }
  return lines.join('\n');
}

/** The JSON report: every field named here, in docs/schema-check-report.schema.json's shape. */
function jsonReport(result: CheckResult, executions: ExecutionReport[] | null) {
  return {
    formatVersion: JSON_REPORT_VERSION,
    passed: result.failures.length === 0,
    base: result.base,
    next: result.next,
    failures: result.failures,
    changes: result.changes.map(({ severity, kind, coordinate, message }) => ({ severity, kind, coordinate, message })),
    removals: result.removals.map(({ coordinate, allowed, reason }) => ({ coordinate, allowed, reason })),
    operations: result.operations.map((op) => ({
      client: op.client,
      name: op.name,
      file: op.file,
      kind: op.kind,
      documentId: op.documentId,
      errors: op.errors,
      costBefore: op.costBefore,
      costAfter: op.costAfter,
      overBudget: op.overBudget,
      scopes: op.scopes,
      newlyRestricted: op.newlyRestricted,
      deprecated: op.deprecated,
    })),
    executions: executions?.map(({ client, name, statements, growsWithPageSize, note }) => ({ client, name, statements, growsWithPageSize, note })) ?? null,
  };
}
