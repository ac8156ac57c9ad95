/**
 * What every part of the config schema shares: the defaults in the file's notation, how an issue's path
 * and a field's error read, and the small field builders used across sections.
 */
import { z } from 'zod';
import { describeYamlValue } from '../describe-value.ts';

/** The settings' defaults, in the file's notation. */
export const DEFAULTS = {
  // failbackSteps: [traffic.healthy], filled in by load.ts (it depends on healthy).
  traffic: { healthy: 100, degraded: 50, failedOver: 0, shiftAgents: true, agentsLead: 0 },
  timing: {
    escalateAfter: '5m',
    recoverAfter: '10m',
    cooldown: '2m',
    maxAutomaticShifts: { count: 4, per: '1h' },
    driftCheck: '5m',
    alarmPoll: '1m',
    failbackStepHold: '2m',
  },
  failback: 'manual',
  drift: 'pause',
  store: { type: 'file', path: './connect-failover-state.json' },
  http: { host: '127.0.0.1', port: 9464 },
  dryRun: false,
} as const;

/** An issue path as users read it: `signals.critical[0]`, `timing.maxAutomaticShifts.per`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** An error map for one field: missing, empty and wrong values all say what the field expects. */
export function expecting(what: string): (issue: { input?: unknown }) => string {
  return (issue) => {
    if (issue.input === undefined) return `is required (${what})`;
    if (issue.input === null) return `is empty; expected ${what}`;
    return `${describeYamlValue(issue.input)} is not ${what}`;
  };
}

/** A `true`/`false` setting with its default. */
export function flag(defaultValue: boolean) {
  return z.boolean({ error: expecting('true or false') }).prefault(defaultValue);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
