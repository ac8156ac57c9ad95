/**
 * The config file's shape (zod 4, strict objects) and the rules that relate one setting to another.
 *
 * Field rules live in the schema; rules between fields live in {@link checkRelations}, which reads each
 * field it needs on its own, so a relation is still checked when unrelated fields are broken.
 */
import { z } from 'zod';
import {
  alarmNameOf,
  CONNECT_INSTANCE_ID_PATTERN,
  CONNECT_TDG_ID_PATTERN,
  hasControlCharacter,
  MAX_ALARM_NAME_LENGTH,
  parseAlarmArn,
  parseConnectInstanceArn,
  parseTrafficDistributionGroupArn,
  REGION_CODE_PATTERN,
  regionOfQueueUrl,
} from '../aws/identifiers.ts';
import { senderMatches } from '../domain/alarm-senders.ts';
import { SIGNAL_ROLES } from '../domain/signals.ts';
import { describeYamlValue } from '../describe-value.ts';
import type { ConfigIssue } from '../errors.ts';
import { MAX_TIMER_MS, formatDuration, parseDuration } from './duration.ts';
import type { ConnectInstanceRef, TrafficDistributionGroupRef } from './types.ts';

const DYNAMODB_TABLE_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const QUEUE_PATH_PATTERN = /^\/[^/]+\/[^/]+$/;

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

// ---------------------------------------------------------------------------------------------------------
// Fields

const regionError = expecting('a Region code like us-east-1');
const regionCode = z.string({ error: regionError }).regex(REGION_CODE_PATTERN, { error: regionError });

const tdgError = expecting(
  'a traffic distribution group ARN like arn:aws:connect:<region>:<account>:traffic-distribution-group/<uuid>, or its id',
);
const trafficDistributionGroup = z
  .string({ error: tdgError })
  .regex(CONNECT_TDG_ID_PATTERN, { error: tdgError })
  .transform(toTrafficDistributionGroupRef);

function toTrafficDistributionGroupRef(text: string): TrafficDistributionGroupRef {
  const arn = parseTrafficDistributionGroupArn(text);
  if (arn === undefined) return { id: text, arn: undefined, region: undefined };
  return { id: arn.id, arn: text, region: arn.region };
}

const instanceError = expecting(
  'a Connect instance ARN like arn:aws:connect:<region>:<account>:instance/<uuid>, or its id',
);
const connectInstance = z
  .string({ error: instanceError })
  .regex(CONNECT_INSTANCE_ID_PATTERN, { error: instanceError })
  .transform(toConnectInstanceRef);

function toConnectInstanceRef(text: string): ConnectInstanceRef {
  const arn = parseConnectInstanceArn(text);
  if (arn === undefined) return { id: text, arn: undefined, region: undefined };
  return { id: arn.id, arn: text, region: arn.region };
}

const queueUrlError = expecting('a queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/my-queue');
const queueUrl = z.string({ error: queueUrlError }).refine(isQueueUrl, { error: queueUrlError });

function isQueueUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    QUEUE_PATH_PATTERN.test(url.pathname) &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === ''
  );
}

