/**
 * Preflight's vocabulary: a checklist like AWS ARC Region switch's plan evaluation, where every item
 * passes, warns or fails and says how to fix it.
 */

/** `fail`: a failover would not work (or not be noticed). `warn`: it would, with a caveat worth reading. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One item of the checklist. */
export interface CheckResult {
  /** Stable identifier, e.g. `queue.deadLetter`, `tdg.replica`, `alarm:connect-primary-outage`. */
  id: string;
  /** What was checked, for people. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about a warning or failure. */
  fix?: string;
}

/** The whole checklist, in a fixed order. */
export interface PreflightReport {
  /** True when nothing failed (warnings allowed). */
  ok: boolean;
  summary: Record<CheckStatus, number>;
  checks: CheckResult[];
}

/** Check identifiers that can be skipped as a group (see `runPreflight`'s `skip`). */
export type CheckGroup = 'mode' | 'credentials' | 'queue' | 'tdg' | 'traffic.split' | 'replica' | 'alarms' | 'store';

export function reportOf(checks: CheckResult[]): PreflightReport {
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0 };
  for (const check of checks) summary[check.status] += 1;
  return { ok: summary.fail === 0, summary, checks };
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
