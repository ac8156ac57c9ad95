/**
 * Who ran a game day, with what, against what: what a person signing the report off needs to tie it to a
 * release and a config, and what the run history (runs.jsonl) compares runs by. The hashes cover what
 * decides the outcome (the policy and the scenario), not what differs between two runs of the same drill
 * (the local stack's ports, a temporary state file), so equal hashes mean "the same drill".
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { defaultRequester } from '../app/operator-commands.ts';
import type { Config } from '../config/types.ts';
import type { Scenario } from './scenario-types.ts';

const run = promisify(execFile);

export interface RunMetadata {
  /** `connect-failover` version (package.json). */
  version: string;
  /** `git describe --always --dirty` of the tool's checkout, when it runs from one; else null. */
  commit: string | null;
  /** `user@host` of the process that ran it. */
  operator: string;
  /** The AWS account of the traffic distribution group (from its ARN); null when the config gives a bare id. */
  account: string | null;
  trafficDistributionGroup: string;
  /** sha256 (first 16 hex digits) of the policy: group, Regions, signals, traffic, timing, failback, drift, dryRun. */
  configHash: string;
  /** sha256 (first 16 hex digits) of the scenario as parsed (steps, cleanup, RTO target, local config). */
  scenarioHash: string;
  nodeVersion: string;
}

/** Collects the metadata; never throws (a missing git only leaves `commit` null). */
export async function collectRunMetadata(config: Config, scenario: Scenario): Promise<RunMetadata> {
  const tdg = config.trafficDistributionGroup;
  return {
    version: packageJson.version,
    commit: await gitCommit(),
    operator: defaultRequester(),
    account: tdg.arn?.split(':')[4] || null,
    trafficDistributionGroup: tdg.arn ?? tdg.id,
    configHash: configHash(config),
    scenarioHash: scenarioHash(scenario),
    nodeVersion: process.version,
  };
}

/** The policy's hash; see {@link RunMetadata.configHash}. */
export function configHash(config: Config): string {
  const { trafficDistributionGroup, regions, signals, traffic, timing, failback, drift, dryRun } = config;
  return hash({ trafficDistributionGroup, regions, signals, traffic, timing, failback, drift, dryRun });
}

/** The scenario's hash; its file name is left out (the same drill under another name is the same drill). */
export function scenarioHash(scenario: Scenario): string {
  const { file: _file, ...rest } = scenario;
  return hash(rest);
}

function hash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so equal values hash equally whatever order they were built in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .toSorted()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The commit of the tool's own checkout: git is asked in the directory of the program that runs
 * (`bin/connect-failover.js`, two levels below the checkout's root when bundled), not in the working
 * directory, which may be any repository. Null when there is no git or no checkout (an npm install, a
 * container image).
 */
async function gitCommit(): Promise<string | null> {
  const program = process.argv[1];
  if (!program) return null;
  try {
    const { stdout } = await run('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      cwd: dirname(program),
      timeout: 5000,
    });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}
