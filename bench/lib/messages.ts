/**
 * Queue bodies for benchmarks, made with the local stack's own builders (alarm-event-sink.ts) and the
 * operator-command encoder, so they are exactly what the controller reads in production.
 */
import { randomUUID } from 'node:crypto';
import type { AlarmValue } from '../../src/config/types.ts';
import { encodeOperatorCommand } from '../../src/events/normalize.ts';
import { toMessageBody } from '../../src/local/alarm-event-sink.ts';
import type { AlarmDescriptor, AlarmMessageShape } from '../../src/local/alarm-event-sink.ts';

/**
 * The account of synthetic alarms and groups (the local stack's). A literal, not imported from
 * local-stack.ts, so in-process benchmarks do not load the emulator and simulators they do not run.
 */
export const BENCH_ACCOUNT = '111122223333';
export const BENCH_TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
export const BENCH_TDG_ARN = `arn:aws:connect:us-east-1:${BENCH_ACCOUNT}:traffic-distribution-group/${BENCH_TDG_ID}`;
/** Dummy credentials for clients pointed at a simulator directly. */
export const BENCH_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' } as const;

/** A composite alarm as the CloudWatch simulator describes one, for benchmarks that run without a stack. */
export function syntheticAlarm(name: string, region = 'us-east-1', accountId = BENCH_ACCOUNT): AlarmDescriptor {
  return {
    name,
    arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
    region,
    accountId,
    type: 'composite',
    alarmRule: `ALARM("${name}-child")`,
    configurationUpdatedAt: Date.UTC(2026, 0, 1),
    actions: { ok: [], alarm: [], insufficientData: [] },
  };
}

/** The body CloudWatch (through EventBridge, by default) would put on the queue for this change. */
export function alarmBody(
  alarm: AlarmDescriptor,
  value: AlarmValue,
  stateAt: number,
  options: { previous?: AlarmValue; shape?: AlarmMessageShape } = {},
): string {
  const previous = options.previous ?? (value === 'ALARM' ? 'OK' : 'ALARM');
  return toMessageBody(
    {
      alarm,
      previous: { value: previous, reason: 'benchmark', timestamp: stateAt - 1 },
      current: { value, reason: `benchmark: ${value}`, timestamp: stateAt },
    },
    options.shape ?? 'eventbridge',
  );
}

/** An operator command body, as `connect-failover failback|failover|pause|resume` sends it. */
export function operatorBody(command: 'failover' | 'failback' | 'pause' | 'resume', requestedAt: number): string {
  return encodeOperatorCommand({
    id: randomUUID(),
    command,
    reason: 'benchmark',
    force: false,
    requestedBy: 'bench',
    requestedAt,
  });
}

/** Strictly increasing alarm-state timestamps near the wall clock (two changes in one ms stay ordered). */
export class StateClock {
  #last = 0;

  next(): number {
    this.#last = Math.max(this.#last + 1, Date.now());
    return this.#last;
  }
}
