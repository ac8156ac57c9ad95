import { runController } from '../app/run-controller.ts';
import { ConfigError } from '../errors.ts';
import { createLogger } from '../observability/logger.ts';
import { loadCommandConfig } from './common.ts';
import type { ConfigOption } from './common.ts';

/** Hard limit for a clean stop after SIGTERM/SIGINT (the contract's promise is 10 s). */
const STOP_DEADLINE_MS = 9_000;

/** `run -c FILE [--dry-run]`: the controller until SIGTERM or SIGINT; 0 after a clean stop. */
export async function runCommand(options: ConfigOption & { dryRun?: boolean; pretty?: boolean }): Promise<number> {
  const config = await loadCommandConfig(options);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', pretty: Boolean(options.pretty) });
  const stop = new AbortController();
  const onSignal = (name: string) => {
    if (stop.signal.aborted) return;
    logger.info({ signal: name }, 'stopping: no new receives, finishing work in flight');
    stop.abort(new Error(`received ${name}`));
    setTimeout(() => {
      logger.error('clean stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  try {
    await runController({ config, logger, signal: stop.signal, dryRun: Boolean(options.dryRun) });
    return 0;
  } catch (error) {
    // A config problem found while assembling (an unsupported store) is still a config error: exit 2.
    if (error instanceof ConfigError) throw error;
    logger.fatal({ err: error }, 'controller failed');
    return 1;
  } finally {
    logger.flush();
  }
}
