/** The controller's vocabulary, shared by its collaborators, the intake, metrics and benchmarks. */
import type { Decision, FailoverSnapshot } from '../../state-machines/index.ts';
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

/** ISO 8601 text of an epoch-ms time, as the document and logs keep times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
