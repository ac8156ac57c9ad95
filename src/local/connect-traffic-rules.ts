/**
 * The documented rules of the Connect traffic-distribution API, as pure functions: which identifiers
 * resolve from which Region, and which UpdateTrafficDistribution bodies are accepted.
 * Sources: API_UpdateTrafficDistribution, API_Distribution, API_DescribeTrafficDistributionGroup.
 * The identifier patterns themselves live with every other AWS identifier, in src/aws/identifiers.ts.
 */
import {
  CONNECT_DISTRIBUTION_REGION_PATTERN,
  CONNECT_TDG_ID_PATTERN,
  isConnectDistributionRegion,
  parseTrafficDistributionGroupArn,
  partitionOf,
} from '../aws/identifiers.ts';

/** Region → percent of traffic (or of agents), for the two Regions of a traffic distribution group. */
export type Split = Record<string, number>;

/** Region → whether agents may sign in there (SignInConfig, default TDGs only). */
export type SignInSplit = Record<string, boolean>;

/** Where the traffic distribution groups live: their home Region, its replica, and the account. */
export interface GroupHome {
  homeRegion: string;
  otherRegion: string;
  accountId: string;
  /** UUIDs of the groups that exist. */
  knownIds: ReadonlySet<string>;
}

export type Resolution =
  | { ok: true; id: string }
  | {
      ok: false;
      status: 400 | 404;
      errorType: 'InvalidRequestException' | 'ResourceNotFoundException';
      message: string;
    };

/**
 * Resolves a path `Id` (already percent-decoded) called from `callerRegion`.
 * A bare UUID resolves only in the home Region; an ARN must name the home Region and this account.
 * Neither Region of the pair, an unknown group, another account or Region: 404. Not even shaped like
 * an id: 400, as the documented pattern is checked before any lookup.
 */
export function resolveGroupId(rawId: string, callerRegion: string, home: GroupHome): Resolution {
  if (!CONNECT_TDG_ID_PATTERN.test(rawId)) {
    return invalid(`Id '${rawId}' is neither a traffic distribution group id nor its ARN`);
  }
  const notFound = (why: string): Resolution => ({
    ok: false,
    status: 404,
    errorType: 'ResourceNotFoundException',
    message: `Traffic distribution group not found: ${rawId} (${why})`,
  });
  if (callerRegion !== home.homeRegion && callerRegion !== home.otherRegion) {
    return notFound(`no replica of the traffic distribution group in ${callerRegion}`);
  }
  const arn = parseTrafficDistributionGroupArn(rawId);
  if (arn) {
    if (arn.partition !== partitionOf(home.homeRegion) || arn.region !== home.homeRegion) {
      return notFound(`the ARN must name the home Region ${home.homeRegion}`);
    }
    if (arn.accountId !== home.accountId) return notFound(`account ${arn.accountId} has no such group`);
    return home.knownIds.has(arn.id) ? { ok: true, id: arn.id } : notFound('unknown id');
  }
  if (callerRegion !== home.homeRegion) {
    return notFound(`a bare id resolves only in the home Region ${home.homeRegion}; use the ARN from ${callerRegion}`);
  }
  return home.knownIds.has(rawId) ? { ok: true, id: rawId } : notFound('unknown id');
}

/** An UpdateTrafficDistribution body that passed every rule. */
export interface AcceptedUpdate {
  telephony: Split;
  agents?: Split;
  signIn?: SignInSplit;
}

export type RuleResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Checks an UpdateTrafficDistribution body against the documented rules: TelephonyConfig required;
 * in TelephonyConfig and AgentConfig both linked Regions exactly once, integer percentages 0–100 in
 * multiples of 10, summing to 100; SignInConfig only on the default group.
 */
