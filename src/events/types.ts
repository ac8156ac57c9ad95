import type { AlarmValue } from '../config/types.ts';

/** How a message reached the queue. */
export type MessageShape = 'eventbridge' | 'sns-envelope' | 'sns-raw' | 'operator-command';

/** A CloudWatch alarm, identified as fully as the message allows. */
export interface AlarmIdentity {
  arn: string;
  name: string;
  accountId: string;
  /** Region code (`us-east-1`), taken from the ARN, never from SNS's display name. */
  region: string;
  composite: boolean;
}

/** One alarm state change, whatever shape carried it. */
export interface AlarmStateChange {
  kind: 'alarm';
  shape: Exclude<MessageShape, 'operator-command'>;
  /** EventBridge `id` or SNS `MessageId`: differs between paths for one transition, so not a dedup key. */
  messageId: string | undefined;
  alarm: AlarmIdentity;
  state: AlarmValue;
  previousState: AlarmValue | undefined;
  /** Epoch ms of the alarm-state timestamp: the ordering and deduplication key with the ARN and state. */
  stateAt: number;
  reason: string | undefined;
}

export type OperatorCommandName = 'failover' | 'failback' | 'pause' | 'resume';

/** An operator command sent through the queue by the CLI (documented in the README). */
export interface OperatorCommand {
  kind: 'operator';
  shape: 'operator-command';
  /** Unique per command; repeated deliveries of one command are applied once. */
  id: string;
  command: OperatorCommandName;
  reason: string;
  force: boolean;
  /** Failback only: straight back to healthy, skipping the remaining failback steps (CLI `--now`). Default false. */
  now: boolean;
  requestedBy: string;
  /** Epoch ms when the operator issued it. */
  requestedAt: number;
}

/** A well-formed message that is deliberately not acted on (e.g. an alarm configuration change). */
export interface IgnoredMessage {
  kind: 'ignored';
  shape: MessageShape;
  messageId: string | undefined;
  why: string;
}

export type QueueEvent = AlarmStateChange | OperatorCommand | IgnoredMessage;
