import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { AlarmValue } from '../config/types.ts';
import type { AlarmDescriptor, AlarmEventSink, AlarmStateRecord, AlarmTransition, MetricAlarmConfig } from './alarm-event-sink.ts';
import { AlarmHistoryLog, decodeHistoryToken, encodeHistoryToken, historyItemWire } from './alarm-history.ts';
import { readSigV4Scope } from './sigv4-scope.ts';
import { SimulatorInputError } from './simulator-errors.ts';

const gunzipAsync = promisify(gunzip);

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const ALARM_VALUES: readonly AlarmValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm'] as const;
const HISTORY_ALARM_TYPES = ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'] as const;
const HISTORY_ITEM_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action', 'AlarmContributorStateUpdate', 'AlarmContributorAction'] as const;
const SCAN_BY = ['TimestampDescending', 'TimestampAscending'] as const;
/** PutMetricData accepts 1 MB; leave room for JSON overhead and refuse gzip bombs beyond it. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** An alarm to create in the simulator. */
export interface AlarmSpec {
  name: string;
  /** Region code, e.g. `us-east-1`. */
  region: string;
  /** Default `'composite'`: the better game-day lever, since SetAlarmState on it holds (see connect-api.md). */
  type?: 'metric' | 'composite';
  /** Default `'OK'`. */
  state?: AlarmValue;
  /** Default `'Initial state set by the CloudWatch simulator'`. */
  reason?: string;
  reasonData?: string;
  description?: string;
  /** Composite only. Default `'FALSE'` (valid CloudWatch syntax): it changes only through SetAlarmState. */
  alarmRule?: string;
  /** Metric only. Defaults: `AWS/Connect` `ContactFlowFatalErrors`, Sum over 60 s, `>= 1` for 1 of 1 periods. */
  metric?: Partial<MetricAlarmConfig>;
  /**
   * SNS topic notified on every state (OK, ALARM, INSUFFICIENT_DATA).
   * Default `arn:aws:sns:<region>:<account>:connect-failover-alarms`.
   */
  topicArn?: string;
}

/** An alarm as the simulator holds it (a copy: changing it changes nothing). */
export interface SimulatedAlarm extends AlarmDescriptor {
  state: AlarmStateRecord;
  /** Epoch ms of the last change of the state value (`StateTransitionedTimestamp`). */
  stateTransitionedAt: number;
}

/** One API request the simulator received (admin endpoints are not recorded). */
export interface RecordedCall {
  operation: string;
  /** From the SigV4 credential scope; `undefined` when the request was not signed. */
  region: string | undefined;
  /** Epoch ms, from the simulator's clock. */
  at: number;
  /** `gzip` when the SDK compressed the body. */
  contentEncoding: string | undefined;
  /** HTTP status of the answer. */
  status: number;
}

/** One datum from PutMetricData, with the Region it was sent to. */
export interface RecordedMetricDatum {
  region: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  value?: number;
  values?: number[];
  counts?: number[];
  statisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  unit?: string;
  /** Epoch ms: the datum's Timestamp, or the arrival time when it had none. */
  timestamp: number;
  receivedAt: number;
}

/** Scripted failures for the next requests. */
export interface CloudWatchFaults {
  /**
   * Makes the next `count` requests of `operation` (`'*'` for any) fail with `status`. `code` is the
   * query error code the SDK names the error by; default by status: 400 and 429 `Throttling`,
   * 403 `AccessDenied`, 500 `InternalServiceError` (the modeled `InternalServiceFault`),
   * 503 `ServiceUnavailable`, other 5xx `InternalFailure`, other 4xx `InvalidParameterValue`.
   */
  failNext(operation: string, count: number, status: number, code?: string): void;
  /** Forgets every scripted failure not yet used. */
  clear(): void;
}

/** Options of {@link startCloudWatchSimulator}. */
export interface CloudWatchSimulatorOptions {
  /** Default `0` (any free port). */
  port?: number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** Account in every ARN and event. Default `'000000000000'`. */
  accountId?: string;
  /** Alarms that exist from the start. */
  alarms?: AlarmSpec[];
  /** Receives every state transition. Default: none (transitions are only recorded). */
  sink?: AlarmEventSink;
  /** Clock for state timestamps, in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** History items kept per alarm for DescribeAlarmHistory; the oldest are dropped first. Default 1000. */
  historyLimit?: number;
}

