/** The controller's vocabulary, shared by its collaborators, the intake, metrics and benchmarks. */
import type { Decision, FailoverSnapshot } from '../../state-machines/index.ts';
import type { ControllerDocument } from './document.ts';
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

/**
 * What became of each message of a batch; the intake deletes all but the malformed ones. `future`: an
 * alarm event dated beyond the skew tolerance, refused.
 */
export type MessageOutcome = 'applied' | 'duplicate' | 'stale' | 'future' | 'unknownAlarm' | 'ignored' | 'command' | 'malformed';

export interface ControllerHooks {
  /** Called after each message is classified (for metrics). */
  message?(outcome: MessageOutcome, shape: string | undefined): void;
  /** Called for every decision of the statechart. */
  decision?(decision: Decision): void;
  /** Called for every reconcile outcome. */
  shift?(outcome: ReconcileOutcome): void;
  /** Called after every state change (for gauges). */
  state?(snapshot: FailoverSnapshot, doc: ControllerDocument): void;
}

/** ISO 8601 text of an epoch-ms time, as the document and logs keep times. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
