/**
 * Operator commands through the real binary (`node bin/connect-failover.js`) against the local stack:
 * the confirmation on a pseudo-terminal (test/helpers/pty.ts), the refusal without one, waiting for the
 * outcome (applied and verified, refused, no controller), `--no-wait`, and a send that fails.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/controller/document.ts';
import { eventually } from '../helpers/eventually.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';
import { cliWithEnv } from '../helpers/cli-env.ts';
import { runOnPty } from '../helpers/pty.ts';

const PRIMARY = 'us-east-1';
const REPLICA = 'us-west-2';
const REPLICA_DOWN = 'connect-replica-outage';

let ps: ProcessStack | undefined;
afterEach(async () => {
  await ps?.close();
  ps = undefined;
});

/** Commands recorded in the controller's history so far. */
async function commands(stack: ProcessStack): Promise<HistoryEntry[]> {
  return ((await stack.readDocument())?.history ?? []).filter((e) => e.kind === 'command');
}

describe('on a terminal, an operator command shows what will happen and asks first', () => {
  it('failover: the split moving, the Regions with roles, the group, the signals, the gate and the controller; sent on "y", then waited for', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();

    // Act
    const session = runOnPty(['failover', '-c', ps.configPath, '--reason', 'INC-1: primary degraded'], ps.env);
    await session.waitFor('[y/N]');
    const prompt = session.screen();
    session.type('y\n');
    const code = await session.exited;

    // Assess: the prompt
    expect(prompt).toContain('failover: move traffic to the replica now');
    expect(prompt).toContain(ps.stack.connect.tdgArn);
    expect(prompt).toContain(`${PRIMARY} (primary), ${REPLICA} (replica)`);
    expect(prompt).toMatch(
      /traffic now\s+100% to us-east-1 \(primary\), 0% to us-west-2 \(replica\) \(read live from us-east-1\)/,
    );
    expect(prompt).toMatch(
      /after\s+0% to us-east-1 \(primary\), 100% to us-west-2 \(replica\); agents move with the calls/,
    );
    expect(prompt).toContain(`${REPLICA_DOWN} OK (replicaUnhealthy, ${REPLICA})`);
    expect(prompt).toMatch(/gate\s+failover is refused while a replicaUnhealthy alarm is in ALARM/);
    expect(prompt).toMatch(new RegExp(`controller\\s+\\S+:${controller.pid} \\(epoch 1\\) holds the lease`));
    // Assess: sent, applied and verified before the command returned
    expect(code, session.screen()).toBe(0);
    expect(session.screen()).toContain('failover applied at');
    expect(session.screen()).toContain('traffic verified at 0% to us-east-1 (primary), 100% to us-west-2 (replica)');
    expect(session.screen()).toContain(`Check with: connect-failover status -c ${ps.configPath}`);
    // The progress line is redrawn in place on a terminal.
    expect(session.screen()).toContain('\r\u001b[2K[failover +');
    expect(ps.primaryPercent()).toBe(0);
  });

  it('anything but yes sends nothing and changes nothing (exit 1)', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();

    // Act
    const session = runOnPty(['pause', '-c', ps.configPath, '--reason', 'maintenance'], ps.env);
    await session.waitFor('[y/N]');
    session.type('\n');
    const code = await session.exited;

    // Assess
    expect(code).toBe(1);
    expect(session.screen()).toContain('pause NOT sent: not confirmed; nothing changed');
    expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    expect(await commands(ps)).toEqual([]);
  });

  it('--force names the gate it overrides and says the alarm is firing now', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    await ps.stack.cloudwatch.setAlarmState(REPLICA, REPLICA_DOWN, 'ALARM');
    const stack = ps;
    await eventually(
      async () => stack.snapshotOf((await stack.readDocument())!).context.signals[REPLICA_DOWN]?.value === 'ALARM',
      { what: 'the replica alarm in the state' },
    );

    // Act
    const unforced = runOnPty(['failover', '-c', ps.configPath, '--reason', 'replica alarm is false'], ps.env);
    await unforced.waitFor('[y/N]');
    unforced.type('n\n');
    await unforced.exited;
    const forced = runOnPty(['failover', '-c', ps.configPath, '--reason', 'replica alarm is false', '--force'], ps.env);
    await forced.waitFor('[y/N]');
    forced.type('n\n');
    await forced.exited;

    // Assess
    expect(unforced.screen()).toMatch(
      /gate\s+failover is refused while a replicaUnhealthy alarm is in ALARM .*closed now: connect-replica-outage in ALARM/,
    );
    expect(unforced.screen()).toMatch(
      /--force\s+not given: the controller will refuse the command; --force overrides the gate/,
    );
    expect(unforced.screen()).toMatch(/expected\s+REFUSED: replica unhealthy/);
    expect(forced.screen()).toMatch(
      /--force\s+GIVEN: overrides this gate, so the command goes ahead despite the alarm/,
    );
    expect(forced.screen()).toMatch(/expected\s+accepted: healthy -> failedOver/);
    expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('without a terminal', () => {
  it('refuses without --yes (exit 2), says to pass --yes, and sends nothing', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act
    const results = await Promise.all(
      ['failover', 'failback', 'pause', 'resume'].map((command) => ps!.cli([command, '--reason', 'scripted'])),
    );

    // Assess
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/NOT sent: .*no terminal to ask on; pass --yes/);
    }
    expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('a bad --timeout is a usage error (exit 2) and nothing is sent', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act
    const r = await ps.cli(['pause', '--yes', '--reason', 'x', '--timeout', 'soon']);

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout "soon" is not a duration');
    expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('a send that fails says nothing was sent (exit 1)', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act: nothing listens on port 1.
    const r = await cliWithEnv(ps, ['failover', '--yes', '--reason', 'x'], {
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1',
    });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^failover NOT sent; nothing changed: .*ECONNREFUSED/m);
    expect(r.stdout).toBe('');
  });
});

