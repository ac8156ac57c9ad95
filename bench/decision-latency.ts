/**
 * Decision latency end to end, on the embedded local stack over loopback: from `SendMessage` of a
 * message that demands a shift to the UpdateTrafficDistribution request arriving at the Connect
 * simulator (its `requests[].at`). Reps alternate a critical ALARM (→ failover) and an operator failback
 * (after an untimed critical OK, which changes no traffic), so every timed rep produces exactly one
 * update. Side by side, in the same process and on the same queue, the floor: a bare ReceiveMessage
 * loop timing SendMessage → received. Overhead = controller − floor, per percentile.
 *
 * The controller part runs three times: without alarm confirmation (behaviour 13), with it, and with it
 * while the CloudWatch simulator answers every DescribeAlarms `slowCloudWatchMs` late. Every alarm event
 * sent is a transition the simulator made first (`setAlarmState`, its own event delivery off), so a
 * confirming controller finds CloudWatch agreeing, as in production.
 *
 * Both clocks are `Date.now()` (the simulator's clock), so samples have 1 ms resolution.
 */
import { createSqsClient } from '../src/intake/sqs-client.ts';
import { runCliIfMain } from './lib/cli.ts';
import { measureController, measureFloor, meanStages } from './lib/latency-reps.ts';
import type { VariantResult } from './lib/latency-reps.ts';
import { alarmBody, StateClock } from './lib/messages.ts';
import { mdTable } from './lib/markdown.ts';
import type { Benchmark, BenchResult, Figure } from './lib/report.ts';
import { startBenchStack } from './lib/stack.ts';
import { round, summarize } from './lib/stats.ts';
import type { Summary } from './lib/stats.ts';

export type DecisionLatencyOptions = {
  /** Timed reps for the floor and for each controller variant (an even number). Default 200. */
  reps: number;
  /** Long-poll wait of both consumers, seconds. Default 20 (the production default). */
  waitTimeSeconds: number;
  /** The controller's store: `file` (the default in production: atomic, fsynced writes) or `memory`. */
  store: 'file' | 'memory';
  /** How late the CloudWatch simulator answers DescribeAlarms in the `slow` variant, ms. Default 200. */
  slowCloudWatchMs: number;
};

export const DECISION_LATENCY_DEFAULTS: DecisionLatencyOptions = {
  reps: 200,
  waitTimeSeconds: 20,
  store: 'file',
  slowCloudWatchMs: 200,
};

/** Untimed reps through a confirming controller before the variants. */
const WARM_UP_REPS = 20;

/** The controller runs of one benchmark run, in order: confirmation off, on, on with a slow CloudWatch. */
export const VARIANTS = ['off', 'confirm', 'slow'] as const;
export type Variant = (typeof VARIANTS)[number];

