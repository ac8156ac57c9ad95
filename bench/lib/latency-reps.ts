/**
 * The timed reps of the decision-latency benchmark: a bare consumer's floor, and one controller variant
 * (alarm confirmation off, on, or on against a slow CloudWatch) on the embedded local stack.
 */
import { stat } from 'node:fs/promises';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AlarmValue } from '../../src/config/types.ts';
import { toMessageBody } from '../../src/local/alarm-event-sink.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startController } from './controller-run.ts';
import { operatorBody } from './messages.ts';
import type { BenchStack } from './stack.ts';
import { round, summarize } from './stats.ts';
import { TrackedStore } from './tracked-store.ts';

/** What one controller variant measured. */
export interface VariantResult {
  samples: number[];
  alarm: number[];
  command: number[];
  updates: number;
  messagesSeen: number;
  confirmations: Record<string, number>;
  /** Every rep's stages, and the failover reps' alone (the only ones confirmed). */
  stages: Record<StageName, number[]>;
  alarmStages: Record<StageName, number[]>;
  stateFileBytes: number | undefined;
}

const STOP_BODY = '{"bench":"stop the floor loop"}';

/**
 * One controller variant on a fresh config and state file: `reps` timed reps alternating a critical
 * ALARM (→ failover) and an operator failback after an untimed critical OK. Starts and ends healthy with
 * the critical alarm OK in the simulator, so the next variant starts where this one did.
 */
export async function measureController(
  bench: BenchStack,
  sqs: SQSClient,
  options: {
    reps: number;
    waitTimeSeconds: number;
    store: 'file' | 'memory';
    confirmAlarms: boolean;
    describeDelayMs: number;
    /** The variant's own queue, created on the stack's emulator. */
    queueName: string;
  },
): Promise<VariantResult> {
  const { stack } = bench;
  // A queue of its own: the previous controller's abandoned long poll may still be handed the next
  // message on the old queue (the emulator's quirk), which would hide it for the visibility timeout.
  const created = await stack.sqs.send(new CreateQueueCommand({ QueueName: options.queueName }));
  const { config } = await bench.config({ failback: 'manual', queue: { url: created.QueueUrl! } });
  const critical = stack.alarms.critical[0]!;
  // The simulator makes the change, then the benchmark sends the event it describes (what EventBridge
  // would have delivered), so a confirming controller reads the state the event claims.
  const change = async (value: AlarmValue): Promise<string> => {
    const transition = await stack.cloudwatch.setAlarmState(stack.regions.primary, critical, value, 'benchmark');
    if (!transition) throw new Error(`the critical alarm was already ${value}`);
    return toMessageBody(transition, 'eventbridge');
  };
  const tracked = new TrackedStore(options.store === 'memory' ? new MemoryStore() : openStore(config.store));
  const controller = await startController({
    config,
    waitTimeSeconds: options.waitTimeSeconds,
    store: tracked,
    confirmAlarms: options.confirmAlarms,
  });
  const { observed } = controller;
  // Slowed only now: the start-up read is not what is measured.
  stack.cloudwatch.faults.delay('DescribeAlarms', options.describeDelayMs);
  const requests = stack.connect.requests;
  const cwCalls = stack.cloudwatch.calls;
  const result: VariantResult = {
    samples: [],
    alarm: [],
    command: [],
    updates: 0,
    messagesSeen: 0,
    confirmations: {},
    stages: emptyStages(),
    alarmStages: emptyStages(),
    stateFileBytes: undefined,
  };
  try {
    // Start-up reconciliation verifies the 100 % split without writing; wait for it to settle.
    await observed.until(() => observed.verified >= 1, 'start-up reconciliation');
    for (let i = 0; i < options.reps; i++) {
      const failover = i % 2 === 0;
      if (!failover) {
        const applied = observed.count('applied');
        await send(sqs, config.queue.url, await change('OK'));
        await observed.until(() => observed.count('applied') > applied, `critical OK of rep ${i} applied`);
      }
      // Each rep starts from a quiet controller: the previous rep's saves are not timed again.
      await tracked.idle();
      const body = failover ? await change('ALARM') : operatorBody('failback', Date.now());
      const target = failover ? config.traffic.failedOver : config.traffic.healthy;
      const before = requests.length;
      const cwBefore = cwCalls.length;
      const verified = observed.verified;
      const shiftsBefore = observed.shifts.length;
      const t0 = Date.now();
      await send(sqs, config.queue.url, body);
      await observed.until(() => observed.verified > verified, `shift of rep ${i} verified`);
      const puts = requests.slice(before).filter((r) => r.operation === 'UpdateTrafficDistribution');
      if (puts.length !== 1) throw new Error(`rep ${i} produced ${puts.length} updates, expected exactly one`);
      const put = puts[0]!;
      const sent = (put.body as { TelephonyConfig?: { Distributions?: Array<{ Region: string; Percentage: number }> } })
        .TelephonyConfig?.Distributions;
      const primary = sent?.find((d) => d.Region === stack.regions.primary)?.Percentage;
      if (primary !== target) throw new Error(`rep ${i} wrote ${primary}% to the primary, expected ${target}%`);
      result.updates += 1;
      result.samples.push(put.at - t0);
      const confirmAt = cwCalls.slice(cwBefore).find((c) => c.operation === 'DescribeAlarms')?.at;
      const into = failover ? [result.stages, result.alarmStages] : [result.stages];
      for (const stages of into) {
        recordStages(stages, t0, observed.lastMessageAt, confirmAt, observed, shiftsBefore, requests.slice(before));
      }
      (failover ? result.alarm : result.command).push(put.at - t0);
    }
  } finally {
    stack.cloudwatch.faults.delay('DescribeAlarms', 0);
    await controller.stop();
  }
  result.messagesSeen = observed.messages;
  result.confirmations = Object.fromEntries(observed.confirmations);
  if (options.store === 'file' && config.store.type === 'file')
    result.stateFileBytes = (await stat(config.store.path)).size;
  return result;
}

