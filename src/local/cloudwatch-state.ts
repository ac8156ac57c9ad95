/**
 * Everything one simulated CloudWatch account holds and records: its alarms and their history, the
 * metric data sent to it, every transition (delivered in order to the sink), the calls it answered and
 * the faults scripted for the next ones. The API operations and the test hooks change it only here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlarmValue } from '../config/types.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import type { AlarmEventSink, AlarmTransition } from './alarm-event-sink.ts';
import { AlarmHistoryLog } from './alarm-history.ts';
import { AlarmStore, descriptorOf } from './cloudwatch-alarm-store.ts';
import { alarmWire } from './cloudwatch-alarm-wire.ts';
import type {
  AlarmSpec,
  CloudWatchFaults,
  RecordedCall,
  RecordedMetricDatum,
  SimulatedAlarm,
} from './cloudwatch-types.ts';
import { checkReasonData, defaultFaultCode, queryError } from './cloudwatch-wire.ts';
import { SimulatorInputError, UnknownAlarmError } from './simulator-errors.ts';

/** A scripted failure, used up one request at a time. */
export interface PendingFault {
  operation: string;
  remaining: number;
  status: number;
  code: string;
}

/** Options of {@link CloudWatchState}. */
export interface CloudWatchStateOptions {
  accountId: string;
  /** Clock for state timestamps, in epoch ms. */
  now: () => number;
  /** Receives every transition; none: transitions are only recorded. */
  sink: AlarmEventSink | undefined;
  /** History items kept per alarm; default that of {@link AlarmHistoryLog}. */
  historyLimit: number | undefined;
}

/** One simulated account's alarms, history, metric data, transitions, calls and scripted faults. */
export class CloudWatchState {
  readonly accountId: string;
  readonly now: () => number;
  readonly store: AlarmStore;
  readonly history: AlarmHistoryLog;
  readonly calls: RecordedCall[] = [];
  readonly metricData: RecordedMetricDatum[] = [];
  readonly transitions: AlarmTransition[] = [];
  readonly sinkErrors: unknown[] = [];
  readonly faults: CloudWatchFaults;
  readonly #faultQueue: PendingFault[] = [];
  readonly #delays = new Map<string, number>();
  readonly #sink: AlarmEventSink | undefined;
  readonly #stopping = new AbortController();
  // Deliveries are chained so the sink sees transitions in the order they happened.
  #deliveries: Promise<void> = Promise.resolve();

  constructor(options: CloudWatchStateOptions) {
    this.accountId = options.accountId;
    this.now = options.now;
    this.#sink = options.sink;
    this.store = new AlarmStore(options.accountId, options.now);
    const limit = options.historyLimit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new SimulatorInputError(`historyLimit must be a positive integer, got ${limit}`);
    }
    this.history = new AlarmHistoryLog(limit);
    const queue = this.#faultQueue;
    const delays = this.#delays;
    this.faults = {
      failNext(operation, count, status, code) {
        if (!Number.isInteger(count) || count < 1)
          throw new SimulatorInputError(`failNext count must be a positive integer, got ${count}`);
        if (!Number.isInteger(status) || status < 400 || status > 599)
          throw new SimulatorInputError(`failNext status must be 400-599, got ${status}`);
        queue.push({ operation, remaining: count, status, code: code ?? defaultFaultCode(status) });
      },
      delay(operation, ms) {
        if (!Number.isFinite(ms) || ms < 0) throw new SimulatorInputError(`delay must be 0 or more ms, got ${ms}`);
        if (ms === 0) delays.delete(operation);
        else delays.set(operation, ms);
      },
      clear() {
        queue.length = 0;
        delays.clear();
      },
    };
  }

  /** Creates an alarm. Every alarm is created here, so its history starts with the creation, as in CloudWatch. */
  addAlarm(spec: AlarmSpec): SimulatedAlarm {
    const alarm = this.store.add(spec);
    const {
      StateValue: _v,
      StateReason: _r,
      StateReasonData: _d,
      StateUpdatedTimestamp: _u,
      StateTransitionedTimestamp: _t,
      ...config
    } = alarmWire(alarm);
    this.history.recordCreated(descriptorOf(alarm), config);
    return alarm;
  }

  /**
   * Sets a state: the one place state changes, for SetAlarmState and the test hooks alike. Resolves once
   * the sink has the transition; `undefined` for a same-state set.
   */
  async applyState(
    region: string,
    name: string,
    value: AlarmValue,
    reason: string,
    reasonData: string | undefined,
  ): Promise<AlarmTransition | undefined> {
    const alarm = this.store.get(region, name);
    if (alarm === undefined) throw queryError(404, 'ResourceNotFound', `Alarm ${name} not found`);
    const at = this.now();
    const previous = { ...alarm.state };
    alarm.state = { value, reason, reasonData, timestamp: at };
    if (previous.value === value) {
      // Same value: CloudWatch, as far as we know, only updates the reason and StateUpdatedTimestamp.
      // Alarm actions run only "when the updated state differs from the previous value" (SetAlarmState
      // docs), and no State Change event is emitted either.
      return undefined;
    }
    alarm.stateTransitionedAt = at;
    const change: AlarmTransition = { alarm: descriptorOf(alarm), previous, current: { ...alarm.state } };
    this.transitions.push(change);
    this.history.recordStateUpdate(change.alarm, previous, change.current);
    await this.#deliver(change);
    return change;
  }

  /** The test hooks' SetAlarmState: input errors are {@link SimulatorInputError}s, not wire errors. */
  async setStateByHook(
    region: string,
    name: string,
    value: AlarmValue,
    reason?: string,
    reasonData?: string,
  ): Promise<AlarmTransition | undefined> {
    if (!(ALARM_VALUES as readonly string[]).includes(value))
      throw new SimulatorInputError(`alarm state "${String(value)}" is not OK, ALARM or INSUFFICIENT_DATA`);
    if (this.store.get(region, name) === undefined)
      throw new UnknownAlarmError(`alarm "${name}" not found in ${region}`);
    try {
      checkReasonData(reasonData);
    } catch {
      throw new SimulatorInputError('reasonData must be a JSON document of at most 4000 characters');
    }
    return this.applyState(region, name, value, reason ?? 'Set by the CloudWatch simulator', reasonData);
  }

  /** The scripted fault for this request of `operation`, if any is left; uses it up by one. */
  takeFault(operation: string): PendingFault | undefined {
    const queue = this.#faultQueue;
    const index = queue.findIndex((f) => f.operation === operation || f.operation === '*');
    const fault = queue[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) queue.splice(index, 1);
    return fault;
  }

  /** Waits out the delay set for `operation` (its own, else `'*'`'s); rejects when the simulator stops. */
  async holdFor(operation: string): Promise<void> {
    const ms = this.#delays.get(operation) ?? this.#delays.get('*') ?? 0;
    if (ms > 0) await sleep(ms, undefined, { signal: this.#stopping.signal });
  }

  /** Aborts sink deliveries in flight and skips those not started, cuts held requests off; resolves when the chain has settled. */
  async stopDeliveries(): Promise<void> {
    this.#stopping.abort(new Error('CloudWatch simulator stopped'));
    await this.#deliveries;
  }

  #deliver(change: AlarmTransition): Promise<void> {
    const sink = this.#sink;
    if (sink === undefined) return Promise.resolve();
    const signal = this.#stopping.signal;
    const delivery = this.#deliveries.then(async () => {
      if (signal.aborted) return;
      try {
        await sink(change, { signal });
      } catch (error) {
        this.sinkErrors.push(error);
      }
    });
    this.#deliveries = delivery;
    return delivery;
  }
}
