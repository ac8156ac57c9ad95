import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import { remedyFor } from '../../src/connect/remedy.ts';
import { TrafficShifter } from '../../src/connect/shifter.ts';
import type { TrafficShifterOptions } from '../../src/connect/shifter.ts';
import { ConnectApiError, ShiftError } from '../../src/connect/errors.ts';
import { mulberry32 } from '../../src/local/prng.ts';
import { PRIMARY, REPLICA, TDG_ARN, TDG_ID, startTestConnect } from '../helpers/connect.ts';
import type { TestConnect, TestConnectOptions } from '../helpers/connect.ts';

let connect: TestConnect | undefined;

afterEach(async () => {
  await connect?.stop();
  connect = undefined;
});

async function start(options: TestConnectOptions = {}): Promise<TestConnect> {
  connect = await startTestConnect(options);
  return connect;
}

function shifterFor(c: TestConnect, options: Partial<TrafficShifterOptions> = {}): TrafficShifter {
  return new TrafficShifter({ api: c.api, clock: c.clock, backoff: { random: mulberry32(7) }, ...options });
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

/** Resolves when `condition` holds, polling every few ms; fails after `timeoutMs` of real time. */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const split = (primary: number) => ({ [PRIMARY]: primary, [REPLICA]: 100 - primary });

describe('TrafficShifter without faults', () => {
  it('fails over with exactly one write, sent to the replica by ARN, and moves agents with telephony', async () => {
    // Prepare
    const c = await start();

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result).toMatchObject({
      outcome: 'verified',
      writes: 1,
      writtenVia: REPLICA,
      split: { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 },
    });
    const puts = c.sim.requests.filter((r) => r.operation === 'UpdateTrafficDistribution');
    expect(puts.map((r) => [r.region, r.id])).toEqual([[REPLICA, TDG_ARN]]);
    expect(c.sim.state()).toMatchObject({ status: 'ACTIVE', telephony: split(0), agents: split(0) });
  });

  it('fails back with exactly one write, sent to the primary', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });

    // Act
    const result = await shifterFor(c).shift(100, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: PRIMARY });
    expect(c.sim.writes.map((w) => w.region)).toEqual([PRIMARY]);
    expect(c.sim.state()).toMatchObject({ telephony: split(100), agents: split(100) });
  });

  it('moves only telephony, and verifies only telephony, when shiftAgents is false', async () => {
    // Prepare
    const c = await start();
    const shifter = shifterFor(c, { shiftAgents: false });

    // Act
    const first = await shifter.shift(0, live());
    const second = await shifter.shift(0, live());

    // Assess
    expect(first).toMatchObject({ outcome: 'verified', writes: 1 });
    expect(second).toMatchObject({ outcome: 'alreadyInPlace', writes: 0 });
    expect(c.sim.writes).toHaveLength(1);
    expect(c.sim.writes[0]?.agents).toBeUndefined();
    expect(c.sim.state()).toMatchObject({ telephony: split(0), agents: split(100) });
  });

  it('writes nothing when the split is already in place', async () => {
    // Prepare
    const c = await start({ primaryPercent: 50 });

    // Act
    const result = await shifterFor(c).shift(50, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'alreadyInPlace', writes: 0, writtenVia: undefined });
    expect(c.updateRequests()).toBe(0);
    expect(result.calls.map((call) => call.operation).sort()).toEqual([
      'DescribeTrafficDistributionGroup',
      'GetTrafficDistribution',
    ]);
  });

  it('moves agents that lag behind telephony even when telephony is already right', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0, agentsPrimaryPercent: 100 });

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: REPLICA });
    expect(c.sim.state().agents).toEqual(split(0));
  });

  it('refuses a target that is not a multiple of 10 without calling Connect', async () => {
    // Prepare
    const c = await start();

    // Act
    const err = await shiftError(shifterFor(c).shift(35, live()));

    // Assess
    expect(err.retryable).toBe(false);
    expect(c.sim.requests).toHaveLength(0);
  });
});