/** A running CloudWatch simulator. */
export interface CloudWatchSimulator {
  /** `http://host:port`, for `endpoint` or `AWS_ENDPOINT_URL_CLOUDWATCH`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly calls: readonly RecordedCall[];
  readonly metricData: readonly RecordedMetricDatum[];
  /** Every transition made so far, in order, whether or not a sink took it. */
  readonly transitions: readonly AlarmTransition[];
  /** Errors the sink threw; the API call that caused them still succeeded, as in AWS. */
  readonly sinkErrors: readonly unknown[];
  readonly faults: CloudWatchFaults;
  /**
   * Sets an alarm's state exactly as SetAlarmState does. Resolves to the transition, or `undefined` for a
   * same-state set (reason updated, nothing emitted). Throws {@link UnknownAlarmError} for an unknown
   * alarm, {@link SimulatorInputError} for an invalid state or reason data. Default reason
   * `'Set by the CloudWatch simulator'`.
   */
  setAlarmState(region: string, name: string, value: AlarmValue, reason?: string, reasonData?: string): Promise<AlarmTransition | undefined>;
  /** Creates an alarm; throws {@link DuplicateAlarmError} when the name is taken in that Region, {@link SimulatorInputError} when the spec is invalid. */
  addAlarm(spec: AlarmSpec): SimulatedAlarm;
  /** Alarms of one Region, or of all, sorted by Region then name. */
  alarms(region?: string): SimulatedAlarm[];
  /** Stops listening, aborts sink deliveries in flight and closes open connections. */
  stop(): Promise<void>;
}

/** A test hook or admin request named an alarm that does not exist in that Region. */
export class UnknownAlarmError extends SimulatorInputError {}

/** An alarm with that name already exists in that Region (names are unique per Region, across types). */
export class DuplicateAlarmError extends SimulatorInputError {}

/** An error answered in CloudWatch's query-compatible JSON form. */
class WireError extends Error {
  constructor(
    readonly status: number,
    /** The query error code (`x-amzn-query-error`), which the SDK names the error by. */
    readonly code: string,
    message: string,
    /** The JSON `__type`: the modeled shape when there is one. */
    readonly type: string = code,
  ) {
    super(message);
  }
}

/** Modeled CloudWatch errors: query code → shape name, from the SDK's `awsQueryError` traits. */
const MODELED_SHAPES: Readonly<Record<string, string>> = {
  ResourceNotFound: 'ResourceNotFound',
  InvalidFormat: 'InvalidFormatFault',
  ValidationError: 'ValidationException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  InvalidNextToken: 'InvalidNextToken',
  InternalServiceError: 'InternalServiceFault',
};

function queryError(status: number, code: string, message: string): WireError {
  const shape = MODELED_SHAPES[code];
  return new WireError(status, code, message, shape === undefined ? code : `com.amazonaws.cloudwatch#${shape}`);
}

const validation = (message: string): WireError => queryError(400, 'ValidationError', message);
const missing = (parameter: string): WireError =>
  queryError(400, 'MissingParameter', `The parameter ${parameter} is required.`);

function defaultFaultCode(status: number): string {
  if (status === 400 || status === 429) return 'Throttling';
  if (status === 403) return 'AccessDenied';
  if (status === 500) return 'InternalServiceError';
  if (status === 503) return 'ServiceUnavailable';
  return status >= 500 ? 'InternalFailure' : 'InvalidParameterValue';
}

function defaultFaultMessage(code: string): string {
  return code === 'Throttling' ? 'Rate exceeded' : `Injected fault: ${code}`;
}

function partitionOf(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** JSON 1.0 timestamps are epoch seconds; a fraction keeps the milliseconds. */
const epochSeconds = (ms: number): number => ms / 1000;

type Json = Record<string, unknown>;

function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`Value at '${key}' must be a string.`);
  return value;
}

function requiredString(body: Json, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw missing(key);
  return value;
}

function optionalStringList(body: Json, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw validation(`Value at '${key}' must be a list of strings.`);
  return value as string[];
}

