/**
 * The DynamoDB store's lease item: one per traffic distribution group beside its document item, with
 * partition key `<group id>#lease`. Small (a few hundred bytes), so a renewal costs one write unit
 * whatever the size of the document.
 *
 * | attribute            | type | what                                                               |
 * |----------------------|------|--------------------------------------------------------------------|
 * | `pk`                 | S    | `<group id>#lease`                                                 |
 * | `format`             | S    | `connect-failover/lease`: marks the item as ours                   |
 * | `holder`             | S    | the lease holder's `writer`                                        |
 * | `token`              | S    | the holder store instance's token                                  |
 * | `host`, `pid`        | S, N | the holder's host and pid (for status)                             |
 * | `epoch`              | N    | fencing epoch: +1 per take-over                                    |
 * | `recordVersion`      | S    | new UUID on every lease write; every lease write is conditional on it |
 * | `leaseDurationMs`    | N    | the holder's lease duration                                        |
 * | `renewedAt`          | S    | the holder's wall clock at its last lease write (for people)       |
 * | `takenAt`            | S    | the holder's wall clock when it took this epoch (for people)        |
 * | `released`           | BOOL | true after `releaseLease`                                          |
 * | `standby:<token>`    | M    | a standby's announcement: `writer`, `host`, `pid`, `version`, `lastSeen`, `leaseDurationMs` |
 *
 * The standby entries share the lease item rather than having items of their own: the table has no sort
 * key, so items of their own could only be listed with a Scan of every group's items, and on this item
 * `status` gets them with the lease read it makes anyway. They keep the item around 1 KB, so the
 * holder's renewals stay at one write unit.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LeaseRecord } from './lease.ts';
import { corrupt, decodeLeaseAttributes, type Item } from './dynamodb-item.ts';
import type { StandbyPresence } from './store.ts';

export const LEASE_FORMAT = 'connect-failover/lease';

/** The lease item's key for a group's document key. */
export const leaseKeyOf = (key: string): string => `${key}#lease`;

/** Standby entries are attributes named `standby:<token>`. */
export const STANDBY_PREFIX = 'standby:';

/** The record's attribute names; expressions refer to them as `#name`. */
export const L = {
  format: 'format',
  holder: 'holder',
  token: 'token',
  host: 'host',
  pid: 'pid',
  epoch: 'epoch',
  recordVersion: 'recordVersion',
  durationMs: 'leaseDurationMs',
  renewedAt: 'renewedAt',
  takenAt: 'takenAt',
  released: 'released',
} as const;

/** `#name` placeholders for the names an expression uses; `extra` maps further placeholders (standby entries). */
export function leaseNamesIn(expressions: string[], extra: Record<string, string> = {}): Record<string, string> {
  const used = new Set(expressions.flatMap((e) => e.match(/#[\w]+/g) ?? []));
  const all: Record<string, string> = {
    ...Object.fromEntries(Object.values(L).map((name) => [`#${name}`, name])),
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([placeholder]) => used.has(placeholder)));
}

/** The `SET` clause of a write of the whole record, matching {@link recordValues}. */
export const SET_RECORD =
  'SET #format = :leaseFormat, #holder = :holder, #token = :token, #host = :host, #pid = :pid, #epoch = :epoch, ' +
  '#recordVersion = :rv, #leaseDurationMs = :duration, #renewedAt = :renewedAt, #takenAt = :takenAt, #released = :released';

/** The values {@link SET_RECORD} sets, from the record to write. */
export function recordValues(record: LeaseRecord): Item {
  return {
    ':leaseFormat': { S: LEASE_FORMAT },
    ':holder': { S: record.holder },
    ':token': { S: record.token },
    ':host': { S: record.host ?? '' },
    ':pid': { N: String(record.pid ?? 0) },
    ':epoch': { N: String(record.epoch) },
    ':rv': { S: record.recordVersion },
    ':duration': { N: String(record.leaseDurationMs) },
    ':renewedAt': { S: record.renewedAt },
    ':takenAt': { S: record.takenAt ?? record.renewedAt },
    ':released': { BOOL: record.released },
  };
}

/** The lease record the item holds, or undefined when none was written yet (it may hold standby entries only). */
export function decodeLeaseItem(item: Item | undefined, location: string): LeaseRecord | undefined {
  const format = item?.[L.format]?.S;
  if (item && format !== undefined && format !== LEASE_FORMAT)
    throw corrupt(
      location,
      `the lease item is not a connect-failover lease: its "format" is ${JSON.stringify(format)}`,
    );
  return decodeLeaseAttributes(item, L, {
    location,
    minEpoch: 1,
    incomplete: 'its lease item is incomplete or of the wrong type',
  });
}

/** A standby entry and the token it is filed under. */
export interface StandbyEntry extends StandbyPresence {
  token: string;
}

/** The standby entries an item holds, newest first; malformed ones are skipped (they only inform people). */
export function decodeStandbys(item: Item | undefined): StandbyEntry[] {
  const entries: StandbyEntry[] = [];
  for (const [name, value] of Object.entries(item ?? {})) {
    if (!name.startsWith(STANDBY_PREFIX) || value.M === undefined) continue;
    const m = value.M;
    const entry = {
      token: name.slice(STANDBY_PREFIX.length),
      writer: m.writer?.S,
      host: m.host?.S,
      pid: Number(m.pid?.N),
      version: m.version?.S,
      lastSeen: m.lastSeen?.S,
      leaseDurationMs: Number(m.leaseDurationMs?.N),
    };
    if (
      entry.writer === undefined ||
      entry.host === undefined ||
      entry.version === undefined ||
      entry.lastSeen === undefined ||
      Number.isNaN(Date.parse(entry.lastSeen)) ||
      !Number.isSafeInteger(entry.pid) ||
      !(entry.leaseDurationMs > 0)
    )
      continue;
    entries.push(entry as StandbyEntry);
  }
  return entries.sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
}

/** The attribute value of a standby entry. */
export function standbyValue(presence: StandbyPresence): AttributeValue {
  return {
    M: {
      writer: { S: presence.writer },
      host: { S: presence.host },
      pid: { N: String(presence.pid) },
      version: { S: presence.version },
      lastSeen: { S: presence.lastSeen },
      leaseDurationMs: { N: String(presence.leaseDurationMs) },
    },
  };
}
