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
  return recording.checks.length > 0 && recording.checks.every((c) => c.passed) && !recording.steps.some((s) => s.status === 'error');
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
