/**
 * Fixtures for the Controller and its collaborators on their own: the contract's example config, a silent
 * logger, Connect and CloudWatch as in-memory ports, and queue message bodies. No server, no real time.
 */
import { readFileSync } from 'node:fs';
import type { AlarmReader } from '../../src/cloudwatch/alarm-reader.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ShiftResult, TdgStatus, TrafficControl, TrafficSplit } from '../../src/connect/traffic-port.ts';
import type { InboundMessage } from '../../src/controller/controller-types.ts';
import { createLogger } from '../../src/observability/logger.ts';

export const CONFIG = parseConfig(
  readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8'),
).config;

export const silentLogger = createLogger({ level: 'silent' });

/** Connect as a port: every shift lands at once; the split is whatever was last written. */
export class InstantTraffic implements TrafficControl {
  split: TrafficSplit = { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 };
  readonly shifts: number[] = [];
  /** Rejects every read while set (neither Region answers). */
  readFails: Error | undefined;

  async shift(target: number): Promise<ShiftResult> {
    const wrote = this.split.telephonyPrimaryPercent !== target;
    this.shifts.push(target);
    this.split = { telephonyPrimaryPercent: target, agentsPrimaryPercent: target };
    return {
      outcome: wrote ? 'verified' : 'alreadyInPlace',
      calls: [],
      writes: wrote ? 1 : 0,
      writtenVia: wrote ? 'us-west-2' : undefined,
      verifiedAt: 0,
      split: this.split,
    };
  }

  async read(): Promise<{ split: TrafficSplit; status: TdgStatus; region: string }> {
    if (this.readFails) throw this.readFails;
    return { split: this.split, status: 'ACTIVE', region: 'us-east-1' };
  }
}

/** CloudWatch as a port: every alarm OK since `since` until a test sets it (as the alarm events it sends claim). */
export class FakeCloudWatch implements AlarmReader {
  private readonly states = new Map<string, { value: 'OK' | 'ALARM'; at: number }>();

  constructor(private readonly since: number) {}

  set(name: string, value: 'OK' | 'ALARM', at: number): void {
    this.states.set(name, { value, at });
  }

  async read(refs: Parameters<AlarmReader['read']>[0]) {
    return refs.map((r) => ({
      key: r.key,
      arn: undefined,
      reason: undefined,
      ...(this.states.get(r.name) ?? { value: 'OK' as const, at: this.since }),
    }));
  }
}

/** An EventBridge `CloudWatch Alarm State Change` body for an alarm in us-east-1. */
export function alarmBody(name: string, value: 'OK' | 'ALARM', at: number): string {
  return JSON.stringify({
    version: '0',
    id: `evt-${name}-${at}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: new Date(at).toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:111122223333:alarm:${name}`],
    detail: {
      alarmName: name,
      state: { value, reason: 'test', timestamp: new Date(at).toISOString() },
      previousState: {
        value: value === 'OK' ? 'ALARM' : 'OK',
        reason: 'test',
        timestamp: new Date(at - 1000).toISOString(),
      },
      configuration: { metrics: [] },
    },
  });
}

export const message = (body: string, id = body.length.toString()): InboundMessage => ({
  messageId: id,
  body,
  receivedAt: Date.now(),
});
