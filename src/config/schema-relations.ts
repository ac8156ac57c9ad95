/**
 * The rules between fields, checked on the raw (YAML-parsed) document: each reads the fields it needs on
 * its own, so a relation is still checked when unrelated fields are broken.
 */
import type { z } from 'zod';
import { alarmNameOf, regionOfQueueUrl } from '../aws/identifiers.ts';
import { senderMatches } from '../domain/alarm-senders.ts';
import { SIGNAL_ROLES } from '../domain/signals.ts';
import { describeYamlValue } from '../describe-value.ts';
import type { ConfigIssue } from '../errors.ts';
import { formatDuration } from './duration.ts';
import { connectInstance, queueUrl, regionCode, senderList, trafficDistributionGroup } from './schema-aws.ts';
import { isPlainObject } from './schema-common.ts';
import { alarmRef } from './schema-signals.ts';
import { maxAutomaticShiftsShape, timingShape } from './schema-timing.ts';
import { failbackMode, trafficShape } from './schema-traffic.ts';

/** Problems and warnings that involve more than one field. */
export interface Relations {
  issues: ConfigIssue[];
  warnings: string[];
}

/**
 * Checks the rules between fields on the raw (YAML-parsed) document. Each rule runs when every field it
 * needs is valid on its own (defaults count), whatever else is wrong, so one pass reports everything.
 */
export function checkRelations(raw: unknown): Relations {
  const found: Relations = { issues: [], warnings: [] };
  const read = reader(raw);
  checkTrafficDistributionGroup(read, found);
  checkReplicaInstance(read, found);
  checkQueueRegion(read, found);
  checkAlarmSenders(read, found);
  checkSignals(raw, found);
  checkTraffic(read, found);
  checkFailbackSteps(read, found);
  checkTiming(read, found);
  return found;
}

interface Reader {
  /** The parsed value of one field, or undefined when the field is invalid on its own. */
  <T>(path: readonly string[], schema: z.ZodType<T>): T | undefined;
  /** A field's value for a message: as written in the file, or `defaultText` marked as the default. */
  written(path: readonly string[], defaultText: string): string;
}

function reader(raw: unknown): Reader {
  const read = <T>(path: readonly string[], schema: z.ZodType<T>): T | undefined => {
    const value = valueAt(raw, path);
    if (value === UNREACHABLE) return undefined;
    const result = schema.safeParse(value);
    return result.success ? result.data : undefined;
  };
  read.written = (path: readonly string[], defaultText: string) => {
    const value = valueAt(raw, path);
    return value === undefined ? `${defaultText} (the default)` : String(value);
  };
  return read;
}

const UNREACHABLE = Symbol('unreachable');

/** The raw value at `path`; undefined when absent (so defaults apply); UNREACHABLE under a non-mapping. */
function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let node = raw;
  for (const key of path) {
    if (node === undefined) return undefined;
    if (typeof key === 'number') {
      if (!Array.isArray(node)) return UNREACHABLE;
      node = node[key];
    } else {
      if (!isPlainObject(node)) return UNREACHABLE;
      node = node[key];
    }
  }
  return node;
}

function checkTrafficDistributionGroup(read: Reader, found: Relations): void {
  const tdg = read(['trafficDistributionGroup'], trafficDistributionGroup);
  const primary = read(['regions', 'primary'], regionCode);
  const replica = read(['regions', 'replica'], regionCode);
  const twoRegions = primary !== undefined && replica !== undefined && primary !== replica;
  if (primary !== undefined && primary === replica) {
    found.issues.push({
      path: 'regions.replica',
      message: `is the same Region as regions.primary (${primary}); failover needs two Regions`,
    });
  }
  if (tdg === undefined) return;
  if (tdg.region === undefined) {
    found.warnings.push(
      "trafficDistributionGroup: a bare id resolves only in the TDG's home Region; give the ARN so failover calls from the replica Region work",
    );
  } else if (twoRegions && tdg.region !== primary && tdg.region !== replica) {
    found.issues.push({
      path: 'trafficDistributionGroup',
      message: `the ARN's Region ${tdg.region} is neither regions.primary (${primary}) nor regions.replica (${replica})`,
    });
  } else if (twoRegions && tdg.region === replica) {
    found.warnings.push(
      `trafficDistributionGroup: the ARN's Region ${tdg.region} is regions.replica; regions.primary should be the TDG's home Region`,
    );
  }
}

