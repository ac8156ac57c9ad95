import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { ShiftResult, TrafficControl, TrafficSplit } from '../../src/connect/traffic-port.ts';
import { Reconciler } from '../../src/controller/reconciler.ts';
import type { ReconcileOutcome } from '../../src/controller/reconciler.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { eventually } from '../helpers/eventually.ts';

/**
 * An in-memory traffic port: each shift waits until the test releases it, so the test decides exactly
 * when a shift is "in flight". Writes are recorded only if the shift was not aborted first.
 */
class GatedTraffic implements TrafficControl {
  readonly writes: number[] = [];
  readonly started: number[] = [];
  failNext = 0;
  private gates: Array<() => void> = [];
  split: TrafficSplit = { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 };

  async shift(target: number, signal: AbortSignal): Promise<ShiftResult> {
    this.started.push(target);
    await new Promise<void>((resolve, reject) => {
      this.gates.push(resolve);
      signal.addEventListener(
        'abort',
        () => {
          this.gates = this.gates.filter((g) => g !== resolve);
          reject(signal.reason);
        },
        { once: true },
      );
    });
    signal.throwIfAborted();
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('Connect unavailable');
    }
    this.writes.push(target);
    this.split = { telephonyPrimaryPercent: target, agentsPrimaryPercent: target };
    return { outcome: 'verified', calls: [], writes: 1, writtenVia: 'us-west-2', verifiedAt: 0, split: this.split };
  }

  async read(): Promise<{ split: TrafficSplit; status: 'ACTIVE'; region: string }> {
    return { split: this.split, status: 'ACTIVE', region: 'us-east-1' };
  }

  release(): void {
    const gates = this.gates;
    this.gates = [];
    for (const g of gates) g();
  }

  get waiting(): number {
    return this.gates.length;
  }
}

/** Lets pending callbacks and timers of the current moment run (no time passes on the manual clock). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function setup(options: { mayCorrectDrift?: () => boolean } = {}) {
  const traffic = new GatedTraffic();
  const outcomes: ReconcileOutcome[] = [];
  const clock = new ManualClock();
  const reconciler = new Reconciler({
    traffic,
    clock,
    logger: silentLogger,
    onOutcome: async (o) => void outcomes.push(o),
    // The ceiling of each jittered wait, so the clock can be advanced by exactly that much.
    retry: { baseMs: 1_000, capMs: 8_000, random: () => 1 },
    resyncMs: 60_000,
    ...options,
  });
  const stop = new AbortController();
  const running = reconciler.run(stop.signal);
  return { traffic, outcomes, clock, reconciler, stop, running };
}

describe('the reconciler', () => {
  it('aborts the shift in flight when a newer decision arrives, and never writes the old split afterwards', async () => {
    const { traffic, outcomes, reconciler, stop, running } = setup();
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1, { what: 'first shift in flight' });

    reconciler.want({ primaryPercent: 100, seq: 2, write: true });
    await eventually(() => traffic.started.length === 2 && traffic.waiting === 1, { what: 'second shift in flight' });
    traffic.release();
    await eventually(() => outcomes.some((o) => o.kind === 'verified'), { what: 'verified' });

    expect(traffic.started).toEqual([0, 100]);
    expect(traffic.writes).toEqual([100]);
    expect(outcomes.filter((o) => o.kind === 'verified').map((o) => o.target.primaryPercent)).toEqual([100]);
    stop.abort();
    await running;
  });

  it('on hold (a newer decision not yet saved), aborts the shift in flight and starts nothing until told', async () => {
    const { traffic, reconciler, stop, running } = setup();
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1, { what: 'first shift in flight' });

    reconciler.hold();
    await eventually(() => traffic.waiting === 0, { what: 'the shift in flight aborted' });
    await turns(20);
    expect(traffic.started).toEqual([0]);
    reconciler.want({ primaryPercent: 100, seq: 2, write: true });
    await eventually(() => traffic.waiting === 1, { what: 'the newer shift in flight' });
    traffic.release();
    await eventually(() => traffic.writes.length === 1, { what: 'the newer split written' });

    expect(traffic.started).toEqual([0, 100]);
    expect(traffic.writes).toEqual([100]);
    stop.abort();
    await running;
  });

  it('on hold, a failed shift waiting for its retry never retries the old split', async () => {
    const { traffic, outcomes, clock, reconciler, stop, running } = setup();
    traffic.failNext = 1;
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.some((o) => o.kind === 'failed'), { what: 'the first attempt failed' });

    reconciler.hold();
    clock.advance(8_000);
    await turns(20);

    expect(traffic.started).toEqual([0]);
    stop.abort();
    await running;
  });

  it('retries a failed shift with growing backoff until it is verified, reporting each failure', async () => {
    const { traffic, outcomes, clock, reconciler, stop, running } = setup();
    traffic.failNext = 2;
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });

    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.filter((o) => o.kind === 'failed').length === 1);
    clock.advance(1_000);
    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.filter((o) => o.kind === 'failed').length === 2);
    clock.advance(2_000);
    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.some((o) => o.kind === 'verified'));

    const failures = outcomes.flatMap((o) => (o.kind === 'failed' ? [o.retryInMs] : []));
    expect(failures).toEqual([1_000, 2_000]);
    expect(traffic.writes).toEqual([0]);
    stop.abort();
    await running;
  });

  it('only reads and reports when told not to write (dry run, or drift while paused)', async () => {
    const { traffic, outcomes, reconciler, stop, running } = setup();

    reconciler.want({ primaryPercent: 0, seq: 1, write: false });
    await eventually(() => outcomes.some((o) => o.kind === 'observed'));

    expect(traffic.started).toEqual([]);
    expect(outcomes[0]).toMatchObject({ kind: 'observed', split: { telephonyPrimaryPercent: 100 } });
    stop.abort();
    await running;
  });

  it('stops at once when its signal aborts, even with a shift in flight', async () => {
    const { traffic, reconciler, stop, running } = setup();
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1);

    stop.abort(new Error('SIGTERM'));
    await running;

    expect(traffic.writes).toEqual([]);
  });

  it('re-reads a settled split every resyncMs, so a change made by hand while running is restored', async () => {
    const { traffic, outcomes, clock, reconciler, stop, running } = setup();
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.some((o) => o.kind === 'verified'));

    traffic.split = { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 };
    clock.advance(60_000);
    await eventually(() => traffic.waiting === 1, { what: 'the resync shift' });
    traffic.release();
    await eventually(() => outcomes.filter((o) => o.kind === 'verified').length === 2);

    expect(outcomes.filter((o) => o.kind === 'verified').map((o) => o.resync)).toEqual([false, true]);
    expect(traffic.split.telephonyPrimaryPercent).toBe(0);
    stop.abort();
    await running;
  });

  it('only reads and reports at a resync while drift may not be corrected (automation paused)', async () => {
    const { traffic, outcomes, clock, reconciler, stop, running } = setup({ mayCorrectDrift: () => false });
    reconciler.want({ primaryPercent: 0, seq: 1, write: true });
    await eventually(() => traffic.waiting === 1);
    traffic.release();
    await eventually(() => outcomes.some((o) => o.kind === 'verified'));
    traffic.split = { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 };

    clock.advance(60_000);
    await eventually(() => outcomes.some((o) => o.kind === 'observed'), { what: 'the resync read' });

    expect(outcomes.at(-1)).toMatchObject({ kind: 'observed', resync: true, split: { telephonyPrimaryPercent: 100 } });
    expect(traffic.started).toEqual([0]);
    stop.abort();
    await running;
  });
});
