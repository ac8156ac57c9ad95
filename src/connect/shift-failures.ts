/** The errors that stop a shift short of a verified split, each saying what happened and what to fix. */
import { ShiftError, UnverifiableSplitError, WriteLimitError } from './errors.ts';
import type { ConnectApiError } from './errors.ts';
import { remedyFor } from './remedy.ts';
import type { ConnectCall, TdgStatus, TrafficSplit } from './traffic-port.ts';

/** Where a shift stood when it stopped. */
export interface StoppedShift {
  /** `40% primary`, or `40% primary (agents 50%)` when the agents lead. */
  target: string;
  /** The fields every {@link ShiftError} carries. */
  progress: {
    targetPrimaryPercent: number;
    calls: ConnectCall[];
    lastError: ConnectApiError | undefined;
    attempts: number;
    writes: number;
  };
  passes: number;
  writes: number;
  /** Writes Connect accepted. */
  accepted: number;
  /** The Region that answered the last successful GetTrafficDistribution. */
  lastGetRegion: string | undefined;
}

/** Connect refused a call for a reason someone must fix: terminal, with the remedy. */
export function refusedError(shift: StoppedShift, error: ConnectApiError): ShiftError {
  return new ShiftError(`shift to ${shift.target} stopped: ${error.message}. Fix: ${remedyFor(error)}`, {
    retryable: false,
    ...shift.progress,
  });
}

export function deadlineError(shift: StoppedShift, deadlineMs: number, obstacle: string): ShiftError {
  return new ShiftError(
    `shift to ${shift.target} not verified within ${deadlineMs} ms ` +
      `(${shift.passes} passes, ${shift.writes} writes, ${shift.accepted} accepted); last problem: ${obstacle}`,
    { retryable: true, ...shift.progress },
  );
}

/** `settledMs`: the settle times of all the accepted writes, added up. */
export function writeLimitError(shift: StoppedShift, settledMs: number, current: TrafficSplit): WriteLimitError {
  return new WriteLimitError(
    `shift to ${shift.target} stopped after ${shift.accepted} accepted writes: no read showed the target ` +
      `within the settle time after each (${settledMs} ms in all; the last read, in ${shift.lastGetRegion ?? '?'}, ` +
      `showed ${describeSplit(current)}). Reads may lag behind writes or answer from a stale replica, or another ` +
      'writer may be changing the split; not writing again in this shift, so as not to storm Connect with writes',
    { ...shift.progress, acceptedWrites: shift.accepted },
  );
}

export function agentsMissingError(shift: StoppedShift, current: TrafficSplit): UnverifiableSplitError {
  const region = shift.lastGetRegion ?? '?';
  const accepted = shift.accepted;
  return new UnverifiableSplitError(
    `shift to ${shift.target} not verifiable: GetTrafficDistribution in ${region} answers without AgentConfig ` +
      `although traffic.shiftAgents is true, so the agents split cannot be confirmed (telephony shows ` +
      `${current.telephonyPrimaryPercent}% primary after ${accepted} accepted write${accepted === 1 ? '' : 's'}). ` +
      'Writing again would not change that. Fix: check that the group distributes agents (AgentConfig), or set ' +
      'traffic.shiftAgents: false to shift and verify telephony alone',
    { ...shift.progress, missing: 'AgentConfig', region },
  );
}

export function statusError(shift: StoppedShift, status: TdgStatus): ShiftError {
  return new ShiftError(
    `shift to ${shift.target} stopped: the traffic distribution group is ${status}; ` +
      'updates need ACTIVE. Fix the group (or the config) before shifting again',
    { retryable: false, ...shift.progress },
  );
}

/** `40% primary`, or `40% primary (agents 50%)` when the agents lead. */
export function describeTarget(target: number, agentsTarget: number): string {
  return agentsTarget === target ? `${target}% primary` : `${target}% primary (agents ${agentsTarget}%)`;
}

export function describeSplit(split: TrafficSplit): string {
  const agents = split.agentsPrimaryPercent === undefined ? 'no AgentConfig' : `agents ${split.agentsPrimaryPercent}%`;
  return `telephony ${split.telephonyPrimaryPercent}% primary, ${agents}`;
}
