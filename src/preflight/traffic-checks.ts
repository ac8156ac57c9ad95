import type { Config } from '../config/types.ts';
import { remedyFor } from '../connect/remedy.ts';
import type { TdgStatus, TrafficApi, TrafficSplit } from '../connect/traffic-port.ts';
import { ConnectApiError } from '../connect/errors.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/** Statuses that pass by themselves: an update or the creation is still being applied. */
const PASSING_STATUSES: ReadonlySet<TdgStatus> = new Set(['UPDATE_IN_PROGRESS', 'CREATION_IN_PROGRESS']);

/** The group is addressed by its ARN, whose Region is the primary's (the group's home). */
export function checkTdgAddress(config: Config): CheckResult {
  const base = { id: 'tdg.arn', title: 'TDG addressed by ARN' };
  const tdg = config.trafficDistributionGroup;
  if (tdg.arn === undefined) {
    return {
      ...base,
      status: 'fail',
      detail:
        `trafficDistributionGroup is the bare id ${tdg.id}, which resolves only in the group's home Region: ` +
        `failing over calls UpdateTrafficDistribution in ${config.regions.replica}, where it is not found (ResourceNotFoundException)`,
      fix: `set trafficDistributionGroup to arn:aws:connect:${config.regions.primary}:<account>:traffic-distribution-group/${tdg.id}`,
    };
  }
  if (tdg.region !== config.regions.primary) {
    return {
      ...base,
      status: 'warn',
      detail: `the ARN's Region is ${tdg.region ?? '?'}, but regions.primary is ${config.regions.primary}; the primary should be the group's home Region`,
      fix: 'check regions.primary and regions.replica against the ARN (IAM policies name the home-Region ARN)',
    };
  }
  return { ...base, status: 'pass', detail: `${tdg.arn}` };
}

/** What one Region answered, kept for the split check. */
export interface RegionAnswer {
  region: string;
  split: TrafficSplit | undefined;
}

/**
 * DescribeTrafficDistributionGroup and GetTrafficDistribution in one Region: the group must answer from
 * both (a failover calls the replica's API, a failback the primary's) and be ACTIVE.
 */
export async function checkTdgInRegion(
  config: Config,
  api: Pick<TrafficApi, 'describe' | 'get'>,
  role: 'primary' | 'replica',
  signal: AbortSignal,
): Promise<{ result: CheckResult; answer: RegionAnswer }> {
  const region = config.regions[role];
  const base = { id: `tdg.${role}`, title: `TDG from ${region} (${role})` };
  const [status, split] = await Promise.allSettled([api.describe(region, signal), api.get(region, signal)]);
  const answer: RegionAnswer = { region, split: split.status === 'fulfilled' ? split.value : undefined };
  const failed = [status, split].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    const error: unknown = failed.reason;
    const fix =
      error instanceof ConnectApiError
        ? remedyFor(error)
        : 'check that the Connect endpoint of this Region is reachable and try again';
    return { result: { ...base, status: 'fail', detail: messageOf(error), fix }, answer };
  }
  const tdgStatus = (status as PromiseFulfilledResult<TdgStatus>).value;
  const shown = describeSplit(answer.split!);
  if (tdgStatus === 'ACTIVE') return { result: { ...base, status: 'pass', detail: `ACTIVE; ${shown}` }, answer };
  if (PASSING_STATUSES.has(tdgStatus)) {
    return {
      result: {
        ...base,
        status: 'warn',
        detail: `${tdgStatus}; ${shown}: an earlier change is still being applied`,
        fix: 'run preflight again in a minute; it should be ACTIVE',
      },
      answer,
    };
  }
  return {
    result: {
      ...base,
      status: 'fail',
      detail: `${tdgStatus}: UpdateTrafficDistribution is refused unless the group is ACTIVE`,
      fix: 'look at the group in the Amazon Connect console (or ListTrafficDistributionGroups); a group being deleted or that failed to create cannot shift traffic',
    },
    answer,
  };
}

/** The split Connect reports equals the one the persisted state wants (else the controller will move it: drift). */
export function checkSplit(
  config: Config,
  answers: readonly RegionAnswer[],
  wanted: { primaryPercent: number; why: string } | { error: string },
): CheckResult {
  const base = { id: 'traffic.split', title: 'split matches the state' };
  const read = answers.find((a) => a.split !== undefined);
  if (!read?.split) {
    return {
      ...base,
      status: 'warn',
      detail: 'not compared: neither Region answered GetTrafficDistribution',
      fix: 'fix the TDG checks above first',
    };
  }
  if ('error' in wanted) {
    return {
      ...base,
      status: 'warn',
      detail: `not compared: the persisted state cannot be read (${wanted.error})`,
      fix: 'fix the store check below first',
    };
  }
  const { telephonyPrimaryPercent: telephony, agentsPrimaryPercent: agents } = read.split;
  const agentsOff = config.traffic.shiftAgents && agents !== undefined && agents !== wanted.primaryPercent;
  if (telephony !== wanted.primaryPercent || agentsOff) {
    return {
      ...base,
      status: 'warn',
      detail: `Connect sends ${describeSplit(read.split)}; ${wanted.why} wants ${wanted.primaryPercent}% (drift: changed by hand, or a shift not finished)`,
      fix:
        'if the change was deliberate, tell the controller: `connect-failover failover|failback --reason …`, or `pause` it first; ' +
        'otherwise the running controller moves the split back (while automation is active)',
    };
  }
  return { ...base, status: 'pass', detail: `${describeSplit(read.split)}, as ${wanted.why} wants` };
}

function describeSplit(split: TrafficSplit): string {
  const agents = split.agentsPrimaryPercent === undefined ? '' : `, agents ${split.agentsPrimaryPercent}%`;
  return `${split.telephonyPrimaryPercent}% of telephony on the primary${agents}`;
}
