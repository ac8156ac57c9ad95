/**
 * The `traffic` section (the split in each state and the way back) and the policy choices beside it,
 * `failback` and `drift`.
 */
import { z } from 'zod';
import { DEFAULTS, expecting, flag } from './schema-common.ts';

const percentError = expecting('a percentage from 0 to 100 in steps of 10');
/** Connect accepts only multiples of 10 (InvalidRequestException otherwise). */
function percent(defaultValue: number) {
  return z
    .int({ error: percentError })
    .min(0, { error: percentError })
    .max(100, { error: percentError })
    .multipleOf(10, { error: percentError })
    .prefault(defaultValue);
}

/** One failback step: a primary percentage Connect accepts. */
const stepPercent = z
  .int({ error: percentError })
  .min(0, { error: percentError })
  .max(100, { error: percentError })
  .multipleOf(10, { error: percentError });

const failbackStepsError = expecting('a list of primary percentages like [20, 50, 100]');
/** Absent: `[traffic.healthy]` (load.ts), one step straight back. The order and the ends are relations. */
const failbackSteps = z
  .array(stepPercent, { error: failbackStepsError })
  .min(1, { error: 'is empty; list at least traffic.healthy (a failback in one step)' })
  .optional();

const leadError = expecting('percentage points from 0 to 100 in steps of 10');
/** Points the agents split runs ahead of telephony during a failback: any multiple of 10 keeps both splits valid. */
const agentsLead = z
  .int({ error: leadError })
  .min(0, { error: leadError })
  .max(100, { error: leadError })
  .multipleOf(10, { error: leadError })
  .prefault(DEFAULTS.traffic.agentsLead);

export const trafficShape = {
  healthy: percent(DEFAULTS.traffic.healthy),
  degraded: percent(DEFAULTS.traffic.degraded),
  failedOver: percent(DEFAULTS.traffic.failedOver),
  shiftAgents: flag(DEFAULTS.traffic.shiftAgents),
  failbackSteps,
  agentsLead,
};

export const failbackMode = z
  .enum(['manual', 'automatic'], { error: expecting('manual or automatic') })
  .prefault(DEFAULTS.failback);
// A split changed by hand is a human decision: adopt it and pause (default), or restore the state's split.
export const driftMode = z
  .enum(['pause', 'restore'], { error: expecting('pause or restore') })
  .prefault(DEFAULTS.drift);
