import { gatewayStartedAt, operationFigures, selectOperations, type OperationFigures, type SortKey } from '../observability/operationFigures';
import { formatOperationReport, type ReportFormat } from '../observability/operationFiguresReport';
import { parsePrometheusText, PrometheusTextError, type MetricFamily } from '../observability/prometheusText';
import { fetchScrape, MAX_SCRAPE_BYTES, readScrapeFile, SCRAPE_TIMEOUT_MS, ScrapeSourceError } from '../observability/scrapeSource';
import { parseCli, runCli, UsageError } from './cli';

const DEFAULT_URL = 'http://127.0.0.1:4000/metrics';

const USAGE = `Usage: npm run ops:report -- [--url <metrics URL> [--token <token>] | --file <scrape.txt | ->]
                             [--operation <name>] [--client <name>] [--sort calls|p99|errors] [--format text|markdown|json]
Per-operation figures from a running gateway's GET /metrics, or from a saved scrape: per operation
and client, the calls, latency p50/p95/p99 in ms (interpolated within the duration histogram's
buckets, as Prometheus' histogram_quantile does), errors (all, then client_error, server_error,
refused), estimated and actual cost per call and SQL statements per call, since the gateway started.
Exits 2 when it cannot read the figures: an unreachable gateway, a refused token, an unreadable
file, input that is not Prometheus' text format, or no gateway_operation_* series in it.

  --url        the gateway's metrics (default ${DEFAULT_URL}); read within ${SCRAPE_TIMEOUT_MS / 1000} s
  --token      the gateway's METRICS_TOKEN, sent as a bearer token (default: $METRICS_TOKEN, which
               keeps it out of the process list)
  --file       a saved scrape (curl -s <url> > scrape.txt), or - for standard input; at most ${MAX_SCRAPE_BYTES / 1024 / 1024} MB
  --operation  only this operation: a name, (anonymous), (other), or (none) for requests refused before it was known
  --client     only this client (the apollographql-client-name header's, or an API key's), e.g. web-shop or unknown
  --sort       calls (default), p99 or errors, highest first
  --format     text (default: an aligned table), markdown (for a review) or json (docs/ops-report.schema.json)`;

const SORT_KEYS: readonly SortKey[] = ['calls', 'p99', 'errors'];
const FORMATS: readonly ReportFormat[] = ['text', 'markdown', 'json'];

runCli(
  async () => {
    const { values } = parseCli(USAGE, {
      url: { type: 'string' },
      token: { type: 'string' },
      file: { type: 'string' },
      operation: { type: 'string' },
      client: { type: 'string' },
      sort: { type: 'string', default: 'calls' },
      format: { type: 'string', default: 'text' },
    });
    const sort = values.sort as SortKey;
    if (!SORT_KEYS.includes(sort)) throw new UsageError(`--sort must be calls, p99 or errors, got "${values.sort}".\n\n${USAGE}`);
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be text, markdown or json, got "${values.format}".\n\n${USAGE}`);
    if (values.file !== undefined && values.url !== undefined)
      throw new UsageError(`Read either a gateway (--url) or a saved scrape (--file), not both.\n\n${USAGE}`);
    if (values.file !== undefined && values.token !== undefined) throw new UsageError('--token is for a gateway (--url); a saved scrape (--file) needs none.');

    const url = values.url ?? DEFAULT_URL;
    const source = values.file === undefined ? url : values.file === '-' ? 'stdin' : values.file;
    if (values.file === '-' && process.stdin.isTTY) console.error('Reading a scrape from standard input (end it with Ctrl-D).');
    const text =
      values.file === undefined ? await fetchScrape(url, values.token ?? (process.env.METRICS_TOKEN || undefined)) : await readScrapeFile(values.file);

    const families = parseScrape(text, source);
    const all = operationFigures(families);
    if (all.length === 0) {
      const declared = families.some((f) => f.name.startsWith('gateway_operation_'));
      throw new ScrapeSourceError(
        declared
          ? `${source} has no gateway_operation_* series yet: the gateway has recorded no operation since it started.`
          : `${source} has no gateway_operation_* series: these are not an orders gateway's metrics.`,
      );
    }
    const rows = selectOperations(all, { operation: values.operation, client: values.client, sort });
    if (rows.length === 0) {
      // Not an error: a client may not have called since the gateway started. Say what there is.
      const seen = (pick: (r: OperationFigures) => string) => [...new Set(all.map(pick))].sort().join(', ');
      const asked = [values.operation !== undefined && `--operation ${values.operation}`, values.client !== undefined && `--client ${values.client}`].filter(
        Boolean,
      );
      console.error(`No calls recorded for ${asked.join(' ')}. Clients seen: ${seen((r) => r.client)}. Operations seen: ${seen((r) => r.operation)}.`);
    }
    console.log(
      formatOperationReport(rows, { source, gatewayStartedAt: gatewayStartedAt(families), sort, operation: values.operation, client: values.client }, format),
    );
  },
  { userErrors: [ScrapeSourceError] },
);

function parseScrape(text: string, source: string): MetricFamily[] {
  try {
    return parsePrometheusText(text);
  } catch (error) {
    if (error instanceof PrometheusTextError) throw new ScrapeSourceError(`${source} is not Prometheus' text format: ${error.message}`);
    throw error;
  }
}
