/**
 * In-process decision cost, no AWS: per message, `normalizeMessage` (size check, JSON.parse, shape
 * detection, validation), the signal lookup and the at-least-once check the controller makes, the
 * statechart (`createActor(...).send`, as the controller runs it) and `outlook` (the desired split it
 * acts on). Messages come from a seeded mix (changes, duplicates, stale, unknown alarms, operator
 * commands; EventBridge and SNS shapes) built before timing starts, in chunks so the bodies do not all
 * sit in memory at once. The machine's clock is the stream's alarm time, so timed rules (escalation,
 * the shift limit) fire as they would.
 */
import { performance } from 'node:perf_hooks';
import { createActor } from 'xstate';
import { createFailoverMachine, outlook } from '../state-machines/index.ts';
import type { FailoverPolicy } from '../state-machines/index.ts';
import type { MessageOutcome } from '../src/controller/controller.ts';
import { matchSignal, signalRefs } from '../src/domain/signals.ts';
import { normalizeMessage } from '../src/events/normalize.ts';
import { runCliIfMain } from './lib/cli.ts';
import { EventMix } from './lib/event-mix.ts';
import { syntheticAlarm } from './lib/messages.ts';
import { counts, mdTable } from './lib/markdown.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { round } from './lib/stats.ts';

export type DecisionCostOptions = {
  /** Timed messages. Default 100 000. */
  messages: number;
  /** Messages built per chunk, untimed, before the chunk is timed. Default 10 000. */
  chunk: number;
  /** Untimed messages first, so the JIT has compiled the hot paths. Default 5 000. */
  warmup: number;
};

export const DECISION_COST_DEFAULTS: DecisionCostOptions = { messages: 100_000, chunk: 10_000, warmup: 5_000 };

const REGIONS = { primary: 'us-east-1', replica: 'us-west-2' };
const MINUTE = 60_000;

/** The contract's example policy, with the local stack's alarm names. */
export function examplePolicy(): FailoverPolicy {
  return {
    signals: {
      degraded: ['connect-primary-elevated-errors'],
      critical: ['connect-primary-outage'],
      replicaUnhealthy: ['connect-replica-outage'],
    },
    traffic: { healthy: 100, degraded: 50, failedOver: 0 },
    timing: {
      escalateAfterMs: 5 * MINUTE,
      recoverAfterMs: 10 * MINUTE,
      cooldownMs: 2 * MINUTE,
      maxAutomaticShifts: { count: 4, perMs: 60 * MINUTE },
    },
    failback: 'manual',
  };
}

/** The configured alarms of {@link examplePolicy}, all OK at `at`, as start-up reconciliation reads them. */
export function exampleAlarms(policy: FailoverPolicy, at: number) {
  const { degraded, critical, replicaUnhealthy } = policy.signals;
  return [
    ...[...degraded, ...critical].map((name) => ({
      alarm: syntheticAlarm(name, REGIONS.primary),
      value: 'OK' as const,
      at,
    })),
    ...replicaUnhealthy.map((name) => ({ alarm: syntheticAlarm(name, REGIONS.replica), value: 'OK' as const, at })),
  ];
}

