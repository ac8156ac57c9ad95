/** The controller's vocabulary, shared by its collaborators, the intake, metrics and benchmarks. */
import type { Decision, FailoverSnapshot } from '../../state-machines/index.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { TrafficControl } from '../connect/traffic-port.ts';
import type { LeaseLostError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateStore } from '../store/store.ts';
import type { StoreRetry } from './document-saver.ts';
import type { ControllerDocument } from './document.ts';
import type { MessageOutcome } from '../domain/message-outcome.ts';
import type { ReconcileOutcome } from './reconciler.ts';

/** One message from the queue, as the intake hands it over. */
export interface InboundMessage {
  messageId: string;
  body: string;
  receivedAt: number;
  sentAt?: number | undefined;
  /** The IAM principal SQS says sent it (for the audit of operator commands). */
  senderId?: string | undefined;
}

export type { MessageOutcome } from '../domain/message-outcome.ts';

export interface ControllerHooks {
  /** Called after each message is classified (for metrics). */
  message?(outcome: MessageOutcome, shape: string | undefined): void;
  /** Called for every decision of the statechart. */
  decision?(decision: Decision): void;
  /** Called for every reconcile outcome. */
  shift?(outcome: ReconcileOutcome): void;
  /** Called for every alarm event confirmed with DescribeAlarms before a shift (behaviour 13). */
  confirmation?(outcome: 'confirmed' | 'contradicted' | 'superseded' | 'unconfirmed'): void;
  /** Called after every state change (for gauges). */
  state?(snapshot: FailoverSnapshot, doc: ControllerDocument): void;
}

/** What a Controller runs with. */
export interface ControllerOptions {
  config: Config;
  store: StateStore;
  traffic: TrafficControl;
  alarms: AlarmReader;
  clock: Clock;
  logger: Logger;
  dryRun?: boolean;
  hooks?: ControllerHooks;
  /** How often a settled split is read again to catch changes made by hand (default 5 min; 0: never). */
  resyncMs?: number;
  /**
   * Failed saves are retried with full-jitter backoff (default 1 s doubling to 15 s); after `maxFailures`
   * in a row (default 6, about a minute) the controller stops: the messages whose state was not saved were
   * not deleted, so they come back to the next controller.
   */
  storeRetry?: StoreRetry;
  /** How often every signal is read with DescribeAlarms (default: `timing.alarmPoll`; 0: at start-up only). */
  alarmPollMs?: number;
  /** Confirm an alarm event with DescribeAlarms before it may cause an automatic shift (default true). */
  confirmAlarms?: boolean;
  /** Told when the store refused a save because another controller leads now (the lease was lost). */
  onLeaseLost?: (error: LeaseLostError) => void;
}

/** ISO 8601 text of an epoch-ms time, as the document and logs keep times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
