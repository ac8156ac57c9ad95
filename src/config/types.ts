export type { AlarmValue, HealthState, SplitState } from '../../state-machines/types.ts';
import type { AlarmSenders } from '../domain/alarm-senders.ts';
import type { Signals } from '../domain/signals.ts';

export type { Signals };

/** The traffic distribution group as configured: always normalized to an id, plus the ARN when known. */
export interface TrafficDistributionGroupRef {
  /** The UUID part. */
  id: string;
  /** Full ARN; absent only when the config gave a bare id (accepted with a warning). */
  arn: string | undefined;
  /** Home Region from the ARN, when known. */
  region: string | undefined;
}

/**
 * A Connect instance as configured: its UUID, plus the ARN (so its Region and account) when the config gave
 * one. A replica made by ReplicateInstance has the same UUID as its source, so the bare id names it too.
 */
export interface ConnectInstanceRef {
  id: string;
  arn: string | undefined;
  region: string | undefined;
}

/** Percent of telephony traffic to the primary in each health state. */
export interface TrafficPolicy {
  healthy: number;
  degraded: number;
  failedOver: number;
  /** Move AgentConfig together with TelephonyConfig. Default true. */
  shiftAgents: boolean;
  /**
   * `traffic.failbackSteps`: the primary percentages a return from failedOver passes through, strictly
   * increasing, each above `failedOver`, the last `healthy`. Default `[healthy]`: straight back.
   */
  failbackSteps: number[];
  /**
   * `traffic.agentsLead`: percentage points the agents split runs ahead of telephony at each failback
   * step (capped at `healthy`); 0 to 100 in steps of 10. Default 0: agents move with telephony.
   */
  agentsLead: number;
}

/** All durations in milliseconds. */
export interface Timing {
  escalateAfterMs: number;
  recoverAfterMs: number;
  cooldownMs: number;
  maxAutomaticShifts: { count: number; perMs: number };
  /** How often a settled split is re-read to catch hand changes; 0: never. Default 5 min. */
  driftCheckMs: number;
  /** How often every signal is read with DescribeAlarms; 0: at start-up only. Default 1 min. */
  alarmPollMs: number;
  /** `timing.failbackStepHold`: each intermediate failback step is held this long with every primary signal OK. Default 2 min; > 0. */
  failbackStepHoldMs: number;
}

export type StoreConfig =
  | { type: 'file'; path: string }
  | {
      type: 'dynamodb';
      /** The table (`store.table`); one table holds several traffic distribution groups, an item each. */
      table: string;
      /** The table's Region (`store.region`). Default: `regions.replica`, which must work when the primary fails. */
      region: string;
      /** `store.leaseDuration`: a dead leader is replaced within about this long. Default 15 s; at least 1 s. */
      leaseDurationMs: number;
      /**
       * This group's item: the partition key value, the traffic distribution group's id (from
       * `trafficDistributionGroup`, not configured). The id, not the ARN, so a config giving the ARN and one
       * giving the bare id share one item, and so one lease, rather than both acting.
       */
      key: string;
    };

/** The validated, normalized config. Produced only by `src/config/load.ts`. */
export interface Config {
  trafficDistributionGroup: TrafficDistributionGroupRef;
  regions: { primary: string; replica: string };
  /**
   * The replica Region's Connect instance (`regions.replicaInstance`), whose flows preflight reads; absent:
   * the replica readiness check is skipped.
   */
  replicaInstance?: ConnectInstanceRef;
  queue: {
    url: string;
    region: string | undefined;
    /** Who may send alarm events (`queue.alarmSenders`); absent: anyone who may send to the queue. */
    alarmSenders?: AlarmSenders;
  };
  signals: Signals;
  traffic: TrafficPolicy;
  timing: Timing;
  failback: 'manual' | 'automatic';
  /** A split changed by hand: adopt it and pause automation (`pause`, the default) or restore the state's split. */
  drift: 'pause' | 'restore';
  store: StoreConfig;
  http: { host: string; port: number } | undefined;
  dryRun: boolean;
}

/** The part of the config the statechart decides with: no AWS identities, no I/O settings. */
export type Policy = Pick<Config, 'signals' | 'traffic' | 'timing' | 'failback'>;
