/**
 * A simulated world for the randomized split-brain test: several controllers, each the real leadership
 * code (`standBy`, `LeaseGuard`) over its own `MemoryStore` instance on one shared store, on virtual time.
 *
 * - Time: one virtual timeline; each node's monotonic clock runs at its own rate (within a few percent)
 *   from its own origin. A paused node (SIGSTOP) runs nothing: its timers and store answers wait at a
 *   gate until it is continued, while its monotonic clock keeps running, as `performance.now()` does.
 * - The store: every call takes a little virtual time each way; faults are injected with `failNext` (a
 *   claim that fails, committed or not), an outage (every call of every node fails) or a partition (every
 *   call of one node fails, while it still reaches Connect and the others reach the store).
 * - Decisions arrive on a queue; a leader saves the latest with a fenced save, then acknowledges it, then
 *   makes Connect match the saved split: `assertSure()` right before each write, as the shifter does.
 *   A write takes a little time to land (the network), whatever happens to its writer meanwhile.
 * - Every lease change of the shared store, every write started and landed is recorded for the checker.
 */
import { LeaseLostError, StoreError } from '../../src/errors.ts';
import type { Clock } from '../../src/clock.ts';
import { LeaseGuard, standBy } from '../../src/controller/leadership.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { LeaseStatus, StateStore } from '../../src/store/store.ts';
import type { LeaseEvent } from './split-brain-checker.ts';

/** A write to the fake Connect: who started it, at which epoch, and what the lease was at each end. */
export interface WorldWrite {
  writer: string;
  /** The epoch the writer's guard holds. */
  epoch: number;
  split: number;
  startedAt: number;
  /** The lease in the shared store when the write was started. */
  leaseAtStart: { holder: string; epoch: number; released: boolean } | undefined;
  landedAt?: number;
}

interface Sleeper {
  until: number;
  wake: () => void;
}

/** The one virtual timeline. */
class Timeline {
  now = 0;
  #sleepers: Sleeper[] = [];

  at(until: number, wake: () => void): Sleeper {
    const sleeper = { until, wake };
    this.#sleepers.push(sleeper);
    return sleeper;
  }

  cancel(sleeper: Sleeper): void {
    this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
  }

  /** Runs every timer due up to `until`, in order, letting each one's consequences settle first. */
  async runUntil(until: number): Promise<void> {
    for (;;) {
      // First whatever was set going since (a resumed node, a decision) registers its own timers.
      await settle();
      const next = this.#sleepers.reduce<Sleeper | undefined>((a, s) => (!a || s.until < a.until ? s : a), undefined);
      if (!next || next.until > until) break;
      this.cancel(next);
      this.now = Math.max(this.now, next.until);
      next.wake();
      await settle();
    }
    this.now = Math.max(this.now, until);
    await settle();
  }
}

