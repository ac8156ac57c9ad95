/**
 * Preflight at `run`: the same checklist, in the background, logged. It never delays or blocks start-up:
 * the controller must run during an incident, when some checks are expected to fail (the primary
 * Region's API down, say). A failure is logged at error level so it pages through log alerting, and is
 * counted in `connect_failover_preflight_checks{status="fail"}`.
 */
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import type { StateStore } from '../store/store.ts';
import type { Clock } from '../clock.ts';
import { runPreflight } from './run-preflight.ts';
import type { PreflightReport } from './types.ts';

/** The logging preflight-at-start needs; a pino logger fits. */
export interface PreflightLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PreflightAtStartOptions {
  config: Config;
  store: StateStore;
  dryRun: boolean;
  logger: PreflightLogger;
  signal: AbortSignal;
  clock?: Clock;
  /** Endpoints and credentials of the clients the checks make (default: the SDK's standard chain). */
  aws?: AwsClientSettings;
  /** Told the counts once the checks are done. */
  onReport?: (report: PreflightReport) => void;
}

/**
 * Runs the checks (all but `traffic.split`, which start-up reconciliation reports as drift with more
 * context) and logs one line per check plus a summary. Resolves when done or stopped; never rejects.
 */
export async function preflightAtStart(options: PreflightAtStartOptions): Promise<void> {
  const { logger } = options;
  let report: PreflightReport;
  try {
    report = await runPreflight({
      config: options.config,
      store: options.store,
      dryRun: options.dryRun,
      signal: options.signal,
      skip: ['traffic.split'],
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.aws ? { aws: options.aws } : {}),
    });
  } catch (error) {
    if (!options.signal.aborted) logger.warn({ err: error }, 'preflight could not run');
    return;
  }
  if (options.signal.aborted) return;
  for (const check of report.checks) {
    const line = {
      preflight: check.id,
      status: check.status,
      detail: check.detail,
      ...(check.fix ? { fix: check.fix } : {}),
    };
    if (check.status === 'fail') logger.error(line, `preflight failed: ${check.title}`);
    else if (check.status === 'warn') logger.warn(line, `preflight warning: ${check.title}`);
    // Passes are detail: the summary line below says how many.
    else logger.debug(line, `preflight passed: ${check.title}`);
  }
  options.onReport?.(report);
  const counts = report.summary;
  if (counts.fail > 0)
    logger.error(counts, 'preflight: a failover may not work; the controller keeps running, fix the failures now');
  else if (counts.warn > 0) logger.warn(counts, 'preflight: ready, with warnings');
  else logger.info(counts, 'preflight: ready');
}