function checkStateValue(value: string, key: string): AlarmValue {
  if (!(ALARM_VALUES as readonly string[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
    );
  }
  return value as AlarmValue;
}

function checkReasonData(reasonData: string | undefined): void {
  if (reasonData === undefined) return;
  if (reasonData.length > 4000) throw validation(`Value at 'stateReasonData' failed to satisfy constraint: Member must have length less than or equal to 4000`);
  try {
    JSON.parse(reasonData);
  } catch {
    throw queryError(400, 'InvalidFormat', 'Invalid JSON in StateReasonData.');
  }
}

/** Opaque to callers; carries the last name returned so pages stay stable while alarms are added. */
function encodeToken(afterName: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: afterName })).toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown };
    if (parsed.v === 1 && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through to the error below
  }
  throw queryError(400, 'InvalidNextToken', 'The service returned an invalid NextToken.');
}

function copyAlarm(alarm: SimulatedAlarm): SimulatedAlarm {
  return structuredClone(alarm);
}

function descriptorOf(alarm: SimulatedAlarm): AlarmDescriptor {
  const { state: _state, stateTransitionedAt: _transitioned, ...descriptor } = copyAlarm(alarm);
  return descriptor;
}

function metricAlarmWire(alarm: SimulatedAlarm): Json {
  const metric = alarm.metric;
  const extended = metric !== undefined && !/^(Sum|Average|Maximum|Minimum|SampleCount)$/.test(metric.statistic);
  return {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AlarmConfigurationUpdatedTimestamp: epochSeconds(alarm.configurationUpdatedAt),
    ActionsEnabled: true,
    OKActions: alarm.actions.ok,
    AlarmActions: alarm.actions.alarm,
    InsufficientDataActions: alarm.actions.insufficientData,
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData === undefined ? {} : { StateReasonData: alarm.state.reasonData }),
    StateUpdatedTimestamp: epochSeconds(alarm.state.timestamp),
    ...(metric === undefined
      ? {}
      : {
          MetricName: metric.metricName,
          Namespace: metric.namespace,
          ...(extended ? { ExtendedStatistic: metric.statistic } : { Statistic: metric.statistic }),
          Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
          Period: metric.period,
          ...(metric.unit === undefined ? {} : { Unit: metric.unit }),
          EvaluationPeriods: metric.evaluationPeriods,
          DatapointsToAlarm: metric.datapointsToAlarm,
          Threshold: metric.threshold,
          ComparisonOperator: metric.comparisonOperator,
          TreatMissingData: metric.treatMissingData,
        }),
    StateTransitionedTimestamp: epochSeconds(alarm.stateTransitionedAt),
  };
}

function compositeAlarmWire(alarm: SimulatedAlarm): Json {
  return {
    ActionsEnabled: true,
    AlarmActions: alarm.actions.alarm,
    AlarmArn: alarm.arn,
    AlarmConfigurationUpdatedTimestamp: epochSeconds(alarm.configurationUpdatedAt),
    ...(alarm.description === undefined ? {} : { AlarmDescription: alarm.description }),
    AlarmName: alarm.name,
    AlarmRule: alarm.alarmRule ?? 'FALSE',
    InsufficientDataActions: alarm.actions.insufficientData,
    OKActions: alarm.actions.ok,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData === undefined ? {} : { StateReasonData: alarm.state.reasonData }),
    StateUpdatedTimestamp: epochSeconds(alarm.state.timestamp),
    StateValue: alarm.state.value,
    StateTransitionedTimestamp: epochSeconds(alarm.stateTransitionedAt),
  };
}

/** Alarms of one account, kept per Region as CloudWatch does: a name is unique within a Region. */
class AlarmStore {
  private readonly byRegion = new Map<string, Map<string, SimulatedAlarm>>();

  constructor(
    private readonly accountId: string,
    private readonly now: () => number,
  ) {}

  add(spec: AlarmSpec): SimulatedAlarm {
    const alarm = this.build(spec);
    let regional = this.byRegion.get(alarm.region);
    if (regional === undefined) {
      regional = new Map();
      this.byRegion.set(alarm.region, regional);
    }
    if (regional.has(alarm.name)) throw new DuplicateAlarmError(`alarm "${alarm.name}" already exists in ${alarm.region}`);
    regional.set(alarm.name, alarm);
    return copyAlarm(alarm);
  }

  get(region: string, name: string): SimulatedAlarm | undefined {
    return this.byRegion.get(region)?.get(name);
  }

