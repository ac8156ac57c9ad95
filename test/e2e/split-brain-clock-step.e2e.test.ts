/**
 * A wall-clock step on one host (±10 minutes, as a misconfigured NTP or an operator makes one), while
 * leading and while standing by, in real processes: the clock is stepped by a test-only preload that
 * shifts `Date` in the child. The lease counts on the monotonic clock only, so no step may cause a
 * take-over or a stale write; the checker holds over every write, and the alarms still move traffic.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { amzDateMs, clockStepper } from '../helpers/clock-step.ts';
import type { ClockStepper } from '../helpers/clock-step.ts';
import { eventually } from '../helpers/eventually.ts';
import { CRITICAL, STANDING_BY, TOOK_LEASE, logMatching, startLeaseCluster } from '../helpers/lease-cluster.ts';
import type { LeaseCluster } from '../helpers/lease-cluster.ts';
import type { ControllerProcess } from '../helpers/process-harness.ts';
import { takeOvers } from '../helpers/split-brain-checker.ts';

const MINUTE = 60_000;
/** Renewals (every third of the lease) or standby reads (as often) that span more than a whole lease. */
const PAST_A_LEASE = 4;

let cluster: LeaseCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Steps the leader's clock to real time + `offsetMs`, then waits until it renewed `PAST_A_LEASE` times so. */
async function stepLeader(
  c: LeaseCluster,
  leader: ControllerProcess,
  clock: ClockStepper,
  offsetMs: number,
): Promise<void> {
  const since = Date.now();
  await clock.step(offsetMs);
  await eventually(
    () =>
      c
        .leaseEvents()
        .filter((e) => e.at > since && e.holder === String(leader.pid) && !e.released)
        .filter((e) => Math.abs(Date.parse(e.renewedAt) - e.at - offsetMs) < MINUTE).length >= PAST_A_LEASE,
    { timeoutMs: 15_000, what: `${PAST_A_LEASE} renewals by the leader with its clock at ${offsetMs / MINUTE} min` },
  );
}

/**
 * Waits until the standby has read the lease after a step of its clock by `stepMs`, then `PAST_A_LEASE`
 * more times. Only its first request after a step shows it in the signing time, and shows the step itself
 * (not the offset from real time): the SDK corrects its own clock offset from each answer's Date header,
 * as it does against AWS.
 */
async function standbyReadsStepped(c: LeaseCluster, stepMs: number): Promise<void> {
  // A standby's poll is a GetItem, or every few polls an UpdateItem that writes its announcement (the
  // `standby:<token>` entry); either may be the one request that shows the step.
  const reads = () =>
    c.dynamo.requests.filter(
      (r) => r.operation === 'GetItem' || (r.operation === 'UpdateItem' && JSON.stringify(r.body).includes('standby:')),
    );
  const stepped = await eventually(
    () => reads().find((r) => Math.abs(amzDateMs(r.amzDate) - r.arrivedAt - stepMs) < MINUTE),
    { timeoutMs: 15_000, what: `a lease read by the standby after a step of ${stepMs / MINUTE} min` },
  );
  await eventually(() => reads().filter((r) => r.arrivedAt > stepped.arrivedAt).length >= PAST_A_LEASE, {
    timeoutMs: 15_000,
    what: `${PAST_A_LEASE} more lease reads by the standby`,
  });
}

describe('a wall-clock step on one host', () => {
  it(
    'neither a step forward nor back, on the leader or the standby, causes a take-over or a stale write',
    { timeout: 40_000 },
    async () => {
      cluster = await startLeaseCluster({
        lease: '2s',
        config: { failback: 'automatic' },
      });
      const { ps } = cluster;
      const clockA = await clockStepper(ps.dir, 'a');
      const clockB = await clockStepper(ps.dir, 'b');
      const a = cluster.spawn(clockA.env);
      await a.ready();
      const b = cluster.spawn(clockB.env);
      await b.waitForLog(logMatching(STANDING_BY), { what: 'B standing by' });

      // The leader's clock jumps 10 minutes ahead; the standby's 10 minutes back.
      await stepLeader(cluster, a, clockA, 10 * MINUTE);
      await clockB.step(-10 * MINUTE);
      await standbyReadsStepped(cluster, -10 * MINUTE);
      // The leader acts on an alarm whose timestamp is now 10 minutes behind its clock.
      await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
      await eventually(() => ps.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by the leader' });

      // Now the other way round: the leader's clock 20 minutes back (10 behind real time), the standby's ahead.
      await stepLeader(cluster, a, clockA, -10 * MINUTE);
      await clockB.step(10 * MINUTE);
      await standbyReadsStepped(cluster, 20 * MINUTE);
      // The primary recovers while the leader's clock is 10 minutes slow: it would take every CloudWatch
      // timestamp for one dated ahead and refuse it (MAX_FUTURE_SKEW_MS), but SQS's SentTimestamp on the
      // event shows the clock is behind, and the controller acts on AWS's time (aws-aligned-clock.ts).
      await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'OK');
      await eventually(() => ps.primaryPercent() === 100, { timeoutMs: 20_000, what: 'the failback by the leader' });
      expect(a.logs.some((l) => String(l.msg).startsWith('host clock is behind AWS'))).toBe(true);

      expect(cluster.violations()).toEqual([]);
      expect(takeOvers(cluster.leaseEvents()).map((t) => [t.epoch, t.holder])).toEqual([[1, String(a.pid)]]);
      expect(b.logs.some(logMatching(TOOK_LEASE))).toBe(false);
      const writers = cluster.writers();
      expect(writers.length).toBeGreaterThanOrEqual(2);
      expect(writers.every((w) => w === String(a.pid))).toBe(true);
    },
  );
});
