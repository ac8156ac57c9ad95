/**
 * Seeded chaos against the real controller on the local stack: random Connect faults, a random sequence of
 * alarm changes with small random gaps, and random controller restarts; then the faults stop, the alarms
 * are set to a final state whose outcome the contract fixes, and the controller must settle there without
 * ever having written a split that contradicted its decision when the write was sent.
 *
 * In-process (`runController` through the controller harness) rather than by process: a restart costs
 * ~100 ms instead of ~1 s of tsx start-up plus a lapsed lease, so enough seeds fit in the time budget, and
 * the `decision` and `connectCall` hooks time decisions and requests on the same clock as the simulator's
 * write log (one process, one `Date.now`). Process kills at the worst moments are process.e2e.test.ts's job.
 *
 * Every seed is reproducible in what the test does (fault draws, alarm sequence, gaps, restarts);
 * thread scheduling is not, so the assertions hold for every interleaving rather than replaying one.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createFailoverMachine, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import type { Decision } from '../../state-machines/index.ts';
import type { AlarmValue } from '../../src/config/types.ts';
import type { ConnectCall } from '../../src/connect/traffic-port.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { mulberry32 } from '../../src/local/prng.ts';
import { FAST_TIMING, startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

/** Seeds run; each takes a few seconds, and the file must stay under 90 s on 2 cores. */
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
/** Highest rate of each fault kind (five kinds, so up to 100 % of requests can fail). */
const MAX_RATE = 0.2;
const PRIMARY = 'us-east-1';

/** The final alarm states, chosen so the contract leaves one outcome (failback is automatic). */
const FINALS = {
  /** Critical in ALARM, replica sound: failed over (rule 1), whatever came before. */
  critical: {
    alarms: { degraded: 'OK', critical: 'ALARM', replicaUnhealthy: 'OK' },
    health: 'failedOver',
    primaryPercent: 0,
  },
  /** Degraded only: degraded, then failed over after escalateAfter (rule 2); failback needs every primary signal OK. */
  degraded: {
    alarms: { degraded: 'ALARM', critical: 'OK', replicaUnhealthy: 'OK' },
    health: 'failedOver',
    primaryPercent: 0,
  },
  /** Everything OK with automatic failback: healthy after recoverAfter (rule 3). */
  allOk: { alarms: { degraded: 'OK', critical: 'OK', replicaUnhealthy: 'OK' }, health: 'healthy', primaryPercent: 100 },
} as const;

type Role = 'degraded' | 'critical' | 'replicaUnhealthy';

/** A health decision, timed when the controller made it (the hook runs before the reconciler is told). */
interface TimedDecision {
  at: number;
  seq: number;
  primaryPercent: number;
}