  /** Sorted by name: DescribeAlarms pages in this order. */
  inRegion(region: string): SimulatedAlarm[] {
    return [...(this.byRegion.get(region)?.values() ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  all(): SimulatedAlarm[] {
    return [...this.byRegion.keys()].sort().flatMap((region) => this.inRegion(region));
  }

  private build(spec: AlarmSpec): SimulatedAlarm {
    if (typeof spec.name !== 'string' || spec.name.length < 1 || spec.name.length > 255) {
      throw new SimulatorInputError('alarm name must be 1 to 255 characters');
    }
    if (typeof spec.region !== 'string' || !REGION_PATTERN.test(spec.region)) {
      throw new SimulatorInputError(`alarm region "${String(spec.region)}" is not a Region code like us-east-1`);
    }
    const type = spec.type ?? 'composite';
    if (type !== 'metric' && type !== 'composite') throw new SimulatorInputError(`alarm type "${String(type)}" is not metric or composite`);
    const value = spec.state ?? 'OK';
    if (!ALARM_VALUES.includes(value)) throw new SimulatorInputError(`alarm state "${String(value)}" is not OK, ALARM or INSUFFICIENT_DATA`);
    if (spec.reasonData !== undefined) {
      try {
        JSON.parse(spec.reasonData);
      } catch {
        throw new SimulatorInputError('alarm reasonData must be a JSON document');
      }
    }
    const at = this.now();
    const topic = spec.topicArn ?? `arn:${partitionOf(spec.region)}:sns:${spec.region}:${this.accountId}:connect-failover-alarms`;
    return {
      name: spec.name,
      arn: `arn:${partitionOf(spec.region)}:cloudwatch:${spec.region}:${this.accountId}:alarm:${spec.name}`,
      region: spec.region,
      accountId: this.accountId,
      type,
      description: spec.description,
      alarmRule: type === 'composite' ? (spec.alarmRule ?? 'FALSE') : undefined,
      metric:
        type === 'metric'
          ? {
              namespace: 'AWS/Connect',
              metricName: 'ContactFlowFatalErrors',
              dimensions: {},
              period: 60,
              statistic: 'Sum',
              threshold: 1,
              comparisonOperator: 'GreaterThanOrEqualToThreshold',
              evaluationPeriods: 1,
              datapointsToAlarm: 1,
              treatMissingData: 'missing',
              ...definedOnly(spec.metric ?? {}),
            }
          : undefined,
      configurationUpdatedAt: at,
      actions: { ok: [topic], alarm: [topic], insufficientData: [topic] },
      state: { value, reason: spec.reason ?? 'Initial state set by the CloudWatch simulator', reasonData: spec.reasonData, timestamp: at },
      stateTransitionedAt: at,
    };
  }
}

interface PendingFault {
  operation: string;
  remaining: number;
  status: number;
  code: string;
}

/**
 * Starts a CloudWatch simulator speaking the SDK's wire protocol (AWS JSON 1.0, query-compatible) for
 * DescribeAlarms, DescribeAlarmHistory, SetAlarmState and PutMetricData, plus admin endpoints under `/_simulator/`.
 * SigV4 signatures are not verified; the credential scope only says which Region is addressed.
 */
export async function startCloudWatchSimulator(options: CloudWatchSimulatorOptions = {}): Promise<CloudWatchSimulator> {
  const accountId = options.accountId ?? '000000000000';
  const now = options.now ?? Date.now;
  const store = new AlarmStore(accountId, now);
  if (options.historyLimit !== undefined && (!Number.isInteger(options.historyLimit) || options.historyLimit < 1)) {
    throw new SimulatorInputError(`historyLimit must be a positive integer, got ${options.historyLimit}`);
  }
  const history = new AlarmHistoryLog(options.historyLimit);
  const calls: RecordedCall[] = [];
  const metricData: RecordedMetricDatum[] = [];
  const transitions: AlarmTransition[] = [];
  const sinkErrors: unknown[] = [];
  const faultQueue: PendingFault[] = [];
  const stopping = new AbortController();
  // Deliveries are chained so the sink sees transitions in the order they happened.
  let deliveries: Promise<void> = Promise.resolve();

  /** Every alarm is created here, so its history starts with the creation, as in CloudWatch. */
  function addAlarm(spec: AlarmSpec): SimulatedAlarm {
    const alarm = store.add(spec);
    const { StateValue: _v, StateReason: _r, StateReasonData: _d, StateUpdatedTimestamp: _u, StateTransitionedTimestamp: _t, ...config } =
      alarm.type === 'metric' ? metricAlarmWire(alarm) : compositeAlarmWire(alarm);
    history.recordCreated(descriptorOf(alarm), config);
    return alarm;
  }

  for (const spec of options.alarms ?? []) addAlarm(spec);

  function deliver(change: AlarmTransition): Promise<void> {
    const sink = options.sink;
    if (sink === undefined) return Promise.resolve();
    const delivery = deliveries.then(async () => {
      if (stopping.signal.aborted) return;
      try {
        await sink(change, { signal: stopping.signal });
      } catch (error) {
        sinkErrors.push(error);
      }
    });
    deliveries = delivery;
    return delivery;
  }

  /** The one place state changes: SetAlarmState and the test hooks both land here. */
  async function applyState(
    region: string,
    name: string,
    value: AlarmValue,
    reason: string,
    reasonData: string | undefined,
  ): Promise<AlarmTransition | undefined> {
    const alarm = store.get(region, name);
    if (alarm === undefined) throw queryError(404, 'ResourceNotFound', `Alarm ${name} not found`);
    const at = now();
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
    transitions.push(change);
    history.recordStateUpdate(change.alarm, previous, change.current);
    await deliver(change);
    return change;
  }

  function describeAlarms(region: string, body: Json): Json {
    const names = optionalStringList(body, 'AlarmNames');
    const prefix = optionalString(body, 'AlarmNamePrefix');
    const actionPrefix = optionalString(body, 'ActionPrefix');
    const types = optionalStringList(body, 'AlarmTypes');
    const stateValue = optionalString(body, 'StateValue');
    const nextToken = optionalString(body, 'NextToken');
    const maxRecords = body.MaxRecords ?? 50;
    if (names !== undefined && prefix !== undefined) {
      throw queryError(400, 'InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be specified together.');
    }
    if (names !== undefined && names.length > 100) throw validation(`Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100`);
    if (body.ChildrenOfAlarmName !== undefined || body.ParentsOfAlarmName !== undefined) {
      throw queryError(400, 'InvalidParameterValue', 'ChildrenOfAlarmName and ParentsOfAlarmName are not supported by the CloudWatch simulator.');
    }
    if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100) {
      throw validation(`1 validation error detected: Value '${String(maxRecords)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
    for (const type of types ?? []) {
      if (!(ALARM_TYPES as readonly string[]).includes(type)) {
        throw validation(`1 validation error detected: Value '${type}' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm]`);
      }
    }
    if (stateValue !== undefined) checkStateValue(stateValue, 'stateValue');
    const after = nextToken === undefined ? undefined : decodeToken(nextToken);

    // Without AlarmTypes CloudWatch returns metric alarms only, even when composites exist (API reference).
    const wanted = new Set(types === undefined || types.length === 0 ? ['MetricAlarm'] : types);
    const matching = store.inRegion(region).filter(
      (alarm) =>
        wanted.has(alarm.type === 'metric' ? 'MetricAlarm' : 'CompositeAlarm') &&
        (names === undefined || names.includes(alarm.name)) &&
        (prefix === undefined || alarm.name.startsWith(prefix)) &&
        (stateValue === undefined || alarm.state.value === stateValue) &&
        (actionPrefix === undefined ||
          [...alarm.actions.ok, ...alarm.actions.alarm, ...alarm.actions.insufficientData].some((a) => a.startsWith(actionPrefix))) &&
        (after === undefined || alarm.name > after),
    );
    const page = matching.slice(0, maxRecords);
    const last = page.at(-1);
    return {
      CompositeAlarms: page.filter((a) => a.type === 'composite').map(compositeAlarmWire),
      MetricAlarms: page.filter((a) => a.type === 'metric').map(metricAlarmWire),
      ...(matching.length > page.length && last !== undefined ? { NextToken: encodeToken(last.name) } : {}),
    };
  }

  function describeAlarmHistory(region: string, body: Json): Json {
    const alarmName = optionalString(body, 'AlarmName');
    const types = optionalStringList(body, 'AlarmTypes');
    const itemType = optionalString(body, 'HistoryItemType');
    const scanBy = optionalString(body, 'ScanBy');
    const nextToken = optionalString(body, 'NextToken');
    const maxRecords = body.MaxRecords ?? 50;
    const epochMs = (key: string): number | undefined => {
      const value = body[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw validation(`Value at '${key}' must be a timestamp (epoch seconds).`);
      return Math.round(value * 1000);
    };
    const start = epochMs('StartDate');
    const end = epochMs('EndDate');
    for (const type of types ?? []) {
      if (!(HISTORY_ALARM_TYPES as readonly string[]).includes(type)) {
        throw validation(`1 validation error detected: Value '${type}' at 'alarmTypes' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, LogAlarm, MetricAlarm]`);
      }
    }
    if (itemType !== undefined && !(HISTORY_ITEM_TYPES as readonly string[]).includes(itemType)) {
      throw validation(
        `1 validation error detected: Value '${itemType}' at 'historyItemType' failed to satisfy constraint: Member must satisfy enum value set: [${HISTORY_ITEM_TYPES.join(', ')}]`,
      );
    }
    if (scanBy !== undefined && !(SCAN_BY as readonly string[]).includes(scanBy)) {
      throw validation(`1 validation error detected: Value '${scanBy}' at 'scanBy' failed to satisfy constraint: Member must satisfy enum value set: [TimestampDescending, TimestampAscending]`);
    }
    if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100) {
      throw validation(`1 validation error detected: Value '${String(maxRecords)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`);
    }
    const after = nextToken === undefined ? undefined : decodeHistoryToken(nextToken);
    if (nextToken !== undefined && after === undefined) throw queryError(400, 'InvalidNextToken', 'The service returned an invalid NextToken.');
    const page = history.query({
      region,
      alarmName,
      // Without AlarmTypes only metric alarms' history is returned, as DescribeAlarms does (API reference).
      alarmTypes: new Set(types === undefined || types.length === 0 ? ['MetricAlarm'] : types),
      itemType,
      start,
      end,
      ascending: scanBy === 'TimestampAscending',
      after,
      limit: maxRecords,
    });
    return {
      AlarmHistoryItems: page.items.map(historyItemWire),
      ...(page.next === undefined ? {} : { NextToken: encodeHistoryToken(page.next) }),
    };
  }

  async function setAlarmState(region: string, body: Json): Promise<Json> {
    const name = requiredString(body, 'AlarmName');
    const value = checkStateValue(requiredString(body, 'StateValue'), 'stateValue');
    const reason = requiredString(body, 'StateReason');
    const reasonData = optionalString(body, 'StateReasonData');
    if (reason.length > 1023) throw validation(`Value at 'stateReason' failed to satisfy constraint: Member must have length less than or equal to 1023`);
    checkReasonData(reasonData);
    await applyState(region, name, value, reason, reasonData);
    return {};
  }

  function numberList(value: unknown, key: string): number[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) throw validation(`Value at '${key}' must be a list of numbers.`);
    return value as number[];
  }