describe('TrafficShifter under API faults', () => {
  it('rides out a storm of ten throttled writes and writes once', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.script(
      Array.from({ length: 10 }, () => ({
        operation: 'UpdateTrafficDistribution' as const,
        fault: 'throttle' as const,
      })),
    );

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(result.writes).toBe(11);
    expect(c.updateRequests()).toBe(11);
    expect(c.sim.writes).toHaveLength(1);
    // Status and split read once; five rounds of a throttled write to the replica then at once to the
    // primary, each after a pause and a fresh read of the split (ACTIVE stays known: a 429 changes
    // nothing); the eleventh write; then status and split to verify.
    expect(result.calls).toHaveLength(2 + 10 + 5 + 1 + 2);
    expect(result.calls).toHaveLength(c.sim.requests.length);
    const puts = result.calls.filter((call) => call.operation === 'UpdateTrafficDistribution');
    expect(puts.slice(0, 10).map((call) => call.region)).toEqual(
      Array.from({ length: 5 }, () => [REPLICA, PRIMARY]).flat(),
    );
  });

  it('waits out another update in progress instead of writing into a 409', async () => {
    // Prepare
    const c = await start({ updateWindowMs: 10_000 });
    await c.api.update(PRIMARY, { telephonyPrimaryPercent: 50, agentsPrimaryPercent: 50 }, live());
    const startedAt = c.clock.now();

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(c.sim.requests.filter((r) => r.status === 409)).toHaveLength(0);
    expect(c.sim.writes.map((w) => w.telephony[PRIMARY])).toEqual([50, 0]);
    expect(result.verifiedAt - startedAt).toBeGreaterThanOrEqual(20_000);
    expect(c.sim.state()).toMatchObject({ status: 'ACTIVE', telephony: split(0) });
  });

  it('sends no second write once an applied-then-500 write shows, and waits for ACTIVE', async () => {
    // Prepare
    const c = await start({ updateWindowMs: 10_000 });
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'appliedThen500' }]);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: REPLICA });
    expect(c.sim.writes).toHaveLength(1);
    expect(c.sim.requests.filter((r) => r.status === 409)).toHaveLength(0);
    expect(c.sim.state().status).toBe('ACTIVE');
  });

  it('retries a write answered with 409 and applies it once', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'conflict' }]);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(c.updateRequests()).toBe(2);
    expect(c.sim.writes).toHaveLength(1);
  });

  it('applies exactly one write when the first was applied but answered 500', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'appliedThen500' }]);

    // Act
    const result = await shifterFor(c).shift(100, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(c.sim.writes).toHaveLength(1);
    expect(c.updateRequests()).toBe(1);
    expect(c.sim.state().telephony).toEqual(split(100));
  });

  it('re-sends a write that timed out after reading that it was not applied', async () => {
    // Prepare
    const c = await start({ requestTimeoutMs: 200 });
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'hang' }]);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    expect(result.calls.filter((call) => call.error === 'TimeoutError')).toHaveLength(1);
    expect(c.updateRequests()).toBe(2);
    expect(c.sim.writes).toHaveLength(1);
    // The retry read the split between the timed-out write and the next.
    const ops = c.sim.requests.map((r) => r.operation);
    const firstPut = ops.indexOf('UpdateTrafficDistribution');
    expect(ops.slice(firstPut + 1, ops.lastIndexOf('UpdateTrafficDistribution'))).toContain('GetTrafficDistribution');
  });

  it('fails back through the replica endpoint when the primary Region API is down', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });
    c.sim.faults.regionDown(PRIMARY);

    // Act
    const result = await shifterFor(c).shift(100, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writtenVia: REPLICA });
    expect(c.sim.writes.map((w) => w.region)).toEqual([REPLICA]);
    expect(c.sim.state().telephony).toEqual(split(100));
  });

  it('fails over through the primary endpoint when the replica Region API is down', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.regionDown(REPLICA);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: PRIMARY });
    expect(c.sim.writes.map((w) => w.region)).toEqual([PRIMARY]);
  });

  it('gives up with a retryable ShiftError at the deadline when both Regions are down', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.regionDown(PRIMARY);
    c.sim.faults.regionDown(REPLICA);
    const startedAt = c.clock.now();

    // Act
    const err = await shiftError(shifterFor(c, { deadlineMs: 60_000 }).shift(0, live()));

    // Assess
    expect(err.retryable).toBe(true);
    expect(err.lastError).toBeInstanceOf(ConnectApiError);
    expect(err.attempts).toBeGreaterThan(1);
    expect(err.calls).toHaveLength(c.sim.requests.length);
    expect(new Set(err.calls.map((call) => call.region))).toEqual(new Set([PRIMARY, REPLICA]));
    expect(c.clock.now() - startedAt).toBe(60_000);
    expect(c.sim.writes).toHaveLength(0);
  });

  it('stops at once with a terminal error naming the ARN when a bare id is called from the replica', async () => {
    // Prepare
    const c = await start({ bareId: true });

    // Act
    const err = await shiftError(shifterFor(c).shift(0, live()));

    // Assess
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/ARN/);
    expect(err.message).toContain(TDG_ID);
    // The first status and split reads go out together; both get the 404 and nothing else is sent.
    expect(err.calls.map((call) => [call.region, call.status])).toEqual([
      [REPLICA, 404],
      [REPLICA, 404],
    ]);
    expect(err.calls).toHaveLength(c.sim.requests.length);
    expect(c.sim.writes).toHaveLength(0);
  });

  it('stops with a terminal error when the group is being deleted', async () => {
    // Prepare
    const c = await start();
    c.sim.setStatus('PENDING_DELETION');

    // Act
    const err = await shiftError(shifterFor(c).shift(0, live()));

    // Assess
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('PENDING_DELETION');
    expect(c.updateRequests()).toBe(0);
  });

  it('verifies every shift under seeded random faults and never writes a split but its own target', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.random({ seed: 20261128, rates: { throttle: 0.3, internal: 0.1, appliedThen500: 0.05, reset: 0.05 } });
    // Half the requests fail: a 5 s cap keeps each shift well inside its deadline, whatever the seed.
    const shifter = shifterFor(c, { backoff: { random: mulberry32(42), capMs: 5000 } });
    const stray: string[] = [];
    const outcomes: string[] = [];

    // Act
    for (let i = 0; i < 30; i++) {
      const target = i % 2 === 0 ? 0 : 100;
      const before = c.sim.writes.length;
      const result = await shifter.shift(target, live());
      outcomes.push(result.outcome);
      for (const w of c.sim.writes.slice(before)) {
        if (w.telephony[PRIMARY] !== target || w.agents?.[PRIMARY] !== target)
          stray.push(`shift ${i}: ${JSON.stringify(w)}`);
      }
      expect(c.sim.state().telephony).toEqual(split(target));
    }

    // Assess
    expect(outcomes).toEqual(Array.from({ length: 30 }, () => 'verified'));
    expect(stray).toEqual([]);
    expect(c.sim.requests.some((r) => r.fault !== undefined)).toBe(true);
  });
});

