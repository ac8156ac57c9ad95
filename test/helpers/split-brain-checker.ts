/**
 * The split-brain checker, Jepsen style: a history of lease changes and of writes that reached Connect,
 * all timed by one clock (the test process's), and one rule over it: every applied write came from the
 * holder of the epoch current when it landed (so no two holders' writes interleave, and no deposed holder
 * writes after a newer epoch took over). Writers are named by a string: a pid for processes, an instance
 * name in process.
 */
import type { DynaliteRequest } from './dynalite-server.ts';

/** The lease as it stood from `at` on. */
export interface LeaseEvent {
  at: number;
  epoch: number;
  /** Who holds it (for a release: who held it). */
  holder: string;
  released: boolean;
  /** The writer's wall clock at the write (`renewedAt`): what a clock step shows up in. */
  renewedAt: string;
}

/** A write Connect applied. */
export interface LandedWrite {
  at: number;
  writer: string;
  /** Anything that helps read a violation (the split, the region). */
  detail?: string;
}

/** One broken rule, said so that a failing test reads on its own. */
export type Violation = string;

/**
 * Every write that landed while no lease was held, while a released lease was current, or while another
 * writer held the current epoch. Lease events at the same instant as a write count as already current:
 * the strict reading, since a write must never race a take-over.
 */
export function splitBrainViolations(leases: readonly LeaseEvent[], writes: readonly LandedWrite[]): Violation[] {
  const ordered = [...leases].sort((a, b) => a.at - b.at);
  const violations: Violation[] = [];
  for (const write of writes) {
    const current = ordered.filter((l) => l.at <= write.at).at(-1);
    const what = `write by ${write.writer} at ${write.at}${write.detail ? ` (${write.detail})` : ''}`;
    if (!current) violations.push(`${what}: no lease was held yet`);
    else if (current.released) violations.push(`${what}: the lease (epoch ${current.epoch}) was released`);
    else if (current.holder !== write.writer)
      violations.push(`${what}: epoch ${current.epoch} (since ${current.at}) belonged to ${current.holder}`);
  }
  return violations;
}

/**
 * The lease history of the DynamoDB store, read from the requests dynalite served: every accepted lease
 * write (a take-over, a renewal, a release), timed by its arrival (the strict reading: a take-over counts
 * from the first moment it can have landed). Tied to the item layout of `src/store/dynamodb-item.ts`: a
 * lease write sets `:epoch` and `:pid`; a release sets `:released` true without `:pid`.
 */
export function leaseEventsOf(requests: readonly DynaliteRequest[]): LeaseEvent[] {
  const events: LeaseEvent[] = [];
  const accepted = requests
    .filter((r) => r.operation === 'UpdateItem' && r.status === 200)
    .sort((a, b) => a.arrivedAt - b.arrivedAt);
  for (const request of accepted) {
    const values = (request.body.ExpressionAttributeValues ?? {}) as Record<string, Record<string, unknown>>;
    const epoch = values[':epoch']?.N;
    const released = values[':released']?.BOOL === true;
    if (typeof epoch !== 'string') continue;
    const pid = values[':pid']?.N;
    const holder =
      typeof pid === 'string' ? pid : (events.filter((e) => e.epoch === Number(epoch)).at(-1)?.holder ?? '?');
    const renewedAt = values[':renewedAt']?.S;
    events.push({
      at: request.arrivedAt,
      epoch: Number(epoch),
      holder,
      released,
      renewedAt: typeof renewedAt === 'string' ? renewedAt : '',
    });
  }
  return events;
}

/** The epochs taken, in order, each with its holder: `[{ epoch: 1, holder: '4242' }, …]`. */
export function takeOvers(events: readonly LeaseEvent[]): Array<{ epoch: number; holder: string; at: number }> {
  const taken: Array<{ epoch: number; holder: string; at: number }> = [];
  for (const event of events) {
    const last = taken.at(-1);
    if (!event.released && (!last || last.epoch !== event.epoch))
      taken.push({ epoch: event.epoch, holder: event.holder, at: event.at });
  }
  return taken;
}

/** The pid in a write's user agent (`connect-failover/host:pid`, which the SDK sends as `host-pid`). */
export function writerPid(userAgent: string | undefined): string | undefined {
  const match = /connect-failover\/\S+-(\d+)(?:\s|$)/.exec(userAgent ?? '');
  return match?.[1];
}