export function validateUpdateBody(
  body: unknown,
  regions: readonly [string, string],
  isDefault: boolean,
): RuleResult<AcceptedUpdate> {
  if (!isObject(body)) return fail('the request body must be a JSON object');
  if (body.TelephonyConfig === undefined || body.TelephonyConfig === null) {
    return fail('TelephonyConfig is required');
  }
  const telephony = readPercentages(body.TelephonyConfig, 'TelephonyConfig', regions);
  if (!telephony.ok) return telephony;
  const accepted: AcceptedUpdate = { telephony: telephony.value };
  if (body.AgentConfig !== undefined && body.AgentConfig !== null) {
    const agents = readPercentages(body.AgentConfig, 'AgentConfig', regions);
    if (!agents.ok) return agents;
    accepted.agents = agents.value;
  }
  if (body.SignInConfig !== undefined && body.SignInConfig !== null) {
    if (!isDefault) {
      return fail('SignInConfig can be changed only on the default traffic distribution group (IsDefault)');
    }
    const signIn = readSignIn(body.SignInConfig, regions);
    if (!signIn.ok) return signIn;
    accepted.signIn = signIn.value;
  }
  return { ok: true, value: accepted };
}

/**
 * Checks a Region → percent map by the same rules as a Distributions list (used for splits set by
 * hand, which the console validates the same way).
 * @returns the problem, or `undefined` when the split is valid.
 */
export function splitProblem(split: Split, regions: readonly [string, string], what: string): string | undefined {
  const result = readPercentages(
    { Distributions: Object.entries(split).map(([Region, Percentage]) => ({ Region, Percentage })) },
    what,
    regions,
  );
  return result.ok ? undefined : result.message;
}

function readPercentages(config: unknown, what: string, regions: readonly [string, string]): RuleResult<Split> {
  const items = readDistributions(config, what);
  if (!items.ok) return items;
  const split: Split = {};
  for (const [index, item] of items.value.entries()) {
    const at = `${what}.Distributions[${index}]`;
    const region = readRegion(item, at, regions);
    if (!region.ok) return region;
    if (region.value in split) return fail(`${at}: Region ${region.value} is listed more than once`);
    const percentage = item.Percentage;
    if (typeof percentage !== 'number' || !Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
      return fail(`${at}.Percentage must be an integer from 0 to 100`);
    }
    if (percentage % 10 !== 0) return fail(`${at}.Percentage must be a multiple of 10, got ${percentage}`);
    split[region.value] = percentage;
  }
  const missing = regions.filter((r) => !(r in split));
  if (missing.length > 0)
    return fail(`${what} must list both Regions ${regions.join(' and ')}; missing ${missing.join(', ')}`);
  const total = Object.values(split).reduce((sum, p) => sum + p, 0);
  if (total !== 100) return fail(`${what} percentages must add up to 100, got ${total}`);
  return { ok: true, value: split };
}

function readSignIn(config: unknown, regions: readonly [string, string]): RuleResult<SignInSplit> {
  const items = readDistributions(config, 'SignInConfig');
  if (!items.ok) return items;
  const signIn: SignInSplit = {};
  for (const [index, item] of items.value.entries()) {
    const at = `SignInConfig.Distributions[${index}]`;
    const region = readRegion(item, at, regions);
    if (!region.ok) return region;
    if (region.value in signIn) return fail(`${at}: Region ${region.value} is listed more than once`);
    if (typeof item.Enabled !== 'boolean') return fail(`${at}.Enabled must be a boolean`);
    signIn[region.value] = item.Enabled;
  }
  return { ok: true, value: signIn };
}

function readDistributions(config: unknown, what: string): RuleResult<Record<string, unknown>[]> {
  if (!isObject(config) || !Array.isArray(config.Distributions)) {
    return fail(`${what}.Distributions must be a list`);
  }
  const items: Record<string, unknown>[] = [];
  for (const [index, item] of (config.Distributions as unknown[]).entries()) {
    if (!isObject(item)) return fail(`${what}.Distributions[${index}] must be an object`);
    items.push(item);
  }
  return { ok: true, value: items };
}

function readRegion(item: Record<string, unknown>, at: string, regions: readonly [string, string]): RuleResult<string> {
  const region = item.Region;
  if (typeof region !== 'string' || !isConnectDistributionRegion(region)) {
    return fail(`${at}.Region must match ${CONNECT_DISTRIBUTION_REGION_PATTERN.source}, got ${JSON.stringify(region)}`);
  }
  if (!regions.includes(region)) {
    return fail(`${at}.Region ${region} is not one of the group's Regions (${regions.join(', ')})`);
  }
  return { ok: true, value: region };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function invalid(message: string): Resolution {
  return { ok: false, status: 400, errorType: 'InvalidRequestException', message };
}