/**
 * Contradiction: an instance ARN outside regions.replica is not the replica; preflight would read the wrong
 * instance's flows (the primary's would all "call the primary", which says nothing about the replica).
 */
function checkReplicaInstance(read: Reader, found: Relations): void {
  const instance = read(['regions', 'replicaInstance'], connectInstance);
  const primary = read(['regions', 'primary'], regionCode);
  const replica = read(['regions', 'replica'], regionCode);
  if (instance?.region === undefined || replica === undefined || instance.region === replica) return;
  const which =
    instance.region === primary
      ? `regions.primary (${primary}): this is the primary's instance`
      : `not regions.replica (${replica})`;
  found.issues.push({
    path: 'regions.replicaInstance',
    message: `the ARN's Region ${instance.region} is ${which}; give the replica's ARN (its Region is ${replica}; a replica keeps the id ${instance.id}) or the bare id`,
  });
}

/**
 * Contradiction (added): an explicit queue Region that differs from the Region in an AWS queue URL would
 * sign requests for one Region and send them to another.
 */
function checkQueueRegion(read: Reader, found: Relations): void {
  const url = read(['queue', 'url'], queueUrl);
  const region = read(['queue', 'region'], regionCode.optional());
  const fromUrl = url === undefined ? undefined : regionOfQueueUrl(url);
  if (region !== undefined && fromUrl !== undefined && region !== fromUrl) {
    found.issues.push({ path: 'queue.region', message: `${region} differs from the Region in queue.url (${fromUrl})` });
  }
}

/** Contradiction (added): a sender both allowed and denied; deny wins, so the allow entry is dead. */
function checkAlarmSenders(read: Reader, found: Relations): void {
  const allow = read(['queue', 'alarmSenders', 'allow'], senderList);
  const deny = read(['queue', 'alarmSenders', 'deny'], senderList);
  if (allow === undefined || deny === undefined) return;
  allow.forEach((entry, i) => {
    const denied = deny.findIndex((d) => senderMatches(d, entry));
    if (denied >= 0) {
      found.issues.push({
        path: `queue.alarmSenders.allow[${i}]`,
        message: `${entry} is also denied by queue.alarmSenders.deny[${denied}] (${deny[denied]}); deny wins, so it could never send`,
      });
    }
  });
}

function checkSignals(raw: unknown, found: Relations): void {
  const firstSeen = new Map<string, { role: string; path: string }>();
  const lengths = new Map<string, number | undefined>();
  for (const role of SIGNAL_ROLES) {
    const list = valueAt(raw, ['signals', role]);
    lengths.set(role, list === undefined && role !== 'critical' ? 0 : Array.isArray(list) ? list.length : undefined);
    if (!Array.isArray(list)) continue;
    list.forEach((entry: unknown, index) => {
      const parsed = alarmRef.safeParse(entry);
      if (!parsed.success) return;
      // Alarm events are matched by name, so two entries with one name are one signal.
      const name = alarmNameOf(parsed.data);
      const path = `signals.${role}[${index}]`;
      const first = firstSeen.get(name);
      if (first === undefined) {
        firstSeen.set(name, { role, path });
      } else if (first.role === role) {
        found.issues.push({
          path,
          message: `alarm ${describeYamlValue(name)} is listed twice (also at ${first.path})`,
        });
      } else {
        // Events are matched by alarm name, so one alarm in two roles would mean two things at once.
        found.issues.push({
          path,
          message: `alarm ${describeYamlValue(name)} is also in ${first.path}; an alarm can have only one role`,
        });
      }
    });
  }
  if (lengths.get('degraded') === 0 && lengths.get('critical') === 0) {
    found.issues.push({
      path: 'signals',
      message: 'needs at least one alarm in degraded or critical; without one nothing can trigger a failover',
    });
  }
}

function checkTraffic(read: Reader, found: Relations): void {
  const healthy = read(['traffic', 'healthy'], trafficShape.healthy);
  const degraded = read(['traffic', 'degraded'], trafficShape.degraded);
  const failedOver = read(['traffic', 'failedOver'], trafficShape.failedOver);
  if (healthy === undefined || failedOver === undefined) return;
  const written = (key: string, value: number) => read.written(['traffic', key], String(value));
  if (healthy <= failedOver) {
    found.issues.push({
      path: 'traffic.failedOver',
      message: `${written('failedOver', failedOver)} must be less than traffic.healthy (${written('healthy', healthy)}); failing over has to move traffic away from the primary`,
    });
    return;
  }
  if (degraded !== undefined && (degraded < failedOver || degraded > healthy)) {
    found.issues.push({
      path: 'traffic.degraded',
      message: `${written('degraded', degraded)} is not between traffic.failedOver (${written('failedOver', failedOver)}) and traffic.healthy (${written('healthy', healthy)})`,
    });
  }
}

