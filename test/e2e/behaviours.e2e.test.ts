/**
 * The contract's behaviours end to end: the real controller, fauxqs for SQS, the Connect and CloudWatch
 * simulators, real SDK clients over HTTP on 127.0.0.1. Assertions are on the end state of the world
 * (the split Connect reports, the queue, the store), and on counts of writes where the count is the point.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildStatus } from '../../src/app/status.ts';
import { toMessageBody } from '../../src/local/alarm-event-sink.ts';
import type { AlarmMessageShape } from '../../src/local/alarm-event-sink.ts';
import { FAST_TIMING, startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
const DEGRADED = 'connect-primary-elevated-errors';
const REPLICA = 'connect-replica-outage';

let h: Harness;
afterEach(async () => h?.close());

async function stateOf(harness: Harness) {
  const doc = await harness.readDocument();
  const snapshot = doc?.snapshot as { value: { health: string; automation: string } } | undefined;
  return snapshot?.value;
}

describe('behaviour 2: degraded, then escalation', () => {
  it('moves to the degraded split, then fails over when still degraded after escalateAfter', async () => {
    h = await startHarness();
    await h.start();

    await h.setAlarm(DEGRADED, 'ALARM');
    await h.waitForPrimary(50);
    await h.waitForPrimary(0, 10_000);

    expect(h.stack.connect.writes.map((w) => w.telephony['us-east-1'])).toEqual([50, 0]);
    const transitions = (await h.readDocument())!.history
      .filter((e) => e.kind === 'transition')
      .map((e) => `${e.from}->${e.to}: ${e.reason}`);
    expect(transitions).toEqual([
      'healthy->degraded: degraded alarm in ALARM',
      'degraded->failedOver: still degraded after escalateAfter',
    ]);
  });
});

describe('behaviour 3: recovery', () => {
  it('with failback: manual, stays failed over after recovery until the failback command', async () => {
    h = await startHarness();
    await h.start();
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);

    await h.setAlarm(CRITICAL, 'OK');
    const waiting = await eventually(
      async () => {
        const status = buildStatus(h.config, { doc: (await h.readDocument())!, updatedAt: '', location: '' }, 'test');
        return status.signals[CRITICAL] === 'OK' ? status : undefined;
      },
      { what: 'recovery applied' },
    );

    // Failed over with every signal OK, and no deadline at which it would move by itself.
    expect(waiting).toMatchObject({ state: 'failedOver', nextDeadline: null, blocked: null });
    await h.command('failback', { reason: 'primary verified by the on-call engineer' });
    await h.waitForPrimary(100);

    const doc = (await h.readDocument())!;
    // `by` is what the command says; `sender` is the principal SQS saw send it (the emulator's account here).
    expect(doc.history.find((e) => e.kind === 'command')).toMatchObject({
      by: 'tester',
      sender: expect.stringMatching(/^\d{12}$/),
      reason: 'primary verified by the on-call engineer',
    });
    expect(doc.history.filter((e) => e.kind === 'transition').at(-1)).toMatchObject({
      from: 'failedOver',
      to: 'healthy',
      trigger: 'operator',
    });
  });

  it('with failback: automatic, returns to healthy after every primary signal is OK for recoverAfter', async () => {
    h = await startHarness({ config: { failback: 'automatic' } });
    await h.start();
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);

    await h.setAlarm(CRITICAL, 'OK');
    await h.waitForPrimary(100);

    expect(h.stack.connect.writes.map((w) => w.telephony['us-east-1'])).toEqual([0, 100]);
    // The failback write goes to the Region that takes the traffic back: the primary.
    expect(h.stack.connect.writes[1]!.region).toBe('us-east-1');
  });

  it('holds recovery back while a primary signal is INSUFFICIENT_DATA', async () => {
    h = await startHarness({ config: { failback: 'automatic' } });
    await h.start();
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);

    await h.setAlarm(DEGRADED, 'INSUFFICIENT_DATA');
    await h.setAlarm(CRITICAL, 'OK');
    const held = await eventually(
      async () => {
        const ctx = (
          (await h.readDocument())!.snapshot as {
            context: { signals: Record<string, { value: string }>; okSince: number | null };
          }
        ).context;
        return ctx.signals[CRITICAL]?.value === 'OK' && ctx.signals[DEGRADED]?.value === 'INSUFFICIENT_DATA'
          ? ctx
          : undefined;
      },
      { what: 'both changes applied' },
    );

    // No recovery is even scheduled: INSUFFICIENT_DATA is not OK.
    expect(held.okSince).toBeNull();
    expect(h.stack.connect.writes).toHaveLength(1);
    await h.setAlarm(DEGRADED, 'OK');
    await h.waitForPrimary(100);

    expect(h.stack.connect.writes).toHaveLength(2);
  });
});

describe('behaviour 4: at-least-once delivery', () => {
  it('changes nothing for a duplicate or an older event, and deletes them', async () => {
    h = await startHarness();
    await h.start();
    const alarm = (await h.setAlarm(CRITICAL, 'ALARM'))!;
    await h.waitForPrimary(0);
    const recovered = (await h.setAlarm(CRITICAL, 'OK'))!;
    await h.command('failback');
    await h.waitForPrimary(100);

    // The same ALARM transition again (duplicate) and after the OK (out of order), through both paths.
    await h.sendBody(toMessageBody(alarm, 'eventbridge'));
    await h.sendBody(toMessageBody(alarm, 'sns-envelope'));
    await h.sendBody(toMessageBody(recovered, 'eventbridge'));
    await eventually(async () => (await h.queueDepth()) === 0, { what: 'queue drained' });

    expect(h.stack.connect.writes.map((w) => w.telephony['us-east-1'])).toEqual([0, 100]);
    const outcomes = h.logs.filter((l) => l.msg === 'alarm state change').map((l) => l.outcome);
    expect(outcomes.slice(-3)).toEqual(['stale', 'stale', 'duplicate']);
  });

  it('applies the events of one batch in alarm-timestamp order, whatever order they arrive in', async () => {
    h = await startHarness();
    const degraded = (await h.setAlarm(DEGRADED, 'ALARM'))!;
    const cleared = (await h.setAlarm(DEGRADED, 'OK'))!;
    // Start from an empty queue, then deliver the newer event first.
    await h.stack.sqs.send(new (await import('@aws-sdk/client-sqs')).PurgeQueueCommand({ QueueUrl: h.stack.queueUrl }));
    await h.start();
    await h.sendBody(toMessageBody(cleared, 'eventbridge'));
    await h.sendBody(toMessageBody(degraded, 'eventbridge'));
    await eventually(async () => (await h.queueDepth()) === 0, { what: 'queue drained' });

    expect(await stateOf(h)).toMatchObject({ health: 'healthy' });
  });
});

describe('message shapes and bad input', () => {
  it('acts on EventBridge, SNS envelope and SNS raw messages in one run', async () => {
    const shapes: AlarmMessageShape[] = ['sns-envelope', 'sns-raw', 'eventbridge'];
    let next = 0;
    h = await startHarness({
      stack: { messageShape: () => shapes[next++ % shapes.length]! },
      config: { failback: 'automatic' },
    });
    await h.start();

    await h.setAlarm(DEGRADED, 'ALARM'); // SNS envelope
    await h.waitForPrimary(50);
    await h.setAlarm(CRITICAL, 'ALARM'); // SNS raw
    await h.waitForPrimary(0);
    await h.setAlarm(CRITICAL, 'OK'); // EventBridge
    await h.setAlarm(DEGRADED, 'OK'); // SNS envelope
    await h.waitForPrimary(100);

    const shapesSeen = new Set(h.logs.filter((l) => l.msg === 'alarm state change').map((l) => l.shape));
    expect([...shapesSeen].sort()).toEqual(['eventbridge', 'sns-envelope', 'sns-raw']);
  });

  it('leaves a malformed message for the dead-letter queue and loses nothing else', async () => {
    h = await startHarness({ stack: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 } });
    await h.start();

    await h.sendBody('{"detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch"}');
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    await eventually(async () => (await h.queueDepth('dlq')) === 1 && (await h.queueDepth('queue')) === 0, {
      timeoutMs: 15_000,
      what: 'malformed message in the DLQ',
    });

    const warnings = h.logs.filter((l) => l.msg === 'malformed message left for the dead-letter queue');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]).toHaveProperty('messageId');
    expect(JSON.stringify(warnings[0])).not.toContain('"source":"aws.cloudwatch"');
  });

  it('ignores an alarm that is not a configured signal, with a log line', async () => {
    h = await startHarness();
    h.stack.cloudwatch.addAlarm({ name: 'billing-spike', region: 'us-east-1' });
    await h.start();

    await h.stack.cloudwatch.setAlarmState('us-east-1', 'billing-spike', 'ALARM');
    await eventually(() => h.logs.some((l) => l.msg === 'alarm is not a configured signal; ignored'), {
      what: 'log line',
    });
    await eventually(async () => (await h.queueDepth()) === 0, { what: 'queue drained' });

    expect(h.stack.connect.writes).toHaveLength(0);
    expect(await stateOf(h)).toMatchObject({ health: 'healthy' });
  });
});

describe('behaviour 5: shifts through API faults', () => {
  it('rides out a 429 storm and verifies', async () => {
    h = await startHarness();
    await h.start();
    h.stack.connect.faults.script(
      Array.from({ length: 12 }, () => ({
        operation: 'UpdateTrafficDistribution' as const,
        fault: 'throttle' as const,
      })),
    );

    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0, 30_000);

    const puts = h.stack.connect.requests.filter((r) => r.operation === 'UpdateTrafficDistribution');
    expect(puts.filter((r) => r.status === 429)).toHaveLength(12);
    expect(h.stack.connect.writes).toHaveLength(1);
  });

  it('makes exactly one applied write through "applied, then 500" and a 409', async () => {
    h = await startHarness();
    await h.start();
    h.stack.connect.faults.script([
      { operation: 'UpdateTrafficDistribution', fault: 'conflict' },
      { operation: 'UpdateTrafficDistribution', fault: 'appliedThen500' },
    ]);

    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0, 30_000);

    expect(h.stack.connect.writes).toHaveLength(1);
    const puts = h.stack.connect.requests.filter((r) => r.operation === 'UpdateTrafficDistribution');
    expect(puts.map((r) => r.status)).toEqual([409, 500]);
  });

  it("fails over through the primary Region's endpoint when the replica's API is down", async () => {
    h = await startHarness();
    await h.start();
    h.stack.connect.faults.regionDown('us-west-2');

    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0, 30_000);

    expect(h.stack.connect.writes.map((w) => w.region)).toEqual(['us-east-1']);
  });

  it("fails back through the replica's endpoint when the primary Region's API is down", async () => {
    h = await startHarness();
    await h.start();
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    h.stack.connect.faults.regionDown('us-east-1');

    await h.setAlarm(CRITICAL, 'OK');
    await h.command('failback');
    await h.waitForPrimary(100, 30_000);

    expect(h.stack.connect.writes.map((w) => w.region)).toEqual(['us-west-2', 'us-west-2']);
  });

  it('reports a shift that cannot complete and retries it until it does', async () => {
    h = await startHarness();
    await h.start({});
    h.stack.connect.faults.regionDown('us-east-1');
    h.stack.connect.faults.regionDown('us-west-2');

    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(async () => (await h.readDocument())?.shift?.status === 'failed', {
      timeoutMs: 60_000,
      what: 'shift reported failed',
    });
    h.stack.connect.faults.clear();
    await h.waitForPrimary(0, 60_000);

    expect((await h.readDocument())!.history.some((e) => e.kind === 'shift' && e.outcome === 'failed')).toBe(true);
  }, 90_000);
});

describe('behaviour 8 while running: drift', () => {
  it('with drift: restore, notices a split changed by hand while running, reports it as drift and restores what the state wants', async () => {
    h = await startHarness({ config: { drift: 'restore' } });
    await h.start({ resyncMs: 300 });
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);

    h.stack.connect.setSplit({ telephony: { 'us-east-1': 60, 'us-west-2': 40 } });
    await eventually(async () => (await h.readDocument())!.history.some((e) => e.kind === 'drift'), {
      what: 'drift in history',
    });
    await h.waitForPrimary(0);

    expect(h.stack.connect.writes.map((w) => w.telephony['us-east-1'])).toEqual([0, 0]);
    expect(h.logs.some((l) => l.msg === 'drift: split changed by hand while running; restored')).toBe(true);
  });

  it('while paused, reports a hand change without overwriting it', async () => {
    h = await startHarness();
    await h.start({ resyncMs: 300 });
    await h.command('pause', { reason: 'manual traffic test' });
    await eventually(async () => (await stateOf(h))?.automation === 'paused', { what: 'paused' });

    h.stack.connect.setSplit({ telephony: { 'us-east-1': 60, 'us-west-2': 40 } });
    await eventually(async () => (await h.readDocument())!.history.some((e) => e.kind === 'drift'), {
      what: 'drift in history',
    });

    expect(h.stack.connect.writes).toHaveLength(0);
    expect(h.primaryPercent()).toBe(60);
  });

  it('by default (drift: pause), adopts a failback made by hand while running and pauses, writing nothing', async () => {
    h = await startHarness();
    await h.start({ resyncMs: 300 });
    await h.command('failover', { reason: 'drill' });
    await h.waitForPrimary(0);
    const writes = h.stack.connect.writes.length;

    h.stack.connect.setSplit({
      telephony: { 'us-east-1': 100, 'us-west-2': 0 },
      agents: { 'us-east-1': 100, 'us-west-2': 0 },
    });
    await eventually(async () => (await stateOf(h))?.automation === 'paused', { what: 'paused by the hand change' });

    expect(await stateOf(h)).toEqual({ health: 'healthy', automation: 'paused' });
    expect(h.stack.connect.writes).toHaveLength(writes);
    expect(h.primaryPercent()).toBe(100);
    const hand = (await h.readDocument())!.history.filter((e) => e.trigger === 'hand');
    expect(hand.map((e) => `${e.from}->${e.to}`)).toEqual(['failedOver->healthy', 'active->paused']);
  });

  it('applies an operator command waiting in the queue before the start-up decision on a hand change', async () => {
    h = await startHarness();
    await h.start();
    await h.waitForPrimary(100);
    await h.stopController();
    // While it was down: an operator failed over by hand, then queued a resume for when it comes back.
    h.stack.connect.setSplit({
      telephony: { 'us-east-1': 0, 'us-west-2': 100 },
      agents: { 'us-east-1': 0, 'us-west-2': 100 },
    });
    await h.command('pause', { reason: 'hands off while I work' });

    await h.start();
    await eventually(async () => (await h.queueDepth()) === 0, { what: 'the queued command applied' });
    const doc = (await h.readDocument())!;
    const kinds = doc.history.map((e) => (e.kind === 'transition' ? `${e.trigger}:${e.from}->${e.to}` : e.kind));
    // The pause came first; the hand change was then adopted (health) with automation already paused.
    expect(kinds.indexOf('command')).toBeLessThan(kinds.indexOf('hand:healthy->failedOver'));
    expect(await stateOf(h)).toEqual({ health: 'failedOver', automation: 'paused' });
    expect(h.primaryPercent()).toBe(0);
  });
});

describe('behaviours 1, 6, 7: gates, limits and operator commands', () => {
  it('does not fail over while the replica is unhealthy, and says why', async () => {
    h = await startHarness();
    await h.start();

    await h.setAlarm(REPLICA, 'ALARM');
    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(
      () => h.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('blocked: replica unhealthy')),
      { what: 'blocked log' },
    );

    await eventually(async () => (await h.readDocument())!.history.some((e) => e.kind === 'blocked'), {
      what: 'blocked in history',
    });
    expect(h.stack.connect.writes).toHaveLength(0);

    await h.setAlarm(REPLICA, 'OK');
    await h.waitForPrimary(0);
  });

  it('tracks signals while paused and acts at once on resume', async () => {
    h = await startHarness();
    await h.start();
    await h.command('pause', { reason: 'maintenance window' });
    await eventually(async () => (await stateOf(h))?.automation === 'paused', { what: 'paused' });

    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(() => h.logs.some((l) => typeof l.msg === 'string' && l.msg.includes('automation is paused')), {
      what: 'blocked by pause',
    });
    expect(h.stack.connect.writes).toHaveLength(0);
    await h.command('resume', { reason: 'maintenance over' });

    await h.waitForPrimary(0);
  });

  it('suspends automation when alarms flap past maxAutomaticShifts, until resume', async () => {
    h = await startHarness({
      config: {
        failback: 'automatic',
        timing: { ...FAST_TIMING, recoverAfter: '200ms', maxAutomaticShifts: { count: 2, per: '1h' } },
      },
    });
    await h.start();
    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    await h.setAlarm(CRITICAL, 'OK');
    await h.waitForPrimary(100);

    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(async () => (await stateOf(h))?.automation === 'suspended', { what: 'suspended' });
    expect(h.primaryPercent()).toBe(100);
    await h.command('resume', { reason: 'flapping understood' });

    await h.waitForPrimary(0);
  });

  it('refuses an operator failover to an unhealthy replica unless forced', async () => {
    h = await startHarness();
    await h.start();
    await h.setAlarm(REPLICA, 'ALARM');

    await h.command('failover', { reason: 'drill' });
    await eventually(
      async () =>
        (await h.readDocument())!.history.some(
          (e) => e.kind === 'command' && e.outcome?.startsWith('failover refused'),
        ),
      { what: 'refusal' },
    );
    expect(h.stack.connect.writes).toHaveLength(0);
    await h.command('failover', { reason: 'drill, replica checked by hand', force: true });

    await h.waitForPrimary(0);
  });
});