/** One run: the floor, then each controller variant, `reps` timed messages each (defaults: {@link DECISION_LATENCY_DEFAULTS}). */
export async function runDecisionLatency(options: Partial<DecisionLatencyOptions> = {}): Promise<BenchResult> {
  const { reps, waitTimeSeconds, store, slowCloudWatchMs } = { ...DECISION_LATENCY_DEFAULTS, ...options };
  // Each variant must end where the next starts (healthy, the critical alarm OK): reps come in pairs.
  if (reps < 2 || reps % 2 !== 0) throw new Error(`reps must be an even number ≥ 2, got ${reps}`);
  // No UPDATE_IN_PROGRESS window: verification is immediate, so reps follow each other quickly.
  const bench = await startBenchStack({ updateWindowMs: 0 });
  const { stack } = bench;
  const sqs = createSqsClient((await bench.config({ failback: 'manual' })).config.queue);
  try {
    const critical = stack.cloudwatch.alarms().find((a) => a.name === stack.alarms.critical[0]);
    if (!critical) throw new Error('the local stack has no critical alarm');
    const clock = new StateClock();
    // The floor goes first and ends on a sentinel message, not an abort: an aborted long poll may still
    // be handed the next message by the emulator, which would then hide from the controller for 30 s.
    const floor = await measureFloor(sqs, stack.queueUrl, reps, waitTimeSeconds, () =>
      alarmBody(critical, 'ALARM', clock.next()),
    );
    // From here the benchmark sends each alarm event itself, right after the simulator made the change.
    stack.deliverEvents(false);
    // Untimed warm-up through both paths, so the first variant does not pay for the JIT and cold sockets.
    await measureController(bench, sqs, {
      reps: Math.min(reps, WARM_UP_REPS),
      waitTimeSeconds,
      store,
      confirmAlarms: true,
      describeDelayMs: 0,
      queueName: 'decision-latency-warm-up',
    });
    const variants = {} as Record<Variant, VariantResult>;
    for (const variant of VARIANTS) {
      variants[variant] = await measureController(bench, sqs, {
        reps,
        waitTimeSeconds,
        store,
        confirmAlarms: variant !== 'off',
        describeDelayMs: variant === 'slow' ? slowCloudWatchMs : 0,
        queueName: `decision-latency-${variant}`,
      });
    }

    const off = variants.off;
    const c = summarize(off.samples);
    const f = summarize(floor.samples);
    const alarm = Object.fromEntries(VARIANTS.map((v) => [v, summarize(variants[v].alarm)])) as Record<
      Variant,
      Summary
    >;
    const figures: Figure[] = [
      ...percentiles('latency.controller', 'Controller: SendMessage → UpdateTrafficDistribution', c),
      ...percentiles('latency.floor', 'Floor: SendMessage → received (bare loop)', f),
      {
        key: 'latency.overhead.p50',
        label: 'Controller overhead over the floor, p50',
        value: round(c.p50 - f.p50),
        unit: 'ms',
      },
      {
        key: 'latency.overhead.p95',
        label: 'Controller overhead over the floor, p95',
        value: round(c.p95 - f.p95),
        unit: 'ms',
      },
      {
        key: 'latency.overhead.p99',
        label: 'Controller overhead over the floor, p99',
        value: round(c.p99 - f.p99),
        unit: 'ms',
        target: { op: '<=', value: 10 },
      },
      { key: 'latency.ratio.p50', label: 'Controller ÷ floor, p50', value: round(c.p50 / f.p50), unit: '×' },
      { key: 'latency.ratio.p99', label: 'Controller ÷ floor, p99', value: round(c.p99 / f.p99), unit: '×' },
      ...confirmationFigures(alarm, slowCloudWatchMs),
    ];
    return {
      name: 'decision-latency',
      figures,
      details: {
        reps,
        waitTimeSeconds,
        slowCloudWatchMs,
        updates: off.updates,
        floorReceived: floor.received,
        controller: roundSummary(c),
        controllerAlarm: roundSummary(alarm.off),
        controllerCommand: roundSummary(summarize(off.command)),
        floor: roundSummary(f),
        store,
        messagesSeen: off.messagesSeen,
        controllerP50ByQuarter: quarters(off.samples).map((q) => round(summarize(q).p50)),
        stateFileBytes: off.stateFileBytes,
        // Mean ms from SendMessage to each point on the way to the update (Date.now(), 1 ms resolution).
        meanMsSinceSend: meanStages(off.stages),
        variants: Object.fromEntries(
          VARIANTS.map((v) => [
            v,
            {
              updates: variants[v].updates,
              alarm: roundSummary(alarm[v]),
              command: roundSummary(summarize(variants[v].command)),
              confirmations: variants[v].confirmations,
              meanMsSinceSend: meanStages(variants[v].alarmStages),
            },
          ]),
        ),
      },
    };
  } finally {
    sqs.destroy();
    await bench.close();
  }
}

/** Alarm reps only: confirmation is asked for alarm events that would shift, never for commands. */
function confirmationFigures(alarm: Record<Variant, Summary>, slowMs: number): Figure[] {
  const figures: Figure[] = [];
  const labels: Record<Variant, string> = {
    off: 'Alarm → PUT, confirmation off',
    confirm: 'Alarm → PUT, confirmation on',
    slow: `Alarm → PUT, confirmation on, DescribeAlarms ${slowMs} ms late`,
  };
  for (const p of ['p50', 'p99'] as const) {
    for (const v of VARIANTS) {
      figures.push({
        key: `latency.alarm.${v}.${p}`,
        label: `${labels[v]}, ${p}`,
        value: round(alarm[v][p]),
        unit: 'ms',
      });
    }
    figures.push({
      key: `latency.confirmation.${p}`,
      label: `Confirmation adds (on − off), ${p}`,
      value: round(alarm.confirm[p] - alarm.off[p]),
      unit: 'ms',
    });
    figures.push({
      key: `latency.confirmation.slow.${p}`,
      label: `Confirmation adds with DescribeAlarms ${slowMs} ms late (slow − off), ${p}`,
      value: round(alarm.slow[p] - alarm.off[p]),
      unit: 'ms',
    });
  }
  return figures;
}

/** The samples in four consecutive parts, to show a trend over the run (a growing document, say). */
function quarters(samples: readonly number[]): number[][] {
  const size = Math.ceil(samples.length / 4);
  return [0, 1, 2, 3].map((i) => samples.slice(i * size, (i + 1) * size));
}

function percentiles(key: string, label: string, s: Summary): Figure[] {
  return (['p50', 'p95', 'p99'] as const).map((p) => ({
    key: `${key}.${p}`,
    label: `${label}, ${p}`,
    value: round(s[p]),
    unit: 'ms',
  }));
}

