/**
 * Three controllers as real processes on one DynamoDB store: the leader SIGKILLed, then the leader that
 * replaced it. At each take-over exactly one standby takes the lease and acts; the checker holds over
 * every write Connect applied (each from the holder of the epoch current when it landed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import {
  CRITICAL,
  TOOK_LEASE,
  leaderAndStandbys,
  logMatching,
  startLeaseCluster,
  takeOverBy,
} from '../helpers/lease-cluster.ts';
import type { LeaseCluster } from '../helpers/lease-cluster.ts';
import { takeOvers } from '../helpers/split-brain-checker.ts';

let cluster: LeaseCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('three controllers on one DynamoDB store', () => {
  it('kill the leader, then the next: each time exactly one standby acts, and the last one moves traffic right', async () => {
    cluster = await startLeaseCluster({ lease: '2s', config: { failback: 'automatic' } });
    const { ps } = cluster;
    const [a, b, c] = await leaderAndStandbys(cluster, 2);

    await a!.kill();
    const second = await takeOverBy([b!, c!]);
    const third = second === b ? c! : b!;
    await second.ready();
    // The second leader acts: it fails over.
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by the second leader' });
    expect(third.logs.some(logMatching(TOOK_LEASE)), 'the other standby took the lease too').toBe(false);

    await second.kill();
    await third.waitForLog(logMatching(TOOK_LEASE), { timeoutMs: 20_000, what: 'the last standby taking over' });
    await third.ready();
    // The last one acts on an alarm change after the take-over: the primary recovers, and it fails back.
    const failback = ps.stack.connect.writes.length;
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'OK');
    await eventually(() => ps.primaryPercent() === 100, { timeoutMs: 20_000, what: 'the failback by the last leader' });

    expect(cluster.violations()).toEqual([]);
    const pids = [a!, second, third].map((p) => String(p.pid));
    expect(takeOvers(cluster.leaseEvents()).map((t) => [t.epoch, t.holder])).toEqual([
      [1, pids[0]],
      [2, pids[1]],
      [3, pids[2]],
    ]);
    const writers = cluster.writers();
    expect(writers.slice(0, failback).every((w) => w === pids[1])).toBe(true);
    expect(writers.slice(failback).length).toBeGreaterThanOrEqual(1);
    expect(writers.slice(failback).every((w) => w === pids[2])).toBe(true);
  });
});
