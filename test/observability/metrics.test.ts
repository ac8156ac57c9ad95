import { register } from 'prom-client';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createFailoverMachine } from '../../state-machines/index.ts';
import type { Decision, FailoverSnapshot } from '../../state-machines/index.ts';
import type { ShiftResult } from '../../src/connect/traffic-port.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import { instrumentController } from '../../src/app/controller-instrumentation.ts';
import { ControllerMetrics, METRIC_PREFIX } from '../../src/observability/metrics.ts';
import { examplePolicy } from '../helpers/machine.ts';
import { parsePrometheusText } from './prometheus-text.ts';

const policy = examplePolicy();

function failedOverSnapshot(now: number): { snapshot: FailoverSnapshot; decision: Decision } {
  const actor = createActor(createFailoverMachine(policy), { input: { now } }).start();
  actor.send({ type: 'alarm.changed', alarm: 'crit', value: 'ALARM', at: now, now });
  const snapshot = actor.getSnapshot();
  return { snapshot, decision: snapshot.context.decisions.at(-1)! };
}

function verified(
  seq: number,
  verifiedAt: number,
  primaryPercent: number,
): {
  kind: 'verified';
  target: { primaryPercent: number; seq: number; write: boolean };
  result: ShiftResult;
  attempt: number;
} {
  const split = { telephonyPrimaryPercent: primaryPercent, agentsPrimaryPercent: primaryPercent };
  return {
    kind: 'verified',
    target: { primaryPercent, seq, write: true },
    result: { outcome: 'verified', calls: [], writes: 1, writtenVia: 'us-west-2', verifiedAt, split },
    attempt: 1,
  };
}

async function scrape(metrics: ControllerMetrics) {
  return parsePrometheusText(await metrics.render());
}

