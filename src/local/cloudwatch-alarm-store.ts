/** The simulated account's alarms: created from specs (checked as CloudWatch would), kept per Region. */
import { alarmArn, isRegionCode, snsTopicArn } from '../aws/identifiers.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import type { AlarmDescriptor } from './alarm-event-sink.ts';
import { DEFAULT_ALARM_TOPIC } from './alarm-event-sink.ts';
import type { AlarmSpec, SimulatedAlarm } from './cloudwatch-types.ts';
import { DuplicateAlarmError, SimulatorInputError } from './simulator-errors.ts';

/** A copy of the alarm: what callers get, so changing it changes nothing here. */
export function copyAlarm(alarm: SimulatedAlarm): SimulatedAlarm {
  return structuredClone(alarm);
}

/** The alarm without its state: what transitions and history items name. */
export function descriptorOf(alarm: SimulatedAlarm): AlarmDescriptor {
  const { state: _state, stateTransitionedAt: _transitioned, ...descriptor } = copyAlarm(alarm);
  return descriptor;
}

/** Alarms of one account, kept per Region as CloudWatch does: a name is unique within a Region. */
export class AlarmStore {
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
    if (regional.has(alarm.name))
      throw new DuplicateAlarmError(`alarm "${alarm.name}" already exists in ${alarm.region}`);
    regional.set(alarm.name, alarm);
    return copyAlarm(alarm);
  }

  get(region: string, name: string): SimulatedAlarm | undefined {
    return this.byRegion.get(region)?.get(name);
  }

  /** Sorted by name: DescribeAlarms pages in this order. */
  inRegion(region: string): SimulatedAlarm[] {
    return [...(this.byRegion.get(region)?.values() ?? [])].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  all(): SimulatedAlarm[] {
    return [...this.byRegion.keys()].sort().flatMap((region) => this.inRegion(region));
  }

  private build(spec: AlarmSpec): SimulatedAlarm {
    if (typeof spec.name !== 'string' || spec.name.length < 1 || spec.name.length > 255) {
      throw new SimulatorInputError('alarm name must be 1 to 255 characters');
    }
    if (typeof spec.region !== 'string' || !isRegionCode(spec.region)) {
      throw new SimulatorInputError(`alarm region "${String(spec.region)}" is not a Region code like us-east-1`);
    }
    const type = spec.type ?? 'composite';
    if (type !== 'metric' && type !== 'composite')
      throw new SimulatorInputError(`alarm type "${String(type)}" is not metric or composite`);
    const value = spec.state ?? 'OK';
    if (!(ALARM_VALUES as readonly string[]).includes(value))
      throw new SimulatorInputError(`alarm state "${String(value)}" is not OK, ALARM or INSUFFICIENT_DATA`);
    if (spec.reasonData !== undefined) {
      try {
        JSON.parse(spec.reasonData);
      } catch {
        throw new SimulatorInputError('alarm reasonData must be a JSON document');
      }
    }
    const at = this.now();
    const topic = spec.topicArn ?? snsTopicArn(spec.region, this.accountId, DEFAULT_ALARM_TOPIC);
    return {
      name: spec.name,
      arn: alarmArn(spec.region, this.accountId, spec.name),
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
      state: {
        value,
        reason: spec.reason ?? 'Initial state set by the CloudWatch simulator',
        reasonData: spec.reasonData,
        timestamp: at,
      },
      stateTransitionedAt: at,
    };
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
