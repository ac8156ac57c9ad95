/**
 * Finding 14.3, a write storm: when a read after an accepted write does not show the target, the shifter
 * must verify with reads, not write again at once. Each scenario runs the real adapter over HTTP against
 * the Connect simulator, whose GetTrafficDistribution is made to lag, to answer from a stale replica, or
 * to leave AgentConfig out.
 *
 * Time is a ManualClock that jumps over every wait, and every Connect call also moves it 50 ms (a round
 * trip): a shifter that loops without waiting still sees time pass, so it reaches its deadline instead of
 * spinning forever, and the write counts below are what it would send in that time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { ShiftError, UnverifiableSplitError, WriteLimitError } from '../../src/connect/errors.ts';
import { TrafficShifter } from '../../src/connect/shifter.ts';
import type { TrafficShifterOptions } from '../../src/connect/shifter.ts';
import { mulberry32 } from '../../src/local/prng.ts';
import { PRIMARY, REPLICA, startTestConnect } from '../helpers/connect.ts';
import type { TestConnect } from '../helpers/connect.ts';

const ROUND_TRIP_MS = 50;

let connect: TestConnect | undefined;

afterEach(async () => {
  await connect?.stop();
  connect = undefined;
});

async function start(options: { primaryPercent?: number } = {}): Promise<TestConnect> {
  const clock = new ManualClock(undefined, true);
  connect = await startTestConnect({ ...options, clock, api: { onCall: () => clock.advance(ROUND_TRIP_MS) } });
  return connect;
}

function shifterFor(c: TestConnect, options: Partial<TrafficShifterOptions> = {}): TrafficShifter {
  // Production backoff (base 200 ms, cap 20 s), a seeded jitter, and a deadline long enough for the caps to show.
  return new TrafficShifter({
    api: c.api,
    clock: c.clock,
    backoff: { random: mulberry32(14) },
    deadlineMs: 100_000,
    ...options,
  });
}

const live = () => new AbortController().signal;

async function shiftError(promise: Promise<unknown>): Promise<ShiftError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ShiftError)) throw new Error(`expected a ShiftError, got ${String(err)}`);
  return err;
}

const split = (primary: number) => ({ [PRIMARY]: primary, [REPLICA]: 100 - primary });

describe('a shift whose reads do not show its accepted write', () => {
  it('sends exactly one write when every read lags 2 s behind it, and verifies once the reads catch up', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.readLag({ ms: 2000 });

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(c.updateRequests()).toBe(1);
    expect(result).toMatchObject({
      outcome: 'verified',
      writes: 1,
      split: { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 },
    });
    const writtenAt = c.sim.writes[0]?.at ?? Number.NaN;
    expect(result.verifiedAt - writtenAt).toBeGreaterThanOrEqual(2000);
    expect(c.sim.state()).toMatchObject({ status: 'ACTIVE', telephony: split(0), agents: split(0) });
  });

  it('sends exactly one write when the Region it reads first answers from a stale replica', async () => {
    // Prepare: the replica Region, which takes a failover's write and is read first, shows a minute-old split.
    const c = await start();
    c.sim.faults.readLag({ ms: 60_000, regions: [REPLICA] });

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(c.updateRequests()).toBe(1);
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: REPLICA });
    const gets = result.calls.filter((call) => call.operation === 'GetTrafficDistribution' && call.error === undefined);
    expect(gets.at(-1)).toMatchObject({ region: PRIMARY, split: { telephonyPrimaryPercent: 0 } });
    expect(c.sim.state().telephony).toEqual(split(0));
  });

  it('sends exactly one write on failback when the primary Region answers from a stale replica', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });
    c.sim.faults.readLag({ ms: 60_000, regions: [PRIMARY] });

    // Act
    const result = await shifterFor(c).shift(100, live());

    // Assess
    expect(c.updateRequests()).toBe(1);
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: PRIMARY });
    expect(c.sim.state().telephony).toEqual(split(100));
  });

  it('spaces a second write by the settle time when reads lag longer than it', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.readLag({ ms: 15_000 });

    // Act
    const result = await shifterFor(c, { writeSettleMs: 10_000 }).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(c.updateRequests()).toBe(2);
    const [first, second] = c.sim.writes;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(10_000);
  });

  it('stops after maxWrites accepted writes, spaced by a doubling settle time, with a retryable error saying why', async () => {
    // Prepare: reads an hour behind, so no read in this shift can show its write.
    const c = await start();
    c.sim.faults.readLag({ ms: 3_600_000 });

    // Act
    const err = await shiftError(shifterFor(c, { maxWrites: 3, writeSettleMs: 10_000 }).shift(0, live()));

    // Assess
    expect(err).toBeInstanceOf(WriteLimitError);
    expect(err.retryable).toBe(true);
    expect(c.updateRequests()).toBe(3);
    expect(err.writes).toBe(3);
    expect(err.message).toMatch(/3 accepted writes/);
    expect(err.message).toMatch(/lag|stale/);
    const [a, b, d] = c.sim.writes.map((w) => w.at);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(10_000);
    expect((d ?? 0) - (b ?? 0)).toBeGreaterThanOrEqual(20_000);
  });
});

describe('a shift whose reads cannot show its target', () => {
  it('writes at most once and stops with a terminal error naming the missing AgentConfig', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.omitAgentConfig();

    // Act
    const err = await shiftError(shifterFor(c).shift(0, live()));

    // Assess
    expect(c.updateRequests()).toBe(1);
    expect(err).toBeInstanceOf(UnverifiableSplitError);
    expect(err.retryable).toBe(false);
    expect(err.writes).toBe(1);
    expect(err.message).toContain('AgentConfig');
    expect(err.message).toContain('shiftAgents');
    // The write itself went through: telephony (and agents) moved, only the verification is impossible.
    expect(c.sim.state().telephony).toEqual(split(0));
  });

  it('verifies telephony alone with one write when shiftAgents is off and AgentConfig is missing', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.omitAgentConfig();

    // Act
    const result = await shifterFor(c, { shiftAgents: false }).shift(0, live());

    // Assess
    expect(result).toMatchObject({
      outcome: 'verified',
      writes: 1,
      split: { telephonyPrimaryPercent: 0, agentsPrimaryPercent: undefined },
    });
    expect(c.updateRequests()).toBe(1);
  });
});
