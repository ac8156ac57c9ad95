import { StoreCorruptError, StoreFormatError } from '../errors.ts';
import type { LeaseRecord } from './lease.ts';
import type { StoredDocument } from './store.ts';

/** The header that marks a file as ours; anything without it is a foreign file. */
export const STATE_FORMAT = 'connect-failover/state';
export const LEASE_FORMAT = 'connect-failover/lease';
/** The newest state file format this version writes and reads. Older ones would be migrated here. */
export const FORMAT_VERSION = 1;

const REMEDY =
  'connect-failover does not overwrite it: fix it, or move it away to start with nothing saved ' +
  '(start-up then reads the alarms and the traffic split again)';
const NEWER_REMEDY = 'Run that newer connect-failover, or move the file away to start with nothing saved';

/** The file text for a document: the header, then the controller's data; pretty-printed for operators. */
export function encodeStateFile(document: StoredDocument): string {
  const file = {
    format: STATE_FORMAT,
    formatVersion: FORMAT_VERSION,
    version: document.version,
    updatedAt: document.updatedAt,
    writer: document.writer,
    data: document.data,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads the file text of a document. `location` names the file in errors. Throws `StoreCorruptError` for
 * text that is not JSON, a foreign file, or a bad header field; `StoreFormatError` for a newer format.
 */
export function decodeStateFile(text: string, location: string): StoredDocument {
  const file = parseOurs(text, location, STATE_FORMAT, 'state');
  const version = file.version;
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw corrupt(location, `header field "version" must be a whole number >= 1, found ${show(version)}`);
  }
  const updatedAt = file.updatedAt;
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt))) {
    throw corrupt(location, `header field "updatedAt" must be an ISO 8601 time, found ${show(updatedAt)}`);
  }
  const writer = file.writer;
  if (typeof writer !== 'string') {
    throw corrupt(location, `header field "writer" must be a string, found ${show(writer)}`);
  }
  if (!('data' in file)) throw corrupt(location, 'it has no "data" field');
  return { version: version as number, updatedAt, writer, data: file.data };
}

/**
 * The newest lease file format. 2 added the fencing epoch, the record version, the duration and the
 * released mark, and dropped `expiresAt` (claimants no longer compare wall clocks).
 */
export const LEASE_FORMAT_VERSION = 2;
/** What a format-1 lease (which had no duration field) promised: the controller's TTL of the time. */
const V1_LEASE_DURATION_MS = 30_000;

/** The file text for a lease. */
export function encodeLeaseFile(lease: LeaseRecord): string {
  const file = {
    format: LEASE_FORMAT,
    formatVersion: LEASE_FORMAT_VERSION,
    holder: lease.holder,
    token: lease.token,
    ...(lease.host === undefined ? {} : { host: lease.host }),
    ...(lease.pid === undefined ? {} : { pid: lease.pid }),
    epoch: lease.epoch,
    recordVersion: lease.recordVersion,
    leaseDurationMs: lease.leaseDurationMs,
    renewedAt: lease.renewedAt,
    ...(lease.takenAt === undefined ? {} : { takenAt: lease.takenAt }),
    released: lease.released,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Reads the file text of a lease, as strictly as a document. A format-1 lease (an older release still
 * running, or left behind by it) reads as epoch 0, never released, with a record version that changes
 * whenever that release renewed it, so the unchanged-for-a-full-duration rule applies to it too.
 */
export function decodeLeaseFile(text: string, location: string): LeaseRecord {
  const file = parseOurs(text, location, LEASE_FORMAT, 'lease', LEASE_FORMAT_VERSION);
  const { holder, token } = file;
  if (typeof holder !== 'string' || typeof token !== 'string') {
    throw corrupt(location, 'its "holder" and "token" fields must be strings');
  }
  const where = {
    ...(typeof file.host === 'string' ? { host: file.host } : {}),
    ...(Number.isInteger(file.pid) ? { pid: file.pid as number } : {}),
  };
  if (file.formatVersion === 1) {
    const expiresAt = file.expiresAt;
    if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) {
      throw corrupt(location, 'its "expiresAt" field must be an ISO 8601 time');
    }
    return {
      holder,
      token,
      ...where,
      epoch: 0,
      recordVersion: `v1:${token}:${expiresAt}`,
      leaseDurationMs: V1_LEASE_DURATION_MS,
      renewedAt: new Date(Date.parse(expiresAt) - V1_LEASE_DURATION_MS).toISOString(),
      released: false,
    };
  }
  const { epoch, recordVersion, leaseDurationMs, renewedAt, released } = file;
  if (
    !Number.isSafeInteger(epoch) ||
    (epoch as number) < 0 ||
    typeof recordVersion !== 'string' ||
    recordVersion === '' ||
    typeof leaseDurationMs !== 'number' ||
    !(leaseDurationMs > 0) ||
    typeof renewedAt !== 'string' ||
    Number.isNaN(Date.parse(renewedAt)) ||
    typeof released !== 'boolean'
  ) {
    throw corrupt(
      location,
      'its "epoch" (a whole number), "recordVersion" (a string), "leaseDurationMs" (> 0), "renewedAt" (an ISO 8601 time) and "released" (true or false) fields are not all valid',
    );
  }
  const takenAt =
    typeof file.takenAt === 'string' && !Number.isNaN(Date.parse(file.takenAt)) ? file.takenAt : undefined;
  return {
    holder,
    token,
    ...where,
    epoch: epoch as number,
    recordVersion,
    leaseDurationMs,
    renewedAt,
    ...(takenAt === undefined ? {} : { takenAt }),
    released,
  };
}

function parseOurs(
  text: string,
  location: string,
  format: string,
  what: string,
  supported = FORMAT_VERSION,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(location, `not JSON (${(error as Error).message})`, error);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(location, `not a connect-failover ${what} file: it holds ${show(value)}, not an object`);
  }
  const file = value as Record<string, unknown>;
  if (file.format !== format) {
    const found = 'format' in file ? `its "format" is ${show(file.format)}` : 'it has no "format" header';
    throw corrupt(location, `not a connect-failover ${what} file: ${found} (expected "${format}")`);
  }
  const formatVersion = file.formatVersion;
  if (!Number.isSafeInteger(formatVersion) || (formatVersion as number) < 1) {
    throw corrupt(location, `header field "formatVersion" must be a whole number >= 1, found ${show(formatVersion)}`);
  }
  if ((formatVersion as number) > supported) {
    throw new StoreFormatError(location, formatVersion as number, supported, NEWER_REMEDY);
  }
  return file;
}

function corrupt(location: string, problem: string, cause?: unknown): StoreCorruptError {
  return new StoreCorruptError(location, problem, REMEDY, { cause });
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
