import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * Far above what a gateway serves (its series are bounded: a few hundred kilobytes), low
 * enough that a wrong file or endpoint is refused before it fills the memory.
 */
export const MAX_SCRAPE_BYTES = 50 * 1024 * 1024;
/** A gateway answers /metrics in milliseconds; one that has not answered in this long will not. */
export const SCRAPE_TIMEOUT_MS = 10_000;

/** Metrics that cannot be read: the message says what to do. */
export class ScrapeSourceError extends Error {
  override readonly name = 'ScrapeSourceError';
}

interface Bounds {
  maxBytes?: number;
  timeoutMs?: number;
}

/** GET a gateway's /metrics, with its METRICS_TOKEN as a bearer token when given. */
export async function fetchScrape(
  url: string,
  token: string | undefined,
  { maxBytes = MAX_SCRAPE_BYTES, timeoutMs = SCRAPE_TIMEOUT_MS }: Bounds = {},
): Promise<string> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new ScrapeSourceError(`"${url}" is not a URL: pass the gateway's metrics address, e.g. --url http://127.0.0.1:4000/metrics.`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new ScrapeSourceError(`${url}: only http and https URLs are read; a saved scrape is read with --file.`);
  // One deadline for the answer and its body: a gateway that stalls mid-body is as stuck as one that never answers.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(target, {
      headers: { accept: 'text/plain;version=0.0.4', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal,
    });
    if (response.status === 401) {
      await response.body?.cancel();
      throw new ScrapeSourceError(
        token
          ? `${url} refused the token (401): pass the gateway's METRICS_TOKEN with --token <token> or in METRICS_TOKEN.`
          : `${url} answered 401: this gateway serves its metrics behind METRICS_TOKEN; pass it with --token <token> or in METRICS_TOKEN.`,
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      throw new ScrapeSourceError(
        `${url} answered 404: no metrics there. The gateway serves them on METRICS_PORT when set, not at all in production without ` +
          'METRICS_PORT or METRICS_TOKEN, and records none with METRICS=off.',
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ScrapeSourceError(`${url} answered ${response.status} ${response.statusText}: expected 200 with the metrics.`);
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > maxBytes) {
      await response.body?.cancel();
      throw tooLarge(url, maxBytes);
    }
    if (!response.body) return '';
    return await readBounded(response.body, url, maxBytes);
  } catch (error) {
    if (error instanceof ScrapeSourceError) throw error;
    if (signal.aborted)
      throw new ScrapeSourceError(`${url} did not answer within ${timeoutMs / 1000} s: is the gateway overloaded, or is this the right address?`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new ScrapeSourceError(
      `Cannot reach ${url} (${reason}): is the gateway running there? Pass its metrics address with --url, or read a saved scrape with --file.`,
    );
  }
}

/** A saved scrape from a file, or from standard input for `-`. */
export async function readScrapeFile(file: string, { maxBytes = MAX_SCRAPE_BYTES, stdin = process.stdin as Readable } = {}): Promise<string> {
  const name = file === '-' ? 'stdin' : file;
  try {
    return await readBounded(file === '-' ? stdin : createReadStream(file), name, maxBytes);
  } catch (error) {
    if (error instanceof ScrapeSourceError) throw error;
    throw new ScrapeSourceError(`Cannot read ${name}: ${(error as Error).message}.`);
  }
}

/** The whole stream as UTF-8 text, refused as soon as it passes `maxBytes`. */
async function readBounded(stream: AsyncIterable<Uint8Array>, name: string, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.byteLength;
    // Throwing ends the loop, which closes the stream (or cancels the response): nothing more is read.
    if (bytes > maxBytes) throw tooLarge(name, maxBytes);
    chunks.push(chunk);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ScrapeSourceError(`${name} is not UTF-8 text, so not Prometheus' text format.`);
  }
}

function tooLarge(name: string, maxBytes: number): ScrapeSourceError {
  const limit = maxBytes >= 1024 * 1024 ? `${maxBytes / 1024 / 1024} MB` : `${maxBytes} bytes`;
  return new ScrapeSourceError(`${name} is larger than ${limit}: not a gateway's metrics (they are a few hundred kilobytes).`);
}
