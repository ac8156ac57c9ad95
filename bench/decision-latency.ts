/**
 * Decision latency end to end, on the embedded local stack over loopback: from `SendMessage` of a
 * message that demands a shift to the UpdateTrafficDistribution request arriving at the Connect
 * simulator (its `requests[].at`). Reps alternate a critical ALARM (→ failover) and an operator failback
 * (after an untimed critical OK, which changes no traffic), so every timed rep produces exactly one
 * update. Side by side, in the same process and on the same queue, the floor: a bare ReceiveMessage
 * loop timing SendMessage → received. Overhead = controller − floor, per percentile.
 *
 * Both clocks are `Date.now()` (the simulator's clock), so samples have 1 ms resolution.
 */
import { stat } from 'node:fs/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../src/intake/sqs-client.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { openStore } from '../src/store/open-store.ts';
import { runCliIfMain } from './lib/cli.ts';
import { startController } from './lib/controller-run.ts';
import { alarmBody, operatorBody, StateClock } from './lib/messages.ts';
import { mdTable } from './lib/markdown.ts';
import type { Benchmark, BenchResult, Figure } from './lib/report.ts';
import { startBenchStack } from './lib/stack.ts';
import { TrackedStore } from './lib/tracked-store.ts';
import { round, summarize } from './lib/stats.ts';
import type { Summary } from './lib/stats.ts';

export type DecisionLatencyOptions = {
  /** Timed reps for the controller and for the floor each. Default 200. */
  reps: number;
  /** Long-poll wait of both consumers, seconds. Default 20 (the production default). */
  waitTimeSeconds: number;
  /** The controller's store: `file` (the default in production: atomic, fsynced writes) or `memory`. */
  store: 'file' | 'memory';
};

export const DECISION_LATENCY_DEFAULTS: DecisionLatencyOptions = { reps: 200, waitTimeSeconds: 20, store: 'file' };

const STOP_BODY = '{"bench":"stop the floor loop"}';

/** One run: the floor, then the controller, `reps` timed messages each (defaults: {@link DECISION_LATENCY_DEFAULTS}). */
export async function runDecisionLatency(options: Partial<DecisionLatencyOptions> = {}): Promise<BenchResult> {
  const { reps, waitTimeSeconds, store } = { ...DECISION_LATENCY_DEFAULTS, ...options };
  // No UPDATE_IN_PROGRESS window: verification is immediate, so reps follow each other quickly.
  const bench = await startBenchStack({ updateWindowMs: 0 });
  const { stack } = bench;
  const { config } = await bench.config({ failback: 'manual' });
  const sqs = createSqsClient(config.queue);
  try {
    const critical = stack.cloudwatch.alarms().find((a) => a.name === stack.alarms.critical[0]);
    if (!critical) throw new Error('the local stack has no critical alarm');
    const clock = new StateClock();
    // The floor goes first and ends on a sentinel message, not an abort: an aborted long poll may still
    // be handed the next message by the emulator, which would then hide from the controller for 30 s.
    const floor = await measureFloor(sqs, config.queue.url, reps, waitTimeSeconds, () =>
      alarmBody(critical, 'ALARM', clock.next()),
    );

    const tracked = new TrackedStore(store === 'memory' ? new MemoryStore() : openStore(config.store));
    const controller = await startController({ config, waitTimeSeconds, store: tracked });
    const { observed } = controller;
    const requests = stack.connect.requests;
    const samples: number[] = [];
    const byKind = { alarm: [] as number[], command: [] as number[] };
    let updates = 0;
    const stages: Record<StageName, number[]> = { classified: [], started: [], get: [], describe: [], put: [] };
    try {
      // Start-up reconciliation verifies the 100 % split without writing; wait for it to settle.
      await observed.until(() => observed.verified >= 1, 'start-up reconciliation');
      for (let i = 0; i < reps; i++) {
        const failover = i % 2 === 0;
        if (!failover) {
          const applied = observed.count('applied');
          await send(sqs, config.queue.url, alarmBody(critical, 'OK', clock.next()));
          await observed.until(() => observed.count('applied') > applied, `critical OK of rep ${i} applied`);
        }
        // Each rep starts from a quiet controller: the previous rep's saves are not timed again.
        await tracked.idle();
        const body = failover ? alarmBody(critical, 'ALARM', clock.next()) : operatorBody('failback', Date.now());
        const target = failover ? config.traffic.failedOver : config.traffic.healthy;
        const before = requests.length;
        const verified = observed.verified;
        const shiftsBefore = observed.shifts.length;
        const t0 = Date.now();
        await send(sqs, config.queue.url, body);
        await observed.until(() => observed.verified > verified, `shift of rep ${i} verified`);
        const puts = requests.slice(before).filter((r) => r.operation === 'UpdateTrafficDistribution');
        if (puts.length !== 1) throw new Error(`rep ${i} produced ${puts.length} updates, expected exactly one`);
        const put = puts[0]!;
        const sent = (
          put.body as { TelephonyConfig?: { Distributions?: Array<{ Region: string; Percentage: number }> } }
        ).TelephonyConfig?.Distributions;
        const primary = sent?.find((d) => d.Region === stack.regions.primary)?.Percentage;
        if (primary !== target) throw new Error(`rep ${i} wrote ${primary}% to the primary, expected ${target}%`);
        updates += 1;
        samples.push(put.at - t0);
        recordStages(stages, t0, observed.lastMessageAt, observed, shiftsBefore, requests.slice(before));
        (failover ? byKind.alarm : byKind.command).push(put.at - t0);
      }
    } finally {
      await controller.stop();
    }

    const c = summarize(samples);
    const f = summarize(floor.samples);
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
    ];
    return {
      name: 'decision-latency',
      figures,
      details: {
        reps,
        waitTimeSeconds,
        updates,
        floorReceived: floor.received,
        controller: roundSummary(c),
        controllerAlarm: roundSummary(summarize(byKind.alarm)),
        controllerCommand: roundSummary(summarize(byKind.command)),
        floor: roundSummary(f),
        store,
        messagesSeen: observed.messages,
        controllerP50ByQuarter: quarters(samples).map((q) => round(summarize(q).p50)),
        stateFileBytes:
          store === 'file' && config.store.type === 'file' ? (await stat(config.store.path)).size : undefined,
        // Mean ms from SendMessage to each point on the way to the update (Date.now(), 1 ms resolution).
        meanMsSinceSend: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, round(summarize(v).mean)])),
      },
    };
  } finally {
    sqs.destroy();
    await bench.close();
  }
}

