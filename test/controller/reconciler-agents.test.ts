import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { ShiftResult, ShiftTarget, TrafficControl, TrafficSplit } from '../../src/connect/traffic-port.ts';
import { Reconciler } from '../../src/controller/reconciler.ts';
import type { ReconcileOutcome } from '../../src/controller/reconciler.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { eventually } from '../helpers/eventually.ts';

/** A traffic port that records what each shift was asked for and applies it at once. */
class RecordingTraffic implements TrafficControl {
  readonly asked: Array<number | ShiftTarget> = [];
  split: TrafficSplit = { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 };

  async shift(target: number | ShiftTarget): Promise<ShiftResult> {
    this.asked.push(target);
    this.split =
      typeof target === 'number'
        ? { telephonyPrimaryPercent: target, agentsPrimaryPercent: target }
        : {
            telephonyPrimaryPercent: target.telephonyPrimaryPercent,
            agentsPrimaryPercent: target.agentsPrimaryPercent,
          };
    return { outcome: 'verified', calls: [], writes: 1, writtenVia: 'us-east-1', verifiedAt: 0, split: this.split };
  }

  async read(): Promise<{ split: TrafficSplit; status: 'ACTIVE'; region: string }> {
    return { split: this.split, status: 'ACTIVE', region: 'us-east-1' };
  }
}

describe('the reconciler with a separate agents target', () => {
  it('passes a plain percent when agents move with telephony, both parts when they lead, and treats a new agents part as a new target', async () => {
    // Prepare
    const traffic = new RecordingTraffic();
    const outcomes: ReconcileOutcome[] = [];
    const reconciler = new Reconciler({
      traffic,
      clock: new ManualClock(),
      logger: silentLogger,
      onOutcome: async (o) => void outcomes.push(o),
      resyncMs: 0,
    });
    const stop = new AbortController();
    const running = reconciler.run(stop.signal);
    const verified = () => outcomes.filter((o) => o.kind === 'verified').length;

    // Act
    reconciler.want({ primaryPercent: 20, agentsPrimaryPercent: 30, seq: 1, write: true });
    await eventually(() => verified() === 1, { what: 'the first step verified' });
    reconciler.want({ primaryPercent: 20, agentsPrimaryPercent: 30, seq: 1, write: true });
    reconciler.want({ primaryPercent: 20, seq: 2, write: true });
    await eventually(() => verified() === 2, { what: 'the agents brought back to telephony' });
    stop.abort();
    await running;

    // Assess
    expect(traffic.asked).toEqual([{ telephonyPrimaryPercent: 20, agentsPrimaryPercent: 30 }, 20]);
    expect(traffic.split).toEqual({ telephonyPrimaryPercent: 20, agentsPrimaryPercent: 20 });
  });
});
