/**
 * The DynamoDB store's document item: one per traffic distribution group (partition key `pk` = the group's
 * id), holding the document and the fence. The lease lives in an item of its own (dynamodb-lease-item.ts),
 * so a renewal rewrites a few hundred bytes, not the whole document (see docs/high-availability.md for why
 * the fence keeps a deposed leader's saves out without a transaction).
 *
 * | attribute       | type | what                                                                      |
 * |-----------------|------|---------------------------------------------------------------------------|
 * | `pk`            | S    | partition key: the traffic distribution group's id                        |
 * | `format`        | S    | `connect-failover/state`: marks the item as ours                          |
 * | `formatVersion` | N    | 2 (1: the lease was kept on this item); a newer one is refused            |
 * | `version`       | N    | the document version; absent until the first save                         |
 * | `doc`           | B    | the document: gzip of its JSON (at most {@link MAX_DOCUMENT_BYTES})        |
 * | `updatedAt`     | S    | ISO 8601 time of the save (the saver's clock)                             |
 * | `writer`        | S    | the saver's `writer`                                                      |
 * | `writeId`       | S    | unique per write call: makes the SDK's retry of a write idempotent        |
 * | `fenceEpoch`    | N    | the epoch of the last leader that took over; a fenced save requires its own |
 *
 * Format 1 kept the lease here too (`leaseHolder`, `leaseToken`, `leaseHost`, `leasePid`, `leaseEpoch`,
 * `leaseRecordVersion`, `leaseDurationMs`, `leaseRenewedAt`, `leaseReleased`). Such a lease is still read
 * (and waited out) until a take-over adopts it: see dynamodb-lease.ts.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { StoreCorruptError, StoreFormatError } from '../errors.ts';
import type { LeaseRecord } from './lease.ts';
import { STATE_FORMAT } from './state-file-format.ts';
import type { StoredDocument } from './store.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** A DynamoDB item as the low-level client passes it. */
export type Item = Record<string, AttributeValue>;

/** The newest document item layout: 2 moved the lease to its own item and added `fenceEpoch`. */
export const ITEM_FORMAT_VERSION = 2;

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
  fenceEpoch: 'fenceEpoch',
} as const;

/** Format 1's lease attributes on the document item: read for adoption, removed by the adopting take-over. */
export const LEGACY = {
  holder: 'leaseHolder',
  token: 'leaseToken',
  host: 'leaseHost',
  pid: 'leasePid',
  epoch: 'leaseEpoch',
  recordVersion: 'leaseRecordVersion',
  durationMs: 'leaseDurationMs',
  renewedAt: 'leaseRenewedAt',
  released: 'leaseReleased',
} as const;

/** The partition key's name, which `init-store` creates the table with (type S). */
export const PARTITION_KEY = A.key;

/**
 * The most compressed document bytes a save writes: 350 KiB, leaving DynamoDB's 400 KB item limit room
 * for the other attributes (under 3 KB: the key is at most 2 KB). The controller's document keeps at most
 * 1,000 history entries and 500 command ids; a realistic full one compresses to a small fraction of this
 * (test/store measures it).
 */
export const MAX_DOCUMENT_BYTES = 350 * 1024;

/** `#name` placeholders for every attribute, for `ExpressionAttributeNames`. */
const NAMES: Record<string, string> = Object.fromEntries(
  [...Object.values(A), ...Object.values(LEGACY)].map((name) => [`#${name}`, name]),
);

/** The names an expression uses, for `ExpressionAttributeNames` (DynamoDB refuses unused ones). */
export function namesIn(...expressions: string[]): Record<string, string> {
  const used = new Set(expressions.flatMap((e) => e.match(/#\w+/g) ?? []));
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => used.has(placeholder)));
}

/** What a refused save, a fence write and a lease read without a lease item need from the document item. */
export const FENCE_PROJECTION = [A.format, A.formatVersion, A.version, A.fenceEpoch, ...Object.values(LEGACY)]
  .map((name) => `#${name}`)
  .join(', ');

/** Never overwrite another application's item or one a newer release wrote (the file store reads first for the same reason). */
export const FORMAT_CHECK =
  '(attribute_not_exists(#format) OR #format = :format) AND (attribute_not_exists(#formatVersion) OR #formatVersion <= :formatVersion)';

/** The values {@link FORMAT_CHECK} and a write of the header use. */
export const FORMAT_VALUES: Item = {
  ':format': { S: STATE_FORMAT },
  ':formatVersion': { N: String(ITEM_FORMAT_VERSION) },
};

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
    ...FORMAT_VALUES,
    ':next': { N: String(document.version) },
    ':doc': { B: document.doc },
    ':updatedAt': { S: document.updatedAt },
    ':writer': { S: document.writer },
    ':writeId': { S: document.writeId },
  };
}