describe('TrafficShifter under sustained faults (fast paths)', () => {
  /** A ManualClock that jumps over every wait and remembers how long each was. */
  function recordingClock(): { clock: Clock; sleeps: number[] } {
    const manual = new ManualClock(undefined, true);
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => manual.now(),
      sleep: (ms, signal) => {
        sleeps.push(ms);
        return manual.sleep(ms, signal);
      },
    };
    return { clock, sleeps };
  }

  // Jitter pinned near its ceiling, so each wait shows which step of which backoff it came from.
  const nearCeiling = { random: () => 0.999 };

  it('moves a failed read to the other Region without waiting', async () => {
    // Prepare
    const { clock, sleeps } = recordingClock();
    const c = await start({ clock });
    c.sim.faults.script([
      { operation: 'DescribeTrafficDistributionGroup', region: REPLICA, fault: 'internal' },
      { operation: 'GetTrafficDistribution', region: REPLICA, fault: 'throttle' },
    ]);

    // Act
    const result = await shifterFor(c, { clock, backoff: nearCeiling }).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1 });
    expect(sleeps).toEqual([]);
    expect(
      result.calls.filter((call) => call.region === PRIMARY && call.operation !== 'UpdateTrafficDistribution').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('sends a throttled write to the other Region at once', async () => {
    // Prepare
    const { clock, sleeps } = recordingClock();
    const c = await start({ clock });
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', region: REPLICA, fault: 'throttle' }]);

    // Act
    const result = await shifterFor(c, { clock, backoff: nearCeiling }).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 2, writtenVia: PRIMARY });
    expect(c.sim.writes.map((w) => w.region)).toEqual([PRIMARY]);
    expect(sleeps).toEqual([]);
  });

  it('grows the read backoff only while both Regions fail, and restarts it after progress', async () => {
    // Prepare
    const { clock, sleeps } = recordingClock();
    let armed = false;
    const c = await start({
      clock,
      api: {
        // Once the write is accepted, the first status read of the verification fails in both Regions.
        onCall: (call) => {
          if (armed || call.operation !== 'UpdateTrafficDistribution' || call.error !== undefined) return;
          armed = true;
          c.sim.faults.script([
            { operation: 'DescribeTrafficDistributionGroup', region: REPLICA, fault: 'internal' },
            { operation: 'DescribeTrafficDistributionGroup', region: PRIMARY, fault: 'internal' },
          ]);
        },
      },
    });
    c.sim.faults.script(
      [REPLICA, PRIMARY, REPLICA, PRIMARY].map((region) => ({
        operation: 'GetTrafficDistribution' as const,
        region,
        fault: 'throttle' as const,
      })),
    );

    // Act
    const result = await shifterFor(c, { clock, backoff: nearCeiling }).shift(0, live());

    // Assess: 200 then 400 ms while both Regions throttle the split read; the write is progress, so the
    // failure after it waits 200 ms again, not 800.
    expect(result).toMatchObject({ outcome: 'verified', writes: 1 });
    expect(sleeps).toEqual([200, 400, 200]);
  });

  it('spaces writes with a backoff that successful reads do not reset', async () => {
    // Prepare
    const { clock, sleeps } = recordingClock();
    const c = await start({ clock });
    c.sim.faults.script(
      [REPLICA, PRIMARY, REPLICA, PRIMARY].map((region) => ({
        operation: 'UpdateTrafficDistribution' as const,
        region,
        fault: 'throttle' as const,
      })),
    );

    // Act
    const result = await shifterFor(c, { clock, backoff: nearCeiling }).shift(0, live());

    // Assess: a read succeeds between the two refused rounds, and the second pause is still longer.
    expect(result).toMatchObject({ outcome: 'verified', writes: 5 });
    expect(sleeps).toEqual([200, 400]);
    const ops = result.calls.map((call) => call.operation);
    expect(ops.slice(4, 5)).toEqual(['GetTrafficDistribution']);
  });

  it('verifies by polling the status until ACTIVE, then reading the split once', async () => {
    // Prepare
    const c = await start({ updateWindowMs: 10_000 });

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    const afterWrite = result.calls.slice(
      result.calls.findIndex((call) => call.operation === 'UpdateTrafficDistribution') + 1,
    );
    expect(afterWrite.filter((call) => call.operation === 'DescribeTrafficDistributionGroup').length).toBeGreaterThan(
      1,
    );
    expect(afterWrite.map((call) => call.operation).filter((op) => op === 'GetTrafficDistribution')).toEqual([
      'GetTrafficDistribution',
    ]);
    expect(afterWrite.at(-1)?.operation).toBe('GetTrafficDistribution');
  });

  it('answers a 409 by reading the status again, not by writing to the other Region', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'conflict' }]);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result.outcome).toBe('verified');
    const ops = result.calls.map((call) => `${call.operation} ${call.region}`);
    const [first, second] = ops.flatMap((op, i) => (op.startsWith('UpdateTrafficDistribution') ? [i] : []));
    expect([ops[first ?? -1], ops[second ?? -1]]).toEqual([
      `UpdateTrafficDistribution ${REPLICA}`,
      `UpdateTrafficDistribution ${REPLICA}`,
    ]);
    expect(ops.slice((first ?? 0) + 1, second).map((op) => op.split(' ')[0])).toEqual([
      'DescribeTrafficDistributionGroup',
      'GetTrafficDistribution',
    ]);
  });

  it('reads before re-sending a write answered 500, and sends the re-send to the other Region', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', region: REPLICA, fault: 'internal' }]);

    // Act
    const result = await shifterFor(c).shift(0, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 2, writtenVia: PRIMARY });
    const ops = result.calls.map((call) => call.operation);
    const puts = ops.flatMap((op, i) => (op === 'UpdateTrafficDistribution' ? [i] : []));
    expect(ops.slice((puts[0] ?? 0) + 1, puts[1])).toContain('GetTrafficDistribution');
    expect(c.sim.writes).toHaveLength(1);
  });

  it('refuses settings that would disable the write cap or the settle time', async () => {
    // Prepare
    const { api } = await start();

    // Act and assess
    expect(() => new TrafficShifter({ api, maxWrites: 0 })).toThrow(/maxWrites/);
    expect(() => new TrafficShifter({ api, maxWrites: 1.5 })).toThrow(/maxWrites/);
    expect(() => new TrafficShifter({ api, writeSettleMs: -1 })).toThrow(/writeSettleMs/);
  });
});

