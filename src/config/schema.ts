/**
 * The config file's shape (zod 4, strict objects) and the rules that relate one setting to another.
 *
 * Field rules live in the schema, one module per section (schema-aws, -signals, -traffic, -timing,
 * -store); rules between fields live in {@link checkRelations} (schema-relations.ts), which reads each
 * field it needs on its own, so a relation is still checked when unrelated fields are broken.
 */
import { z } from 'zod';
import { queueShape, regionsShape, alarmSendersShape, trafficDistributionGroup } from './schema-aws.ts';
import { DEFAULTS, expecting, flag } from './schema-common.ts';
import { signalsShape } from './schema-signals.ts';
import { httpShape, store, storeDynamoDbShape, storeFileShape } from './schema-store.ts';
import { maxAutomaticShiftsShape, timingShape } from './schema-timing.ts';
import { driftMode, failbackMode, trafficShape } from './schema-traffic.ts';

export { DEFAULTS, expecting, formatPath } from './schema-common.ts';
export { checkRelations } from './schema-relations.ts';
export type { Relations } from './schema-relations.ts';
export { MIN_LEASE_DURATION_MS } from './schema-store.ts';
export { MIN_DRIFT_CHECK_MS } from './schema-timing.ts';

const configFileShape = {
  trafficDistributionGroup,
  regions: z.strictObject(regionsShape, { error: expecting('a mapping with primary and replica') }),
  queue: z.strictObject(queueShape, { error: expecting('a mapping with url') }),
  signals: z.strictObject(signalsShape, { error: expecting('a mapping with critical, degraded and replicaUnhealthy') }),
  traffic: z
    .strictObject(trafficShape, { error: expecting('a mapping with healthy, degraded and failedOver') })
    .prefault({}),
  timing: z.strictObject(timingShape, { error: expecting('a mapping of durations') }).prefault({}),
  failback: failbackMode,
  // A split changed by hand is a human decision: adopt it and pause (default), or restore the state's split.
  drift: driftMode,
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
