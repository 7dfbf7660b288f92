import { GatewayMetrics } from '../../../src/observability/metrics';
import { parsePrometheusText, PrometheusTextError, type MetricFamily } from '../../../src/observability/prometheusText';

const familyOf = (families: MetricFamily[], name: string) => families.find((f) => f.name === name)!;

/** The error parsing `text` fails with; fails the test when it parses. */
function errorOf(text: string): PrometheusTextError {
  try {
    parsePrometheusText(text);
  } catch (error) {
    if (error instanceof PrometheusTextError) return error;
    throw error;
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`);
}

describe('parsePrometheusText', () => {
  it('reads HELP, TYPE, samples with labels and timestamps, and skips other comments and blank lines', () => {
    const families = parsePrometheusText(
      [
        '# A free comment, ignored',
        '# HELP http_requests_total Requests served,\\n by code \\\\ method.',
        '# TYPE http_requests_total counter',
        'http_requests_total{method="post",code="200"} 1027 1395066363000',
        'http_requests_total{ method = "post" , code="400", } 3',
        '',
        '\tmetric_without_labels 12.47e-3  ',
        'metric_with_empty_labels{} -7',
      ].join('\n'),
    );
    expect(families.map((f) => [f.name, f.type, f.help])).toEqual([
      ['http_requests_total', 'counter', 'Requests served,\n by code \\ method.'],
      ['metric_without_labels', 'untyped', null],
      ['metric_with_empty_labels', 'untyped', null],
    ]);
    expect(familyOf(families, 'http_requests_total').samples).toEqual([
      { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000, line: 4 },
      { name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, line: 5 },
    ]);
    expect(familyOf(families, 'metric_without_labels').samples[0]).toMatchObject({ value: 0.01247, line: 7 });
    expect(familyOf(families, 'metric_with_empty_labels').samples[0]).toMatchObject({ labels: {}, value: -7 });
  });

  it('unescapes \\\\, \\" and \\n in label values, and keeps `__proto__` as a plain label', () => {
    const [family] = parsePrometheusText(
      'msdos_file_access{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find \\"FILE.TXT\\".\\nAborted",__proto__="x"} 1.458255915e9',
    );
    expect(family!.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find "FILE.TXT".\nAborted', ['__proto__']: 'x' });
    expect(Object.getPrototypeOf(family!.samples[0]!.labels)).toBeNull();
  });

  it('reads NaN, +Inf and -Inf as values and as bucket bounds', () => {
    const families = parsePrometheusText(
      [
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{le="0.5"} 3',
        'latency_seconds_bucket{le="+Inf"} 4',
        'latency_seconds_sum 1.5',
        'latency_seconds_count 4',
        'odd{kind="nan"} NaN',
        'odd{kind="up"} +Inf',
        'odd{kind="down"} -Inf',
      ].join('\n'),
    );
    const latency = familyOf(families, 'latency_seconds');
    expect(latency.type).toBe('histogram');
    expect(latency.samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['latency_seconds_bucket', '0.5', 3],
      ['latency_seconds_bucket', '+Inf', 4],
      ['latency_seconds_sum', undefined, 1.5],
      ['latency_seconds_count', undefined, 4],
    ]);
    expect(familyOf(families, 'odd').samples.map((s) => s.value)).toEqual([NaN, Infinity, -Infinity]);
  });

  it("reads what the gateway's own registry serves, Windows line ends included", async () => {
    const metrics = new GatewayMetrics({ defaultMetrics: false });
    metrics.recordOperation({ operation: 'OrderHistory', type: 'query', client: 'we"b\\shop\n', outcome: 'ok', durationSeconds: 0.012, statements: 6 });
    const text = await metrics.registry.metrics();
    for (const served of [text, text.replace(/\n/g, '\r\n')]) {
      const duration = familyOf(parsePrometheusText(served), 'gateway_operation_duration_seconds');
      expect(duration.type).toBe('histogram');
      expect(duration.samples.find((s) => s.name === 'gateway_operation_duration_seconds_count')).toMatchObject({
        labels: { operation: 'OrderHistory', type: 'query', outcome: 'ok', client: 'we"b\\shop\n' },
        value: 1,
      });
    }
  });

  it.each([
    ['a line that is not a sample', 'up 1\n<html>', 2, 'expected a metric name, a # comment or an empty line, got "<html>"'],
    ['a name without a value', 'up 1\n\nhello', 3, '"hello" has no value'],
    ['a value that is not a number', 'up one', 1, 'the value of up is "one"'],
    ['a timestamp that is not whole milliseconds', 'up 1 1.5', 1, 'the timestamp of up is "1.5"'],
    ['more fields than a value and a timestamp', 'up 1 2 3', 1, 'unexpected "3"'],
    ['an unknown escape in a label value', 'up{path="C:\\DIR"} 1', 1, 'the value of label path has the escape "\\D"'],
    ['an unclosed label value', 'up{job="api} 1', 1, 'the value of label job has no closing quote'],
    ['an unquoted label value', 'up{job=api} 1', 1, 'expected the quoted value of label job at column 8'],
    ['a label given twice', 'up{job="a",job="b"} 1', 1, 'the label job is given twice'],
    ['a label name that is not one', 'up{1job="a"} 1', 1, 'expected a label name or "}" at column 4'],
    ['a missing comma', 'up{a="1" b="2"} 1', 1, 'expected "," or "}" after the value of label a'],
    ['an unknown type', '# TYPE up gauge\n# TYPE x info', 2, 'unknown metric type "info" for x'],
    ['a second TYPE', '# TYPE up gauge\n# TYPE up counter', 2, 'a second # TYPE line for up'],
    ['a TYPE after its samples', 'up 1\n# TYPE up gauge', 2, '# TYPE up comes after samples of up'],
    ['a second HELP', '# HELP up a\n# HELP up b', 2, 'a second # HELP line for up'],
    ['an unknown escape in HELP', '# HELP up a\\tb', 1, 'the HELP text has the escape "\\t"'],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{a="1"} 1', 2, 'h_bucket has no "le" label'],
    ['a bucket whose le is not a number', '# TYPE h histogram\nh_bucket{le="big"} 1', 2, 'h_bucket has le="big"'],
    ['a series given twice', 'up{a="1",b="2"} 1\nother 1\nup{b="2",a="1"} 0', 3, 'the series up{b="2",a="1"} was already given on line 1'],
    ['JSON', '{"errors":[{"message":"Unauthorized"}]}', 1, 'expected a metric name'],
  ])('refuses %s, naming the line', (_case, text, line, reason) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(`line ${line}: ${reason}`);
  });

  it('reads a large scrape in linear time and clips long bad lines in its message', () => {
    // 100,000 series, some fifty times a gateway's: a parser quadratic in them would take hours.
    const lines = Array.from({ length: 100_000 }, (_, i) => `series_total{operation="op${i}",client="web-shop"} ${i}`);
    const started = performance.now();
    expect(parsePrometheusText(lines.join('\n'))[0]!.samples).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(10_000);
    const message = errorOf(`up 1\n${'x'.repeat(1_000_000)} y`).message;
    expect(message.length).toBeLessThan(200);
  });
});