describe('TrafficShifter when a newer decision aborts it', () => {
  /** A manual clock that says when someone starts sleeping on it. */
  function watchedClock(): { clock: Clock; manual: ManualClock; sleeping: () => number } {
    const manual = new ManualClock();
    let sleepers = 0;
    const clock: Clock = {
      now: () => manual.now(),
      sleep: (ms, signal) => {
        sleepers++;
        return manual.sleep(ms, signal);
      },
    };
    return { clock, manual, sleeping: () => sleepers };
  }

  it('rejects with the reason mid-backoff and sends nothing after the abort', async () => {
    // Prepare
    const { clock, manual, sleeping } = watchedClock();
    const c = await start({ clock });
    c.sim.faults.script([
      { operation: 'UpdateTrafficDistribution', fault: 'throttle' },
      { operation: 'UpdateTrafficDistribution', fault: 'throttle' },
    ]);
    const controller = new AbortController();
    const reason = new Error('superseded by a newer decision');
    const shifting = shifterFor(c).shift(0, controller.signal);
    await until(() => sleeping() === 1);
    const requestsAtAbort = c.sim.requests.length;

    // Act
    controller.abort(reason);
    const outcome = await shifting.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    manual.advance(600_000);
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(outcome).toBe(reason);
    expect(c.sim.requests).toHaveLength(requestsAtAbort);
    expect(c.sim.writes).toHaveLength(0);
  });

  it('aborts an in-flight write and rejects with the reason without waiting for its timeout', async () => {
    // Prepare
    const c = await start({ requestTimeoutMs: 30_000 });
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'hang' }]);
    const controller = new AbortController();
    const reason = new Error('superseded');
    const shifting = shifterFor(c).shift(0, controller.signal);
    await until(() => c.updateRequests() === 1);
    const startedAt = Date.now();

    // Act
    controller.abort(reason);
    const outcome = await shifting.then(
      () => 'resolved',
      (e: unknown) => e,
    );

    // Assess
    expect(outcome).toBe(reason);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(c.sim.requests.filter((r) => r.operation === 'UpdateTrafficDistribution')).toHaveLength(1);
    expect(c.sim.writes).toHaveLength(0);
  });
});

