/** The shifter's logging: the logger it needs, labelled lines, and one line per Connect call. */
import type { ConnectCall } from './traffic-port.ts';

/** The logging the shifter needs; a pino logger fits. */
export interface ShiftLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Default: no logging. */
export const silentLogger: ShiftLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** A logger that adds `labels` to every line (a pino child without needing pino). */
export function labelled(logger: ShiftLogger, labels: Record<string, unknown>): ShiftLogger {
  return {
    debug: (obj, msg) => logger.debug({ ...labels, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...labels, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...labels, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...labels, ...obj }, msg),
  };
}

/** One log line per Connect call: Region, operation, split, outcome. Never credentials. */
export function logCall(logger: ShiftLogger, call: ConnectCall, targetPrimaryPercent: number | undefined): void {
  const outcome = call.error ?? 'ok';
  const fields = {
    operation: call.operation,
    awsRegion: call.region,
    split: call.split,
    targetPrimaryPercent,
    status: call.status,
    error: call.error,
    durationMs: call.durationMs,
  };
  const msg = `${call.operation} in ${call.region}: ${outcome}`;
  if (call.error !== undefined) logger.warn(fields, msg);
  else if (call.operation === 'UpdateTrafficDistribution') logger.info(fields, msg);
  else logger.debug(fields, msg);
}
