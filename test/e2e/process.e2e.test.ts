/**
 * The controller as operators run it: `node bin/connect-failover.js run -c FILE` in its own process, against
 * the local stack (fauxqs, Connect and CloudWatch simulators) over HTTP on 127.0.0.1. Covers stopping
 * (SIGTERM), crashing at the worst moments (SIGKILL at the crash points) and restarting, start-up
 * reconciliation, dry runs, and operator commands sent with the CLI while the controller runs.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { statesOf } from '../../state-machines/index.ts';
import type { HistoryEntry } from '../../src/controller/document.ts';
import type { CrashPoint } from '../../src/controller/crash-points.ts';
import { normalizeMessage } from '../../src/events/normalize.ts';
import { eventually } from '../helpers/eventually.ts';
import { logMatching, startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';

const PRIMARY = 'us-east-1';
const REPLICA = 'us-west-2';
const DEGRADED = 'connect-primary-elevated-errors';
const CRITICAL = 'connect-primary-outage';
const REPLICA_DOWN = 'connect-replica-outage';
/** The contract's promise for a clean stop. */
const STOP_LIMIT_MS = 10_000;

let ps: ProcessStack | undefined;
afterEach(async () => {
  await ps?.close();
  ps = undefined;
});

/** Traffic where `percent` says, the group ACTIVE, the store failed over or healthy to match, the shift verified, the queue empty. */
async function converged(stack: ProcessStack, percent: number, timeoutMs = 15_000): Promise<void> {
  const health = percent === 100 ? 'healthy' : 'failedOver';
  await eventually(
    async () => {
      const doc = await stack.readDocument();
      const queue = await stack.queueCounts();
      return (
        stack.primaryPercent() === percent &&
        stack.stack.connect.state().status === 'ACTIVE' &&
        doc !== undefined &&
        statesOf(stack.snapshotOf(doc)).health === health &&
        doc.shift?.targetPrimaryPercent === percent &&
        doc.shift.status === 'verified' &&
        queue.visible === 0 &&
        queue.inFlight === 0
      );
    },
    {
      timeoutMs,
      intervalMs: 50,
      what: `${percent}% on the primary, verified and persisted, queue drained (now ${stack.primaryPercent()}%)`,
    },
  );
}

function primaryPercentsWritten(stack: ProcessStack): number[] {
  return stack.stack.connect.writes.map((w) => w.telephony[PRIMARY] ?? -1);
}

function updateRequests(stack: ProcessStack): number {
  return stack.stack.connect.requests.filter((r) => r.operation === 'UpdateTrafficDistribution').length;
}

/** The sender the CLI names when `--by` is not given. */
function defaultSender(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Same fallback as the CLI.
  }
  return `${user}@${hostname()}`;
}