  function putMetricData(region: string, body: Json): Json {
    const namespace = requiredString(body, 'Namespace');
    if (namespace.startsWith('AWS/')) {
      throw queryError(400, 'InvalidParameterValue', `The value ${namespace} for parameter Namespace is invalid: the AWS/ prefix is reserved.`);
    }
    const data = body.MetricData;
    if (!Array.isArray(data) || data.length === 0) throw missing('MetricData');
    if (data.length > 1000) throw validation(`Value at 'metricData' failed to satisfy constraint: Member must have length less than or equal to 1000`);
    const receivedAt = now();
    const parsed = data.map((raw: unknown, i): RecordedMetricDatum => {
      if (typeof raw !== 'object' || raw === null) throw validation(`MetricData.member.${i + 1} must be a structure.`);
      const datum = raw as Json;
      const metricName = requiredString(datum, 'MetricName');
      const dimensions: Record<string, string> = {};
      for (const d of Array.isArray(datum.Dimensions) ? (datum.Dimensions as unknown[]) : []) {
        const { Name, Value } = (d ?? {}) as { Name?: unknown; Value?: unknown };
        if (typeof Name !== 'string' || typeof Value !== 'string') throw missing(`MetricData.member.${i + 1}.Dimensions.member.Name/Value`);
        dimensions[Name] = Value;
      }
      const value = datum.Value;
      if (value !== undefined && typeof value !== 'number') throw validation(`MetricData.member.${i + 1}.Value must be a number.`);
      const timestamp = datum.Timestamp;
      if (timestamp !== undefined && typeof timestamp !== 'number') throw validation(`MetricData.member.${i + 1}.Timestamp must be epoch seconds.`);
      const values = numberList(datum.Values, 'Values');
      const counts = numberList(datum.Counts, 'Counts');
      const unit = optionalString(datum, 'Unit');
      const statisticValues = datum.StatisticValues as RecordedMetricDatum['statisticValues'] | undefined;
      return {
        region,
        namespace,
        metricName,
        dimensions,
        ...(value === undefined ? {} : { value }),
        ...(values === undefined ? {} : { values }),
        ...(counts === undefined ? {} : { counts }),
        ...(statisticValues === undefined ? {} : { statisticValues }),
        ...(unit === undefined ? {} : { unit }),
        timestamp: timestamp === undefined ? receivedAt : Math.round(timestamp * 1000),
        receivedAt,
      };
    });
    // All or nothing, as one request: validate every datum before storing any.
    metricData.push(...parsed);
    return {};
  }

