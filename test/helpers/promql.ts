/**
 * What a PromQL expression refers to, read without a Prometheus (promtool is not installed
 * here): the metrics it selects with the labels their matchers name, and the labels each
 * aggregation groups by with the metrics it aggregates. Enough to check a dashboard's or a rule
 * file's expressions against a registry; not a full parser: vector matching (`on`, `ignoring`,
 * `group_left`, `group_right`) is refused, so that an expression using it gets a checker that
 * understands it before it passes.
 */
export interface PromqlReferences {
  selectors: Array<{ metric: string; labels: string[] }>;
  groupings: Array<{ labels: string[]; metrics: string[] }>;
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk']);
const KEYWORDS = new Set(['by', 'without', 'bool', 'and', 'or', 'unless', 'offset', 'atan2']);
const VECTOR_MATCHING = new Set(['on', 'ignoring', 'group_left', 'group_right']);

interface Token {
  kind: 'identifier' | 'string' | 'range' | 'number' | 'punctuation';
  text: string;
}

// Strings, ranges (`[5m]`, `[$__rate_interval]`), durations (`offset 1h30m`), names, numbers, operators.
const TOKEN =
  /(\s+)|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|(\[[^\]]*\])|((?:\d+(?:ms|[smhdwy]))+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_:][\w:]*)|(=~|!~|!=|==|>=|<=|[(){},=<>+\-*/^%@])/y;

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expr);
    if (!match) throw new Error(`cannot read PromQL at ${JSON.stringify(expr.slice(at, at + 20))} in: ${expr}`);
    if (match[1]) continue;
    const kind = match[2] ? 'string' : match[3] ? 'range' : match[4] ? 'number' : match[5] ? 'identifier' : 'punctuation';
    tokens.push({ kind, text: match[0] });
  }
  return tokens;
}

export function promqlReferences(expr: string): PromqlReferences {
  const tokens = tokenize(expr);
  const closing = new Map<number, number>();
  const opening = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, i) => {
    if (token.text === '(') open.push(i);
    if (token.text === ')') {
      const start = open.pop();
      if (start === undefined) throw new Error(`unbalanced parentheses in: ${expr}`);
      closing.set(start, i);
      opening.set(i, start);
    }
  });
  if (open.length) throw new Error(`unbalanced parentheses in: ${expr}`);

  const selectors: Array<{ metric: string; labels: string[]; at: number }> = [];
  const labelLists: Array<{ at: number; labels: string[] }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const { kind, text } = tokens[i]!;
    if (kind !== 'identifier') continue;
    const next = tokens[i + 1];
    if (VECTOR_MATCHING.has(text)) throw new Error(`${text}(...) is not understood by this check: extend test/helpers/promql.ts (${expr})`);
    if ((text === 'by' || text === 'without') && next?.text === '(') {
      const end = closing.get(i + 1)!;
      labelLists.push({ at: i, labels: tokens.slice(i + 2, end).flatMap((t) => (t.kind === 'identifier' ? [t.text] : [])) });
      i = end;
      continue;
    }
    if (next?.text === '(' || KEYWORDS.has(text) || AGGREGATIONS.has(text)) continue;
    const labels: string[] = [];
    if (next?.text === '{') {
      let j = i + 2;
      for (; j < tokens.length && tokens[j]!.text !== '}'; j++) {
        if (tokens[j]!.kind === 'identifier' && (tokens[j - 1]!.text === '{' || tokens[j - 1]!.text === ',')) labels.push(tokens[j]!.text);
      }
      if (j === tokens.length) throw new Error(`unclosed label matchers in: ${expr}`);
      selectors.push({ metric: text, labels, at: i });
      i = j;
      continue;
    }
    selectors.push({ metric: text, labels, at: i });
  }

  const groupings = labelLists.map(({ at, labels }) => {
    // `sum by (x) (expr)` or `sum (expr) by (x)`: the aggregation's argument is the group after, or before.
    let from: number;
    let to: number;
    if (tokens[at - 1]?.kind === 'identifier' && AGGREGATIONS.has(tokens[at - 1]!.text)) {
      from = closing.get(at + 1)! + 1;
      if (tokens[from]?.text !== '(') throw new Error(`an aggregation without its argument in: ${expr}`);
      to = closing.get(from)!;
    } else if (tokens[at - 1]?.text === ')') {
      to = at - 1;
      from = opening.get(to)!;
    } else {
      throw new Error(`by/without outside an aggregation in: ${expr}`);
    }
    return { labels, metrics: selectors.filter((s) => s.at > from && s.at < to).map((s) => s.metric) };
  });
  return { selectors: selectors.map(({ metric, labels }) => ({ metric, labels })), groupings };
}

/** Grafana's `label_values(metric{...}, label)` variable query, as the references it makes. */
export function labelValuesReferences(query: string): PromqlReferences | undefined {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*([A-Za-z_]\w*)\s*\)\s*$/.exec(query);
  if (!match) return undefined;
  const { selectors } = promqlReferences(match[1]!);
  return { selectors, groupings: [{ labels: [match[2]!], metrics: selectors.map((s) => s.metric) }] };
}
