/**
 * The controller's Prometheus metrics, in a registry of their own: never prom-client's global registry, so
 * two controllers in one process (tests, game days) never share a counter. Every name starts with
 * `connect_failover_`; docs/runbook.md lists them all with what an alert on each means.
 *
 * {@link ControllerMetrics} records; {@link instrumentController} turns the controller's hooks and the
 * intake's receives into records, and correlates them for the two latency histograms.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AutomationState, Decision, HealthState } from '../../state-machines/index.ts';
import type { ConnectCall } from '../connect/traffic-port.ts';
import { AUTOMATION_STATES, HEALTH_STATES } from '../domain/states.ts';
import type { MessageOutcome } from '../domain/message-outcome.ts';

/** Every metric name starts with this. */
export const METRIC_PREFIX = 'connect_failover_';

export const MESSAGE_OUTCOMES: readonly MessageOutcome[] = [
  'applied',
  'duplicate',
  'stale',
  'future',
  'unknownAlarm',
  'ignored',
  'command',
  'malformed',
  'forged',
];

/**
 * Histogram buckets in seconds, from 5 ms to 10 min: a decision takes milliseconds, a verified shift
 * seconds (UPDATE_IN_PROGRESS), and a shift through an API outage minutes.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];

/** How a reconcile ended, as counted by `connect_failover_shifts_total{outcome}`. */
export type ShiftCountOutcome = 'verified' | 'alreadyInPlace' | 'failed' | 'observed';

/** The controller as the metrics last saw it; `undefined` until known. For the CloudWatch heartbeat. */
export interface ObservedState {
  health: HealthState | undefined;
  automation: AutomationState | undefined;
  desiredPrimaryPercent: number | undefined;
  actualPrimaryPercent: number | undefined;
  /** True from a failed shift attempt until a shift (or a read-only reconcile) succeeds. */
  shiftFailing: boolean;
}

/** When the receive loop last turned and last succeeded (epoch ms); `undefined` before the first. */
export interface ReceiveTimes {
  lastAttemptAt: number | undefined;
  lastSuccessAt: number | undefined;
}

export interface ControllerMetricsOptions {
  /**
   * Wall-clock epoch ms, for receive times and ages computed at scrape time (SQS SentTimestamp is wall
   * time, so an injected test clock would not do here). Default `Date.now`.
   */
  now?: () => number;
}