function roundSummary(s: Summary): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]));
}

export const decisionLatency: Benchmark<DecisionLatencyOptions> = {
  name: 'decision-latency',
  title: 'Decision latency end to end',
  method:
    'The controller runs in-process (`runController`, `waitTimeSeconds: 20`, file store, log level info) on the embedded local stack ' +
    '(fauxqs + Connect and CloudWatch simulators, loopback, one process). A rep sends one message with `SendMessage` and times until the ' +
    'UpdateTrafficDistribution request arrives at the Connect simulator (`requests[].at`). Reps alternate a critical ALARM ' +
    '(EventBridge body from `alarm-event-sink.ts`, → failover to 0 %) and an operator `failback` (→ 100 %); before each failback an untimed ' +
    'critical OK is sent (with `failback: manual` it shifts nothing), so every timed rep produces exactly one update (checked). Each rep starts ' +
    "when the previous one is verified and the controller's store is idle. Simulator update window 0 ms. The floor runs first in the same " +
    'process on the same queue: a bare ReceiveMessage (same parameters) + DeleteMessageBatch loop, timing SendMessage → received. ' +
    "Overhead = controller − floor at each percentile. Clocks are `Date.now()` (the simulator's), 1 ms resolution. 200 reps each. " +
    'The controller part runs three times per run, each on a fresh state file and queue, after an untimed warm-up of 20 reps through a confirming controller: `off`, without alarm confirmation (the controller figures and ' +
    'the overhead above are this variant, comparable with earlier tables); `confirm`, confirming each alarm event that would shift with ' +
    '`DescribeAlarms` (behaviour 13, the production default); `slow`, the same with the CloudWatch simulator answering every ' +
    '`DescribeAlarms` 200 ms late (`faults.delay`). Every alarm event sent is a transition the CloudWatch simulator made just before ' +
    '(`setAlarmState`, its own delivery to the queue off; the body is the EventBridge event of that transition), so confirmation finds ' +
    'CloudWatch agreeing. Only the failover reps (critical ALARM) are confirmed: an untimed OK with `failback: manual` and an operator ' +
    'command move nothing that needs it, so the alarm → PUT figures are the 100 failover reps of each variant.',
  defaults: DECISION_LATENCY_DEFAULTS,
  runs: 3,
  run: runDecisionLatency,
  details: (results) =>
    [
      mdTable(
        [
          'run',
          'controller p50 / p95 / p99 ms',
          'floor p50 / p95 / p99 ms',
          'updates',
          'mean ms after SendMessage: classified · started · GET · DESCRIBE · PUT',
          'controller p50 by quarter of the run',
        ],
        results.map((r, i) => {
          const d = r.details as {
            controller: Summary;
            floor: Summary;
            updates: number;
            meanMsSinceSend: Record<string, number | string>;
            controllerP50ByQuarter: number[];
          };
          const { confirm: _confirm, ...stages } = d.meanMsSinceSend;
          return [
            i + 1,
            `${d.controller.p50} / ${d.controller.p95} / ${d.controller.p99}`,
            `${d.floor.p50} / ${d.floor.p95} / ${d.floor.p99}`,
            d.updates,
            Object.values(stages).join(' · '),
            d.controllerP50ByQuarter.join(' · '),
          ];
        }),
      ),
      '',
      'Alarm confirmation, failover reps only (stage means too; `classified` is reported once the event is applied, so after its confirmation):',
      '',
      mdTable(
        [
          'run',
          'variant',
          'alarm → PUT p50 / p95 / p99 ms',
          'command → PUT p50 / p99 ms',
          'confirmations',
          'mean ms after SendMessage: DescribeAlarms · classified · started · GET · DESCRIBE · PUT',
        ],
        results.flatMap((r, i) => {
          const d = r.details as { variants: Record<Variant, VariantDetails> };
          return VARIANTS.map((v) => {
            const x = d.variants[v];
            const m = x.meanMsSinceSend;
            const confirmations = Object.entries(x.confirmations).map(([k, n]) => `${k} ${n}`);
            return [
              i + 1,
              v,
              `${x.alarm.p50} / ${x.alarm.p95} / ${x.alarm.p99}`,
              `${x.command.p50} / ${x.command.p99}`,
              confirmations.length > 0 ? confirmations.join(' · ') : 'none',
              [m.confirm, m.classified, m.started, m.get, m.describe, m.put].join(' · '),
            ];
          });
        }),
      ),
    ].join('\n'),
};

/** One variant's part of a run's details, as `runDecisionLatency` writes it. */
interface VariantDetails {
  updates: number;
  alarm: Summary;
  command: Summary;
  confirmations: Record<string, number>;
  meanMsSinceSend: Record<string, number | string>;
}

runCliIfMain(decisionLatency);
