/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4, what GET /metrics
 * serves), for the command-line tools that read a gateway's metrics. Written here rather than
 * taken from npm: the one parser there (parse-prometheus-text-format) has not changed since
 * 2019, ships no types, keeps values as strings and accepts lines such as `hello world` as
 * samples, so a wrong file would pass for metrics. This one reads the input once, left to
 * right (linear time, no backtracking), and refuses the first malformed line by its number.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name: a histogram's samples are `<family>_bucket`, `_sum` and `_count`. */
  name: string;
  /** Label values unescaped. An object without a prototype: `__proto__` is a valid label name. */
  labels: Readonly<Record<string, string>>;
  /** NaN, +Inf and -Inf included. */
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs?: number;
  /** 1-based line number in the input. */
  line: number;
}

export interface MetricFamily {
  name: string;
  /** From its TYPE line; `untyped` without one. */
  type: MetricType;
  help: string | null;
  samples: Sample[];
}

/** Input that is not the text format; the message names the line. */
export class PrometheusTextError extends Error {
  override readonly name = 'PrometheusTextError';
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const NAN = /^nan$/i;
const TIMESTAMP = /^-?\d+$/;
/** The suffixes a family's samples may add to its name, by type. */
const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

/** Parses a whole exposition; families in the order they first appear. */
export function parsePrometheusText(text: string): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  /** Families whose samples have been read: a TYPE line after them is refused. */
  const sampled = new Set<string>();
  /** Series already seen (name and labels), with their line: a repeated one would count twice. */
  const series = new Map<string, number>();
  const familyNamed = (name: string): MetricFamily => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, type: 'untyped', help: null, samples: [] }));
    return family;
  };
  const helpSeen = new Set<string>();
  const typeSeen = new Set<string>();

  let start = 0;
  for (let line = 1; start <= text.length; line += 1) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // A saved scrape may have Windows line ends; the format's own is \n.
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const content = raw.trim();
    if (content === '') continue;
    if (content.startsWith('#')) {
      const directive = /^#[ \t]+(HELP|TYPE)[ \t]+/.exec(content);
      if (!directive) continue; // any other comment
      const rest = content.slice(directive[0].length);
      const name = matchAt(METRIC_NAME, rest, 0);
      if (!name) throw new PrometheusTextError(line, `# ${directive[1]} must be followed by a metric name, got "${clip(rest)}".`);
      const after = rest.slice(name.length);
      if (after !== '' && !/^[ \t]/.test(after)) throw new PrometheusTextError(line, `"${clip(rest)}" is not a metric name.`);
      const argument = after.trim();
      if (directive[1] === 'HELP') {
        if (helpSeen.has(name)) throw new PrometheusTextError(line, `a second # HELP line for ${clip(name)}.`);
        helpSeen.add(name);
        familyNamed(name).help = unescapeHelp(argument, line);
      } else {
        const type = argument as MetricType;
        if (!TYPES.has(type))
          throw new PrometheusTextError(line, `unknown metric type "${clip(argument)}" for ${clip(name)}: counter, gauge, histogram, summary or untyped.`);
        if (typeSeen.has(name)) throw new PrometheusTextError(line, `a second # TYPE line for ${clip(name)}.`);
        if (sampled.has(name)) throw new PrometheusTextError(line, `# TYPE ${clip(name)} comes after samples of ${clip(name)}: it must come before them.`);
        typeSeen.add(name);
        familyNamed(name).type = type;
      }
      continue;
    }
    const sample = parseSampleLine(content, line);
    const family = familyNamed(familyNameOf(sample.name, families));
    if (family.type === 'histogram' && sample.name === `${family.name}_bucket`) {
      const le = sample.labels.le;
      if (le === undefined) throw new PrometheusTextError(line, `${clip(sample.name)} has no "le" label: every histogram bucket needs one.`);
      const bound = parseValue(le);
      if (bound === null || Number.isNaN(bound)) throw new PrometheusTextError(line, `${clip(sample.name)} has le="${clip(le)}", which is not a number.`);
    }
    const key = seriesKey(sample);
    const first = series.get(key);
    if (first !== undefined) throw new PrometheusTextError(line, `the series ${clip(describeSeries(sample))} was already given on line ${first}.`);
    series.set(key, line);
    sampled.add(family.name);
    family.samples.push(sample);
  }
  return [...families.values()];
}

/** A float as the format writes it (decimal, NaN, +Inf, -Inf, in Go's spellings); null when it is none of them. */
export function parseValue(text: string): number | null {
  if (FLOAT.test(text)) return Number(text);
  const infinity = INFINITY.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  return NAN.test(text) ? NaN : null;
}

