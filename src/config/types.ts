export type { AlarmValue, HealthState } from '../../state-machines/types.ts';

/** The traffic distribution group as configured: always normalized to an id, plus the ARN when known. */
export interface TrafficDistributionGroupRef {
  /** The UUID part. */
  id: string;
  /** Full ARN; absent only when the config gave a bare id (accepted with a warning). */
  arn: string | undefined;
  /** Home Region from the ARN, when known. */
  region: string | undefined;
}

/** Signals by role. Each entry is an alarm name or ARN, exactly as the user wrote it. */
export interface Signals {
  degraded: string[];
  critical: string[];
  replicaUnhealthy: string[];
}

/** Percent of telephony traffic to the primary in each health state. */
export interface TrafficPolicy {
  healthy: number;
  degraded: number;
  failedOver: number;
  /** Move AgentConfig together with TelephonyConfig. Default true. */
  shiftAgents: boolean;
}

/** All durations in milliseconds. */
export interface Timing {
  escalateAfterMs: number;
  recoverAfterMs: number;
  cooldownMs: number;
  maxAutomaticShifts: { count: number; perMs: number };
  /** How often a settled split is re-read to catch hand changes; 0: never. Default 5 min. */
  driftCheckMs: number;
}

export type StoreConfig =
  | { type: 'file'; path: string }
  | { type: 'dynamodb'; table: string; region: string | undefined };

/** The validated, normalized config. Produced only by `src/config/load.ts`. */
export interface Config {
  trafficDistributionGroup: TrafficDistributionGroupRef;
  regions: { primary: string; replica: string };
  queue: { url: string; region: string | undefined };
  signals: Signals;
  traffic: TrafficPolicy;
  timing: Timing;
  failback: 'manual' | 'automatic';
  store: StoreConfig;
  http: { host: string; port: number } | undefined;
  dryRun: boolean;
}

/** The part of the config the statechart decides with: no AWS identities, no I/O settings. */
export type Policy = Pick<Config, 'signals' | 'traffic' | 'timing' | 'failback'>;
