/** Evaluating `waitFor` and `assert` conditions against one observation. Pure. */
import type { StatusReport } from '../app/status.ts';
import type { Config } from '../config/types.ts';
import { signalKeysOf } from './scenario-check.ts';
import type { Condition } from './scenario-types.ts';
import type { SplitReading } from './game-day-target.ts';

/** What the game day saw at one moment: the controller's state (its store) and the split (Connect). */
export interface Observation {
  at: number;
  /** Undefined when the store could not be read. */
  status: StatusReport | undefined;
  /** Undefined when Connect could not be read. */
  split: SplitReading | undefined;
}

export interface Verdict {
  passed: boolean;
  /** One line per key that does not hold, e.g. `state is degraded (want failedOver)`. */
  mismatches: string[];
  /** What was seen, for the report: `state failedOver, automation active, split 0% primary, last shift verified`. */
  seen: string;
}

export function evaluate(condition: Condition, observation: Observation, config: Config): Verdict {
  const { status, split } = observation;
  const mismatches: string[] = [];
  const want = <T>(
    what: string,
    wanted: T | undefined,
    actual: T | undefined,
    show: (v: T | undefined) => string = String,
  ) => {
    if (wanted !== undefined && actual !== wanted) mismatches.push(`${what} is ${show(actual)} (want ${show(wanted)})`);
  };
  const unread = (v: unknown) => (v === undefined || v === null ? 'unknown' : String(v));
  want('state', condition.state, status?.state, unread);
  want('automation', condition.automation, status?.automation, unread);
  const pct = (v: number | undefined) => (v === undefined ? 'unknown' : `${v}% primary`);
  want('split', condition.primaryPercent, split?.primaryPercent, pct);
  if (condition.split !== undefined) want('split', config.traffic[condition.split], split?.primaryPercent, pct);
  want('last shift', condition.lastShift, status?.lastShift?.outcome, unread);
  for (const [entry, value] of Object.entries(condition.signals ?? {})) {
    for (const key of signalKeysOf(entry, config)) want(`signal ${key}`, value, status?.signals[key], unread);
  }
  return { passed: mismatches.length === 0, mismatches, seen: describeObservation(observation) };
}

export function describeObservation({ status, split }: Observation): string {
  const parts = [
    status ? `state ${status.state}` : 'state unknown (store not readable)',
    status ? `automation ${status.automation}` : undefined,
    split ? `split ${split.primaryPercent}% primary` : 'split unknown',
    status?.lastShift ? `last shift ${status.lastShift.primaryPercent}% ${status.lastShift.outcome}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
