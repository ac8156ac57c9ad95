/**
 * pino JSON logs on stdout (contract behaviour 10). Credentials and message bodies never reach a log line:
 * {@link censorSecrets} covers the places where an SDK error or a config could carry them.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger } from 'pino';

/** Keys that may hold secrets anywhere in a logged object, up to two levels deep. */
const SECRET_KEYS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'credentials',
  'authorization',
  'Authorization',
  'body',
  'Body',
];

const SECRET_KEY_SET = new Set(SECRET_KEYS);
const CENSOR = '[redacted]';
/** Levels below a log line's own keys that are searched (pino redaction paths `key`, `*.key`, `*.*.key`). */
const DEEPEST = 2;

/**
 * `value` with every secret key at `depth` ≤ 2 (0: the log line's own keys) replaced by `[redacted]`; the
 * value itself when it holds none, so a line without secrets costs a walk over its keys and no copy.
 * Done here rather than with pino's `redact`: its wildcard paths are re-parsed and walked for every line
 * (20–40 µs each, the largest cost of an info line in the storm benchmark). Errors are left to
 * {@link serializeError}, which censors what it keeps.
 */
export function censorSecrets<T>(value: T, depth = 0): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    depth > DEEPEST ||
    value instanceof Error ||
    ArrayBuffer.isView(value)
  )
    return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const inner = source[key];
    const next = SECRET_KEY_SET.has(key) ? CENSOR : censorSecrets(inner, depth + 1);
    if (next === inner) continue;
    copy ??= Array.isArray(value) ? [...value] : { ...source };
    (copy as Record<string, unknown>)[key] = next;
  }
  return (copy ?? value) as T;
}

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
  // An error is logged under a key of the line (`err`), so its own keys are one level down.
  return censorSecrets(out, 1);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = {
    serializers: { err: serializeError, error: serializeError },
    level: options.level ?? 'info',
    base: { service: 'connect-failover' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      log: (line: Record<string, unknown>) => censorSecrets(line),
      bindings: (bindings: Record<string, unknown>) => censorSecrets(bindings),
    },
  };
  const logger = options.pretty
    ? pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: wantsColour() } } })
    : pino(base, (options.destination ?? process.stdout) as pino.DestinationStream);
  // pino applies `formatters.bindings` to the root's bindings only; children (and theirs, which inherit
  // this method) censor theirs here.
  const child = logger.child;
  logger.child = function censoredChild(this: Logger, bindings, childOptions) {
    return child.call(this, censorSecrets(bindings), childOptions);
  } as typeof logger.child;
  return logger;
}

/** Colour only for a person at a terminal, and never when `NO_COLOR` is set (no-color.org). */
export function wantsColour(
  stream: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

/** A logger that drops everything, for library use and tests that do not read logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