/** Lets every promise chain that needs no timer run to its end (a macrotask runs after all microtasks). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface WorldOptions {
  random: () => number;
  leaseMs: number;
  nodes: number;
}

export class LeaseWorld {
  readonly time = new Timeline();
  readonly leaseEvents: LeaseEvent[] = [];
  readonly writes: WorldWrite[] = [];
  /** Decisions not yet acknowledged (saved by a leader): the queue. */
  readonly queue: Array<{ seq: number; split: number }> = [];
  /** Every decision ever made, in order. */
  readonly decisions: Array<{ seq: number; split: number }> = [];
  connectSplit = 100;
  storeDown = false;
  readonly nodes: Node[];
  readonly #root = new MemoryStore({ writer: 'root' });
  readonly #observer: MemoryStore;
  readonly #options: WorldOptions;
  #lastLease: string | undefined;

  constructor(options: WorldOptions) {
    this.#options = options;
    this.#observer = new MemoryStore({ writer: 'observer', sharedWith: this.#root });
    this.nodes = Array.from({ length: options.nodes }, (_, i) => new Node(this, `n${i}`, options));
  }

  get random(): () => number {
    return this.#options.random;
  }

  get leaseMs(): number {
    return this.#options.leaseMs;
  }

  /** A store instance on the shared store for a node incarnation, with latency, outages and the record. */
  storeFor(node: Node, writer: string): { store: StateStore; memory: MemoryStore } {
    const memory = new MemoryStore({
      writer,
      sharedWith: this.#root,
      now: () => Date.UTC(2026, 0, 1) + this.time.now,
      monotonicNow: () => node.monotonicNow(),
    });
    const call = async <T>(work: () => Promise<T>): Promise<T> => {
      await node.travel();
      if (this.storeDown || node.partitioned)
        throw new StoreError('injected outage', memory.describe(), { retryable: true });
      try {
        return await work();
      } finally {
        await this.recordLease();
        await node.travel();
      }
    };
    const store: StateStore = {
      load: (signal) => call(() => memory.load(signal)),
      save: (data, version, signal) => call(() => memory.save(data, version, signal)),
      acquireLease: (ms, signal) => call(() => memory.acquireLease(ms, signal)),
      releaseLease: (signal) => call(() => memory.releaseLease(signal)),
      readLease: (signal) => call(() => memory.readLease(signal)),
      describe: () => memory.describe(),
      probe: (signal) => call(() => memory.probe(signal)),
      close: () => memory.close(),
    };
    return { store, memory };
  }

  /** The shared lease now (no virtual time passes). */
  async lease(): Promise<LeaseStatus | undefined> {
    return this.#observer.readLease();
  }

  /** Appends a lease event when the shared record changed hands or was released. */
  async recordLease(): Promise<void> {
    const lease = await this.lease();
    if (!lease) return;
    const key = `${lease.holder}/${lease.epoch}/${lease.released}`;
    if (key === this.#lastLease) return;
    this.#lastLease = key;
    this.leaseEvents.push({
      at: this.time.now,
      epoch: lease.epoch,
      holder: lease.holder,
      released: lease.released,
      renewedAt: lease.renewedAt,
    });
  }

  /** The node whose running incarnation the shared lease names, if any. */
  async holder(): Promise<Node | undefined> {
    const lease = await this.lease();
    return this.nodes.find((n) => n.alive && n.writer === lease?.holder);
  }

  decide(split: number): void {
    const decision = { seq: this.decisions.length + 1, split };
    this.decisions.push(decision);
    this.queue.push(decision);
  }

  /** A write leaves its writer now and lands after a network delay, whatever becomes of the writer. */
  async send(write: WorldWrite): Promise<void> {
    this.writes.push(write);
    const delay = this.random() * this.#options.leaseMs * 0.05;
    this.time.at(this.time.now + delay, () => {
      write.landedAt = this.time.now;
      this.connectSplit = write.split;
    });
  }
}

/** One controller host: incarnations come and go (kill, restart); pauses freeze whichever runs. */
export class Node {
  readonly name: string;
  readonly #world: LeaseWorld;
  readonly #options: WorldOptions;
  readonly #rate: number;
  readonly #origin: number;
  #incarnation = 0;
  #paused = false;
  #resumers: Array<() => void> = [];
  #stop: AbortController | undefined;
  #memory: MemoryStore | undefined;
  running: Promise<void> | undefined;
  /** Cut off from the store (not from Connect): the partition a standby may take over across. */
  partitioned = false;

  constructor(world: LeaseWorld, name: string, options: WorldOptions) {
    this.#world = world;
    this.name = name;
    this.#options = options;
    this.#rate = 0.97 + options.random() * 0.06;
    this.#origin = options.random() * 1e6;
  }

  get alive(): boolean {
    return this.#stop !== undefined;
  }

  /** The name the running incarnation writes under (the lease names it). */
  get writer(): string {
    return `${this.name}.${this.#incarnation}`;
  }

  get paused(): boolean {
    return this.#paused;
  }

  monotonicNow(): number {
    return this.#origin + this.#world.time.now * this.#rate;
  }