  function takeFault(operation: string): PendingFault | undefined {
    const index = faultQueue.findIndex((f) => f.operation === operation || f.operation === '*');
    const fault = faultQueue[index];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faultQueue.splice(index, 1);
    return fault;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    const region = readSigV4Scope(req.headers)?.region;
    const encoding = req.headers['content-encoding'];
    const call: RecordedCall = { operation: operation ?? String(target ?? ''), region, at: now(), contentEncoding: encoding, status: 200 };
    calls.push(call);
    const answer = (status: number, body: Json, headers: Record<string, string> = {}): void => {
      call.status = status;
      sendJson(res, status, body, { 'content-type': JSON_CONTENT_TYPE, ...headers });
    };
    try {
      if (req.method !== 'POST' || operation === undefined) {
        throw new WireError(
          400,
          'UnknownOperationException',
          'This endpoint speaks AWS JSON 1.0: POST / with X-Amz-Target: GraniteServiceVersion20100801.<Operation>.',
          'com.amazon.coral.service#UnknownOperationException',
        );
      }
      const raw = await readBody(req, encoding);
      if (region === undefined) {
        throw queryError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token (a SigV4 Authorization header).');
      }
      const fault = takeFault(operation);
      if (fault !== undefined) throw queryError(fault.status, fault.code, defaultFaultMessage(fault.code));
      const body = parseJson(raw);
      switch (operation) {
        case 'DescribeAlarms':
          return answer(200, describeAlarms(region, body));
        case 'DescribeAlarmHistory':
          return answer(200, describeAlarmHistory(region, body));
        case 'SetAlarmState':
          return answer(200, await setAlarmState(region, body));
        case 'PutMetricData':
          return answer(200, putMetricData(region, body));
        default:
          // Query-compatible services name unknown actions this way; the SDK surfaces the name as-is.
          throw new WireError(
            400,
            'UnknownOperationException',
            `Operation ${operation} is not supported by the CloudWatch simulator.`,
            'com.amazon.coral.service#UnknownOperationException',
          );
      }
    } catch (caught) {
      const error =
        caught instanceof WireError
          ? caught
          : new WireError(500, 'InternalFailure', `Simulator failure: ${String(caught)}`, 'com.amazon.coral.service#InternalFailure');
      const headers: Record<string, string> = {};
      // Only query errors carry this header; the SDK maps its code to the modeled class (awsQueryError).
      if (!error.type.startsWith('com.amazon.coral.service#')) {
        headers['x-amzn-query-error'] = `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`;
      }
      answer(error.status, { __type: error.type, message: error.message }, headers);
    }
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method ?? ''} ${url.pathname.replace(/\/+$/, '')}`;
    const region = url.searchParams.get('region') ?? undefined;
    try {
      switch (route) {
        case 'GET /_simulator/alarms':
          return sendJson(res, 200, { alarms: (region === undefined ? store.all() : store.inRegion(region)).map(adminAlarm) });
        case 'POST /_simulator/alarms': {
          const spec = parseJson(await readBody(req, req.headers['content-encoding'])) as unknown as AlarmSpec;
          return sendJson(res, 201, { alarm: adminAlarm(addAlarm(spec)) });
        }
        case 'POST /_simulator/alarms/state': {
          const body = parseJson(await readBody(req, req.headers['content-encoding']));
          const { region: r, name, state, reason, reasonData } = body as Record<string, unknown>;
          if (typeof r !== 'string' || typeof name !== 'string' || typeof state !== 'string') {
            throw new SimulatorInputError('body must be {"region", "name", "state", "reason"?, "reasonData"?}');
          }
          const change = await hookSetState(r, name, state as AlarmValue, asOptionalString(reason), asOptionalString(reasonData));
          const alarm = store.get(r, name);
          return sendJson(res, 200, { changed: change !== undefined, alarm: alarm === undefined ? null : adminAlarm(alarm) });
        }
        case 'GET /_simulator/metrics': {
          const namespace = url.searchParams.get('namespace') ?? undefined;
          const data = metricData.filter((d) => (region === undefined || d.region === region) && (namespace === undefined || d.namespace === namespace));
          return sendJson(res, 200, { metricData: data.map((d) => ({ ...d, timestamp: new Date(d.timestamp).toISOString(), receivedAt: new Date(d.receivedAt).toISOString() })) });
        }
        default:
          return sendJson(res, 404, { error: 'NotFound', message: `no admin route ${route}` });
      }
    } catch (error) {
      if (error instanceof SimulatorInputError) {
        const status = error instanceof UnknownAlarmError ? 404 : error instanceof DuplicateAlarmError ? 409 : 400;
        return sendJson(res, status, { error: error.name, message: error.message });
      }
      if (error instanceof WireError) return sendJson(res, error.status, { error: error.code, message: error.message });
      throw error;
    }
  }

  async function hookSetState(
    region: string,
    name: string,
    value: AlarmValue,
    reason?: string,
    reasonData?: string,
  ): Promise<AlarmTransition | undefined> {
    if (!ALARM_VALUES.includes(value)) throw new SimulatorInputError(`alarm state "${String(value)}" is not OK, ALARM or INSUFFICIENT_DATA`);
    if (store.get(region, name) === undefined) throw new UnknownAlarmError(`alarm "${name}" not found in ${region}`);
    try {
      checkReasonData(reasonData);
    } catch {
      throw new SimulatorInputError('reasonData must be a JSON document of at most 4000 characters');
    }
    return applyState(region, name, value, reason ?? 'Set by the CloudWatch simulator', reasonData);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const handler = url.pathname.startsWith('/_simulator/') ? handleAdmin(req, res, url) : handleApi(req, res);
    handler.catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { __type: 'com.amazon.coral.service#InternalFailure', message: String(error) });
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    endpoint: `http://${hostForUrl}:${address.port}`,
    port: address.port,
    accountId,
    calls,
    metricData,
    transitions,
    sinkErrors,
    faults: {
      failNext(operation, count, status, code) {
        if (!Number.isInteger(count) || count < 1) throw new SimulatorInputError(`failNext count must be a positive integer, got ${count}`);
        if (!Number.isInteger(status) || status < 400 || status > 599) throw new SimulatorInputError(`failNext status must be 400-599, got ${status}`);
        faultQueue.push({ operation, remaining: count, status, code: code ?? defaultFaultCode(status) });
      },
      clear() {
        faultQueue.length = 0;
      },
    },
    setAlarmState: hookSetState,
    addAlarm,
    alarms: (region) => (region === undefined ? store.all() : store.inRegion(region)).map(copyAlarm),
    async stop() {
      stopping.abort(new Error('CloudWatch simulator stopped'));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await deliveries;
    },
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function asOptionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Admin view of an alarm: ISO timestamps, for people and shell scripts. */
function adminAlarm(alarm: SimulatedAlarm): Json {
  return {
    ...copyAlarm(alarm),
    configurationUpdatedAt: new Date(alarm.configurationUpdatedAt).toISOString(),
    stateTransitionedAt: new Date(alarm.stateTransitionedAt).toISOString(),
    state: { ...alarm.state, timestamp: new Date(alarm.state.timestamp).toISOString() },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage, encoding: string | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw queryError(413, 'RequestEntityTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(buffer);
  }
  const raw = Buffer.concat(chunks);
  if (encoding === undefined || encoding === 'identity') return raw;
  if (encoding !== 'gzip') throw queryError(400, 'InvalidParameterValue', `Unsupported Content-Encoding ${encoding}.`);
  try {
    // The SDK gzips PutMetricData bodies of 10 KiB or more (requestMinCompressionSizeBytes).
    return await gunzipAsync(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch {
    throw queryError(400, 'InvalidParameterValue', 'Body is not valid gzip, or inflates beyond the size limit.');
  }
}

function parseJson(raw: Buffer): Json {
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new WireError(400, 'SerializationException', 'Request body is not valid JSON.', 'com.amazon.coral.service#SerializationException');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WireError(400, 'SerializationException', 'Request body must be a JSON object.', 'com.amazon.coral.service#SerializationException');
  }
  return parsed as Json;
}
