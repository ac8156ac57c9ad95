/**
 * Reads the current state of the configured alarms with DescribeAlarms, for start-up reconciliation and
 * preflight. The only module here that imports the CloudWatch SDK for reading alarms.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { AlarmValue } from '../config/types.ts';
import type { SignalRef } from '../domain/signals.ts';

export interface AlarmReading {
  key: string;
  /** Undefined when no such alarm exists (a typo in the config, or the wrong Region). */
  value: AlarmValue | undefined;
  /** Epoch ms of the alarm's last state update. */
  at: number | undefined;
  arn: string | undefined;
  reason: string | undefined;
}

export interface AlarmReader {
  read(refs: readonly SignalRef[], signal?: AbortSignal): Promise<AlarmReading[]>;
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

export class CloudWatchAlarmReader implements AlarmReader {
  private readonly clients = new Map<string, CloudWatchClient>();

  constructor(
    private readonly makeClient: (region: string) => CloudWatchClient = (region) => new CloudWatchClient({ region }),
  ) {}

  async read(refs: readonly SignalRef[], signal?: AbortSignal): Promise<AlarmReading[]> {
    const byRegion = new Map<string, SignalRef[]>();
    for (const ref of refs) byRegion.set(ref.region, [...(byRegion.get(ref.region) ?? []), ref]);
    const found = new Map<
      string,
      { value: AlarmValue; at: number | undefined; arn: string | undefined; reason: string | undefined }
    >();
    for (const [region, regionRefs] of byRegion) {
      const names = [...new Set(regionRefs.map((r) => r.name))];
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        let nextToken: string | undefined;
        do {
          const page = await this.client(region).send(
            new DescribeAlarmsCommand({
              AlarmNames: names.slice(i, i + NAMES_PER_CALL),
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              NextToken: nextToken,
            }),
            { abortSignal: signal },
          );
          for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            if (!alarm.AlarmName || !alarm.StateValue) continue;
            found.set(`${region}/${alarm.AlarmName}`, {
              value: alarm.StateValue as AlarmValue,
              at: alarm.StateUpdatedTimestamp?.getTime(),
              arn: alarm.AlarmArn,
              reason: alarm.StateReason,
            });
          }
          nextToken = page.NextToken;
        } while (nextToken);
      }
    }
    return refs.map((ref) => {
      const hit = found.get(`${ref.region}/${ref.name}`);
      return { key: ref.key, value: hit?.value, at: hit?.at, arn: hit?.arn, reason: hit?.reason };
    });
  }

  private client(region: string): CloudWatchClient {
    let client = this.clients.get(region);
    if (!client) {
      client = this.makeClient(region);
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }
}