const alarmError = expecting('an alarm name or ARN');
const alarmRef = z.string({ error: alarmError }).superRefine((text, ctx) => {
  const problem = alarmRefProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

function alarmRefProblem(text: string): string | undefined {
  let name = text;
  if (text.startsWith('arn:')) {
    const arn = parseAlarmArn(text);
    if (arn === undefined)
      return `${describeYamlValue(text)} is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)`;
    name = arn.name;
  }
  if (name.length === 0) return 'an alarm name cannot be empty';
  if (name.length > MAX_ALARM_NAME_LENGTH)
    return `is longer than ${MAX_ALARM_NAME_LENGTH} characters, the limit for an alarm name`;
  if (hasControlCharacter(name))
    return `${describeYamlValue(text)} contains a control character, which alarm names cannot`;
  return undefined;
}

const alarmList = z.array(alarmRef, {
  error: (issue) =>
    typeof issue.input === 'string'
      ? `${describeYamlValue(issue.input)} is not a list of alarm names or ARNs; write [${issue.input}]`
      : expecting('a list of alarm names or ARNs')(issue),
});

const percentError = expecting('a percentage from 0 to 100 in steps of 10');
/** Connect accepts only multiples of 10 (InvalidRequestException otherwise). */
function percent(defaultValue: number) {
  return z
    .int({ error: percentError })
    .min(0, { error: percentError })
    .max(100, { error: percentError })
    .multipleOf(10, { error: percentError })
    .prefault(defaultValue);
}

/** One failback step: a primary percentage Connect accepts. */
const stepPercent = z
  .int({ error: percentError })
  .min(0, { error: percentError })
  .max(100, { error: percentError })
  .multipleOf(10, { error: percentError });

const failbackStepsError = expecting('a list of primary percentages like [20, 50, 100]');
/** Absent: `[traffic.healthy]` (load.ts), one step straight back. The order and the ends are relations. */
const failbackSteps = z
  .array(stepPercent, { error: failbackStepsError })
  .min(1, { error: 'is empty; list at least traffic.healthy (a failback in one step)' })
  .optional();

const leadError = expecting('percentage points from 0 to 100 in steps of 10');
/** Points the agents split runs ahead of telephony during a failback: any multiple of 10 keeps both splits valid. */
const agentsLead = z
  .int({ error: leadError })
  .min(0, { error: leadError })
  .max(100, { error: leadError })
  .multipleOf(10, { error: leadError })
  .prefault(DEFAULTS.traffic.agentsLead);

function flag(defaultValue: boolean) {
  return z.boolean({ error: expecting('true or false') }).prefault(defaultValue);
}

const LONGEST_DURATION = formatDuration(Math.floor(MAX_TIMER_MS / 3_600_000) * 3_600_000);

/** A duration string, parsed to milliseconds. Numbers are refused: `120` could mean seconds or minutes. */
const durationText = z.unknown().transform((input, ctx) => {
  const ms = typeof input === 'string' ? parseDuration(input) : undefined;
  if (ms === undefined) {
    const message =
      typeof input === 'number'
        ? `${input} is not a duration like 90s or 2m (units are required)`
        : expecting('a duration like 90s or 2m')({ input });
    ctx.addIssue({ code: 'custom', message, input });
    return z.NEVER;
  }
  // Contradiction: a timer longer than 2^31-1 ms fires at once in Node.js, so the wait would be none.
  if (ms > MAX_TIMER_MS) {
    ctx.addIssue({
      code: 'custom',
      message: `${describeYamlValue(input)} is longer than ${LONGEST_DURATION}, the longest wait a timer supports`,
      input,
    });
    return z.NEVER;
  }
  return ms;
});

function duration(defaultText: string) {
  return durationText.prefault(defaultText);
}

/** A duration that must be longer than zero; `why` says what zero would mean. */
function positiveDuration(defaultText: string, why: string) {
  return durationText.refine((ms) => ms > 0, { error: `must be longer than 0s: ${why}` }).prefault(defaultText);
}

/**
 * The shortest running drift check. Each check reads the split from Connect and may record and save; at
 * `1ms` that was 120 reads and 60 fsynced saves a second, and the 1,000-entry history rolled over in
 * seconds. Hand changes are not urgent to notice at sub-10-second resolution.
 */
export const MIN_DRIFT_CHECK_MS = 10_000;

/** Off (`0s`) or at least {@link MIN_DRIFT_CHECK_MS}. */
function driftCheck(defaultText: string) {
  return durationText
    .refine((ms) => ms === 0 || ms >= MIN_DRIFT_CHECK_MS, {
      error: (issue) =>
        `${formatDuration(issue.input as number)} is shorter than ${formatDuration(MIN_DRIFT_CHECK_MS)}, the shortest drift check (each one reads Connect); use 0s to turn it off`,
    })
    .prefault(defaultText);
}

/** The shortest alarm poll: DescribeAlarms costs money and counts against a Region's API quota. */
const MIN_ALARM_POLL_MS = 5_000;

function alarmPoll(defaultText: string) {
  return durationText
    .refine((ms) => ms === 0 || ms >= MIN_ALARM_POLL_MS, {
      error: (issue) =>
        `${formatDuration(issue.input as number)} is shorter than ${formatDuration(MIN_ALARM_POLL_MS)}, the shortest alarm poll (each one calls DescribeAlarms in every signal's Region); use 0s to read only at start-up`,
    })
    .prefault(defaultText);
}

const countError = expecting('a whole number of at least 1');

const senderError = expecting(
  'a SenderId or IAM unique id like AROAEXAMPLEID (a role, every session), AROAEXAMPLEID:session, AIDAEXAMPLEID or 111122223333',
);
/** What SQS reports as SenderId: an account id, or an IAM unique id with an assumed role's session name. */
const SENDER_PATTERN = /^[A-Z0-9]{12,128}(?::[\w+=,.@-]{1,64})?$/;
const senderList = z.array(z.string({ error: senderError }).regex(SENDER_PATTERN, { error: senderError }), {
  error: expecting('a list of SenderIds or IAM unique ids'),
});

// ---------------------------------------------------------------------------------------------------------
// Sections

const regionsShape = {
  primary: regionCode,
  replica: regionCode,
  // Optional: the replica instance whose flows preflight checks for calls into the primary Region.
  replicaInstance: connectInstance.optional(),
};
const alarmSendersShape = {
  allow: senderList
    .min(1, { error: 'is empty, which would refuse every alarm event; leave allow out to admit any sender' })
    .optional(),
  deny: senderList.optional(),
};
const queueShape = {
  url: queueUrl,
  region: regionCode.optional(),
  // Who may send alarm events: alarm events and operator commands share the queue (docs/runbook.md).
  alarmSenders: z
    .strictObject(alarmSendersShape, { error: expecting('a mapping with allow and/or deny lists of SenderIds') })
    .optional(),
};
const signalsShape = {
  degraded: alarmList.prefault([]),
  critical: alarmList,
  replicaUnhealthy: alarmList.prefault([]),
};
const trafficShape = {
  healthy: percent(DEFAULTS.traffic.healthy),
  degraded: percent(DEFAULTS.traffic.degraded),
  failedOver: percent(DEFAULTS.traffic.failedOver),
  shiftAgents: flag(DEFAULTS.traffic.shiftAgents),
  failbackSteps,
  agentsLead,
};
const maxAutomaticShiftsShape = {
  // Contradiction: a limit of 0 shifts is no automation at all; that is what `pause` is for.
  count: z.int({ error: countError }).min(1, { error: countError }).prefault(DEFAULTS.timing.maxAutomaticShifts.count),
  // Contradiction: a window of no length counts no shifts, so the limit would never apply.
  per: positiveDuration(DEFAULTS.timing.maxAutomaticShifts.per, 'a window of no length counts nothing'),
};
const timingShape = {
  // Contradiction: degraded for no time at all is critical; such an alarm belongs under signals.critical.
  escalateAfter: positiveDuration(
    DEFAULTS.timing.escalateAfter,
    'to fail over at once, list the alarm under signals.critical',
  ),
  // Contradiction: recovering without a quiet period lets one OK datapoint shift traffic back (flapping).
  recoverAfter: positiveDuration(
    DEFAULTS.timing.recoverAfter,
    'recovery needs a quiet period, or a single OK would shift traffic back',
  ),
  // 0 is allowed: no cooldown between shifts back toward the primary.
  cooldown: duration(DEFAULTS.timing.cooldown),
  maxAutomaticShifts: z
    .strictObject(maxAutomaticShiftsShape, { error: expecting('a mapping like { count: 4, per: 1h }') })
    .prefault({}),
  // How often a settled split is read again to catch changes made by hand; 0 turns it off.
  driftCheck: driftCheck(DEFAULTS.timing.driftCheck),
  // Every signal is also read with DescribeAlarms this often, so a lost event is caught; 0: start-up only.
  alarmPoll: alarmPoll(DEFAULTS.timing.alarmPoll),
  // Contradiction: a step held for no time is no step (the next write would supersede it at once).
  failbackStepHold: positiveDuration(
    DEFAULTS.timing.failbackStepHold,
    'a step held for no time is no step; for a failback in one step leave traffic.failbackSteps at [traffic.healthy]',
  ),
};

const storeTypeError = expecting('a store type (file or dynamodb)');
const tableError = expecting('a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -)');
const storeFileShape = {
  type: z.literal('file'),
  path: z
    .string({ error: expecting('a file path') })
    .min(1, { error: 'is empty; expected a file path' })
    .prefault(DEFAULTS.store.path),
};
/**
 * The shortest lease: the holder renews every third of it, each renewal a round trip to DynamoDB (often
 * to another Region) that must come back well inside it, or the leader keeps stepping down.
 */
export const MIN_LEASE_DURATION_MS = 1_000;
/** `store.leaseDuration` when not given: a dead leader is replaced within about this long. */
const DEFAULT_LEASE_DURATION = '15s';
const storeDynamoDbShape = {
  type: z.literal('dynamodb'),
  table: z.string({ error: tableError }).regex(DYNAMODB_TABLE_PATTERN, { error: tableError }),
  // Default regions.replica, filled in by load.ts: the table must answer when the primary Region fails.
  region: regionCode.optional(),
  leaseDuration: durationText
    .refine((ms) => ms >= MIN_LEASE_DURATION_MS, {
      error: 'must be at least 1s: the leader renews every third of it, each time a round trip to DynamoDB',
    })
    .prefault(DEFAULT_LEASE_DURATION),
};
const store = z
  .preprocess(
    // `type` may be left out: the file store is the default.
    (input) => (isPlainObject(input) && !('type' in input) ? { type: 'file', ...input } : input),
    z.discriminatedUnion('type', [z.strictObject(storeFileShape), z.strictObject(storeDynamoDbShape)], {
      error: (issue) =>
        issue.code === 'invalid_union' && isPlainObject(issue.input)
          ? storeTypeError({ input: issue.input['type'] })
          : expecting('a mapping with type file or dynamodb')(issue),
    }),
  )
  .prefault({});

const hostError = expecting('a host name or IP address');
const portError = expecting('a port number from 0 to 65535');
const httpShape = {
  host: z.string({ error: hostError }).regex(/^\S+$/, { error: hostError }).prefault(DEFAULTS.http.host),
  port: z
    .int({ error: portError })
    .min(0, { error: portError })
    .max(65535, { error: portError })
    .prefault(DEFAULTS.http.port),
};

const configFileShape = {
  trafficDistributionGroup,
  regions: z.strictObject(regionsShape, { error: expecting('a mapping with primary and replica') }),
  queue: z.strictObject(queueShape, { error: expecting('a mapping with url') }),
  signals: z.strictObject(signalsShape, { error: expecting('a mapping with critical, degraded and replicaUnhealthy') }),
  traffic: z
    .strictObject(trafficShape, { error: expecting('a mapping with healthy, degraded and failedOver') })
    .prefault({}),
  timing: z.strictObject(timingShape, { error: expecting('a mapping of durations') }).prefault({}),
  failback: z.enum(['manual', 'automatic'], { error: expecting('manual or automatic') }).prefault(DEFAULTS.failback),
  // A split changed by hand is a human decision: adopt it and pause (default), or restore the state's split.
  drift: z.enum(['pause', 'restore'], { error: expecting('pause or restore') }).prefault(DEFAULTS.drift),
  store,
  http: z.strictObject(httpShape, { error: expecting('a mapping with host and port') }).optional(),
  dryRun: flag(DEFAULTS.dryRun),
};

/**
 * The config file, field by field, in the file's own shape. Durations come out in milliseconds and the
 * TDG as `{ id, arn, region }`; everything else as written, with defaults filled in.
 */
export const configFileSchema = z.strictObject(configFileShape, { error: expecting('a mapping of settings') });

/** What {@link configFileSchema} produces. */
export type ConfigFile = z.output<typeof configFileSchema>;

/** The keys each mapping of the file accepts, by dotted path (`''` is the top level). */
export const KNOWN_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['', Object.keys(configFileShape)],
  ['regions', Object.keys(regionsShape)],
  ['queue', Object.keys(queueShape)],
  ['queue.alarmSenders', Object.keys(alarmSendersShape)],
  ['signals', Object.keys(signalsShape)],
  ['traffic', Object.keys(trafficShape)],
  ['timing', Object.keys(timingShape)],
  ['timing.maxAutomaticShifts', Object.keys(maxAutomaticShiftsShape)],
  ['store', [...new Set([...Object.keys(storeFileShape), ...Object.keys(storeDynamoDbShape)])]],
  ['http', Object.keys(httpShape)],
]);

/** The keys of each store type. */
export const STORE_TYPE_KEYS: Readonly<Record<'file' | 'dynamodb', readonly string[]>> = {
  file: Object.keys(storeFileShape),
  dynamodb: Object.keys(storeDynamoDbShape),
};

// ---------------------------------------------------------------------------------------------------------
// Relations between fields

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
  const failback = read(['failback'], configFileShape.failback);
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
