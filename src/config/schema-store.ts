/** Where the state lives (`store`: a file or a DynamoDB table with a lease) and the `http` endpoints. */
import { z } from 'zod';
import { regionCode } from './schema-aws.ts';
import { DEFAULTS, expecting, isPlainObject } from './schema-common.ts';
import { durationText } from './schema-timing.ts';

const DYNAMODB_TABLE_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;

const storeTypeError = expecting('a store type (file or dynamodb)');
const tableError = expecting('a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -)');
export const storeFileShape = {
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
export const storeDynamoDbShape = {
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
export const store = z
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
export const httpShape = {
  host: z.string({ error: hostError }).regex(/^\S+$/, { error: hostError }).prefault(DEFAULTS.http.host),
  port: z
    .int({ error: portError })
    .min(0, { error: portError })
    .max(65535, { error: portError })
    .prefault(DEFAULTS.http.port),
};
