/**
 * Behaviour 8's read of the split at start-up (the alarms are read by the AlarmPoller's first read), and
 * what it means against the state restored. A failure to read does not stop the start: the reconciler
 * keeps trying.
 */
import type { HealthState } from '../../state-machines/index.ts';
import type { Clock } from '../clock.ts';
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { Logger } from '../observability/logger.ts';
import { iso } from './controller-types.ts';
import { appendHistory } from './document.ts';
import type { ControllerDocument } from './document.ts';
import { actualTraffic } from './shift-book.ts';

/** What a read of the traffic distribution gives: the split, the group's status and the Region read. */
export type TrafficReading = Awaited<ReturnType<TrafficControl['read']>>;

/** The split and status now, or undefined when neither Region answered. */
export async function readTrafficAtStart(
  traffic: TrafficControl,
  logger: Logger,
  signal: AbortSignal,
): Promise<TrafficReading | undefined> {
  try {
    return await traffic.read(signal);
  } catch (error) {
    if (signal.aborted) throw error;
    logger.error({ err: error }, 'GetTrafficDistribution failed at start-up; the reconciler will keep trying');
    return undefined;
  }
}

/**
 * Records the split read at start-up as the document's last reading, and as drift (history and a warning)
 * when it is not the `desired` one. True when they differ.
 */
export function noteStartupSplit(
  doc: ControllerDocument,
  found: TrafficReading,
  desired: number,
  now: number,
  logger: Logger,
): boolean {
  doc.actual = actualTraffic(found.split, found.status, iso(now));
  const actual = found.split.telephonyPrimaryPercent;
  if (actual === desired) return false;
  appendHistory(doc, {
    at: iso(now),
    kind: 'drift',
    reason: `Connect sends ${actual}% to the primary; the state wants ${desired}%`,
    primaryPercent: actual,
  });
  logger.warn(
    { actualPrimaryPercent: actual, desiredPrimaryPercent: desired, awsRegion: found.region },
    'drift: split differs from the state',
  );
  return true;
}

/**
 * Start-up's look at Connect (behaviour 8): `read` before the queued commands are applied, `settle` after
 * them, which records what was found and says whether the split was set by someone else's hand.
 */
export class StartupCheck {
  private found: TrafficReading | undefined;
  private restored = false;

  constructor(
    private readonly traffic: TrafficControl,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Reads the split as Connect has it now; `restored`: the state came from the store. */
  async read(restored: boolean, signal: AbortSignal): Promise<void> {
    this.restored = restored;
    this.found = await readTrafficAtStart(this.traffic, this.logger, signal);
  }

  /**
   * Records the reading, drift when it is not `desired`, and the start-up line in `doc`. Returns the split
   * found when it was changed by hand: different from `desired` with no shift of ours unfinished (a
   * pending or failing shift of ours explains the difference).
   */
  settle(doc: ControllerDocument, desired: number, health: HealthState): number | undefined {
    const now = this.clock.now();
    const found = this.found;
    const drift = found !== undefined && noteStartupSplit(doc, found, desired, now, this.logger);
    const ours = doc.shift !== undefined && doc.shift.status !== 'verified';
    appendHistory(doc, {
      at: iso(now),
      kind: 'startup',
      reason: this.restored ? 'restored persisted state' : 'no persisted state: started healthy',
      to: health,
    });
    return drift && !ours ? found.split.telephonyPrimaryPercent : undefined;
  }
}
