import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_KEYS = ['authorization', 'apiKey', 'api_key', 'x-api-key', 'token', 'password', 'secret', 'email'];

/**
 * What never reaches a log line: credentials (the Authorization header, API keys, tokens,
 * passwords), customers' emails, and the variables of an operation (which may hold any of them)
 * unless LOG_VARIABLES=on. pino's redact paths: a `*` stands for one level of keys.
 */
export function redactedPaths(options: { logVariables: boolean }): string[] {
  const secrets = SECRET_KEYS;
  // A key that is not an identifier is written in brackets: a["x-api-key"].
  const under = (prefix: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix || '*'}["${key}"]`);
  const paths = secrets.flatMap((key) => [under('', key), under('*', key), under('*.*', key)]);
  if (options.logVariables) {
    // Allowed variables are logged, but what they hold of the above is still removed.
    paths.push(...secrets.flatMap((key) => [under('variables', key), under('variables.*', key), under('variables.*.*', key), under('variables.*.*.*', key)]));
  } else {
    paths.push('variables', '*.variables');
  }
  return paths;
}

/**
 * A logger for the line every request writes, whose fields are a fixed list (observationPolicy):
 * none holds a header, a variable or an error, so its redaction names keys at the top level
 * only. pino runs every top-level field of a line through the wildcard redactor once a path
 * starts with `*`, and reparses its paths on every call: ~100 µs per line against ~5 µs, a tenth
 * of a small query's CPU (docs/performance.md, "Instrumentation overhead"). Lines that can carry
 * anything (errors, slow operations with their variables) keep the full paths.
 */
export function requestLineLogger(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: SECRET_KEYS.filter((key) => /^[A-Za-z_]\w*$/.test(key)).concat('variables'), censor: '[redacted]' } });
}

export interface LoggerOptions {
  level: string;
  logVariables: boolean;
  /** Default: standard output, written asynchronously (buffered, flushed on exit). */
  destination?: DestinationStream;
}

/**
 * The gateway's logger: JSON lines, redacted (redactedPaths), at LOG_LEVEL, written to standard
 * output asynchronously so that a request never waits for the terminal or the log shipper.
 * `flush` before the process exits (main.ts does).
 */
export function createLogger({ level, logVariables, destination }: LoggerOptions): Logger {
  return pino({ level, redact: { paths: redactedPaths({ logVariables }), censor: '[redacted]' } }, destination ?? pino.destination({ dest: 1, sync: false }));
}