/**
 * Points on the way from SendMessage to the update: the message classified by the controller (received
 * and parsed), the reconciler's `started` outcome (batch persisted), and the simulator's arrival times of
 * the shifter's GetTrafficDistribution, DescribeTrafficDistributionGroup and UpdateTrafficDistribution.
 */
type StageName = 'classified' | 'started' | 'get' | 'describe' | 'put';

function recordStages(
  stages: Record<StageName, number[]>,
  t0: number,
  classifiedAt: number,
  observed: { shifts: readonly { kind: string }[]; shiftTimes: readonly number[] },
  shiftsBefore: number,
  requests: ReadonlyArray<{ at: number; operation: string }>,
): void {
  const startedIndex = observed.shifts.findIndex((s, i) => i >= shiftsBefore && s.kind === 'started');
  const at = (operation: string) => requests.find((r) => r.operation === operation)?.at;
  const points: Array<[StageName, number | undefined]> = [
    ['classified', classifiedAt],
    ['started', startedIndex >= 0 ? observed.shiftTimes[startedIndex] : undefined],
    ['get', at('GetTrafficDistribution')],
    ['describe', at('DescribeTrafficDistributionGroup')],
    ['put', at('UpdateTrafficDistribution')],
  ];
  for (const [name, point] of points) if (point !== undefined) stages[name].push(point - t0);
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

async function send(sqs: SQSClient, queueUrl: string, body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/**
 * A bare consumer: long-poll ReceiveMessage (same parameters as the controller's intake), note the time,
 * DeleteMessageBatch. Each rep sends one message and waits for the loop to have received and deleted it.
 */
async function measureFloor(
  sqs: SQSClient,
  queueUrl: string,
  reps: number,
  waitTimeSeconds: number,
  body: () => string,
): Promise<{ samples: number[]; received: number }> {
  let received = 0;
  let waiting: ((at: number) => void) | undefined;
  const loop = (async () => {
    for (;;) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitTimeSeconds,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
      );
      const at = Date.now();
      const messages = out.Messages ?? [];
      if (messages.length === 0) continue;
      received += messages.length;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      if (messages.some((m) => m.Body === STOP_BODY)) return;
      waiting?.(at);
    }
  })();
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const got = new Promise<number>((resolve) => (waiting = resolve));
    const t0 = Date.now();
    await send(sqs, queueUrl, body());
    samples.push((await Promise.race([got, loop.then(() => Number.NaN)])) - t0);
  }
  await send(sqs, queueUrl, STOP_BODY);
  await loop;
  return { samples, received: received - 1 };
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
    "Overhead = controller − floor at each percentile. Clocks are `Date.now()` (the simulator's), 1 ms resolution. 200 reps each.",
  defaults: DECISION_LATENCY_DEFAULTS,
  runs: 3,
  run: runDecisionLatency,
  details: (results) =>
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
          meanMsSinceSend: Record<string, number>;
          controllerP50ByQuarter: number[];
        };
        return [
          i + 1,
          `${d.controller.p50} / ${d.controller.p95} / ${d.controller.p99}`,
          `${d.floor.p50} / ${d.floor.p95} / ${d.floor.p99}`,
          d.updates,
          Object.values(d.meanMsSinceSend).join(' · '),
          d.controllerP50ByQuarter.join(' · '),
        ];
      }),
    ),
};

runCliIfMain(decisionLatency);
