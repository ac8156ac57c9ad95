/**
 * Durations and the `timing` section: every duration a string with its unit, parsed to milliseconds, and
 * the bounds that keep each timer meaningful.
 */
import { z } from 'zod';
import { describeYamlValue } from '../describe-value.ts';
import { MAX_TIMER_MS, formatDuration, parseDuration } from './duration.ts';
import { DEFAULTS, expecting } from './schema-common.ts';

const LONGEST_DURATION = formatDuration(Math.floor(MAX_TIMER_MS / 3_600_000) * 3_600_000);

/** A duration string, parsed to milliseconds. Numbers are refused: `120` could mean seconds or minutes. */
export const durationText = z.unknown().transform((input, ctx) => {
  const ms = typeof input === 'string' ? parseDuration(input) : undefined;
  if (ms === undefined) {
    const message =
      typeof input === 'number'
        ? `${input} is not a duration like 90s or 2m (units are required)`
        : expecting('a duration like 90s or 2m')({ input });
    ctx.addIssue({ code: 'custom', message, input });
    return z.NEVER;
  }
  // Contradiction: a timer longer than 2^31-1 ms fires at once in Node.js, so the wait would be none.
  if (ms > MAX_TIMER_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `${describeYamlValue(input)} is longer than ${LONGEST_DURATION}, the longest wait a timer supports`,
      input,
    });
    return z.NEVER;
  }
  return ms;
});

function duration(defaultText: string) {
  return durationText.prefault(defaultText);
}

/** A duration that must be longer than zero; `why` says what zero would mean. */
function positiveDuration(defaultText: string, why: string) {
  return durationText.refine((ms) => ms > 0, { error: `must be longer than 0s: ${why}` }).prefault(defaultText);
}

/**
 * The shortest running drift check. Each check reads the split from Connect and may record and save; at
 * `1ms` that was 120 reads and 60 fsynced saves a second, and the 1,000-entry history rolled over in
 * seconds. Hand changes are not urgent to notice at sub-10-second resolution.
 */
export const MIN_DRIFT_CHECK_MS = 10_000;

/** Off (`0s`) or at least {@link MIN_DRIFT_CHECK_MS}. */
function driftCheck(defaultText: string) {
  return durationText
    .refine((ms) => ms === 0 || ms >= MIN_DRIFT_CHECK_MS, {
      error: (issue) =>
        `${formatDuration(issue.input as number)} is shorter than ${formatDuration(MIN_DRIFT_CHECK_MS)}, the shortest drift check (each one reads Connect); use 0s to turn it off`,
    })
    .prefault(defaultText);
}

/** The shortest alarm poll: DescribeAlarms costs money and counts against a Region's API quota. */
const MIN_ALARM_POLL_MS = 5_000;

function alarmPoll(defaultText: string) {
  return durationText
    .refine((ms) => ms === 0 || ms >= MIN_ALARM_POLL_MS, {
      error: (issue) =>
        `${formatDuration(issue.input as number)} is shorter than ${formatDuration(MIN_ALARM_POLL_MS)}, the shortest alarm poll (each one calls DescribeAlarms in every signal's Region); use 0s to read only at start-up`,
    })
    .prefault(defaultText);
}

const countError = expecting('a whole number of at least 1');

export const maxAutomaticShiftsShape = {
  // Contradiction: a limit of 0 shifts is no automation at all; that is what `pause` is for.
  count: z.int({ error: countError }).min(1, { error: countError }).prefault(DEFAULTS.timing.maxAutomaticShifts.count),
  // Contradiction: a window of no length counts no shifts, so the limit would never apply.
  per: positiveDuration(DEFAULTS.timing.maxAutomaticShifts.per, 'a window of no length counts nothing'),
};
export const timingShape = {
  // Contradiction: degraded for no time at all is critical; such an alarm belongs under signals.critical.
  escalateAfter: positiveDuration(
    DEFAULTS.timing.escalateAfter,
    'to fail over at once, list the alarm under signals.critical',
  ),
  // Contradiction: recovering without a quiet period lets one OK datapoint shift traffic back (flapping).
  recoverAfter: positiveDuration(
    DEFAULTS.timing.recoverAfter,
    'recovery needs a quiet period, or a single OK would shift traffic back',
  ),
  // 0 is allowed: no cooldown between shifts back toward the primary.
  cooldown: duration(DEFAULTS.timing.cooldown),
  maxAutomaticShifts: z
    .strictObject(maxAutomaticShiftsShape, { error: expecting('a mapping like { count: 4, per: 1h }') })
    .prefault({}),
  // How often a settled split is read again to catch changes made by hand; 0 turns it off.
  driftCheck: driftCheck(DEFAULTS.timing.driftCheck),
  // Every signal is also read with DescribeAlarms this often, so a lost event is caught; 0: start-up only.
  alarmPoll: alarmPoll(DEFAULTS.timing.alarmPoll),
  // Contradiction: a step held for no time is no step (the next write would supersede it at once).
  failbackStepHold: positiveDuration(
    DEFAULTS.timing.failbackStepHold,
    'a step held for no time is no step; for a failback in one step leave traffic.failbackSteps at [traffic.healthy]',
  ),
};
