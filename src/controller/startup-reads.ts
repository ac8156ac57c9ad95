/**
 * Behaviour 8's read of the split at start-up (the alarms are read by the AlarmPoller's first read).
 * A failure does not stop the start: the reconciler keeps trying.
 */
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { Logger } from '../observability/logger.ts';

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
