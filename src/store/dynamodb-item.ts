/**
 * The DynamoDB store's item: one per traffic distribution group, holding the document AND the lease, so
 * one conditional write can check the document version and the writer's lease together (fencing needs
 * no transaction, which dynalite and DynamoDB Local handle differently from DynamoDB anyway).
 *
 * | attribute            | type | what                                                               |
 * |----------------------|------|--------------------------------------------------------------------|
 * | `pk`                 | S    | partition key: the traffic distribution group's id                 |
 * | `format`             | S    | `connect-failover/state`: marks the item as ours                   |
 * | `formatVersion`      | N    | 1; a newer one is refused (`StoreFormatError`)                     |
 * | `version`            | N    | the document version; absent until the first save                  |
 * | `doc`                | B    | the document: gzip of its JSON (at most {@link MAX_DOCUMENT_BYTES}) |
 * | `updatedAt`          | S    | ISO 8601 time of the save (the saver's clock)                      |
 * | `writer`             | S    | the saver's `writer`                                               |
 * | `writeId`            | S    | unique per save call: makes the SDK's retry of a save idempotent   |
 * | `leaseHolder`        | S    | the lease holder's `writer`                                        |
 * | `leaseToken`         | S    | the holder store instance's token                                  |
 * | `leaseHost`, `leasePid` | S, N | the holder's host and pid (for status)                         |
 * | `leaseEpoch`         | N    | fencing epoch: +1 per take-over                                    |
 * | `leaseRecordVersion` | S    | new UUID on every lease write                                      |
 * | `leaseDurationMs`    | N    | the holder's lease duration                                        |
 * | `leaseRenewedAt`     | S    | the holder's wall clock at its last lease write (for people)       |
 * | `leaseReleased`      | BOOL | true after `releaseLease`                                          |
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StoreCorruptError, StoreFormatError } from '../errors.ts';
import type { LeaseRecord } from './lease.ts';
import { FORMAT_VERSION, STATE_FORMAT } from './state-file-format.ts';
import type { StoredDocument } from './store.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A DynamoDB item as the low-level client passes it. */
export type Item = Record<string, AttributeValue>;

/** The attribute names, in one place; expressions refer to them through `#name` placeholders. */
export const A = {
  key: 'pk',
  format: 'format',
  formatVersion: 'formatVersion',
  version: 'version',
  doc: 'doc',
  updatedAt: 'updatedAt',
  writer: 'writer',
  writeId: 'writeId',
  leaseHolder: 'leaseHolder',
  leaseToken: 'leaseToken',
  leaseHost: 'leaseHost',
  leasePid: 'leasePid',
  leaseEpoch: 'leaseEpoch',
  leaseRecordVersion: 'leaseRecordVersion',
  leaseDurationMs: 'leaseDurationMs',
  leaseRenewedAt: 'leaseRenewedAt',
  leaseReleased: 'leaseReleased',
} as const;

/** The partition key's name, which `init-store` creates the table with (type S). */
export const PARTITION_KEY = A.key;

/**
 * The most compressed document bytes a save writes: 350 KiB, leaving DynamoDB's 400 KB item limit room
 * for the other attributes (under 3 KB: the key is at most 2 KB, the lease a few hundred bytes). The
 * controller's document keeps at most 1,000 history entries and 500 command ids; a realistic full one
 * compresses to a small fraction of this (test/store measures it).
 */
export const MAX_DOCUMENT_BYTES = 350 * 1024;

/** `#name` placeholders for every attribute, for `ExpressionAttributeNames`. */
export const NAMES: Record<string, string> = Object.fromEntries(Object.values(A).map((name) => [`#${name}`, name]));

/** The names an expression uses, for `ExpressionAttributeNames` (DynamoDB refuses unused ones). */
export function namesIn(...expressions: string[]): Record<string, string> {
  const used = new Set(expressions.flatMap((e) => e.match(/#\w+/g) ?? []));
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder)));
}

/** Attributes a lease read needs (with the version and format, so a refused save can tell why). */
export const LEASE_PROJECTION = [
  A.format,
  A.formatVersion,
  A.version,
  A.leaseHolder,
  A.leaseToken,
  A.leaseHost,
  A.leasePid,
  A.leaseEpoch,
  A.leaseRecordVersion,
  A.leaseDurationMs,
  A.leaseRenewedAt,
  A.leaseReleased,
]
  .map((name) => `#${name}`)
  .join(', ');

/** gzip of the JSON text, the form `doc` holds. */
export async function compressDocument(json: string): Promise<Buffer> {
  return gzipAsync(Buffer.from(json, 'utf8'));
}

/** The values a save sets (`:format`, `:formatVersion`, `:next`, `:doc`, `:updatedAt`, `:writer`, `:writeId`). */
export function documentValues(document: {
  version: number;
  updatedAt: string;
  writer: string;
  doc: Uint8Array;
  writeId: string;
}): Item {
  return {
    ':format': { S: STATE_FORMAT },
    ':formatVersion': { N: String(FORMAT_VERSION) },
    ':next': { N: String(document.version) },
    ':doc': { B: document.doc },
    ':updatedAt': { S: document.updatedAt },
    ':writer': { S: document.writer },
    ':writeId': { S: document.writeId },
  };
}

