/**
 * pino JSON logs on stdout (contract behaviour 10). Credentials and message bodies never reach a log line:
 * the redact paths below cover the places where an SDK error or a config could carry them.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys that may hold secrets anywhere in a logged object, up to two levels deep. */
const SECRET_KEYS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'credentials', 'authorization', 'Authorization', 'body', 'Body'];

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface LoggerOptions {
  /** Default `info`; `LOG_LEVEL` in the environment is read by the CLI, not here. */
  level?: string;
  /** Human-readable output (pino-pretty) instead of JSON; for a person at a terminal. */
  pretty?: boolean;
  /** Where to write; default stdout. Tests pass a stream to read the lines back. */
  destination?: NodeJS.WritableStream;
}

/**
 * Errors as pino's standard serializer shows them, minus the AWS SDK's raw `$response` (it carries request
 * and response headers, deeper than redaction paths reach) and with only the useful part of `$metadata`.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete out.$response;
  const metadata = out.$metadata as { httpStatusCode?: number; requestId?: string } | undefined;
  if (metadata) out.$metadata = { httpStatusCode: metadata.httpStatusCode, requestId: metadata.requestId };
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    serializers: { err: serializeError, error: serializeError },
    level: options.level ?? 'info',
    base: { service: 'connect-failover' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(base, (options.destination ?? process.stdout) as pino.DestinationStream);
}

/** A logger that drops everything, for library use and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