/** `name{label="value",...} value [timestamp]`, with blanks allowed between the tokens. */
function parseSampleLine(content: string, line: number): Sample {
  const name = matchAt(METRIC_NAME, content, 0);
  if (!name) throw new PrometheusTextError(line, `expected a metric name, a # comment or an empty line, got "${clip(content)}".`);
  let at = skipBlanks(content, name.length);
  const labels: Record<string, string> = Object.create(null);
  if (content[at] === '{') {
    at = skipBlanks(content, at + 1);
    while (content[at] !== '}') {
      const label = matchAt(LABEL_NAME, content, at);
      if (!label) throw new PrometheusTextError(line, `expected a label name or "}" at column ${at + 1}, got "${clip(content.slice(at))}".`);
      if (label in labels) throw new PrometheusTextError(line, `the label ${clip(label)} is given twice.`);
      at = skipBlanks(content, at + label.length);
      if (content[at] !== '=') throw new PrometheusTextError(line, `expected "=" after the label name ${clip(label)} at column ${at + 1}.`);
      at = skipBlanks(content, at + 1);
      if (content[at] !== '"') throw new PrometheusTextError(line, `expected the quoted value of label ${clip(label)} at column ${at + 1}.`);
      const value = readLabelValue(content, at + 1, line, label);
      labels[label] = value.text;
      at = skipBlanks(content, value.end);
      if (content[at] === ',') at = skipBlanks(content, at + 1);
      else if (content[at] !== '}') throw new PrometheusTextError(line, `expected "," or "}" after the value of label ${clip(label)} at column ${at + 1}.`);
    }
    at = skipBlanks(content, at + 1);
  } else if (at === name.length && at < content.length) {
    throw new PrometheusTextError(line, `"${clip(content)}" is not a metric name.`);
  }
  const fields = content.slice(at).split(/[ \t]+/);
  if (fields[0] === '') throw new PrometheusTextError(line, `"${clip(content)}" has no value: expected <name>{<label>="<value>",...} <value> [<timestamp>].`);
  const [valueText, timestampText] = fields as [string, string | undefined];
  const value = parseValue(valueText);
  if (value === null) throw new PrometheusTextError(line, `the value of ${clip(name)} is "${clip(valueText)}": expected a number, NaN, +Inf or -Inf.`);
  if (fields.length > 2) throw new PrometheusTextError(line, `unexpected "${clip(fields.slice(2).join(' '))}" after the value and timestamp of ${clip(name)}.`);
  const sample: Sample = { name, labels, value, line };
  if (timestampText !== undefined) {
    if (!TIMESTAMP.test(timestampText))
      throw new PrometheusTextError(line, `the timestamp of ${clip(name)} is "${clip(timestampText)}": expected whole milliseconds.`);
    sample.timestampMs = Number(timestampText);
  }
  return sample;
}

/** A label value from just after its opening quote: `\\`, `\"` and `\n` are its only escapes. */
function readLabelValue(content: string, from: number, line: number, label: string): { text: string; end: number } {
  let text = '';
  let chunkStart = from;
  for (let i = from; i < content.length; i += 1) {
    const char = content[i];
    if (char === '"') return { text: text + content.slice(chunkStart, i), end: i + 1 };
    if (char !== '\\') continue;
    const escaped = content[i + 1];
    const replacement = escaped === '\\' ? '\\' : escaped === '"' ? '"' : escaped === 'n' ? '\n' : undefined;
    if (replacement === undefined)
      throw new PrometheusTextError(line, `the value of label ${clip(label)} has the escape "\\${escaped ?? ''}": only \\\\, \\" and \\n are allowed.`);
    text += content.slice(chunkStart, i) + replacement;
    i += 1;
    chunkStart = i + 1;
  }
  throw new PrometheusTextError(line, `the value of label ${clip(label)} has no closing quote.`);
}

/** HELP text: `\\` and `\n` are its only escapes. */
function unescapeHelp(text: string, line: number): string {
  let result = '';
  let chunkStart = 0;
  for (let i = text.indexOf('\\'); i >= 0; i = text.indexOf('\\', chunkStart)) {
    const escaped = text[i + 1];
    if (escaped !== '\\' && escaped !== 'n')
      throw new PrometheusTextError(line, `the HELP text has the escape "\\${escaped ?? ''}": only \\\\ and \\n are allowed.`);
    result += text.slice(chunkStart, i) + (escaped === 'n' ? '\n' : '\\');
    chunkStart = i + 2;
  }
  return result + text.slice(chunkStart);
}

/** The family a sample belongs to: its own name, or a typed family's when it adds that type's suffix. */
function familyNameOf(sampleName: string, families: ReadonlyMap<string, MetricFamily>): string {
  const own = families.get(sampleName);
  if (own && own.type !== 'untyped') return sampleName;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const type = families.get(base)?.type;
    if (type && SUFFIXES[type]?.includes(suffix)) return base;
  }
  return sampleName;
}

/** Name and labels in label-name order, each value prefixed by its length: equal keys, equal series. */
function seriesKey(sample: Sample): string {
  let key = sample.name;
  for (const label of Object.keys(sample.labels).sort()) {
    const value = sample.labels[label]!;
    key += ` ${label}=${value.length}:${value}`;
  }
  return key;
}

function describeSeries(sample: Sample): string {
  const labels = Object.entries(sample.labels).map(([n, v]) => `${n}=${JSON.stringify(v)}`);
  return labels.length ? `${sample.name}{${labels.join(',')}}` : sample.name;
}

function matchAt(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

function skipBlanks(text: string, at: number): number {
  while (text[at] === ' ' || text[at] === '\t') at += 1;
  return at;
}

/** Enough of a bad line to recognise it, never a whole megabyte of it. */
function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
