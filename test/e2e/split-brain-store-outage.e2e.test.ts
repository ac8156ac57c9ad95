/**
 * The store goes away while a leader runs, and comes back: dynalite is closed (every connection refused,
 * as when the table's Region is unreachable) and started again on the same port with the same LevelDB
 * data. While it is gone the leader records nothing, so it shifts nothing; /readyz says so; the alarm
 * message stays on the queue. Once it is back, exactly one controller acts on it.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
import type { ControllerProcess } from '../helpers/process-harness.ts';

let cluster: LeaseCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** The controller's /readyz, from the address it logged. */
async function readyz(controller: ControllerProcess): Promise<number> {
  const line = await controller.waitForLog(logMatching('HTTP endpoints listening: /healthz /readyz /metrics'));
  return (await fetch(`${String(line.url)}/readyz`)).status;
}

describe('the DynamoDB store stopped and started under two controllers', () => {
  it('no shift without a save, /readyz 503, the message kept; after the store returns exactly one controller acts', async () => {
    cluster = await startLeaseCluster({ lease: '2s', persistent: true, config: { http: { port: 0 } } });
    const { ps } = cluster;
    const [a, b] = await leaderAndStandbys(cluster, 1);
    await eventually(async () => (await readyz(a!)) === 200, { timeoutMs: 10_000, what: "the leader's /readyz 200" });

    await cluster.stopStore();
    const bSeen = b!.logs.length;
    await ps.stack.cloudwatch.setAlarmState(ps.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(async () => (await readyz(a!)) === 503, { timeoutMs: 10_000, what: "the leader's /readyz 503" });
    // The leader decides, but a decision acts only once saved: the save fails and nothing is shifted.
    await a!.waitForLog(logMatching('state not saved; will retry'), { what: 'the failed save of the decision' });
    // It cannot renew either, so it stops acting within the lease; the standby cannot read the lease.
    await a!.waitForLog(logMatching(STOOD_DOWN), { what: 'the leader standing down' });
    await eventually(() => b!.logs.slice(bSeen).some(logMatching('standby: the store did not answer; trying again')), {
      what: 'the standby failing to read the lease',
    });
    expect(ps.stack.connect.writes).toEqual([]);
    expect(ps.primaryPercent()).toBe(100);
    const waiting = await ps.queueCounts();
    expect(waiting.visible + waiting.inFlight, 'the alarm message is still on the queue').toBe(1);

    const aSeen = a!.logs.length;
    await cluster.startStore();
    await eventually(() => ps.primaryPercent() === 0, {
      timeoutMs: 20_000,
      what: 'the failover once the store is back',
    });
    await eventually(
      async () => {
        const left = await ps.queueCounts();
        return left.visible + left.inFlight === 0;
      },
      { timeoutMs: 15_000, what: 'the alarm message applied and deleted' },
    );

    expect(cluster.violations()).toEqual([]);
    const writers = new Set(cluster.writers());
    expect(writers.size, `writers: ${[...writers].join(', ')}`).toBe(1);
    const [writer] = [...writers];
    const acting = writer === String(a!.pid) ? a! : b!;
    await eventually(async () => (await readyz(acting)) === 200, {
      timeoutMs: 15_000,
      what: "the acting controller's /readyz 200",
    });
    // The other one stands by: whichever got the lease, only one term started after the store came back.
    const terms = [a!.logs.slice(aSeen), b!.logs.slice(bSeen)].map(
      (logs) => logs.filter(logMatching(TOOK_LEASE)).length,
    );
    expect(terms.reduce((x, y) => x + y)).toBe(1);
  });
});
