/** The statechart's public surface: the machine, its pure rules, and readers of its snapshots. */
import { createActor } from 'xstate';
import type { SnapshotFrom } from 'xstate';
import type { FailoverMachine } from './failover-machine.ts';
import { agentsPercentFor, blockedShift, failbackProgress, nextDeadline, primaryPercentFor } from './policy.ts';
import type { AutomationState, FailoverPolicy, HealthState } from './types.ts';

export { createFailoverMachine, MACHINE_VERSION } from './failover-machine.ts';
export type { FailoverMachine } from './failover-machine.ts';
export { toMermaid } from './diagram.ts';
export * from './policy.ts';
export type * from './types.ts';

export type FailoverSnapshot = SnapshotFrom<FailoverMachine>;

/** The two regions' current states. */
export function statesOf(snapshot: FailoverSnapshot): { health: HealthState; automation: AutomationState } {
  const value = snapshot.value as { health: HealthState; automation: AutomationState };
  return { health: value.health, automation: value.automation };
}

/**
 * What the controller should do next, read from a snapshot: the desired split (telephony and agents),
 * what is blocked, when to wake, and, while failing back, which step of how many and until when it holds.
 */
export function outlook(policy: FailoverPolicy, snapshot: FailoverSnapshot) {
  const { health, automation } = statesOf(snapshot);
  const ctx = snapshot.context;
  return {
    health,
    automation,
    desiredPrimaryPercent: primaryPercentFor(policy, health, ctx),
    /** Equal to `desiredPrimaryPercent` except during a failback step with `traffic.agentsLead`. */
    desiredAgentsPrimaryPercent: agentsPercentFor(policy, health, ctx),
    blocked: blockedShift(policy, ctx, health, automation),
    nextDeadline: nextDeadline(policy, ctx, health, automation),
    /** Null unless `failingBack`; `holdUntil` null while a primary signal is not OK (or automation is not active, the step frozen). */
    failback: failbackProgress(policy, ctx, health, automation),
  };
}

/**
 * Turns a persisted snapshot (as stored, after JSON) back into a live snapshot of `machine`, for the pure
 * `transition` function or `createActor`. Nothing runs: the machine has no invoked actors or timers.
 */
export function restoreSnapshot(machine: FailoverMachine, persisted: unknown): FailoverSnapshot {
  return createActor(machine, { snapshot: persisted as FailoverSnapshot, input: { now: 0 } }).getSnapshot();
}