describe('controller metrics', () => {
  it('renders text that parses, with every name prefixed and documented by HELP', async () => {
    // Prepare
    const metrics = new ControllerMetrics();

    // Act
    const text = await scrape(metrics);

    // Assess
    expect(text.types.size).toBeGreaterThan(15);
    for (const name of text.types.keys()) {
      expect(name.startsWith(METRIC_PREFIX)).toBe(true);
      expect(text.help.get(name)?.length).toBeGreaterThan(10);
    }
  });

  it('reports unknown percentages as NaN, never as 0, which would read as fully failed over', async () => {
    // Act
    const text = await scrape(new ControllerMetrics());

    // Assess
    expect(text.value('connect_failover_desired_primary_percent')).toBeNaN();
    expect(text.value('connect_failover_actual_primary_percent')).toBeNaN();
    expect(text.value('connect_failover_drift_percent')).toBeNaN();
    expect(text.value('connect_failover_newest_event_age_seconds')).toBeNaN();
  });

  it('keeps its own registry: two instances never share a counter, and the global registry stays empty', async () => {
    // Prepare
    const a = new ControllerMetrics();
    const b = new ControllerMetrics();

    // Act
    a.message('applied', 'eventbridge');

    // Assess
    expect(
      (await scrape(a)).value('connect_failover_messages_total', { shape: 'eventbridge', outcome: 'applied' }),
    ).toBe(1);
    expect(register.getSingleMetric('connect_failover_messages_total')).toBeUndefined();
    expect((await scrape(b)).samples.some((s) => s.name === 'connect_failover_messages_total')).toBe(false);
  });

  it('shows one series per health state and automation mode, 1 for the current one, and the drift', async () => {
    // Prepare
    let now = 1_000_000;
    const metrics = new ControllerMetrics();
    const hooks = instrumentController(metrics, policy, () => now).hooks();
    const { snapshot, decision } = failedOverSnapshot(now);
    const doc = emptyDocument(undefined);
    doc.actual = {
      telephonyPrimaryPercent: 100,
      agentsPrimaryPercent: 100,
      status: 'ACTIVE',
      readAt: new Date(now).toISOString(),
    };

    // Act
    hooks.decision!(decision);
    hooks.state!(snapshot, doc);
    now += 10;

    // Assess
    const text = await scrape(metrics);
    expect(
      ['healthy', 'degraded', 'failedOver'].map((state) => text.value('connect_failover_health_state', { state })),
    ).toEqual([0, 0, 1]);
    expect(
      ['active', 'paused', 'suspended'].map((mode) => text.value('connect_failover_automation_mode', { mode })),
    ).toEqual([1, 0, 0]);
    expect(
      text.value('connect_failover_transitions_total', {
        region: 'health',
        from: 'healthy',
        to: 'failedOver',
        trigger: 'automatic',
      }),
    ).toBe(1);
    expect(text.value('connect_failover_desired_primary_percent')).toBe(0);
    expect(text.value('connect_failover_actual_primary_percent')).toBe(100);
    expect(text.value('connect_failover_drift_percent')).toBe(-100);
  });

  it('times receive to decision only for decisions a message of the batch caused', async () => {
    // Prepare
    let now = 1_000_000;
    const metrics = new ControllerMetrics();
    const instrument = instrumentController(metrics, policy, () => now);
    const hooks = instrument.hooks();
    const { snapshot, decision } = failedOverSnapshot(now);
    const doc = emptyDocument(undefined);

    // Act: a decision from a message 40 ms into the batch, then one from a timer outside any batch.
    await instrument.batch([{ sentAt: now - 500, receivedAt: now }], async () => {
      now += 40;
      hooks.message!('applied', 'eventbridge');
      hooks.decision!(decision);
      hooks.state!(snapshot, doc);
    });
    hooks.decision!({ ...decision, seq: decision.seq + 1 });
    hooks.state!(snapshot, doc);

    // Assess
    const text = await scrape(metrics);
    expect(text.value('connect_failover_receive_to_decision_seconds_count')).toBe(1);
    expect(text.value('connect_failover_receive_to_decision_seconds_sum')).toBeCloseTo(0.04, 5);
    expect(text.value('connect_failover_receive_to_decision_seconds_bucket', { le: '0.025' })).toBe(0);
    expect(text.value('connect_failover_receive_to_decision_seconds_bucket', { le: '0.05' })).toBe(1);
    expect(text.value('connect_failover_queue_delay_seconds_sum')).toBeCloseTo(0.5, 5);
    expect(text.value('connect_failover_messages_total', { shape: 'eventbridge', outcome: 'applied' })).toBe(1);
  });

  it('times decision to verified shift by the decision that set the target, once', async () => {
    // Prepare
    const now = 1_000_000;
    const metrics = new ControllerMetrics();
    const hooks = instrumentController(metrics, policy, () => now).hooks();
    const { decision } = failedOverSnapshot(now);
    hooks.decision!(decision);

    // Act
    hooks.shift!(verified(decision.seq, now + 7_000, 0));
    hooks.shift!(verified(decision.seq, now + 9_000, 0));

    // Assess
    const text = await scrape(metrics);
    expect(text.value('connect_failover_decision_to_verified_shift_seconds_count')).toBe(1);
    expect(text.value('connect_failover_decision_to_verified_shift_seconds_sum')).toBe(7);
    expect(text.value('connect_failover_shifts_total', { outcome: 'verified' })).toBe(2);
    expect(text.value('connect_failover_actual_primary_percent')).toBe(0);
  });

  it('counts failed shift attempts as retries and flags the shift as failing until one succeeds', async () => {
    // Prepare
    const metrics = new ControllerMetrics();
    const hooks = instrumentController(metrics, policy, () => 0).hooks();
    const target = { primaryPercent: 0, seq: 1, write: true };
    const failed = { kind: 'failed' as const, target, error: new Error('503'), attempt: 1, retryInMs: 1000 };

    // Act
    hooks.shift!(failed);
    hooks.shift!({ ...failed, attempt: 2 });
    const whileFailing = await scrape(metrics);
    hooks.shift!(verified(1, 5_000, 0));

    // Assess
    expect(whileFailing.value('connect_failover_shift_retries_total')).toBe(2);
    expect(whileFailing.value('connect_failover_shift_failing')).toBe(1);
    expect(metrics.current().shiftFailing).toBe(false);
    expect((await scrape(metrics)).value('connect_failover_shift_failing')).toBe(0);
  });

  it('counts Connect calls by operation, Region and status, "none" when no answer came', async () => {
    // Prepare
    const metrics = new ControllerMetrics();
    const hooks = instrumentController(metrics, policy, () => 0).hooks();

    // Act
    hooks.connectCall!({
      operation: 'UpdateTrafficDistribution',
      region: 'us-west-2',
      startedAt: 0,
      durationMs: 30,
      status: 429,
      error: 'ThrottlingException',
    });
    hooks.connectCall!({
      operation: 'UpdateTrafficDistribution',
      region: 'us-west-2',
      startedAt: 0,
      durationMs: 5000,
      status: undefined,
      error: 'TimeoutError',
    });
    hooks.connectCall!({
      operation: 'GetTrafficDistribution',
      region: 'us-east-1',
      startedAt: 0,
      durationMs: 12,
      status: 200,
      error: undefined,
      split: { telephonyPrimaryPercent: 50, agentsPrimaryPercent: 50 },
    });

    // Assess
    const text = await scrape(metrics);
    expect(
      text.value('connect_failover_connect_calls_total', {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
        status: '429',
      }),
    ).toBe(1);
    expect(
      text.value('connect_failover_connect_calls_total', {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
        status: 'none',
      }),
    ).toBe(1);
    expect(
      text.value('connect_failover_connect_call_duration_seconds_count', {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
      }),
    ).toBe(2);
    expect(text.value('connect_failover_actual_primary_percent')).toBe(50);
  });

  it('computes the newest event age at scrape time from the SentTimestamp', async () => {
    // Prepare
    let wall = 2_000_000;
    const metrics = new ControllerMetrics({ now: () => wall });
    const instrument = instrumentController(metrics, policy, () => 0);
    await instrument.batch(
      [
        { sentAt: wall - 3_000, receivedAt: wall },
        { sentAt: wall - 1_000, receivedAt: wall },
      ],
      async () => undefined,
    );

    // Act
    wall += 4_000;

    // Assess
    expect((await scrape(metrics)).value('connect_failover_newest_event_age_seconds')).toBe(5);
  });

  it('records receives: success time and errors, not receives cut short by stopping', async () => {
    // Prepare
    let wall = 5_000;
    const metrics = new ControllerMetrics({ now: () => wall });
    const instrument = instrumentController(metrics, policy, () => 0);
    const stop = new AbortController();
    const ok = instrument.receive(async () => []);
    const failing = instrument.receive(async () => {
      throw new Error('QueueDoesNotExist');
    });

    // Act
    await ok(stop.signal);
    wall = 9_000;
    await expect(failing(stop.signal)).rejects.toThrow('QueueDoesNotExist');
    stop.abort();
    wall = 12_000;
    await ok(stop.signal);

    // Assess
    expect(metrics.receiveTimes()).toEqual({ lastAttemptAt: 9_000, lastSuccessAt: 5_000 });
    const text = await scrape(metrics);
    expect(text.value('connect_failover_receive_errors_total')).toBe(1);
    expect(text.value('connect_failover_last_successful_receive_timestamp_seconds')).toBe(5);
  });

  it("calls the caller's hooks before its own", () => {
    // Prepare
    const metrics = new ControllerMetrics();
    const seen: string[] = [];
    const hooks = instrumentController(metrics, policy, () => 0).hooks({
      message: (outcome) => seen.push(outcome),
      ready: () => seen.push('ready'),
    });

    // Act
    hooks.message!('malformed', undefined);
    hooks.ready!();

    // Assess
    expect(seen).toEqual(['malformed', 'ready']);
  });
});
