/**
 * Feeds the controller's metrics from its hooks, and wraps the receive loop and batches so every turn is
 * recorded: the glue between the controller and observability, so neither imports the other.
 */
import { outlook, statesOf } from '../../state-machines/index.ts';
import type { FailoverPolicy, FailoverSnapshot } from '../../state-machines/index.ts';
import type { ConnectCall } from '../connect/traffic-port.ts';
import type { ControllerHooks } from '../controller/controller-types.ts';
import type { ControllerDocument } from '../controller/document.ts';
import type { ReconcileOutcome } from '../controller/reconciler.ts';
import type { ControllerMetrics } from '../observability/metrics.ts';

/** The hooks `runController` takes: the controller's plus the Connect call observer and `ready`. */
export type InstrumentedHooks = ControllerHooks & { connectCall?(call: ConnectCall): void; ready?(): void };

/** A message of a received batch, as far as the metrics care. */
export interface ReceivedForMetrics {
  sentAt: number | undefined;
  receivedAt: number;
}

/** What {@link instrumentController} gives `runController`. */
export interface ControllerInstrumentation {
  /** `base` (called first) followed by the metrics' own hooks. */
  hooks(base?: InstrumentedHooks): InstrumentedHooks;
  /** Wraps a receive so every turn of the loop is recorded (success or failure). */
  receive<T>(
    receive: (signal: AbortSignal, waitTimeSeconds?: number) => Promise<T>,
  ): (signal: AbortSignal, waitTimeSeconds?: number) => Promise<T>;
  /** Call around the handling of one batch: decisions inside it are timed from `now()` at this call. */
  batch<T>(messages: readonly ReceivedForMetrics[], handle: () => Promise<T>): Promise<T>;
}

/** Decisions remembered for the decision→verified histogram (the newest ones; older are dropped). */
const REMEMBERED_DECISIONS = 64;

/**
 * Feeds {@link ControllerMetrics} from the controller's hooks. `now` is the controller's clock, the one
 * decisions and shifts are stamped with.
 *
 * Receive→decision: a message hook with outcome `applied` or `command` marks the decisions that follow
 * (until the `state` hook that ends that statechart step) as caused by the batch in hand; ticks and
 * start-up observations are not counted. Decision→verified: a verified shift's target carries the
 * sequence number of the decision that set it.
 */
export function instrumentController(
  metrics: ControllerMetrics,
  policy: FailoverPolicy,
  now: () => number,
): ControllerInstrumentation {
  let batchStartedAt: number | undefined;
  let causedByMessage = false;
  const decidedAt = new Map<number, number>();

  const own: Required<Omit<InstrumentedHooks, 'ready'>> = {
    message(outcome, shape) {
      metrics.message(outcome, shape);
      if (outcome === 'applied' || outcome === 'command') causedByMessage = true;
    },
    decision(decision) {
      metrics.transition(decision);
      if (causedByMessage && batchStartedAt !== undefined) metrics.receiveToDecision(now() - batchStartedAt);
      decidedAt.set(decision.seq, decision.at);
      if (decidedAt.size > REMEMBERED_DECISIONS) decidedAt.delete(decidedAt.keys().next().value as number);
    },
    state(snapshot: FailoverSnapshot, doc: ControllerDocument) {
      causedByMessage = false;
      const { health, automation } = statesOf(snapshot);
      metrics.state(health, automation, outlook(policy, snapshot).desiredPrimaryPercent);
      if (doc.actual) metrics.actualPrimaryPercent(doc.actual.telephonyPrimaryPercent);
    },
    shift(outcome: ReconcileOutcome) {
      switch (outcome.kind) {
        case 'started':
          return;
        case 'verified': {
          metrics.shift(outcome.result.outcome);
          metrics.actualPrimaryPercent(outcome.result.split.telephonyPrimaryPercent);
          const at = decidedAt.get(outcome.target.seq);
          if (at !== undefined) {
            metrics.decisionToVerified(outcome.result.verifiedAt - at);
            decidedAt.delete(outcome.target.seq);
          }
          return;
        }
        case 'failed':
          metrics.shift('failed');
          return;
        case 'observed':
          metrics.shift('observed');
          metrics.actualPrimaryPercent(outcome.split.telephonyPrimaryPercent);
          return;
      }
    },
    confirmation(outcome) {
      metrics.confirmation(outcome);
    },
    connectCall(call) {
      metrics.connectCall(call);
      if (call.operation === 'GetTrafficDistribution' && call.error === undefined && call.split) {
        metrics.actualPrimaryPercent(call.split.telephonyPrimaryPercent);
      }
    },
  };

  return {
    hooks(base = {}) {
      return {
        ...base,
        message: (outcome, shape) => {
          base.message?.(outcome, shape);
          own.message(outcome, shape);
        },
        decision: (decision) => {
          base.decision?.(decision);
          own.decision(decision);
        },
        state: (snapshot, doc) => {
          base.state?.(snapshot, doc);
          own.state(snapshot, doc);
        },
        shift: (outcome) => {
          base.shift?.(outcome);
          own.shift(outcome);
        },
        connectCall: (call) => {
          base.connectCall?.(call);
          own.connectCall(call);
        },
        confirmation: (outcome) => {
          base.confirmation?.(outcome);
          own.confirmation(outcome);
        },
      };
    },
    receive(receive) {
      return async (signal, waitTimeSeconds) => {
        try {
          const result = await receive(signal, waitTimeSeconds);
          // A receive that returns because we are stopping proves nothing about the queue.
          if (!signal.aborted) metrics.receiveSucceeded();
          return result;
        } catch (error) {
          metrics.receiveFailed();
          throw error;
        }
      };
    },
    async batch(messages, handle) {
      for (const m of messages) metrics.messageReceived(m.sentAt ?? m.receivedAt, m.receivedAt);
      batchStartedAt = now();
      try {
        return await handle();
      } finally {
        batchStartedAt = undefined;
        causedByMessage = false;
      }
    },
  };
}