describe('stopping the controller process', () => {
  it('exits 0 within 10 s of a SIGTERM in the middle of a burst of alarm changes, and deletes no message before its effect is persisted', async () => {
    // Prepare
    ps = await startProcessStack({ stack: { visibilityTimeoutSeconds: 2 } });
    const controller = ps.spawnController();
    await controller.ready();
    const alarms: Array<[string, string]> = [
      [PRIMARY, DEGRADED],
      [PRIMARY, CRITICAL],
      [REPLICA, REPLICA_DOWN],
    ];
    const stack = ps.stack;
    const burst = (async () => {
      for (let i = 0; i < 24; i++) {
        const [region, name] = alarms[i % 3]!;
        await stack.cloudwatch.setAlarmState(region, name, Math.floor(i / 3) % 2 === 0 ? 'ALARM' : 'OK');
      }
    })();

    // Act
    await controller.waitForLog(logMatching('alarm state change'), { what: 'the first alarm message to be handled' });
    const stopped = await controller.stop();
    await burst;

    // Assess
    // On failure, the controller's errors say why it did not stop cleanly.
    const errors = JSON.stringify(controller.logs.filter((l) => Number(l.level) >= 50));
    expect({ code: stopped.code, signal: stopped.signal }, errors).toEqual({ code: 0, signal: null });
    expect(stopped.stopMs).toBeLessThan(STOP_LIMIT_MS);
    expect(controller.logs.some(logMatching('controller stopped'))).toBe(true);
    // Intact: the document loads and passes its checks; no lock, temp or lease file is left behind.
    const doc = await ps.readDocument();
    expect(doc).toBeDefined();
    // The lease record stays (released), so the next take-over's epoch continues from it.
    expect((await readdir(ps.dir)).sort()).toEqual(['config.yaml', 'state.json', 'state.json.lease']);
    // Every transition is either still on the queue, or its message was deleted and its state persisted.
    const left = (await ps.takeAllMessages()).map((m) => normalizeMessage(m.body));
    const stillQueued = new Set(left.flatMap((e) => (e.kind === 'alarm' ? [`${e.alarm.name}@${e.stateAt}`] : [])));
    const signals = ps.snapshotOf(doc!).context.signals;
    const transitions = stack.cloudwatch.transitions.map((t) => ({ alarm: t.alarm.name, at: t.current.timestamp }));
    const deleted = transitions.filter((t) => !stillQueued.has(`${t.alarm}@${t.at}`));
    expect(transitions).toHaveLength(24);
    expect(deleted.length).toBeGreaterThan(0);
    const lost = deleted.filter((t) => (signals[t.alarm]?.at ?? 0) < t.at);
    expect(lost).toEqual([]);
    expect(await ps.queueCounts(stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('exits 0 within 10 s of a SIGTERM while an UpdateTrafficDistribution hangs, and the next start finishes the shift', async () => {
    // Prepare
    ps = await startProcessStack({ stack: { visibilityTimeoutSeconds: 2 } });
    ps.stack.connect.faults.script([{ operation: 'UpdateTrafficDistribution', fault: 'hang' }]);
    const first = ps.spawnController();
    await first.ready();
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
    await eventually(
      () => ps!.stack.connect.requests.some((r) => r.operation === 'UpdateTrafficDistribution' && r.fault === 'hang'),
      {
        what: 'the UpdateTrafficDistribution to hang',
      },
    );

    // Act
    const stopped = await first.stop();

    // Assess
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
    expect(stopped.stopMs).toBeLessThan(STOP_LIMIT_MS);
    const doc = await ps.readDocument();
    expect(statesOf(ps.snapshotOf(doc!)).health).toBe('failedOver');
    expect(doc?.shift).toMatchObject({ targetPrimaryPercent: 0, status: 'pending' });
    expect(ps.stack.connect.writes).toHaveLength(0);

    const second = ps.spawnController();
    await second.ready();
    await converged(ps, 0);
    expect(primaryPercentsWritten(ps)).toEqual([0]);
    expect((await second.stop()).code).toBe(0);
  });

  it('exits 0 within 10 s of a SIGTERM during start-up reconciliation (GetTrafficDistribution hanging)', async () => {
    // Prepare
    ps = await startProcessStack();
    ps.stack.connect.faults.script([{ operation: 'GetTrafficDistribution', fault: 'hang' }]);
    const controller = ps.spawnController();
    await controller.waitForLog(logMatching('controller starting'), { what: 'start-up to begin' });
    await eventually(
      () => ps!.stack.connect.requests.some((r) => r.operation === 'GetTrafficDistribution' && r.fault === 'hang'),
      {
        what: 'the start-up GetTrafficDistribution to hang',
      },
    );

    // Act
    const stopped = await controller.stop();

    // Assess
    expect({
      code: stopped.code,
      signal: stopped.signal,
      fatal: controller.logs.filter((l) => l.level === 'fatal').map((l) => l.msg),
    }).toEqual({
      code: 0,
      signal: null,
      fatal: [],
    });
    expect(stopped.stopMs).toBeLessThan(STOP_LIMIT_MS);
  });
});

describe('crashing at the worst moments and restarting', () => {
  it.each<CrashPoint>(['after-receive', 'after-persist', 'after-update'])(
    'converges to failed over after a SIGKILL %s, with one write and none against the decision',
    async (point) => {
      // Prepare
      ps = await startProcessStack({ stack: { visibilityTimeoutSeconds: 2 } });
      const first = ps.spawnController({ env: { CONNECT_FAILOVER_CRASH_AT: point } });
      await first.ready();
      // Idle first (start-up shift verified and saved), so the crash hits the crash point and not a save.
      await eventually(async () => (await ps!.readDocument())?.shift?.status === 'verified', {
        what: 'the start-up reconcile to be saved',
      });

      // Act
      await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
      const died = await first.exited;
      const atCrash = {
        doc: await ps.readDocument(),
        writes: primaryPercentsWritten(ps),
        queue: await ps.queueCounts(),
      };
      const lease = await ps.expireLease();
      const second = ps.spawnController();
      await second.ready();
      await converged(ps, 0);

      // Assess
      expect(died).toEqual({ code: null, signal: 'SIGKILL' });
      expect(lease?.holder).toMatch(new RegExp(`:${first.pid}$`));
      const crashedIn = statesOf(ps.snapshotOf(atCrash.doc!)).health;
      if (point === 'after-receive') {
        expect({ crashedIn, writes: atCrash.writes, queued: atCrash.queue.visible + atCrash.queue.inFlight }).toEqual({
          crashedIn: 'healthy',
          writes: [],
          queued: 1,
        });
      } else if (point === 'after-persist') {
        // The shift starts as soon as the decision is made, so it may already have written (never twice).
        expect({ crashedIn, queued: atCrash.queue.visible + atCrash.queue.inFlight }).toEqual({
          crashedIn: 'failedOver',
          queued: 1,
        });
        expect([[], [0]]).toContainEqual(atCrash.writes);
      } else {
        // The write may land before the decision's save: the restart then re-derives the same decision.
        expect(['healthy', 'failedOver']).toContain(crashedIn);
        expect(atCrash.writes).toEqual([0]);
      }
      // The restart read before writing: one write in all, and never one toward the primary.
      expect(primaryPercentsWritten(ps)).toEqual([0]);
      if (point !== 'after-update') {
        // The message the dead process had received came back and changed nothing.
        const redelivered = await second.waitForLog(logMatching('alarm state change', { alarm: CRITICAL }), {
          what: 'the redelivered alarm message',
        });
        expect(redelivered.outcome).toBe('duplicate');
      }
      expect(await ps.queueCounts(ps.stack.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
      expect((await second.stop()).code).toBe(0);
    },
  );
});

describe('restarting after a crash in the middle of a save', () => {
  it('starts and fails over at once although the killed process left the state store lock file behind', async () => {
    // Prepare: what a SIGKILL during a save leaves (seen when a crash point met the start-up save): a fresh
    // lock file naming a pid on this host that no longer runs.
    ps = await startProcessStack();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const lock = {
      pid: deadPid,
      hostname: hostname(),
      owner: `${hostname()}:${deadPid}`,
      processId: randomUUID(),
      lockId: randomUUID(),
      acquiredAt: new Date().toISOString(),
    };
    await writeFile(`${ps.statePath}.lock`, JSON.stringify(lock));
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');

    // Act
    const controller = ps.spawnController();
    await controller.ready(15_000);
    await converged(ps, 0, 10_000);

    // Assess
    expect(primaryPercentsWritten(ps)).toEqual([0]);
    expect((await controller.stop()).code).toBe(0);
  });
});

describe('start-up reconciliation', () => {
  it('fails over at start-up when the critical alarm is already in ALARM and its message is gone from the queue', async () => {
    // Prepare
    ps = await startProcessStack();
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
    const purged = await ps.takeAllMessages();

    // Act
    const controller = ps.spawnController();
    await controller.ready();
    await converged(ps, 0);

    // Assess
    expect(purged).toHaveLength(1);
    // The first DescribeAlarms read, one line per Region.
    const read = Object.assign(
      {},
      ...controller.logs.filter(logMatching('alarm states read')).map((l) => l.alarms as Record<string, string>),
    );
    expect(read).toEqual({ [DEGRADED]: 'OK', [CRITICAL]: 'ALARM', [REPLICA_DOWN]: 'OK' });
    expect(controller.logs.filter((l) => l.kind === 'decision')).toMatchObject([
      { from: 'healthy', to: 'failedOver', reason: 'critical alarm in ALARM', alarms: [CRITICAL] },
    ]);
    expect(controller.logs.some(logMatching('alarm state change'))).toBe(false);
    expect(primaryPercentsWritten(ps)).toEqual([0]);
  });

  it('with drift: restore, reports a split changed by hand as drift, records it in the history, and restores the split the state wants', async () => {
    // Prepare
    ps = await startProcessStack({ config: { drift: 'restore' } });
    const earlier = ps.spawnController();
    await earlier.ready();
    await eventually(async () => (await ps!.readDocument())?.shift?.status === 'verified', {
      what: 'the first run to verify 100% on the primary',
    });
    expect((await earlier.stop()).code).toBe(0);
    ps.stack.connect.setSplit({ telephony: { [PRIMARY]: 70, [REPLICA]: 30 } });

    // Act
    const controller = ps.spawnController();
    const drift = await controller.waitForLog(logMatching('drift: split differs from the state'), {
      what: 'the drift report',
    });
    await eventually(() => ps!.primaryPercent() === 100 && ps!.stack.connect.state().status === 'ACTIVE', {
      what: 'the split back at 100%',
    });

    // Assess
    expect(controller.logs.find(logMatching('controller starting'))).toMatchObject({
      restored: true,
      health: 'healthy',
    });
    expect(drift).toMatchObject({ actualPrimaryPercent: 70, desiredPrimaryPercent: 100 });
    const history = await eventually(
      async () => {
        const doc = await ps!.readDocument();
        return doc?.history.some(
          (e) => e.kind === 'shift' && e.outcome === 'verified' && e.reason === `verified via ${PRIMARY}`,
        )
          ? doc.history
          : undefined;
      },
      { what: 'the repair to be recorded' },
    );
    const driftEntries = history.filter((e) => e.kind === 'drift');
    expect(driftEntries).toHaveLength(1);
    expect(driftEntries[0]).toMatchObject({ primaryPercent: 70 });
    expect(driftEntries[0]?.reason).toContain('70%');
    expect(primaryPercentsWritten(ps)).toEqual([100]);
    expect((await controller.stop()).code).toBe(0);
  });

  it('by default (drift: pause), adopts a failover made by hand while it was down, pauses, and writes nothing', async () => {
    // Prepare: the runbook's "controller down" procedure, failing over by hand.
    ps = await startProcessStack();
    const earlier = ps.spawnController();
    await earlier.ready();
    await eventually(async () => (await ps!.readDocument())?.shift?.status === 'verified', {
      what: 'the first run to verify 100% on the primary',
    });
    expect((await earlier.stop()).code).toBe(0);
    ps.stack.connect.setSplit({
      telephony: { [PRIMARY]: 0, [REPLICA]: 100 },
      agents: { [PRIMARY]: 0, [REPLICA]: 100 },
    });

    // Act
    const controller = ps.spawnController();
    await controller.waitForLog(logMatching('split changed by hand: adopting it and pausing automation'), {
      what: 'the adoption',
    });
    const doc = await eventually(
      async () => {
        const d = await ps!.readDocument();
        return (d?.snapshot as { value?: { automation?: string } } | undefined)?.value?.automation === 'paused'
          ? d
          : undefined;
      },
      { what: 'paused and saved' },
    );

    // Assess
    expect((doc!.snapshot as { value: { health: string } }).value.health).toBe('failedOver');
    expect(doc!.history.filter((e) => e.trigger === 'hand').map((e) => `${e.from}->${e.to}`)).toEqual([
      'healthy->failedOver',
      'active->paused',
    ]);
    expect(primaryPercentsWritten(ps)).toEqual([]);
    expect(ps.primaryPercent()).toBe(0);
    expect((await controller.stop()).code).toBe(0);
  });
});

describe('dry run', () => {
  it.each([
    { how: 'the --dry-run flag', args: ['--dry-run'], config: {} },
    { how: 'dryRun: true in the config', args: [], config: { dryRun: true } },
  ])(
    'with $how it decides and logs the shift it would make, and never calls UpdateTrafficDistribution',
    async ({ args, config }) => {
      // Prepare
      ps = await startProcessStack({ config });
      const controller = ps.spawnController({ args });
      await controller.ready();

      // Act
      await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
      const wouldShift = await controller.waitForLog(logMatching('dry run: would shift traffic'), {
        what: 'the dry-run shift line',
      });
      const doc = await eventually(
        async () => {
          const d = await ps!.readDocument();
          return d?.shift?.status === 'dryRun' ? d : undefined;
        },
        { what: 'the dry-run shift to be persisted' },
      );
      const stopped = await controller.stop();

      // Assess
      expect(controller.logs.find(logMatching('controller running'))?.dryRun).toBe(true);
      expect(wouldShift).toMatchObject({
        dryRun: true,
        wouldCall: 'UpdateTrafficDistribution',
        region: REPLICA,
        targetPrimaryPercent: 0,
        actualPrimaryPercent: 100,
      });
      expect(controller.logs.filter((l) => l.kind === 'decision')).toMatchObject([
        { from: 'healthy', to: 'failedOver' },
      ]);
      expect(statesOf(ps.snapshotOf(doc)).health).toBe('failedOver');
      expect(doc.shift?.targetPrimaryPercent).toBe(0);
      expect(updateRequests(ps)).toBe(0);
      expect(ps.primaryPercent()).toBe(100);
      expect(stopped.code).toBe(0);
    },
  );
});

describe('operator commands through the CLI while the controller runs', () => {
  it('moves traffic on failover and failback, records who asked and why, and status and history show it', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    const startedAt = Date.now();

    // Act: failover
    const failover = await ps.cli(['failover', '--reason', 'game day', '--yes']);
    await converged(ps, 0);
    const failedOver = await ps.cli(['status', '--json']);

    // Assess: failover
    // The command waits for the verified split (its progress lines go to stderr).
    expect(failover.code, failover.stderr).toBe(0);
    expect(failover.stdout).toContain('failover sent');
    expect(failover.stdout).toContain('failover applied at');
    expect(failedOver.code).toBe(0);
    const status = JSON.parse(failedOver.stdout) as Record<string, unknown> & {
      since: string;
      reason: string;
      lastShift: { at: string };
    };
    // The running controller names itself through the lease it holds.
    expect(status.leader).toMatch(new RegExp(`:${controller.pid}$`));
    expect(status).toMatchObject({
      state: 'failedOver',
      automation: 'active',
      desiredPrimaryPercent: 0,
      actualPrimaryPercent: 0,
      signals: { [DEGRADED]: 'OK', [CRITICAL]: 'OK', [REPLICA_DOWN]: 'OK' },
      lastShift: { primaryPercent: 0, outcome: 'verified' },
    });
    expect(status.reason).toContain('game day');
    expect(Date.parse(status.since)).toBeGreaterThanOrEqual(startedAt);
    expect(Date.parse(status.lastShift.at)).toBeGreaterThanOrEqual(Date.parse(status.since));

    // Act: failback
    const failback = await ps.cli(['failback', '--reason', 'primary is back', '--by', 'incident-lead', '--yes']);
    await converged(ps, 100);
    const healthy = await ps.cli(['status', '--json']);
    const listed = await ps.cli(['history', '--json']);

    // Assess: failback, status and history
    expect(failback.code).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({
      state: 'healthy',
      desiredPrimaryPercent: 100,
      actualPrimaryPercent: 100,
      lastShift: { primaryPercent: 100, outcome: 'verified' },
    });
    expect(listed.code).toBe(0);
    const history = JSON.parse(listed.stdout) as HistoryEntry[];
    expect(history.filter((e) => e.kind === 'transition')).toMatchObject([
      {
        region: 'health',
        from: 'healthy',
        to: 'failedOver',
        trigger: 'operator',
        by: defaultSender(),
        reason: 'operator failover: game day',
        primaryPercent: 0,
      },
      {
        region: 'health',
        from: 'failedOver',
        to: 'healthy',
        trigger: 'operator',
        by: 'incident-lead',
        reason: 'operator failback: primary is back',
        primaryPercent: 100,
      },
    ]);
    expect(history.filter((e) => e.kind === 'command')).toMatchObject([
      { reason: 'game day', by: defaultSender(), outcome: 'failover accepted: healthy -> failedOver' },
      { reason: 'primary is back', by: 'incident-lead', outcome: 'failback accepted: failedOver -> healthy' },
    ]);
    expect(primaryPercentsWritten(ps)).toEqual([0, 100]);
    expect((await controller.stop()).code).toBe(0);
  });
});