/** An UpdateTrafficDistribution the controller sent, timed when the request started. */
interface SentUpdate {
  startedAt: number;
  primaryPercent: number;
  error: string | undefined;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * The desired primary percent at time `t`. Times are whole milliseconds, so a decision stamped `t` may have
 * come just before or just after something else stamped `t`: both readings are returned.
 */
function desiredAround(decisions: readonly TimedDecision[], t: number, initial: number): Set<number> {
  const before = decisions.filter((d) => d.at < t).at(-1)?.primaryPercent ?? initial;
  const atOrBefore = decisions.filter((d) => d.at <= t).at(-1)?.primaryPercent ?? initial;
  return new Set([before, atOrBefore]);
}

/**
 * The write invariant, exactly:
 * (a) every UpdateTrafficDistribution the controller started carried the split desired when it started
 *     (the decision in force at `startedAt`, either side of a same-millisecond tie);
 * (b) every write Connect applied is matched, one to one, to such a request with the same split that had
 *     started no later than the write arrived.
 * So a write may land after a newer decision only when its request was already on the wire when that
 * decision was made: the reconciler aborts it, but bytes already sent can still be applied. Nothing else
 * may ever contradict the decision current when the write was sent. Returns the violations, and how late
 * (after the superseding decision) the latest superseded write landed.
 */
function checkWrites(
  decisions: readonly TimedDecision[],
  sent: readonly SentUpdate[],
  applied: ReadonlyArray<{ at: number; primaryPercent: number }>,
  initial: number,
): { violations: string[]; superseded: number; maxLateMs: number } {
  const violations: string[] = [];
  for (const u of sent) {
    const desired = desiredAround(decisions, u.startedAt, initial);
    if (!desired.has(u.primaryPercent)) {
      violations.push(`sent ${u.primaryPercent}% at ${u.startedAt} while ${[...desired].join('/')}% was desired`);
    }
  }
  const used = new Set<number>();
  let superseded = 0;
  let maxLateMs = 0;
  for (const w of applied) {
    let match = -1;
    sent.forEach((u, i) => {
      if (!used.has(i) && u.primaryPercent === w.primaryPercent && u.startedAt <= w.at) match = i;
    });
    if (match < 0) {
      violations.push(`Connect applied ${w.primaryPercent}% at ${w.at} with no request of that split sent before it`);
      continue;
    }
    used.add(match);
    if (!desiredAround(decisions, w.at, initial).has(w.primaryPercent)) {
      superseded += 1;
      const newer = decisions.find((d) => d.at >= sent[match]!.startedAt && d.primaryPercent !== w.primaryPercent);
      maxLateMs = Math.max(maxLateMs, w.at - (newer?.at ?? w.at));
    }
  }
  return { violations, superseded, maxLateMs };
}

describe('chaos: random Connect faults, alarm changes and restarts', () => {
  it.each(SEEDS)('settles where the contract says and never writes against its decision (seed %i)', async (seed) => {
    // Prepare
    const random = mulberry32(seed);
    h = await startHarness({
      stack: { visibilityTimeoutSeconds: 1 },
      config: { failback: 'automatic', timing: { ...FAST_TIMING, maxAutomaticShifts: { count: 1000, per: '1h' } } },
    });
    const harness = h;
    const { stack, config } = harness;
    const decisions: TimedDecision[] = [];
    const sent: SentUpdate[] = [];
    const hooks = {
      decision(d: Decision) {
        if (d.region === 'health')
          decisions.push({ at: Date.now(), seq: d.seq, primaryPercent: config.traffic[d.to as 'healthy'] });
      },
      connectCall(call: ConnectCall) {
        if (call.operation === 'UpdateTrafficDistribution' && call.split) {
          sent.push({
            startedAt: call.startedAt,
            primaryPercent: call.split.telephonyPrimaryPercent,
            error: call.error,
          });
        }
      },
    };
    const rates = {
      throttle: random() * MAX_RATE,
      conflict: random() * MAX_RATE,
      internal: random() * MAX_RATE,
      appliedThen500: random() * MAX_RATE,
      reset: random() * MAX_RATE,
    };
    const alarmOf: Record<Role, string> = {
      degraded: config.signals.degraded[0]!,
      critical: config.signals.critical[0]!,
      replicaUnhealthy: config.signals.replicaUnhealthy[0]!,
    };
    const roles: Role[] = ['degraded', 'critical', 'replicaUnhealthy'];
    // Round-robin over the seeds, so every final state is covered whatever N is.
    const finalName = (['critical', 'degraded', 'allOk'] as const)[seed % 3]!;
    const final = FINALS[finalName];
    await harness.start({ hooks });
    stack.connect.faults.random({ seed, rates });

    // Act: chaos
    const steps = 16 + Math.floor(random() * 12);
    let restarts = 0;
    for (let step = 0; step < steps; step++) {
      const kind = random();
      // Pacing of the scenario, not a wait for a condition. At least 2 ms, so no two changes of one alarm
      // share a millisecond timestamp (the controller rightly treats "not newer" as a duplicate).
      let pauseMs = 2 + Math.floor(random() * 200);
      if (kind < 0.1) {
        await harness.stopController();
        await harness.start({ hooks });
        restarts += 1;
      } else if (kind < 0.25) {
        // A lull with the primary clear for longer than recoverAfter, so the controller also moves back
        // toward the primary (and the next alarm can supersede that shift).
        await harness.setAlarm(alarmOf.degraded, 'OK');
        await harness.setAlarm(alarmOf.critical, 'OK');
        pauseMs = 850 + Math.floor(random() * 200);
      } else {
        const role = roles[Math.floor(random() * roles.length)]!;
        const draw = random();
        const value: AlarmValue = draw < 0.5 ? 'OK' : draw < 0.9 ? 'ALARM' : 'INSUFFICIENT_DATA';
        await harness.setAlarm(alarmOf[role], value);
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    // Act: calm, then the final alarm states
    stack.connect.faults.clear();
    for (const role of roles) await harness.setAlarm(alarmOf[role], final.alarms[role]);
    const machine = createFailoverMachine(policyOf(config));
    await eventually(
      async () => {
        const doc = await harness.readDocument();
        const queue = await stack.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: stack.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return (
          harness.primaryPercent() === final.primaryPercent &&
          stack.connect.state().status === 'ACTIVE' &&
          doc !== undefined &&
          statesOf(restoreSnapshot(machine, doc.snapshot)).health === final.health &&
          doc.shift?.targetPrimaryPercent === final.primaryPercent &&
          doc.shift.status === 'verified' &&
          queue.Attributes?.ApproximateNumberOfMessages === '0' &&
          queue.Attributes.ApproximateNumberOfMessagesNotVisible === '0'
        );
      },
      {
        timeoutMs: 40_000,
        intervalMs: 50,
        what: `seed ${seed} (final ${finalName}, ${restarts} restarts, rates ${JSON.stringify(rates)}) to settle at ${final.primaryPercent}% (now ${harness.primaryPercent()}%)`,
      },
    );
    await harness.stopController();

    // Assess
    const doc = await harness.readDocument();
    expect(statesOf(restoreSnapshot(machine, doc!.snapshot))).toEqual({ health: final.health, automation: 'active' });
    expect(stack.connect.state()).toMatchObject({
      status: 'ACTIVE',
      telephony: { [PRIMARY]: final.primaryPercent },
      agents: { [PRIMARY]: final.primaryPercent },
    });
    expect(decisions.at(-1)?.primaryPercent ?? config.traffic.healthy).toBe(final.primaryPercent);
    const applied = stack.connect.writes.map((w) => ({ at: w.at, primaryPercent: w.telephony[PRIMARY] ?? -1 }));
    const check = checkWrites(decisions, sent, applied, config.traffic.healthy);
    expect(
      check.violations,
      JSON.stringify({ seed, finalName, restarts, rates, check, decisions, sent, applied }),
    ).toEqual([]);
    // The chaos must have bitten, or the invariant above proved little.
    expect(stack.connect.requests.some((r) => r.fault !== undefined)).toBe(true);
    expect(applied.length).toBeGreaterThan(0);
  });
});

describe('the write invariant the chaos test checks', () => {
  const decisions: TimedDecision[] = [
    { at: 1_000, seq: 1, primaryPercent: 50 },
    { at: 2_000, seq: 2, primaryPercent: 0 },
  ];

  it('accepts a write that lands after a newer decision when its request started before it', () => {
    // Prepare
    const sent: SentUpdate[] = [
      { startedAt: 1_990, primaryPercent: 50, error: 'AbortError' },
      { startedAt: 2_010, primaryPercent: 0, error: undefined },
    ];

    // Act
    const check = checkWrites(
      decisions,
      sent,
      [
        { at: 2_004, primaryPercent: 50 },
        { at: 2_015, primaryPercent: 0 },
      ],
      100,
    );

    // Assess
    expect(check).toEqual({ violations: [], superseded: 1, maxLateMs: 4 });
  });

  it('rejects a request started after the decision it contradicts', () => {
    // Act
    const check = checkWrites(
      decisions,
      [{ startedAt: 2_001, primaryPercent: 50, error: undefined }],
      [{ at: 2_003, primaryPercent: 50 }],
      100,
    );

    // Assess
    expect(check.violations).toEqual(['sent 50% at 2001 while 0% was desired']);
  });

  it('rejects an applied write that no request accounts for (a hidden retry or a second writer)', () => {
    // Act
    const check = checkWrites(
      decisions,
      [{ startedAt: 2_010, primaryPercent: 0, error: undefined }],
      [
        { at: 2_012, primaryPercent: 0 },
        { at: 2_020, primaryPercent: 0 },
      ],
      100,
    );

    // Assess
    expect(check.violations).toEqual(['Connect applied 0% at 2020 with no request of that split sent before it']);
  });
});
