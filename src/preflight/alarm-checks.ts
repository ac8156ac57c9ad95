import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { SignalRef } from '../domain/signals.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

const ROLE_EFFECT: Readonly<Record<SignalRef['role'], string>> = {
  critical: 'in ALARM: the controller fails over on it (or already has)',
  degraded: 'in ALARM: the controller shifts to the degraded split on it, and fails over if it stays',
  replicaUnhealthy: 'in ALARM: automatic failover is blocked while it is',
};

/** Every configured alarm exists where the controller will look for it, with its current state. */
export async function checkAlarms(
  refs: readonly SignalRef[],
  reader: AlarmReader,
  signal: AbortSignal,
): Promise<CheckResult[]> {
  let readings;
  try {
    readings = await reader.read(refs, signal);
  } catch (error) {
    return [
      {
        id: 'alarms',
        title: 'alarms readable',
        status: 'fail',
        detail: `DescribeAlarms failed: ${messageOf(error)}`,
        fix: "allow cloudwatch:DescribeAlarms for the controller's IAM identity, and check that the CloudWatch endpoint is reachable",
      },
    ];
  }
  return refs.map((ref, index) => {
    const reading = readings[index];
    const base = { id: `alarm:${ref.key}`, title: `alarm ${ref.name} (${ref.role})` };
    if (reading?.value === undefined) {
      return {
        ...base,
        status: 'fail',
        detail: `DescribeAlarms in ${ref.region} knows no alarm named ${JSON.stringify(ref.name)}: its events would be ignored`,
        fix:
          `check the spelling in signals.${ref.role}; primary signals are looked up in regions.primary and replicaUnhealthy ones in ` +
          'regions.replica, so an alarm in another Region must be given as its ARN',
      };
    }
    const since = reading.at === undefined ? '' : ` since ${new Date(reading.at).toISOString()}`;
    if (reading.value === 'OK') return { ...base, status: 'pass', detail: `OK${since}` };
    if (reading.value === 'ALARM')
      return {
        ...base,
        status: 'warn',
        detail: `ALARM${since}; ${ROLE_EFFECT[ref.role]}`,
        fix: reading.reason ? `CloudWatch says: ${reading.reason}` : 'look at the alarm',
      };
    return {
      ...base,
      status: 'warn',
      detail: `INSUFFICIENT_DATA${since}: it can neither trigger a shift nor let recovery happen`,
      fix: "check that the metric has data, or set the alarm's TreatMissingData to notBreaching",
    };
  });
}
