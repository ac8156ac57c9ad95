/**
 * Behaviour 11 the way Jepsen would test it: two controllers as real processes on one DynamoDB store
 * (dynalite, started here), the leader SIGKILLed or SIGSTOPped past its lease, and a checker over what
 * reached Connect: every applied write came from the controller that held the lease when it landed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/app/status.ts';
import { startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';
import { DYNALITE_REGION } from '../helpers/dynalite-server.ts';
import { cliWithEnv } from '../helpers/cli-env.ts';
import { eventually } from '../helpers/eventually.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ControllerProcess, ProcessStack } from '../helpers/process-harness.ts';

const CRITICAL = 'connect-primary-outage';
const LEASE = '2s';
const LEASE_MS = 2_000;

let ps: ProcessStack | undefined;
let dynamo: RunningDynalite | undefined;
const stopped: number[] = [];
afterEach(async () => {
  // A SIGSTOPped child must be continued before it can be killed cleanly.
  for (const pid of stopped.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }
  await ps?.close();
  await dynamo?.close();
  ps = undefined;
  dynamo = undefined;
});

const logMatching = (msg: string) => (line: { msg?: unknown }) => line.msg === msg;

async function twoControllers(): Promise<{ a: ControllerProcess; b: ControllerProcess; env: Record<string, string> }> {
  dynamo = await startDynalite();
  await dynamo.createTable('connect-failover');
  // A SIGKILLed leader's long poll can still be handed a message (as with real SQS); a short visibility
  // timeout brings it back to the new leader in seconds rather than 30.
  ps = await startProcessStack({
    stack: { visibilityTimeoutSeconds: 2 },
    config: { store: { type: 'dynamodb', table: 'connect-failover', region: DYNALITE_REGION, leaseDuration: LEASE } },
  });
  const env = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
  const a = ps.spawnController({ env });
  await a.ready();
  const b = ps.spawnController({ env });
  await b.waitForLog(logMatching('standby: another controller holds the lease'), { what: 'B standing by' });
  return { a, b, env };
}

/** The pid in a write's user agent (`connect-failover/host:pid`, which the SDK sends as `host-pid`). */
function writerPid(userAgent: string | undefined): number | undefined {
  const match = /connect-failover\/\S+-(\d+)(?:\s|$)/.exec(userAgent ?? '');
  return match ? Number(match[1]) : undefined;
}

describe('two controllers on one DynamoDB store', () => {
  it('only the leader receives and writes; after a SIGKILL of the leader the standby takes over and acts', async () => {
    const { a, b } = await twoControllers();
    expect(b.logs.some(logMatching('controller running'))).toBe(false);

    const killedAt = Date.now();
    await a.kill();
    await b.waitForLog(logMatching('took the lease: this controller acts'), {
      timeoutMs: LEASE_MS * 3 + 15_000,
      what: 'B taking over',
    });
    const takeoverMs = Date.now() - killedAt;
    await b.ready();

    await ps!.stack.cloudwatch.setAlarmState(ps!.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps!.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by B' });
    const writes = ps!.stack.connect.writes;
    expect(writes.map((w) => writerPid(w.userAgent))).toEqual([b.pid]);
    // Not a speed assertion: it tells "took over after the lease" from "never".
    expect(takeoverMs).toBeLessThan(LEASE_MS * 3 + 15_000);
  });

  it('a leader SIGSTOPped past its lease writes nothing when it wakes; the new leader acts', async () => {
    const { a, b, env } = await twoControllers();
    process.kill(a.pid, 'SIGSTOP');
    stopped.push(a.pid);
    await b.waitForLog(logMatching('took the lease: this controller acts'), {
      timeoutMs: LEASE_MS * 3 + 15_000,
      what: 'B taking over',
    });
    await b.ready();
    const tookOverAt = Date.now();

    // B fails over while A is frozen; A, asleep, still believes it leads and still holds its old state.
    await ps!.stack.cloudwatch.setAlarmState(ps!.stack.regions.primary, CRITICAL, 'ALARM');
    await eventually(() => ps!.primaryPercent() === 0, { timeoutMs: 15_000, what: 'the failover by B' });

    process.kill(a.pid, 'SIGCONT');
    stopped.splice(stopped.indexOf(a.pid), 1);
    await a.waitForLog(
      logMatching('no longer sure this controller holds the lease: stopped acting at once; standing by'),
      { timeoutMs: 15_000, what: 'A standing down' },
    );
    // Then B fails back, and A keeps out of it.
    await ps!.stack.cloudwatch.setAlarmState(ps!.stack.regions.primary, CRITICAL, 'OK');
    // Waits for the outcome itself, reading the lease and the history from the same DynamoDB store.
    const failback = await cliWithEnv(
      ps!,
      ['failback', '--reason', 'after the drill', '--yes', '--timeout', '20s'],
      env,
    );
    expect(failback.code, failback.stderr).toBe(0);
    await eventually(() => ps!.primaryPercent() === 100, { timeoutMs: 20_000, what: 'the failback by B' });

    // The checker: nothing A sent landed after B took over; the final split is what B last decided.
    const late = ps!.stack.connect.writes.filter((w) => w.at >= tookOverAt - LEASE_MS);
    expect(late.map((w) => writerPid(w.userAgent))).toEqual(late.map(() => b.pid));
    expect(late.length).toBeGreaterThanOrEqual(2);
    expect(ps!.primaryPercent()).toBe(100);
  });

  it('status from a third process names the acting controller and the standby, and a killed standby as gone', async () => {
    // Prepare
    const { a, b, env } = await twoControllers();
    const status = async (): Promise<{ json: StatusReport; text: string }> => {
      const [json, text] = await Promise.all([
        cliWithEnv(ps!, ['status', '--json'], env),
        cliWithEnv(ps!, ['status'], env),
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
