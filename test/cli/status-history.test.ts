/**
 * `status` and `history` through the real binary against the local stack: the split read live (or the
 * stored reading with its age), the controller's liveness from the lease, the attention lines, the
 * `next:` hint, and the history in plain words.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status.ts';
import { clientOptions } from '../../src/aws/client-settings.ts';
import { ConnectTrafficApi } from '../../src/connect/connect-traffic.ts';
import type { HistoryEntry } from '../../src/controller/document.ts';
import { encodeLeaseFile } from '../../src/store/state-file-format.ts';
import { eventually } from '../helpers/eventually.ts';
import { leaseRecord } from '../helpers/lease-record.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';
import { cliWithEnv } from '../helpers/cli-env.ts';
import { DYNALITE_REGION, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

const PRIMARY = 'us-east-1';
const REPLICA = 'us-west-2';
const CRITICAL = 'connect-primary-outage';
const REPLICA_DOWN = 'connect-replica-outage';

let ps: ProcessStack | undefined;
let dynamo: RunningDynalite | undefined;
afterEach(async () => {
  await ps?.close();
  await dynamo?.close();
  ps = undefined;
  dynamo = undefined;
});

async function statusJson(stack: ProcessStack): Promise<StatusReport> {
  const r = await stack.cli(['status', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusReport;
}

/** Fails over by command, waits for it (the command itself waits for the verified split), then SIGKILLs the controller. */
async function failedOverThenKilled(stack: ProcessStack): Promise<number> {
  const controller = stack.spawnController();
  await controller.ready();
  const sent = await stack.cli(['failover', '--yes', '--reason', 'INC-7']);
  expect(sent.code, sent.stderr).toBe(0);
  await controller.kill();
  return controller.pid;
}

describe('status before any controller ran', () => {
  it('says "never run", shows no 1970 time, and hints to start one', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess
    expect(text.stdout.split('\n')[0]).toBe('ATTENTION never run: no controller has run with this store');
    expect(text.stdout).toContain('healthy (never run: what a first start begins with)');
    expect(text.stdout).not.toContain('1970');
    expect(text.stdout).toContain(`next: start the controller:\n  connect-failover run -c ${ps.configPath}`);
    expect(json).toMatchObject({
      since: null,
      neverRun: true,
      controller: { state: 'never', running: false },
      actual: { source: 'live', telephonyPrimaryPercent: 100 },
    });
  });
});

describe('status while Connect still applies an update', () => {
  it('says the split read live is not settled yet, in the actual row and as actualStatus', async () => {
    // Prepare: no controller; someone writes 40% by hand and Connect keeps it in progress for 10 minutes.
    ps = await startProcessStack({ stack: { updateWindowMs: 600_000 } });
    const api = new ConnectTrafficApi({
      tdg: ps.config.trafficDistributionGroup,
      regions: ps.config.regions,
      ...clientOptions(ps.stack.clientSettings, 'connect'),
    });
    try {
      await api.update(
        PRIMARY,
        { telephonyPrimaryPercent: 40, agentsPrimaryPercent: 40 },
        new AbortController().signal,
      );
    } finally {
      api.destroy();
    }

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess
    expect(text.stdout).toMatch(
      /^actual +40% to us-east-1 \(primary\), 60% to us-west-2 \(replica\), agents alike \(read live from us-east-1 just now; UPDATE_IN_PROGRESS: not settled yet\) NOT as desired$/m,
    );
    expect(json).toMatchObject({
      actualPrimaryPercent: 40,
      actualStatus: 'UPDATE_IN_PROGRESS',
      actual: { source: 'live', status: 'UPDATE_IN_PROGRESS' },
    });
  });

  it('needs attention for a group that cannot take a shift (being deleted)', async () => {
    // Prepare
    ps = await startProcessStack();
    ps.stack.connect.setStatus('PENDING_DELETION');

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess
    // Under the first ATTENTION line (here: no controller ran yet), aligned with it.
    expect(text.stdout).toMatch(
      /^(ATTENTION| {9}) traffic distribution group is PENDING_DELETION: it cannot take a shift; see the group in the Connect console$/m,
    );
    expect(json).toMatchObject({ actualStatus: 'PENDING_DELETION' });
  });

  it('says nothing of it once the group is ACTIVE', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess
    expect(text.stdout).toMatch(/^actual +100% to us-east-1 .*\(read live from us-east-1 just now\)$/m);
    expect(json).toMatchObject({ actualStatus: 'ACTIVE', actual: { status: 'ACTIVE' } });
  });
});