/** The stored document version (0 when nothing was saved yet). */
export function versionOf(item: Item | undefined, location: string): number {
  const text = item?.[A.version]?.N;
  if (text === undefined) return 0;
  const version = Number(text);
  if (!Number.isSafeInteger(version) || version < 1)
    throw corrupt(location, `attribute "version" must be a whole number >= 1, found ${text}`);
  return version;
}

/** The fence the item carries: the epoch of the last take-over that wrote it (0 when none did). */
export function fenceEpochOf(item: Item | undefined, location: string): number {
  const text = item?.[A.fenceEpoch]?.N;
  if (text === undefined) return 0;
  const epoch = Number(text);
  if (!Number.isSafeInteger(epoch) || epoch < 1)
    throw corrupt(location, `attribute "fenceEpoch" must be a whole number >= 1, found ${text}`);
  return epoch;
}

/**
 * The document an item holds, or undefined when none was saved yet (an item may hold only the fence).
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
  const formatVersion = item[A.formatVersion] === undefined ? undefined : Number(item[A.formatVersion]?.N);
  if (formatVersion !== undefined && (!Number.isSafeInteger(formatVersion) || formatVersion < 1))
    throw corrupt(location, 'attribute "formatVersion" must be a whole number >= 1');
  if (formatVersion !== undefined && formatVersion > ITEM_FORMAT_VERSION) {
    throw new StoreFormatError(
      location,
      formatVersion,
      ITEM_FORMAT_VERSION,
      'Run that newer connect-failover, or delete the item to start with nothing saved',
    );
  }
  if (item[A.version] === undefined) return undefined;
  if (format === undefined) throw corrupt(location, 'it has a "version" but no "format" attribute');
  if (formatVersion === undefined) throw corrupt(location, 'attribute "formatVersion" must be a whole number >= 1');
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

/** Where a lease's attributes live on an item: the lease item's names, or a format-1 document's. */
export interface LeaseAttributeNames {
  holder: string;
  token: string;
  host: string;
  pid: string;
  epoch: string;
  recordVersion: string;
  durationMs: string;
  renewedAt: string;
  released: string;
  takenAt?: string;
}

/**
 * The lease record held in `item` under `names`, or undefined when it holds none (no record version).
 * `minEpoch`: the lowest epoch a valid record may carry; `incomplete`: the error when the record is invalid.
 */
export function decodeLeaseAttributes(
  item: Item | undefined,
  names: LeaseAttributeNames,
  options: { location: string; minEpoch: number; incomplete: string },
): LeaseRecord | undefined {
  const recordVersion = item?.[names.recordVersion]?.S;
  if (!item || recordVersion === undefined) return undefined;
  const holder = item[names.holder]?.S;
  const token = item[names.token]?.S;
  const epoch = Number(item[names.epoch]?.N);
  const leaseDurationMs = Number(item[names.durationMs]?.N);
  const renewedAt = item[names.renewedAt]?.S;
  const released = item[names.released]?.BOOL;
  if (
    holder === undefined ||
    token === undefined ||
    !Number.isSafeInteger(epoch) ||
    epoch < options.minEpoch ||
    !(leaseDurationMs > 0) ||
    renewedAt === undefined ||
    released === undefined
  ) {
    throw corrupt(options.location, options.incomplete);
  }
  const host = item[names.host]?.S;
  const pid = Number(item[names.pid]?.N);
  const takenAt = names.takenAt === undefined ? undefined : item[names.takenAt]?.S;
  return {
    holder,
    token,
    ...(host ? { host } : {}),
    ...(Number.isSafeInteger(pid) && pid > 0 ? { pid } : {}),
    epoch,
    recordVersion,
    leaseDurationMs,
    renewedAt,
    ...(takenAt ? { takenAt } : {}),
    released,
  };
}

/** The format-1 lease a document item still carries, or undefined when it carries none (or was adopted). */
export function decodeLegacyLease(item: Item | undefined, location: string): LeaseRecord | undefined {
  return decodeLeaseAttributes(item, LEGACY, {
    location,
    minEpoch: 0,
    incomplete: 'its lease attributes (format 1) are incomplete or of the wrong type',
  });
}

export function corrupt(location: string, problem: string, cause?: unknown): StoreCorruptError {
  return new StoreCorruptError(
    location,
    problem,
    'connect-failover does not overwrite it: fix the item, or delete it to start with nothing saved (start-up then reads the alarms and the traffic split again)',
    { cause },
  );
}