/** The controller's metrics and the few facts the health endpoints and the heartbeat read back. */
export class ControllerMetrics {
  /** This controller's registry (not the global one). */
  readonly registry = new Registry();
  readonly #now: () => number;
  #state: ObservedState = {
    health: undefined,
    automation: undefined,
    desiredPrimaryPercent: undefined,
    actualPrimaryPercent: undefined,
    shiftFailing: false,
  };
  #receives: ReceiveTimes = { lastAttemptAt: undefined, lastSuccessAt: undefined };
  #newestEventAt: number | undefined;

  readonly #health: Gauge<'state'>;
  readonly #automation: Gauge<'mode'>;
  readonly #desired: Gauge;
  readonly #actual: Gauge;
  readonly #drift: Gauge;
  readonly #shiftFailing: Gauge;
  readonly #transitions: Counter<'region' | 'from' | 'to' | 'trigger'>;
  readonly #shifts: Counter<'outcome'>;
  readonly #retries: Counter;
  readonly #connectCalls: Counter<'operation' | 'region' | 'status'>;
  readonly #connectDuration: Histogram<'operation' | 'region'>;
  readonly #messages: Counter<'shape' | 'outcome'>;
  readonly #queueDelay: Histogram;
  readonly #receiveToDecision: Histogram;
  readonly #decisionToVerified: Histogram;
  readonly #receiveErrors: Counter;
  readonly #lastReceive: Gauge;
  readonly #heartbeats: Counter<'outcome'>;
  readonly #preflight: Gauge<'status'>;
  readonly #confirmations: Counter<'outcome'>;

  constructor(options: ControllerMetricsOptions = {}) {
    this.#now = options.now ?? Date.now;
    const registers = [this.registry];
    const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;
    this.#health = new Gauge({
      name: name('health_state'),
      help: 'Health state of the statechart: 1 for the current state, 0 for the others.',
      labelNames: ['state'],
      registers,
    });
    this.#automation = new Gauge({
      name: name('automation_mode'),
      help: 'Automation mode: 1 for the current mode, 0 for the others.',
      labelNames: ['mode'],
      registers,
    });
    this.#desired = new Gauge({
      name: name('desired_primary_percent'),
      help: 'Percent of telephony traffic the current state wants on the primary Region (NaN until known).',
      registers,
    });
    this.#actual = new Gauge({
      name: name('actual_primary_percent'),
      help: 'Percent of telephony traffic Connect last reported on the primary Region (NaN until read).',
      registers,
    });
    this.#drift = new Gauge({
      name: name('drift_percent'),
      help: 'Desired minus actual primary percent; 0 when Connect matches the state (NaN until both are known).',
      registers,
    });
    this.#shiftFailing = new Gauge({
      name: name('shift_failing'),
      help: '1 while the last shift attempt failed and is being retried, else 0.',
      registers,
    });
    this.#transitions = new Counter({
      name: name('transitions_total'),
      help: 'Statechart transitions by statechart region (health or automation), from, to and trigger (automatic or operator).',
      labelNames: ['region', 'from', 'to', 'trigger'],
      registers,
    });
    this.#shifts = new Counter({
      name: name('shifts_total'),
      help: 'Reconciles of the traffic split by outcome: verified, alreadyInPlace, failed (will be retried), observed (read only: dry run or paused).',
      labelNames: ['outcome'],
      registers,
    });
    this.#retries = new Counter({
      name: name('shift_retries_total'),
      help: 'Failed shift attempts; each is retried with backoff.',
      registers,
    });
    this.#connectCalls = new Counter({
      name: name('connect_calls_total'),
      help: 'Amazon Connect API calls by operation, Region and HTTP status ("none" when no answer arrived).',
      labelNames: ['operation', 'region', 'status'],
      registers,
    });
    this.#connectDuration = new Histogram({
      name: name('connect_call_duration_seconds'),
      help: 'Duration of Amazon Connect API calls.',
      labelNames: ['operation', 'region'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#messages = new Counter({
      name: name('messages_total'),
      help: 'Queue messages by shape and outcome (applied, duplicate, stale, future: dated ahead of our clock and refused, unknownAlarm, ignored, command, malformed, forged: an alarm event from a sender queue.alarmSenders refuses).',
      labelNames: ['shape', 'outcome'],
      registers,
    });
    this.#queueDelay = new Histogram({
      name: name('queue_delay_seconds'),
      help: 'Time messages spent in the queue: receive time minus SQS SentTimestamp.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#receiveToDecision = new Histogram({
      name: name('receive_to_decision_seconds'),
      help: 'From receiving a message to the statechart decision it caused.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#decisionToVerified = new Histogram({
      name: name('decision_to_verified_shift_seconds'),
      help: 'From a decision to the verified shift of the split it wants.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#receiveErrors = new Counter({
      name: name('receive_errors_total'),
      help: 'Failed SQS receives (the loop backs off and goes on).',
      registers,
    });
    this.#lastReceive = new Gauge({
      name: name('last_successful_receive_timestamp_seconds'),
      help: 'Unix time of the last successful SQS receive, empty or not (NaN before the first).',
      registers,
    });
    this.#heartbeats = new Counter({
      name: name('heartbeats_total'),
      help: 'CloudWatch heartbeats (PutMetricData) by outcome: sent or failed.',
      labelNames: ['outcome'],
      registers,
    });
    this.#confirmations = new Counter({
      name: name('alarm_confirmations_total'),
      help: 'Alarm events checked with DescribeAlarms before an automatic shift, by outcome: confirmed, contradicted (moved nothing), superseded (a newer reading applied), unconfirmed (CloudWatch did not answer; acted on).',
      labelNames: ['outcome'],
      registers,
    });
    this.#preflight = new Gauge({
      name: name('preflight_checks'),
      help: 'Preflight checks run at start, by result: pass, warn, fail.',
      labelNames: ['status'],
      registers,
    });
    const newestEvent = () => this.#newestEventAt;
    const now = () => this.#now();
    new Gauge({
      name: name('newest_event_age_seconds'),
      help: 'Age of the newest queue message received, by its SQS SentTimestamp (NaN before the first).',
      registers,
      collect() {
        const at = newestEvent();
        this.set(at === undefined ? Number.NaN : Math.max(0, now() - at) / 1000);
      },
    });

    // Unknown is NaN, never 0: 0 on the primary would read as "fully failed over".
    for (const gauge of [this.#desired, this.#actual, this.#drift, this.#lastReceive]) gauge.set(Number.NaN);
    this.#shiftFailing.set(0);
    for (const outcome of ['verified', 'alreadyInPlace', 'failed', 'observed'] as const)
      this.#shifts.inc({ outcome }, 0);
    for (const outcome of ['sent', 'failed'] as const) this.#heartbeats.inc({ outcome }, 0);
    for (const outcome of ['confirmed', 'contradicted', 'superseded', 'unconfirmed'] as const)
      this.#confirmations.inc({ outcome }, 0);
  }

  /** One alarm event checked with DescribeAlarms (behaviour 13). */
  confirmation(outcome: string): void {
    this.#confirmations.inc({ outcome });
  }

  /** Prometheus text exposition format. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Renders every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The state last recorded (a copy). */
  current(): ObservedState {
    return { ...this.#state };
  }

  /** The receive loop's last turn and last success (a copy). */
  receiveTimes(): ReceiveTimes {
    return { ...this.#receives };
  }

  state(health: HealthState, automation: AutomationState, desiredPrimaryPercent: number): void {
    for (const state of HEALTH_STATES) this.#health.set({ state }, state === health ? 1 : 0);
    for (const mode of AUTOMATION_STATES) this.#automation.set({ mode }, mode === automation ? 1 : 0);
    this.#state = { ...this.#state, health, automation, desiredPrimaryPercent };
    this.#desired.set(desiredPrimaryPercent);
    this.#updateDrift();
  }

  actualPrimaryPercent(percent: number): void {
    this.#state = { ...this.#state, actualPrimaryPercent: percent };
    this.#actual.set(percent);
    this.#updateDrift();
  }

  transition(decision: Pick<Decision, 'region' | 'from' | 'to' | 'trigger'>): void {
    this.#transitions.inc({ region: decision.region, from: decision.from, to: decision.to, trigger: decision.trigger });
  }

  shift(outcome: ShiftCountOutcome): void {
    this.#shifts.inc({ outcome });
    if (outcome === 'failed') this.#retries.inc();
    this.#state = { ...this.#state, shiftFailing: outcome === 'failed' };
    this.#shiftFailing.set(outcome === 'failed' ? 1 : 0);
  }

  connectCall(call: ConnectCall): void {
    this.#connectCalls.inc({
      operation: call.operation,
      region: call.region,
      status: call.status === undefined ? 'none' : String(call.status),
    });
    this.#connectDuration.observe({ operation: call.operation, region: call.region }, call.durationMs / 1000);
  }

  message(outcome: MessageOutcome, shape: string | undefined): void {
    this.#messages.inc({ shape: shape ?? 'unknown', outcome });
  }

  /** A message arrived: `sentAt` is its SQS SentTimestamp (epoch ms), `receivedAt` when we got it. */
  messageReceived(sentAt: number, receivedAt: number): void {
    if (this.#newestEventAt === undefined || sentAt > this.#newestEventAt) this.#newestEventAt = sentAt;
    this.#queueDelay.observe(Math.max(0, receivedAt - sentAt) / 1000);
  }

  /** The receive loop got an answer from SQS (empty or not), now. */
  receiveSucceeded(): void {
    const at = this.#now();
    this.#receives = { lastAttemptAt: at, lastSuccessAt: at };
    this.#lastReceive.set(at / 1000);
  }

  /** A receive failed, now; the loop backs off and goes on. */
  receiveFailed(): void {
    const at = this.#now();
    this.#receives = { ...this.#receives, lastAttemptAt: at };
    this.#receiveErrors.inc();
  }

  receiveToDecision(ms: number): void {
    this.#receiveToDecision.observe(Math.max(0, ms) / 1000);
  }

  decisionToVerified(ms: number): void {
    this.#decisionToVerified.observe(Math.max(0, ms) / 1000);
  }

  heartbeat(outcome: 'sent' | 'failed'): void {
    this.#heartbeats.inc({ outcome });
  }

  preflight(counts: { pass: number; warn: number; fail: number }): void {
    for (const status of ['pass', 'warn', 'fail'] as const) this.#preflight.set({ status }, counts[status]);
  }

  #updateDrift(): void {
    const { desiredPrimaryPercent: desired, actualPrimaryPercent: actual } = this.#state;
    this.#drift.set(desired === undefined || actual === undefined ? Number.NaN : desired - actual);
  }
}
