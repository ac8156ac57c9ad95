/** A hand-made recording of a small game day (fail over on a critical alarm, fail back on a command), times relative to T0. */
import type { ConnectCall } from '../../src/connect/traffic-port.ts';
import { newRecording } from '../../src/gameday/recording.ts';
import type { Recording } from '../../src/gameday/recording.ts';

export const T0 = Date.UTC(2026, 10, 28, 14);

function call(
  at: number,
  operation: ConnectCall['operation'],
  status: number | undefined,
  extra: Partial<ConnectCall> = {},
): ConnectCall {
  return {
    operation,
    region: 'us-west-2',
    startedAt: T0 + at,
    durationMs: 5,
    status,
    error: status === 200 ? undefined : 'ThrottlingException',
    ...extra,
  };
}

export function sampleRecording(
  options: { insideView?: boolean; rtoTargetMs?: number; alarmName?: string } = {},
): Recording {
  const insideView = options.insideView ?? true;
  const outage = options.alarmName ?? 'connect-primary-outage';
  const r = newRecording({
    scenario: {
      name: 'sample',
      description: 'a sample',
      file: undefined,
      rtoTargetMs: options.rtoTargetMs,
      rtoFrom: undefined,
    },
    mode: insideView ? 'local' : 'aws',
    config: {
      tdg: 'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
      regions: { primary: 'us-east-1', replica: 'us-west-2' },
      traffic: { healthy: 100, degraded: 50, failedOver: 0 },
      timing: { escalateAfterMs: 2000, recoverAfterMs: 2000, cooldownMs: 0 },
      failback: 'manual',
      dryRun: false,
    },
    insideView,
    startedAt: T0,
  });
  r.endedAt = T0 + 3000;
  r.alarms = [
    { key: outage, name: outage, role: 'critical', region: 'us-east-1', initial: 'OK' },
    {
      key: 'connect-replica-outage',
      name: 'connect-replica-outage',
      role: 'replicaUnhealthy',
      region: 'us-west-2',
      initial: 'OK',
    },
  ];
  r.alarmChanges = [
    { at: T0 + 100, alarm: outage, state: 'ALARM', step: 'steps[0]' },
    { at: T0 + 1500, alarm: outage, state: 'OK', step: 'steps[2]' },
  ];
  r.commands = [{ at: T0 + 1800, command: 'failback', reason: 'recovered', id: 'c1', step: 'steps[3]' }];
  r.decisions = [
    {
      at: T0 + 111,
      region: 'health',
      from: 'healthy',
      to: 'failedOver',
      reason: 'critical alarm in ALARM',
      trigger: 'automatic',
      alarms: [outage],
    },
    {
      at: T0 + 1830,
      region: 'health',
      from: 'failedOver',
      to: 'healthy',
      reason: 'operator failback',
      trigger: 'operator',
      alarms: [],
      by: 'me',
    },
  ];
  r.samples = [
    {
      at: T0 + 50,
      health: 'healthy',
      automation: 'active',
      desiredPrimaryPercent: 100,
      actualPrimaryPercent: 100,
      tdgStatus: 'ACTIVE',
      lastShift: undefined,
    },
    {
      at: T0 + 150,
      health: 'failedOver',
      automation: 'active',
      desiredPrimaryPercent: 0,
      actualPrimaryPercent: 100,
      tdgStatus: 'ACTIVE',
      lastShift: '0% pending',
    },
    {
      at: T0 + 450,
      health: 'failedOver',
      automation: 'active',
      desiredPrimaryPercent: 0,
      actualPrimaryPercent: 0,
      tdgStatus: 'ACTIVE',
      lastShift: '0% verified',
    },
    {
      at: T0 + 1900,
      health: 'healthy',
      automation: 'active',
      desiredPrimaryPercent: 100,
      actualPrimaryPercent: 100,
      tdgStatus: 'ACTIVE',
      lastShift: '100% verified',
    },
  ];
  if (insideView) {
    r.receipts = [
      { at: T0 + 110, kind: 'alarm', subject: outage, state: 'ALARM', outcome: 'applied' },
      { at: T0 + 1829, kind: 'command', subject: 'failback', outcome: 'accepted: ' },
    ];
    r.connectCalls = [
      call(112, 'GetTrafficDistribution', 200),
      call(118, 'UpdateTrafficDistribution', 429, { split: { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 } }),
      call(125, 'GetTrafficDistribution', undefined, { error: 'AbortError' }),
      call(130, 'UpdateTrafficDistribution', 200, { split: { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 } }),
      call(390, 'GetTrafficDistribution', 200),
      call(1840, 'UpdateTrafficDistribution', 200, {
        region: 'us-east-1',
        split: { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 },
      }),
    ];
    r.shiftOutcomes = [
      { at: T0 + 112, kind: 'started', targetPrimaryPercent: 0, attempt: 1 },
      { at: T0 + 400, kind: 'verified', targetPrimaryPercent: 0, attempt: 1 },
      { at: T0 + 2100, kind: 'verified', targetPrimaryPercent: 100, attempt: 1 },
    ];
  } else {
    r.shiftOutcomes = [
      { at: T0 + 400, kind: 'verified', targetPrimaryPercent: 0 },
      { at: T0 + 2100, kind: 'verified', targetPrimaryPercent: 100 },
    ];
  }
  r.steps = [
    {
      path: 'steps[0]',
      label: 'primary fails',
      action: `set ${outage} to ALARM`,
      startedAt: T0 + 100,
      endedAt: T0 + 105,
      status: 'done',
    },
    {
      path: 'steps[1]',
      label: 'wait for state failedOver',
      action: 'wait for state failedOver',
      startedAt: T0 + 105,
      endedAt: T0 + 450,
      status: 'passed',
    },
    {
      path: 'steps[2]',
      label: 'primary recovers',
      action: `set ${outage} to OK`,
      startedAt: T0 + 1500,
      endedAt: T0 + 1505,
      status: 'done',
    },
    {
      path: 'steps[3]',
      label: 'operator failback',
      action: 'operator failback',
      startedAt: T0 + 1800,
      endedAt: T0 + 1801,
      status: 'done',
    },
  ];
  r.checks = [
    {
      kind: 'wait',
      step: 'steps[1]',
      description: 'wait for state failedOver within 10s',
      passed: true,
      detail: 'reached after 0.3s',
    },
  ];
  return r;
}