describe('waiting for the outcome', () => {
  it('a refused command exits 1 with the controller’s reason', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    await ps.stack.cloudwatch.setAlarmState(REPLICA, REPLICA_DOWN, 'ALARM');
    const stack = ps;
    await eventually(
      async () => stack.snapshotOf((await stack.readDocument())!).context.signals[REPLICA_DOWN]?.value === 'ALARM',
      { what: 'the replica alarm in the state' },
    );

    // Act
    const r = await ps.cli(['failover', '--yes', '--reason', 'try it']);

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failover REFUSED by the controller at');
    expect(r.stderr).toContain(`replica unhealthy (${REPLICA_DOWN} in ALARM); use --force to fail over anyway`);
    expect(r.stderr).not.toContain('refused: refused');
    expect(ps.primaryPercent()).toBe(100);
  });

  it('pause returns once applied; progress goes to stderr as plain lines when not on a terminal', async () => {
    // Prepare
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();

    // Act
    const r = await ps.cli(['pause', '--yes', '--reason', 'CHG-1']);

    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pause sent \(command [0-9a-f-]{36}, message [^)]+\); waiting up to 2m for the outcome/m);
    expect(r.stdout).toContain('pause applied at');
    expect(r.stdout).toContain('automation active -> paused');
    // Progress comes only while the wait lasts (a fast apply prints none): whatever came is plain lines.
    for (const line of r.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^\[pause \+\d+\.\ds\] /);
    expect(r.stderr).not.toContain('\r');
  });

  it('with no controller running it says the command waits in the queue, and times out with that explanation', async () => {
    // Prepare
    ps = await startProcessStack();

    // Act
    const waited = await ps.cli(['failover', '--yes', '--reason', 'nobody home', '--timeout', '1500ms']);
    const fired = await ps.cli(['failback', '--yes', '--no-wait', '--reason', 'nobody home']);

    // Assess
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain('waiting in the queue: no controller is running');
    expect(waited.stderr).toMatch(
      /no outcome within 1.5s: no controller is running \(.*\); the command waits in the queue and applies when a controller starts/,
    );
    expect(fired.code).toBe(0);
    expect(fired.stdout).toContain(
      'No controller is running (no controller has ever taken the lease of this store): the command waits in the queue until one starts.',
    );
    expect(fired.stdout).toContain(`Check with: connect-failover status -c ${ps.configPath}`);
    expect(await ps.queueCounts()).toEqual({ visible: 2, inFlight: 0 });
  });

  it('a command queued while no controller ran is applied when one starts, and history says when it was asked and applied', async () => {
    // Prepare
    ps = await startProcessStack();
    const queued = await ps.cli(['failover', '--yes', '--no-wait', '--reason', 'queued']);
    const id = /command ([0-9a-f-]{36})/.exec(queued.stdout)?.[1];

    // Act
    const controller = ps.spawnController();
    await controller.ready();
    const stack = ps;
    const entry = await eventually(async () => (await commands(stack)).find((e) => e.commandId === id), {
      what: 'the queued command applied',
    });
    const history = await ps.cli(['history']);

    // Assess
    expect(entry).toMatchObject({ command: 'failover', accepted: true });
    expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(Date.parse(entry.requestedAt ?? ''));
    expect(history.stdout).toContain(`requested ${entry.requestedAt}, applied ${entry.at}`);
    expect(history.stdout).toContain(`id ${id}`);
  });
});
