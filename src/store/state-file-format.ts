import { StoreCorruptError, StoreFormatError } from '../errors.ts';
import type { LeaseRecord } from './lease.ts';
import type { StoredDocument } from './store.ts';

/** The header that marks a file as ours; anything without it is a foreign file. */
export const STATE_FORMAT = 'connect-failover/state';
export const LEASE_FORMAT = 'connect-failover/lease';
/** The newest format this version writes and reads. Older ones would be migrated here. */
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

/** The file text for a lease. */
export function encodeLeaseFile(lease: LeaseRecord): string {
  const file = {
    format: LEASE_FORMAT,
    formatVersion: FORMAT_VERSION,
    holder: lease.holder,
    token: lease.token,
    expiresAt: new Date(lease.expiresAtMs).toISOString(),
    ...(lease.host === undefined ? {} : { host: lease.host }),
    ...(lease.pid === undefined ? {} : { pid: lease.pid }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Reads the file text of a lease, as strictly as a document. */
export function decodeLeaseFile(text: string, location: string): LeaseRecord {
  const file = parseOurs(text, location, LEASE_FORMAT, 'lease');
  const { holder, token, expiresAt } = file;
  const expiresAtMs = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
  if (typeof holder !== 'string' || typeof token !== 'string' || Number.isNaN(expiresAtMs)) {
    throw corrupt(location, 'its "holder", "token" and "expiresAt" fields must be strings (expiresAt an ISO 8601 time)');
  }
  const where = {
    ...(typeof file.host === 'string' ? { host: file.host } : {}),
    ...(Number.isInteger(file.pid) ? { pid: file.pid as number } : {}),
  };
  return { holder, token, expiresAtMs, ...where };
}

function parseOurs(text: string, location: string, format: string, what: string): Record<string, unknown> {
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
  if ((formatVersion as number) > FORMAT_VERSION) {
    throw new StoreFormatError(location, formatVersion as number, FORMAT_VERSION, NEWER_REMEDY);
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
