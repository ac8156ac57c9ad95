/**
 * Which configured signal an alarm event is. Config entries are alarm names or ARNs, exactly as written;
 * the statechart knows signals by those strings.
 */
import type { Signals } from '../config/types.ts';
import type { AlarmIdentity } from '../events/types.ts';

export type SignalRole = keyof Signals;

export interface SignalRef {
  /** The config entry (name or ARN): the statechart's key for this alarm. */
  key: string;
  role: SignalRole;
  /** The alarm name (from the ARN when the entry is an ARN). */
  name: string;
  /** The Region to read it in: the ARN's, else the primary for primary signals and the replica for replica ones. */
  region: string;
}

const ARN = /^arn:aws[-a-z]*:cloudwatch:([a-z0-9-]+):(\d+):alarm:(.+)$/;

/** Every configured signal with the Region it lives in. */
export function signalRefs(signals: Signals, regions: { primary: string; replica: string }): SignalRef[] {
  const roles: SignalRole[] = ['degraded', 'critical', 'replicaUnhealthy'];
  return roles.flatMap((role) =>
    signals[role].map((key) => {
      const arn = ARN.exec(key);
      const defaultRegion = role === 'replicaUnhealthy' ? regions.replica : regions.primary;
      return { key, role, name: arn ? arn[3]! : key, region: arn ? arn[1]! : defaultRegion };
    }),
  );
}

/**
 * The configured key for an alarm, or undefined when it is not a signal. An ARN entry matches only that
 * ARN; a name entry matches the alarm's name (the queue policy decides which accounts may send at all).
 */
export function matchSignal(refs: readonly SignalRef[], alarm: Pick<AlarmIdentity, 'arn' | 'name'>): SignalRef | undefined {
  return refs.find((ref) => (ARN.test(ref.key) ? ref.key === alarm.arn : ref.name === alarm.name));
}
