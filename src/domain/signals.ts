/**
 * Signals: the configured alarms, by role. Config entries are alarm names or ARNs, exactly as written;
 * the statechart knows signals by those strings. Config, cloudwatch, controller, preflight and the game
 * day all take this vocabulary from here, so a role added here is added everywhere.
 */
import type { AlarmValue } from '../../state-machines/types.ts';
import { parseAlarmArn } from '../aws/identifiers.ts';

/**
 * The roles a signal plays, in the order they are listed: `degraded` (the primary is impaired; fails over
 * after `escalateAfter`), `critical` (the primary is down; fail over now), `replicaUnhealthy` (the replica
 * cannot take traffic: no automatic shift toward it while one is in ALARM).
 */
export const SIGNAL_ROLES = ['degraded', 'critical', 'replicaUnhealthy'] as const;

/** Every state a CloudWatch alarm can be in; any other value in a message, file or request is refused. */
export const ALARM_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const satisfies readonly AlarmValue[];

/** One of {@link SIGNAL_ROLES}. */
export type SignalRole = (typeof SIGNAL_ROLES)[number];

/** Signals by role. Each entry is an alarm name or ARN, exactly as the user wrote it. */
export type Signals = Record<SignalRole, string[]>;

/** One configured signal, with where to read it. */
export interface SignalRef {
  /** The config entry (name or ARN): the statechart's key for this alarm. */
  key: string;
  role: SignalRole;
  /** The alarm name (from the ARN when the entry is an ARN). */
  name: string;
  /** The Region to read it in: the ARN's, else the primary for primary signals and the replica for replica ones. */
  region: string;
}

/** Every configured signal with the Region it lives in, in {@link SIGNAL_ROLES} order. */
export function signalRefs(signals: Signals, regions: { primary: string; replica: string }): SignalRef[] {
  return SIGNAL_ROLES.flatMap((role) =>
    signals[role].map((key) => {
      const arn = parseAlarmArn(key);
      const defaultRegion = role === 'replicaUnhealthy' ? regions.replica : regions.primary;
      return { key, role, name: arn ? arn.name : key, region: arn ? arn.region : defaultRegion };
    }),
  );
}

/**
 * The configured signal an alarm is, or undefined when it is not a signal. An ARN entry matches only that
 * ARN; a name entry matches the alarm's name (the queue policy decides which accounts may send at all).
 */
export function matchSignal(refs: readonly SignalRef[], alarm: { arn: string; name: string }): SignalRef | undefined {
  return refs.find((ref) => (parseAlarmArn(ref.key) === undefined ? ref.name === alarm.name : ref.key === alarm.arn));
}