  /** Waits while paused: a stopped process runs nothing. */
  async gate(): Promise<void> {
    while (this.#paused) await new Promise<void>((resolve) => this.#resumers.push(resolve));
  }

  /** A store call's time on the network, one way. */
  async travel(): Promise<void> {
    await this.#sleepVirtual(this.#world.random() * this.#options.leaseMs * 0.03);
    await this.gate();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    for (const resume of this.#resumers.splice(0)) resume();
  }

  /** Starts a new incarnation (a new process: new store instance, new token). */
  start(): void {
    if (this.alive) return;
    this.#incarnation += 1;
    const { writer } = this;
    const { store, memory } = this.#world.storeFor(this, writer);
    this.#memory = memory;
    this.#stop = new AbortController();
    this.running = runNode(this.#world, this, store, writer, this.#clock(), this.#stop.signal);
  }

  /** SIGKILL: nothing more runs; a write already sent still lands. */
  kill(): void {
    this.#stop?.abort(new Error('killed'));
    this.#stop = undefined;
    this.resume();
  }

  /** The next lease claim of the running incarnation fails; `committed`: after it landed. */
  failNextClaim(committed: boolean): void {
    this.#memory?.failNext('acquireLease', 1, { committed });
  }

  #sleepVirtual(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper = this.#world.time.at(this.#world.time.now + ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        this.#world.time.cancel(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** This node's Clock: sleeps count on its own monotonic rate, and wake only once it runs. */
  #clock(): Clock {
    return {
      now: () => Date.UTC(2026, 0, 1) + this.#world.time.now,
      sleep: async (ms, signal) => {
        await this.#sleepVirtual(ms / this.#rate, signal);
        await this.gate();
        signal?.throwIfAborted();
      },
    };
  }
}

/** Standby, lead, back to standby: the leadership code of `run-controller.ts`, with a tiny reconciler. */
async function runNode(
  world: LeaseWorld,
  node: Node,
  store: StateStore,
  writer: string,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  const { leaseMs } = world;
  while (!signal.aborted) {
    const lease = await standBy(store, leaseMs, clock, silentLogger, signal);
    if (!lease) return;
    const guard = new LeaseGuard(store, lease, clock, silentLogger, () => node.monotonicNow());
    const term = new AbortController();
    const stop = () => term.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    const keeping = guard.keep(term.signal).catch((error: unknown) => term.abort(error));
    try {
      await reconcile(world, store, guard, writer, clock, term.signal);
    } finally {
      term.abort(new Error('term over'));
      signal.removeEventListener('abort', stop);
      await keeping;
    }
  }
}

/**
 * A term's reconciler, as the controller keeps it: the document is loaded once (again after a failed
 * save), a queued decision counts only once saved (fenced) and is then acknowledged, and Connect is made
 * to match the split in memory, without the store, as the shifter retries a shift: `assertSure()` alone
 * stands between a deposed leader and a write.
 */
async function reconcile(
  world: LeaseWorld,
  store: StateStore,
  guard: LeaseGuard,
  writer: string,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  let doc: { version: number; split: number } | undefined;
  /** After a failed save the version may have moved: read again before the next save. */
  let reload = true;
  while (!signal.aborted) {
    await clock.sleep(10 + world.random() * 50, signal).catch(() => undefined);
    if (signal.aborted) return;
    try {
      if (reload) {
        const stored = await store.load(signal);
        doc = { version: stored?.version ?? 0, split: (stored?.data as { split?: number } | undefined)?.split ?? 100 };
        reload = false;
      }
      const latest = world.queue.at(-1);
      if (latest && doc) {
        reload = true;
        const version = await store.save({ split: latest.split, seq: latest.seq }, doc.version, signal);
        doc = { version, split: latest.split };
        reload = false;
        world.queue.splice(0, world.queue.indexOf(latest) + 1);
      }
    } catch (error) {
      // A lost lease ends the term. Any other failure keeps the split in memory, as the controller keeps
      // the last one it saved while the store does not answer.
      if (error instanceof LeaseLostError) return;
    }
    if (!doc || world.connectSplit === doc.split) continue;
    try {
      guard.assertSure();
    } catch {
      return;
    }
    const lease = await world.lease();
    await world.send({
      writer,
      epoch: guard.epoch,
      split: doc.split,
      startedAt: world.time.now,
      leaseAtStart: lease && { holder: lease.holder, epoch: lease.epoch, released: lease.released },
    });
  }
}
