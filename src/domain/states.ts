/**
 * The statechart's two regions as lists: every health and automation state, for schemas (the state
 * file, game-day scenarios) and for metrics that export one gauge per state. The types live with the
 * statechart; the lists live here, once, checked against the types at compile time.
 */
import type { AutomationState, HealthState } from '../../state-machines/types.ts';

/** Compiles only when `values` lists every member of `U`: a state added to the type must be added here. */
function allOf<U extends string>() {
  return <const T extends readonly U[]>(
    values: T & ([Exclude<U, T[number]>] extends [never] ? unknown : { missing: Exclude<U, T[number]> }),
  ): T => values;
}

/** Every health state: from best to worst, then `failingBack` (on the way back, between failedOver and healthy). */
export const HEALTH_STATES = allOf<HealthState>()(['healthy', 'degraded', 'failedOver', 'failingBack']);

/** Every automation state: acting on alarms, paused by an operator, or suspended by the shift limit. */
export const AUTOMATION_STATES = allOf<AutomationState>()(['active', 'paused', 'suspended']);

export type { AutomationState, HealthState };