/** One run: `messages` timed messages after `warmup` (defaults: {@link DECISION_COST_DEFAULTS}). */
export async function runDecisionCost(options: Partial<DecisionCostOptions> = {}): Promise<BenchResult> {
  const { messages, chunk, warmup } = { ...DECISION_COST_DEFAULTS, ...options };
  const policy = examplePolicy();
  const start = Date.UTC(2026, 10, 28, 12);
  const alarms = exampleAlarms(policy, start);
  const mix = new EventMix({ alarms, seed: 7 });
  const refs = signalRefs(policy.signals, REGIONS);
  const actor = createActor(createFailoverMachine(policy), { input: { now: start } }).start();
  actor.send({
    type: 'alarms.observed',
    alarms: alarms.map((a) => ({ alarm: a.alarm.name, value: a.value, at: a.at })),
    now: start,
  });
  const outcomes = new Map<MessageOutcome, number>();
  let clock = start;
  let desired = 0;

  /** What the controller does with one body before persisting: classify, apply, read the decision. */
  const decide = (body: string): MessageOutcome => {
    const event = normalizeMessage(body);
    if (event.kind === 'ignored') return 'ignored';
    if (event.kind === 'operator') {
      clock = Math.max(clock, event.requestedAt);
      const base = { reason: event.reason, by: event.requestedBy, now: clock };
      actor.send(
        event.command === 'failover'
          ? { type: 'operator.failoverRequested', force: event.force, ...base }
          : event.command === 'failback'
            ? { type: 'operator.failbackRequested', force: event.force, ...base }
            : event.command === 'pause'
              ? { type: 'operator.pauseRequested', ...base }
              : { type: 'operator.resumeRequested', ...base },
      );
      desired += outlook(policy, actor.getSnapshot()).desiredPrimaryPercent;
      return 'command';
    }
    const ref = matchSignal(refs, event.alarm);
    if (!ref) return 'unknownAlarm';
    const current = actor.getSnapshot().context.signals[ref.key];
    if (current !== undefined && event.stateAt <= current.at)
      return event.stateAt === current.at ? 'duplicate' : 'stale';
    clock = Math.max(clock, event.stateAt);
    actor.send({ type: 'alarm.changed', alarm: ref.key, value: event.state, at: event.stateAt, now: clock });
    desired += outlook(policy, actor.getSnapshot()).desiredPrimaryPercent;
    return 'applied';
  };

  for (let i = 0; i < warmup; i++) decide(mix.next().body);
  const seqBefore = actor.getSnapshot().context.seq;

  let totalMs = 0;
  let normalizeMs = 0;
  let done = 0;
  while (done < messages) {
    const bodies = Array.from({ length: Math.min(chunk, messages - done) }, () => mix.next().body);
    // Parsing alone first (it has no state), then the whole path on the same bodies.
    let t0 = performance.now();
    for (const body of bodies) normalizeMessage(body);
    normalizeMs += performance.now() - t0;
    t0 = performance.now();
    for (const body of bodies) {
      const outcome = decide(body);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    totalMs += performance.now() - t0;
    done += bodies.length;
  }
  actor.stop();

  const perMessage = (totalMs * 1000) / messages;
  const parse = (normalizeMs * 1000) / messages;
  return {
    name: 'decision-cost',
    figures: [
      {
        key: 'cost.total',
        label: 'In-process decision (parse + normalize + statechart), per message',
        value: round(perMessage),
        unit: 'µs',
        target: { op: '<=', value: 50 },
      },
      { key: 'cost.normalize', label: 'of which normalizeMessage', value: round(parse), unit: 'µs' },
      {
        key: 'cost.machine',
        label: 'of which signal lookup + statechart + outlook',
        value: round(perMessage - parse),
        unit: 'µs',
      },
    ],
    details: {
      messages,
      warmup,
      outcomes: Object.fromEntries(outcomes),
      decisions: actor.getSnapshot().context.seq - seqBefore,
      mix: mix.counts,
      // Keeps the outlook calls from being optimised away; meaningless as a number.
      desiredChecksum: desired,
    },
  };
}

export const decisionCost: Benchmark<DecisionCostOptions> = {
  name: 'decision-cost',
  title: 'In-process decision cost',
  method:
    'No AWS, no I/O. Per message: `normalizeMessage` (size check, JSON.parse, shape detection, validation), the signal lookup and ' +
    'at-least-once check the controller makes, `actor.send` on the statechart (`createActor`, as the controller runs it) and `outlook` ' +
    '(the desired split). 100 000 timed messages after 5 000 warm-up ones, from a seeded mix: 50 % state changes of the three ' +
    'configured alarms, 20 % duplicates, 10 % stale, 15 % alarms that are not signals, 5 % operator commands (resume, failback); ' +
    "bodies 80 % EventBridge, 10 % SNS envelope, 10 % SNS raw, built untimed in chunks of 10 000. The machine's clock is the stream's " +
    'alarm time (1 s per change), so escalation and the shift limit fire. `normalizeMessage` alone is timed on the same bodies.',
  defaults: DECISION_COST_DEFAULTS,
  runs: 3,
  run: runDecisionCost,
  details: (results) =>
    mdTable(
      ['run', 'outcomes', 'decisions'],
      results.map((r, i) => [
        i + 1,
        counts(r.details['outcomes'] as Record<string, number>),
        String(r.details['decisions']),
      ]),
    ),
};

runCliIfMain(decisionCost);