describe('status tells the truth after the controller died and someone changed the split by hand', () => {
  it('reads the split live, names the controller NOT RUNNING, puts both at the top, and shows no next check', async () => {
    // Prepare
    ps = await startProcessStack();
    const pid = await failedOverThenKilled(ps);
    ps.stack.connect.setSplit({
      telephony: { [PRIMARY]: 30, [REPLICA]: 70 },
      agents: { [PRIMARY]: 30, [REPLICA]: 70 },
    });

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess: the first lines say what needs attention
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^ATTENTION controller NOT RUNNING: \\S+:${pid} \\(epoch 1\\) stopped`));
    expect(lines[1]).toContain(
      `DRIFT: Connect sends 30% to ${PRIMARY} (primary), 70% to ${REPLICA} (replica); the state wants 0%. Changed by hand? At start-up the controller keeps it, writes nothing and pauses automation (drift: pause).`,
    );
    expect(text.stdout).toMatch(
      /actual\s+30% to us-east-1 \(primary\), 70% to us-west-2 \(replica\), agents alike \(read live from us-east-1 just now\) NOT as desired/,
    );
    expect(text.stdout).toMatch(/controller\s+NOT RUNNING/);
    expect(text.stdout).not.toContain('next check');
    expect(text.stdout).toContain(
      `next: start a controller: it applies the commands waiting in the queue first, then keeps the split it finds (30% primary), writes nothing and pauses automation until resume (drift: pause):\n  connect-failover run -c ${ps.configPath}`,
    );
    expect(json).toMatchObject({
      state: 'failedOver',
      desiredPrimaryPercent: 0,
      actualPrimaryPercent: 30,
      leader: null,
      actual: { source: 'live', region: PRIMARY },
      controller: { state: 'stopped', running: false, pid },
    });
  });

  it('shows the stored reading with its age when Connect cannot be read', async () => {
    // Prepare
    ps = await startProcessStack();
    await failedOverThenKilled(ps);

    // Act: nothing listens on port 1.
    const text = await cliWithEnv(ps, ['status'], { AWS_ENDPOINT_URL_CONNECT: 'http://127.0.0.1:1' });
    const json = JSON.parse(
      (await cliWithEnv(ps, ['status', '--json'], { AWS_ENDPOINT_URL_CONNECT: 'http://127.0.0.1:1' })).stdout,
    ) as StatusReport;

    // Assess
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /actual\s+0% to us-east-1 \(primary\), 100% to us-west-2 \(replica\), agents alike \(as the controller last read it, [0-9.]+(ms|s) ago; Connect could not be read now\)/,
    );
    expect(text.stdout).toMatch(/Connect could not be read just now: us-east-1: .*ECONNREFUSED/);
    expect(json.actual).toMatchObject({ source: 'stored', telephonyPrimaryPercent: 0 });
    expect(json.liveReadError).toContain('ECONNREFUSED');
  });

  it('names a lease holder on another host NOT RUNNING once its lease is older than its duration', async () => {
    // Prepare: a lease written 2 minutes ago by a controller elsewhere (this host cannot check its pid).
    ps = await startProcessStack();
    await failedOverThenKilled(ps);
    const renewedAt = new Date(Date.now() - 120_000).toISOString();
    await writeFile(
      `${ps.statePath}.lease`,
      encodeLeaseFile(
        leaseRecord({ holder: 'ctl-b:4242', host: 'ctl-b', pid: 4242, epoch: 7, leaseDurationMs: 15_000, renewedAt }),
      ),
    );

    // Act
    const text = await ps.cli(['status']);
    const json = await statusJson(ps);

    // Assess
    expect(text.stdout.split('\n')[0]).toBe(
      'ATTENTION controller NOT RUNNING: ctl-b:4242 (epoch 7) last renewed its lease 2 min ago, longer than its 15s lease: it is dead, frozen or cut off from the store; commands wait in the queue until one starts',
    );
    expect(json.controller).toMatchObject({
      state: 'expired',
      holder: 'ctl-b:4242',
      host: 'ctl-b',
      pid: 4242,
      epoch: 7,
      renewedAt,
    });
    expect(json.leader).toBeNull();
  });
});

describe('status while a controller runs', () => {
  it('names the holder with its epoch and renewal age, and after recovery with manual failback hints at failback', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
    await eventually(() => ps!.primaryPercent() === 0, { what: 'the failover' });
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'OK');
    const stack = ps;
    await eventually(async () => (await statusJson(stack)).primaryOkSince !== null, {
      what: 'every primary signal OK in the state',
    });

    // Act
    const text = await ps.cli(['status']);

    // Assess
    expect(text.stdout.split('\n')[0]).toBe('OK: nothing needs attention');
    expect(text.stdout).toMatch(
      new RegExp(
        `controller\\s+running: \\S+:${controller.pid} \\(epoch 1\\) holds the lease, renewed [0-9.]+(ms|s) ago \\(lease \\d+s\\)`,
      ),
    );
    expect(text.stdout).toMatch(
      /next: all primary signals OK for [0-9.]+(ms|s); fail back when the primary is sound:\n {2}connect-failover failback -c \S+ --reason "…"/,
    );
    expect(text.stdout).toMatch(/connect-primary-outage\s+OK\s+critical, us-east-1, since /);
    expect(text.stdout).toMatch(new RegExp(`pid ${controller.pid}, acting since \\S+ \\([0-9.]+ ?(ms|s|min) ago\\)`));
    expect(text.stdout).toMatch(/standbys\s+none \(file store: one host\)/);
    expect(await statusJson(ps)).toMatchObject({ standbys: null, controller: { since: expect.any(String) } });
  });

  it('paused: the attention line says for how long and why; next: resume, and what resuming would do', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    expect((await ps.cli(['pause', '--yes', '--reason', 'CHG-9 maintenance', '--by', 'ops'])).code).toBe(0);
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
    const stack = ps;
    await eventually(async () => (await statusJson(stack)).signals[CRITICAL] === 'ALARM', {
      what: 'the critical alarm in the state',
    });

    // Act
    const text = await ps.cli(['status']);

    // Assess
    expect(text.stdout).toMatch(
      /^ATTENTION automation PAUSED for [0-9.]+(ms|s): CHG-9 maintenance \(by ops\); nothing shifts on its own until resume$/m,
    );
    expect(text.stdout).toMatch(/blocked\s+failover \(connect-primary-outage\) blocked: automation is paused/);
    expect(text.stdout).toContain(
      `next: when ready, restart automation (the signals now say failedOver: resuming moves traffic to 0% primary at once):\n  connect-failover resume -c ${ps.configPath} --reason "…"`,
    );
  });

  it('a refused command is an attention line until the next command', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    await ps.stack.cloudwatch.setAlarmState(REPLICA, REPLICA_DOWN, 'ALARM');
    const stack = ps;
    await eventually(async () => (await statusJson(stack)).signals[REPLICA_DOWN] === 'ALARM', {
      what: 'the replica alarm in the state',
    });
    expect((await ps.cli(['failover', '--yes', '--reason', 'try'])).code).toBe(1);

    // Act
    const text = await ps.cli(['status']);

    // Assess
    expect(text.stdout).toMatch(
      /^ATTENTION last command REFUSED: failover by \S+ [0-9.]+(ms|s) ago: replica unhealthy \(connect-replica-outage in ALARM\); use --force to fail over anyway$/m,
    );
    expect(text.stdout).toContain(
      `next: the replica alarm blocks failover; if it is a false alarm, override the gate:\n  connect-failover failover -c ${ps.configPath} --force --reason "…"`,
    );
  });
});

describe('status of a blocked failover', () => {
  it('a failover blocked by the unhealthy replica needs attention: the first line and the blocked row say so', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    const stack = ps;
    await ps.stack.cloudwatch.setAlarmState(REPLICA, REPLICA_DOWN, 'ALARM');
    await eventually(async () => (await statusJson(stack)).signals[REPLICA_DOWN] === 'ALARM', {
      what: 'the replica alarm in the state',
    });
    await ps.stack.cloudwatch.setAlarmState(PRIMARY, CRITICAL, 'ALARM');
    await eventually(async () => (await statusJson(stack)).blockedKind === 'replicaUnhealthy', {
      what: 'the failover blocked',
    });

    // Act
    const text = await ps.cli(['status']);

    // Assess
    const blocked = 'failover (connect-primary-outage) blocked: replica unhealthy (connect-replica-outage in ALARM)';
    expect(text.stdout.split('\n')[0]).toBe(`ATTENTION blocked: ${blocked}`);
    expect(text.stdout).toMatch(
      /^blocked +failover \(connect-primary-outage\) blocked: replica unhealthy \(connect-replica-outage in ALARM\)$/m,
    );
    expect(ps.primaryPercent()).toBe(100);
  });
});

describe('on a DynamoDB store, from a process that is not the controller', () => {
  it('names the leader from the lease, waits for a command through the store, and says NOT RUNNING once the lease lapses', async () => {
    // Prepare
    dynamo = await startDynalite();
    await dynamo.createTable('connect-failover');
    ps = await startProcessStack({
      config: { store: { type: 'dynamodb', table: 'connect-failover', region: DYNALITE_REGION, leaseDuration: '1s' } },
    });
    const env = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
    const controller = ps.spawnController({ env });
    await controller.ready();

    // Act
    const failover = await cliWithEnv(ps, ['failover', '--yes', '--reason', 'remote'], env);
    const live = JSON.parse((await cliWithEnv(ps, ['status', '--json'], env)).stdout) as StatusReport;
    await controller.kill();
    const stack = ps;
    const dead = await eventually(
      async () => {
        const report = JSON.parse((await cliWithEnv(stack, ['status', '--json'], env)).stdout) as StatusReport;
        return report.controller.state === 'expired' ? report : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the lease to lapse' },
    );
    const text = await cliWithEnv(ps, ['status'], env);

    // Assess
    expect(failover.code, failover.stderr).toBe(0);
    expect(failover.stdout).toContain('traffic verified at 0% to us-east-1 (primary), 100% to us-west-2 (replica)');
    expect(live.controller).toMatchObject({ state: 'running', pid: controller.pid, epoch: 1, leaseDurationMs: 1000 });
    expect(live.leader).toBe(live.controller.holder);
    expect(dead.leader).toBeNull();
    expect(text.stdout.split('\n')[0]).toMatch(
      new RegExp(
        `^ATTENTION controller NOT RUNNING: \\S+:${controller.pid} \\(epoch 1\\) last renewed its lease [0-9.]+s ago, longer than its 1s lease`,
      ),
    );
  });
});

describe('history', () => {
  it('says each thing once in plain words, with command ids and requested/applied times, transitions by hand marked', async () => {
    // Prepare: a refused failover, then the controller down, the split changed by hand, a restart.
    ps = await startProcessStack();
    const first = ps.spawnController();
    await first.ready();
    await ps.stack.cloudwatch.setAlarmState(REPLICA, REPLICA_DOWN, 'ALARM');
    const stack = ps;
    await eventually(async () => (await statusJson(stack)).signals[REPLICA_DOWN] === 'ALARM', {
      what: 'the replica alarm in the state',
    });
    expect((await ps.cli(['failover', '--yes', '--reason', 'refused on purpose'])).code).toBe(1);
    await first.stop();
    ps.stack.connect.setSplit({
      telephony: { [PRIMARY]: 40, [REPLICA]: 60 },
      agents: { [PRIMARY]: 40, [REPLICA]: 60 },
    });
    const second = ps.spawnController();
    await second.ready();
    await eventually(
      async () => (await ps!.readDocument())?.history.some((e) => e.kind === 'transition' && e.trigger === 'hand'),
      { what: 'the hand change adopted' },
    );

    // Act
    const text = await ps.cli(['history']);
    const entries = JSON.parse((await ps.cli(['history', '--json'])).stdout) as HistoryEntry[];

    // Assess
    const refused = entries.find((e) => e.kind === 'command');
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('refused: refused');
    expect(text.stdout).not.toContain('via no write');
    expect(text.stdout).toContain('split already in place, nothing written');
    expect(text.stdout).toMatch(
      /command\s+failover REFUSED: replica unhealthy \(connect-replica-outage in ALARM\); use --force to fail over anyway\s+refused on purpose \(by /,
    );
    expect(text.stdout).toContain(`requested ${refused?.requestedAt}, applied ${refused?.at}`);
    expect(text.stdout).toContain(`id ${refused?.commandId}`);
    expect(text.stdout).toMatch(/transition, by hand\s+automation: active -> paused/);
  });

  it('--since takes a duration or an ISO time, and refuses anything else (exit 2)', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    expect((await ps.cli(['pause', '--yes', '--reason', 'one'])).code).toBe(0);
    // Stopped, so the history the commands below read is the one counted here.
    await controller.stop();
    const doc = await ps.readDocument();
    const pausedAt = doc?.history.find((e) => e.kind === 'command')?.at ?? '';

    // Act
    const fromPause = JSON.parse((await ps.cli(['history', '--json', '--since', pausedAt])).stdout) as HistoryEntry[];
    const lastHour = JSON.parse((await ps.cli(['history', '--json', '--since', '1h'])).stdout) as HistoryEntry[];
    const future = await ps.cli(['history', '--since', new Date(Date.now() + 60_000).toISOString()]);
    const bad = await ps.cli(['history', '--since', 'yesterday']);

    // Assess
    expect(fromPause.length).toBeGreaterThan(0);
    expect(fromPause.every((e) => Date.parse(e.at) >= Date.parse(pausedAt))).toBe(true);
    expect(fromPause.length).toBeLessThan(lastHour.length);
    expect(lastHour).toHaveLength(doc?.history.length ?? -1);
    expect(future.stdout).toMatch(/^nothing since .* \(\d+ older entries; the newest at /);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since "yesterday" is neither a duration like 30d or 12h nor an ISO 8601 time');
  });
});