/**
 * The failback steps lead from failedOver to healthy: each one above the one before (and above
 * `traffic.failedOver`, or it would not move traffic back), the last one `traffic.healthy` itself.
 */
function checkFailbackSteps(read: Reader, found: Relations): void {
  // null: not given (one step, healthy); undefined: invalid on its own (reported by the schema).
  const steps = read(
    ['traffic', 'failbackSteps'],
    trafficShape.failbackSteps.transform((given) => given ?? null),
  );
  const healthy = read(['traffic', 'healthy'], trafficShape.healthy);
  const failedOver = read(['traffic', 'failedOver'], trafficShape.failedOver);
  const shiftAgents = read(['traffic', 'shiftAgents'], trafficShape.shiftAgents);
  const lead = read(['traffic', 'agentsLead'], trafficShape.agentsLead);
  const written = (key: string, value: number) => read.written(['traffic', key], String(value));
  if (lead !== undefined && lead > 0 && shiftAgents === false) {
    found.issues.push({
      path: 'traffic.agentsLead',
      message: `${lead} needs traffic.shiftAgents: true; with shiftAgents false no agents are moved, so none can lead`,
    });
  }
  if (lead !== undefined && lead > 0 && (steps === null || (steps !== undefined && steps.length < 2))) {
    found.warnings.push(
      'traffic.agentsLead: has no effect without a step before traffic.healthy in traffic.failbackSteps (agents lead only during a staged failback)',
    );
  }
  if (steps === undefined || steps === null) return;
  steps.forEach((step, i) => {
    const path = `traffic.failbackSteps[${i}]`;
    const before = steps[i - 1];
    if (healthy !== undefined && step > healthy) {
      found.issues.push({
        path,
        message: `${step} is above traffic.healthy (${written('healthy', healthy)}); a failback ends at traffic.healthy`,
      });
    } else if (before !== undefined && step <= before) {
      found.issues.push({
        path,
        message: `${step} is not above the step before it (${before}); failback steps must increase`,
      });
    } else if (i === 0 && failedOver !== undefined && step <= failedOver) {
      found.issues.push({
        path,
        message: `${step} is not above traffic.failedOver (${written('failedOver', failedOver)}); each step must move traffic back toward the primary`,
      });
    }
  });
  const last = steps.at(-1);
  if (healthy !== undefined && last !== undefined && last < healthy) {
    found.issues.push({
      path: 'traffic.failbackSteps',
      message: `ends with ${last}; the last step must be traffic.healthy (${written('healthy', healthy)})`,
    });
  }
}

function checkTiming(read: Reader, found: Relations): void {
  const failback = read(['failback'], failbackMode);
  const count = read(['timing', 'maxAutomaticShifts', 'count'], maxAutomaticShiftsShape.count);
  const per = read(['timing', 'maxAutomaticShifts', 'per'], maxAutomaticShiftsShape.per);
  const cooldown = read(['timing', 'cooldown'], timingShape.cooldown);
  // Contradiction: a failover and its automatic failback are two automatic shifts; a limit of one in the
  // window would suspend automation at every automatic failback.
  if (failback === 'automatic' && count !== undefined && count < 2) {
    found.issues.push({
      path: 'timing.maxAutomaticShifts.count',
      message: `${read.written(['timing', 'maxAutomaticShifts', 'count'], String(count))} must be at least 2 with failback: automatic; a failover and its automatic failback must both fit in the window`,
    });
  }
  // Contradiction: the cooldown spaces shifts back toward the primary; a window shorter than it can never
  // hold two of them, so repeated failbacks would never be counted.
  if (per !== undefined && cooldown !== undefined && per < cooldown) {
    found.issues.push({
      path: 'timing.maxAutomaticShifts.per',
      message: `${read.written(['timing', 'maxAutomaticShifts', 'per'], formatDuration(per))} is shorter than timing.cooldown (${read.written(['timing', 'cooldown'], formatDuration(cooldown))}); the window could never count repeated failbacks`,
    });
  }
}