describe('TrafficShifter.read', () => {
  it('reads from the primary when it answers', async () => {
    // Prepare
    const c = await start({ primaryPercent: 30 });

    // Act
    const reading = await shifterFor(c).read(live());

    // Assess
    expect(reading).toMatchObject({
      region: PRIMARY,
      status: 'ACTIVE',
      split: { telephonyPrimaryPercent: 30, agentsPrimaryPercent: 30 },
    });
  });

  it('reads from the replica when the primary Region API is down', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });
    c.sim.faults.regionDown(PRIMARY);

    // Act
    const reading = await shifterFor(c).read(live());

    // Assess
    expect(reading).toMatchObject({ region: REPLICA, split: { telephonyPrimaryPercent: 0 } });
    expect(reading.calls.map((call) => [call.region, call.error === undefined])).toEqual([
      [PRIMARY, false],
      [REPLICA, true],
      [REPLICA, true],
    ]);
  });

  it('fails with a retryable ShiftError when neither Region answers', async () => {
    // Prepare
    const c = await start();
    c.sim.faults.regionDown(PRIMARY);
    c.sim.faults.regionDown(REPLICA);

    // Act
    const err = await shiftError(shifterFor(c).read(live()));

    // Assess
    expect(err.retryable).toBe(true);
    expect(err.calls).toHaveLength(2);
  });
});

describe('TrafficShifter logging', () => {
  it('logs every Connect call once with its Region, operation and outcome, and no credentials', async () => {
    // Prepare
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    const c = await start();
    c.sim.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'throttle' }]);
    const logger = pino({ level: 'debug' }, sink);

    // Act
    const result = await shifterFor(c, { logger }).shift(0, live());

    // Assess
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const callEntries = entries.filter((e) => typeof e.operation === 'string');
    expect(callEntries).toHaveLength(result.calls.length);
    expect(callEntries.every((e) => typeof e.awsRegion === 'string' && typeof e.msg === 'string')).toBe(true);
    const writes = callEntries.filter((e) => e.operation === 'UpdateTrafficDistribution');
    expect(writes.map((e) => [e.awsRegion, e.error, e.msg])).toEqual([
      [REPLICA, 'ThrottlingException', `UpdateTrafficDistribution in ${REPLICA}: ThrottlingException`],
      [PRIMARY, undefined, `UpdateTrafficDistribution in ${PRIMARY}: ok`],
    ]);
    expect(writes[1]?.split).toEqual({ telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 });
    expect(lines.join('\n')).not.toMatch(/accessKeyId|secretAccessKey|Credential=/);
  });
});

describe('remedyFor', () => {
  it('sends AccessDenied to IAM with the actions to allow', () => {
    // Prepare
    const err = new ConnectApiError('AccessDeniedException (HTTP 403): not authorized', {
      operation: 'UpdateTrafficDistribution',
      region: REPLICA,
      status: 403,
      code: 'AccessDeniedException',
      kind: 'client',
      ambiguous: false,
      tdgId: TDG_ARN,
    });

    // Act
    const remedy = remedyFor(err);

    // Assess
    expect(remedy).toContain('IAM');
    expect(remedy).toContain('connect:UpdateTrafficDistribution');
    expect(remedy).toContain(TDG_ARN);
  });
});
