/**
 * Behaviour 8's reads at start-up: the alarms as CloudWatch has them now and the split as Connect has it
 * now. Neither failure stops the start: the queue still delivers changes and the reconciler keeps trying.
 */
import type { AlarmValue } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { Logger } from '../observability/logger.ts';
import type { SignalRef } from '../domain/signals.ts';

/** The configured alarms that DescribeAlarms found, or undefined when it failed. */
export async function readAlarmsAtStart(
  alarms: AlarmReader,
  refs: SignalRef[],
  logger: Logger,
  signal: AbortSignal,
): Promise<Array<{ alarm: string; value: AlarmValue; at: number }> | undefined> {
  try {
    const readings = await alarms.read(refs, signal);
    for (const r of readings.filter((x) => x.value === undefined)) {
      logger.warn({ alarm: r.key }, 'configured alarm not found by DescribeAlarms (typo, or another Region?)');
    }
    const found = readings.flatMap((r) => (r.value !== undefined && r.at !== undefined ? [{ alarm: r.key, value: r.value, at: r.at }] : []));
    logger.info({ alarms: Object.fromEntries(found.map((r) => [r.alarm, r.value])) }, 'alarm states read at start-up');
    return found;
  } catch (error) {
    if (signal.aborted) throw error;
    // Starting blind beats not starting; reported loudly.
    logger.error({ err: error }, 'DescribeAlarms failed at start-up; continuing with the persisted alarm states');
    return undefined;
  }
}

/** The split and status now, or undefined when neither Region answered. */
export async function readTrafficAtStart(traffic: TrafficControl, logger: Logger, signal: AbortSignal) {
  try {
    return await traffic.read(signal);
  } catch (error) {
    if (signal.aborted) throw error;
    logger.error({ err: error }, 'GetTrafficDistribution failed at start-up; the reconciler will keep trying');
    return undefined;
  }
}
