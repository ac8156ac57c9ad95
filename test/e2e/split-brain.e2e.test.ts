/**
 * Behaviour 11 the way Jepsen would test it: two controllers as real processes on one DynamoDB store
 * (dynalite, started here), the leader SIGKILLed or SIGSTOPped past its lease, and a checker over what
 * reached Connect: every applied write came from the controller that held the lease when it landed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status.ts';
import { cliWithEnv } from '../helpers/cli-env.ts';
import { eventually } from '../helpers/eventually.ts';
import {
  CRITICAL,
  STOOD_DOWN,
  TOOK_LEASE,
  leaderAndStandbys,
  logMatching,
  startLeaseCluster,
} from '../helpers/lease-cluster.ts';
import type { LeaseCluster } from '../helpers/lease-cluster.ts';

const LEASE_MS = 2_000;

let cluster: LeaseCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('two controllers on one DynamoDB store', () => {
  it('only the leader receives and writes; after a SIGKILL of the leader the standby takes over and acts', async () => {
    cluster = await startLeaseCluster({ lease: '2s' });
    const [a, b] = await leaderAndStandbys(cluster, 1);
    expect(b!.logs.some(logMatching('controller running'))).toBe(false);

    const killedAt = Date.now();
    await a!.kill();
    await b!.waitForLog(logMatching(TOOK_LEASE), { timeoutMs: LEASE_MS * 3 + 15_000, what: 'B taking over' });
    const takeoverMs = Date.now() - killedAt;
    await b!.ready();

    const { ps } = cluster;
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by B' });
    expect(cluster.writers()).toEqual([String(b!.pid)]);
    expect(cluster.violations()).toEqual([]);
    // Not a speed assertion: it tells "took over after the lease" from "never".
    expect(takeoverMs).toBeLessThan(LEASE_MS * 3 + 15_000);
  });

  it('a leader SIGSTOPped past its lease writes nothing when it wakes; the new leader acts', async () => {
    cluster = await startLeaseCluster({ lease: '2s' });
    const [a, b] = await leaderAndStandbys(cluster, 1);
    const { ps } = cluster;
    cluster.freeze(a!);
    await b!.waitForLog(logMatching(TOOK_LEASE), { timeoutMs: LEASE_MS * 3 + 15_000, what: 'B taking over' });
    await b!.ready();

    // B fails over while A is frozen; A, asleep, still believes it leads and still holds its old state.
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by B' });

    cluster.thaw(a!);
    await a!.waitForLog(logMatching(STOOD_DOWN), { timeoutMs: 15_000, what: 'A standing down' });
    // Then B fails back, and A keeps out of it.
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'OK');
    // Waits for the outcome itself, reading the lease and the history from the same DynamoDB store.
    const failback = await cliWithEnv(
      ps,
      ['failback', '--reason', 'after the drill', '--yes', '--timeout', '20s'],
      cluster.env,
    );
    expect(failback.code, failback.stderr).toBe(0);
    await eventually(() => ps.primaryPercent() === 100, { timeoutMs: 20_000, what: 'the failback by B' });

    // The checker: every write landed while its writer held the current epoch; B wrote both, A nothing.
    expect(cluster.violations()).toEqual([]);
    const writers = cluster.writers();
    expect(writers.length).toBeGreaterThanOrEqual(2);
    expect(writers).toEqual(writers.map(() => String(b!.pid)));
    expect(ps.primaryPercent()).toBe(100);
  });

  it('status from a third process names the acting controller and the standby, and a killed standby as gone', async () => {
    // Prepare
    cluster = await startLeaseCluster({ lease: '2s' });
    const [leader, standby] = await leaderAndStandbys(cluster, 1);
    const [a, b] = [leader!, standby!];
    const { ps, env } = cluster;
    const status = async (): Promise<{ json: StatusReport; text: string }> => {
      const [json, text] = await Promise.all([
        cliWithEnv(ps, ['status', '--json'], env),
        cliWithEnv(ps, ['status'], env),
      ]);
      expect(json.code, json.stderr).toBe(0);
      return { json: JSON.parse(json.stdout) as StatusReport, text: text.stdout };
    };

    // Act
    const both = await eventually(
      async () => {
        const seen = await status();
        return seen.json.standbys?.some((s) => s.pid === b.pid && s.live) && seen.text.includes('standing by')
          ? seen
          : undefined;
      },
      { timeoutMs: LEASE_MS * 3 + 10_000, intervalMs: 250, what: 'the standby announced' },
    );
    await b.kill();
    const afterKill = await eventually(
      async () => {
        const seen = await status();
        return seen.json.standbys?.every((s) => !s.live) && !seen.text.includes('standing by') ? seen : undefined;
      },
      { timeoutMs: LEASE_MS * 3 + 15_000, intervalMs: 250, what: 'the killed standby no longer live' },
    );

    // Assess
    expect(both.json.controller).toMatchObject({ running: true, pid: a.pid, epoch: 1, since: expect.any(String) });
    expect(both.json.standbys).toEqual([
      expect.objectContaining({ pid: b.pid, host: expect.any(String), version: expect.any(String), live: true }),
    ]);
    expect(both.text).toMatch(
      new RegExp(`standbys\\s+\\S+:${b.pid} \\(host \\S+, pid ${b.pid}, \\S+\\): standing by, seen`),
    );
    expect(afterKill.json.controller).toMatchObject({ running: true, pid: a.pid });
    expect(afterKill.json.standbys?.filter((s) => s.live)).toEqual([]);
    expect(afterKill.text).not.toContain('standing by');
    expect(afterKill.text).toMatch(new RegExp(`pid ${b.pid}, \\S+\\): gone, last seen`));
  });
});
