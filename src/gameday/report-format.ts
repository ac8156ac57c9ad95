/** Small formatting helpers shared by the Markdown and HTML reports. Pure. */
import type { ConnectCall } from '../connect/traffic-port.ts';
import type { Recording } from './recording.ts';

/** A moment as an offset from the game day's start: `+3.21s`. */
export function offset(at: number | undefined, recording: Pick<Recording, 'startedAt'>): string {
  if (at === undefined) return '—';
  return `+${((at - recording.startedAt) / 1000).toFixed(2)}s`;
}

/** A duration: `183 ms` below ten seconds' worth of precision matters, else `2.16 s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '—';
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A whole-run verdict: every check passed and no step failed with an error. */
export function passed(recording: Recording): boolean {
  return (
    recording.checks.length > 0 &&
    recording.checks.every((c) => c.passed) &&
    !recording.steps.some((s) => s.status === 'error')
  );
}

/** A Connect call in one line: `UpdateTrafficDistribution us-west-2 → 429 ThrottlingException (12 ms)`. */
export function describeCall(call: ConnectCall): string {
  const answer = call.status === undefined ? 'no answer' : String(call.status);
  const split = call.split ? ` [${call.split.telephonyPrimaryPercent}% primary]` : '';
  return `${call.operation} ${call.region}${split} → ${answer}${call.error ? ` ${call.error}` : ''} (${duration(call.durationMs)})`;
}

/** The kind of answer a call got, for colours and legends. */
export function callClass(call: ConnectCall): 'ok' | 'throttled' | 'conflict' | 'server' | 'client' | 'network' {
  const status = call.status;
  if (status === undefined) return 'network';
  if (status < 300) return 'ok';
  if (status === 429) return 'throttled';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server';
  return 'client';
}

export function percentText(value: number | undefined): string {
  return value === undefined ? '?' : `${value}%`;
}

export function when(at: number): string {
  return new Date(at).toISOString();
}

/** What failed, one line each, for the top of the report: failed checks, then steps that ended in an error. */
export function failuresOf(recording: Recording): string[] {
  return [
    ...recording.checks
      .filter((c) => !c.passed)
      .map((c) => `${c.step ? `${c.step} ` : ''}${c.description}: ${c.detail}`),
    ...recording.steps.filter((s) => s.status === 'error').map((s) => `${s.path} ${s.label}: error: ${s.detail ?? ''}`),
    ...(recording.checks.length === 0 ? ['no check ran: the scenario has no waitFor, assert or RTO target'] : []),
  ];
}

/** One row of the criteria table: what the run is judged by, the target, what was measured, the verdict. */
export interface Criterion {
  criterion: string;
  target: string;
  measured: string;
  /** `pass` / `FAIL` count toward the verdict; `review` and `—` are for the reader only. */
  result: 'pass' | 'FAIL' | 'review' | '—';
}

/** The criteria a run is signed off against; the verdict is `pass` only when none says `FAIL`. */
export function criteriaOf(
  recording: Recording,
  analysis: {
    rto: { targetMs: number | undefined; measuredMs: number | undefined; passed: boolean | undefined };
    apiErrors: readonly unknown[];
    unexpectedApiErrors: readonly unknown[];
  },
): Criterion[] {
  const count = (kind: 'wait' | 'assert') => {
    const checks = recording.checks.filter((c) => c.kind === kind);
    const ok = checks.filter((c) => c.passed).length;
    return { total: checks.length, ok };
  };
  const waits = count('wait');
  const asserts = count('assert');
  const errors = recording.steps.filter((s) => s.status === 'error').length;
  const rto = analysis.rto;
  const expected = analysis.apiErrors.length - analysis.unexpectedApiErrors.length;
  return [
    {
      criterion: 'every waitFor reached in time',
      target: `${waits.total} of ${waits.total}`,
      measured: `${waits.ok} of ${waits.total}`,
      result: waits.total === 0 ? '—' : waits.ok === waits.total ? 'pass' : 'FAIL',
    },
    {
      criterion: 'every assert held',
      target: `${asserts.total} of ${asserts.total}`,
      measured: `${asserts.ok} of ${asserts.total}`,
      result: asserts.total === 0 ? '—' : asserts.ok === asserts.total ? 'pass' : 'FAIL',
    },
    {
      criterion: 'recovery time (RTO)',
      target: rto.targetMs === undefined ? 'no target set' : `at most ${duration(rto.targetMs)}`,
      measured: rto.measuredMs === undefined ? 'not measured' : duration(rto.measuredMs),
      result: rto.passed === undefined ? '—' : rto.passed ? 'pass' : 'FAIL',
    },
    {
      criterion: 'no step ended in an error',
      target: '0',
      measured: String(errors),
      result: errors === 0 ? 'pass' : 'FAIL',
    },
    {
      criterion: 'Connect errors besides the injected faults (not part of the verdict)',
      target: '0',
      measured: recording.insideView
        ? `${analysis.unexpectedApiErrors.length} (and ${expected} expected from injected faults)`
        : 'not visible against AWS',
      result: !recording.insideView ? '—' : analysis.unexpectedApiErrors.length === 0 ? 'pass' : 'review',
    },
  ];
}