/** The values a lease write sets (`:holder`, `:token`, …, `:released`), from the record to write. */
export function leaseValues(record: LeaseRecord): Item {
  return {
    ':holder': { S: record.holder },
    ':token': { S: record.token },
    ':host': { S: record.host ?? '' },
    ':pid': { N: String(record.pid ?? 0) },
    ':epoch': { N: String(record.epoch) },
    ':rv': { S: record.recordVersion },
    ':duration': { N: String(record.leaseDurationMs) },
    ':renewedAt': { S: record.renewedAt },
    ':released': { BOOL: record.released },
  };
}

/** The `SET` clause of a lease write, matching {@link leaseValues}. */
export const SET_LEASE =
  'SET #leaseHolder = :holder, #leaseToken = :token, #leaseHost = :host, #leasePid = :pid, #leaseEpoch = :epoch, ' +
  '#leaseRecordVersion = :rv, #leaseDurationMs = :duration, #leaseRenewedAt = :renewedAt, #leaseReleased = :released';

/** The stored document version (0 when nothing was saved yet). */
export function versionOf(item: Item | undefined, location: string): number {
  const text = item?.[A.version]?.N;
  if (text === undefined) return 0;
  const version = Number(text);
  if (!Number.isSafeInteger(version) || version < 1)
    throw corrupt(location, `attribute "version" must be a whole number >= 1, found ${text}`);
  return version;
}

/**
 * The document an item holds, or undefined when none was saved yet (an item may hold only the lease).
 * Throws `StoreCorruptError` for an item that is not ours or cannot be read, `StoreFormatError` for one a
 * newer release wrote: never a silent reset.
 */
export async function decodeDocument(item: Item | undefined, location: string): Promise<StoredDocument | undefined>;
/** With `header`: checks only what says whose and which format the item is (for a projection without `doc`). */
export async function decodeDocument(
  item: Item | undefined,
  location: string,
  options: { header: true },
): Promise<undefined>;
export async function decodeDocument(
  item: Item | undefined,
  location: string,
  options?: { header: true },
): Promise<StoredDocument | undefined> {
  if (!item) return undefined;
  const format = item[A.format]?.S;
  if (format !== undefined && format !== STATE_FORMAT)
    throw corrupt(location, `not a connect-failover item: its "format" is ${JSON.stringify(format)}`);
  if (item[A.version] === undefined) return undefined;
  if (format === undefined) throw corrupt(location, 'it has a "version" but no "format" attribute');
  const formatVersion = Number(item[A.formatVersion]?.N);
  if (!Number.isSafeInteger(formatVersion) || formatVersion < 1)
    throw corrupt(location, 'attribute "formatVersion" must be a whole number >= 1');
  if (formatVersion > FORMAT_VERSION) {
    throw new StoreFormatError(
      location,
      formatVersion,
      FORMAT_VERSION,
      'Run that newer connect-failover, or delete the item to start with nothing saved',
    );
  }
  const version = versionOf(item, location);
  if (options?.header) return undefined;
  const updatedAt = item[A.updatedAt]?.S;
  const writer = item[A.writer]?.S;
  const doc = item[A.doc]?.B;
  if (updatedAt === undefined || Number.isNaN(Date.parse(updatedAt)))
    throw corrupt(location, 'attribute "updatedAt" must be an ISO 8601 time');
  if (writer === undefined) throw corrupt(location, 'attribute "writer" must be a string');
  if (doc === undefined) throw corrupt(location, 'it has no "doc" attribute (binary)');
  let data: unknown;
  try {
    data = JSON.parse((await gunzipAsync(doc)).toString('utf8'));
  } catch (error) {
    throw corrupt(location, `attribute "doc" is not gzip-compressed JSON (${(error as Error).message})`, error);
  }
  return { version, updatedAt, writer, data };
}

/** The lease an item holds, or undefined when no lease was ever taken on it. */
export function decodeLease(item: Item | undefined, location: string): LeaseRecord | undefined {
  const recordVersion = item?.[A.leaseRecordVersion]?.S;
  if (!item || recordVersion === undefined) return undefined;
  const holder = item[A.leaseHolder]?.S;
  const token = item[A.leaseToken]?.S;
  const epoch = Number(item[A.leaseEpoch]?.N);
  const leaseDurationMs = Number(item[A.leaseDurationMs]?.N);
  const renewedAt = item[A.leaseRenewedAt]?.S;
  const released = item[A.leaseReleased]?.BOOL;
  if (
    holder === undefined ||
    token === undefined ||
    !Number.isSafeInteger(epoch) ||
    epoch < 0 ||
    !(leaseDurationMs > 0) ||
    renewedAt === undefined ||
    released === undefined
  ) {
    throw corrupt(location, 'its lease attributes are incomplete or of the wrong type');
  }
  const host = item[A.leaseHost]?.S;
  const pid = Number(item[A.leasePid]?.N);
  return {
    holder,
    token,
    ...(host ? { host } : {}),
    ...(Number.isSafeInteger(pid) && pid > 0 ? { pid } : {}),
    epoch,
    recordVersion,
    leaseDurationMs,
    renewedAt,
    released,
  };
}

function corrupt(location: string, problem: string, cause?: unknown): StoreCorruptError {
  return new StoreCorruptError(
    location,
    problem,
    'connect-failover does not overwrite it: fix the item, or delete it to start with nothing saved (start-up then reads the alarms and the traffic split again)',
    { cause },
  );
}