/**
 * Points on the way from SendMessage to the update: the message classified by the controller (its
 * message hook, called once the event is applied, so after any confirmation), the DescribeAlarms that
 * confirms it arriving at the CloudWatch simulator, the reconciler's `started` outcome (batch persisted),
 * and the Connect simulator's arrival times of the shifter's GetTrafficDistribution,
 * DescribeTrafficDistributionGroup and UpdateTrafficDistribution.
 */
export type StageName = 'classified' | 'confirm' | 'started' | 'get' | 'describe' | 'put';

function recordStages(
  stages: Record<StageName, number[]>,
  t0: number,
  classifiedAt: number,
  confirmAt: number | undefined,
  observed: { shifts: readonly { kind: string }[]; shiftTimes: readonly number[] },
  shiftsBefore: number,
  requests: ReadonlyArray<{ at: number; operation: string }>,
): void {
  const startedIndex = observed.shifts.findIndex((s, i) => i >= shiftsBefore && s.kind === 'started');
  const at = (operation: string) => requests.find((r) => r.operation === operation)?.at;
  const points: Array<[StageName, number | undefined]> = [
    ['classified', classifiedAt],
    ['confirm', confirmAt],
    ['started', startedIndex >= 0 ? observed.shiftTimes[startedIndex] : undefined],
    ['get', at('GetTrafficDistribution')],
    ['describe', at('DescribeTrafficDistributionGroup')],
    ['put', at('UpdateTrafficDistribution')],
  ];
  for (const [name, point] of points) if (point !== undefined) stages[name].push(point - t0);
}

/** Mean ms after SendMessage of each stage that was seen ('-' for one never seen, e.g. no confirmation). */
function emptyStages(): Record<StageName, number[]> {
  return { classified: [], confirm: [], started: [], get: [], describe: [], put: [] };
}

export function meanStages(stages: Record<StageName, number[]>): Record<string, number | string> {
  return Object.fromEntries(
    Object.entries(stages).map(([k, v]) => [k, v.length === 0 ? '-' : round(summarize(v).mean)]),
  );
}

async function send(sqs: SQSClient, queueUrl: string, body: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
}

/**
 * A bare consumer: long-poll ReceiveMessage (same parameters as the controller's intake), note the time,
 * DeleteMessageBatch. Each rep sends one message and waits for the loop to have received and deleted it.
 */
export async function measureFloor(
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
