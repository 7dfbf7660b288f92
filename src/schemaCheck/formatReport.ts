import type { ExecutionReport } from './executeOperations';
import type { CheckResult } from './runCheck';

export type ReportFormat = 'text' | 'markdown' | 'json';

export function formatReport(result: CheckResult, executions: ExecutionReport[] | null, format: ReportFormat): string {
  if (format === 'json') {
    return JSON.stringify(
      { ...result, operations: result.operations.map(({ document: _d, ...op }) => op), executions, passed: result.failures.length === 0 },
      null,
      2,
    );
  }
  const md = format === 'markdown';
  const lines: string[] = [];
  const heading = (text: string) => lines.push('', md ? `### ${text}` : `${text}\n${'-'.repeat(text.length)}`);
  const verdict = result.failures.length === 0 ? 'PASS' : 'FAIL';
  lines.push(md ? `## Schema check: ${verdict}` : `Schema check: ${verdict}`, `Comparing ${result.next} with ${result.base}.`);
  if (result.failures.length) {
    heading('Why it fails');
    for (const f of result.failures) lines.push(`- ${f}`);
  }
  for (const severity of ['breaking', 'dangerous', 'safe'] as const) {
    const changes = result.changes.filter((c) => c.severity === severity);
    heading(`${severity[0]!.toUpperCase()}${severity.slice(1)} changes (${changes.length})`);
    if (changes.length === 0) lines.push('- none');
    for (const c of changes) {
      const removal = result.removals.find((r) => r.coordinate === c.coordinate && c.severity === 'breaking');
      lines.push(`- ${c.message}${removal ? ` ${removal.allowed ? 'Allowed' : 'Not allowed'}: ${removal.reason}` : ''}`);
    }
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
    else lines.push(`- ${op.client}/${op.name} (${op.kind}): valid ${valid}; cost ${cost}; scopes ${scopes}; deprecated ${deprecated}`);
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
