import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError, StoreConflictError, StoreError } from '../../src/errors.ts';
import { DynamoDbStore } from '../../src/store/dynamodb-store.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { StateStore } from '../../src/store/store.ts';
import { DYNALITE_REGION, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

/** The clocks a store instance reads: wall clock (updatedAt, renewedAt) and monotonic (lease decisions). */
interface Clocks {
  now?: () => number;
  monotonicNow?: () => number;
}

/** Opens one more store on the same storage, as a second controller (or a restart) would. */
type OpenStore = (writer: string, clocks?: Clocks) => StateStore;

interface Backend {
  name: string;
  /** Once per backend, before its tests. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Fresh, empty storage for one test; returns how to open stores on it. */
  prepare(directory: string): OpenStore;
}

const TABLE = 'connect-failover-contract';
let dynamo: RunningDynalite | undefined;

const backends: Backend[] = [
  {
    name: 'FileStore',
    prepare: (directory) => (writer, clocks) =>
      new FileStore({ path: join(directory, 'state.json'), writer, ...clocks }),
  },
  {
    name: 'MemoryStore',
    prepare: () => {
      let first: MemoryStore | undefined;
      return (writer, clocks) => {
        const store = new MemoryStore({ writer, ...clocks, sharedWith: first });
        first ??= store;
        return store;
      };
    },
  },
  {
    // dynalite on 127.0.0.1, started here; one table, a fresh item (group key) for every test.
    name: 'DynamoDbStore',
    async start() {
      dynamo = await startDynalite();
      await dynamo.createTable(TABLE);
    },
    async stop() {
      await dynamo?.close();
    },
    prepare: () => {
      const key = randomUUID();
      return (writer, clocks) =>
        new DynamoDbStore({ client: dynamo!.client, table: TABLE, region: DYNALITE_REGION, key, writer, ...clocks });
    },
  },
];

const T0 = Date.parse('2026-11-28T14:00:00.000Z');

describe.each(backends)('the state store contract, met by $name', (backend) => {
  let directory: string;
  let open: OpenStore;
  const opened: StateStore[] = [];
  const openStore: OpenStore = (writer, clocks) => {
    const store = open(writer, clocks);
    opened.push(store);
    return store;
  };

  beforeAll(async () => backend.start?.());
  afterAll(async () => backend.stop?.());

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'connect-failover-store-'));
    open = backend.prepare(directory);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await rm(directory, { recursive: true, force: true });
  });

  it('loads nothing when nothing was ever saved', async () => {
    // Prepare
    const store = openStore('a');

    // Act
    const loaded = await store.load();

    // Assess
    expect(loaded).toBeUndefined();
  });

  it('returns what was saved, with version 1, the writer and the save time', async () => {
    // Prepare
    const store = openStore('controller-a', { now: () => T0 });
    const data = { state: 'degraded', signals: { 'connect-primary-outage': 'OK' }, shifts: [1, 2] };

    // Act
    const version = await store.save(data, 0);
    const loaded = await openStore('reader').load();

    // Assess
    expect(version).toBe(1);
    expect(loaded).toEqual({ version: 1, updatedAt: '2026-11-28T14:00:00.000Z', writer: 'controller-a', data });
  });

  it('increments the version by one on each save', async () => {
    // Prepare
    const store = openStore('a');

    // Act
    const versions = [];
    for (let expected = 0; expected < 5; expected++) versions.push(await store.save({ n: expected }, expected));

    // Assess
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    expect(await store.load()).toMatchObject({ version: 5, data: { n: 4 } });
  });

  it('keeps what a JSON round trip keeps, as a copy the caller cannot change afterwards', async () => {
    // Prepare
    const store = openStore('a');
    const data = { at: new Date(T0), list: [1, undefined], gone: undefined as unknown };

    // Act
    await store.save(data, 0);
    data.list.push(3);
    const loaded = await store.load();

    // Assess
    expect(loaded?.data).toEqual({ at: '2026-11-28T14:00:00.000Z', list: [1, null] });
  });

  it('refuses a second save that still expects the version both writers loaded', async () => {
    // Prepare
    const first = openStore('a');
    const second = openStore('b');
    await first.save({ by: 'a' }, 0);
    const seenByBoth = (await second.load())?.version ?? -1;
    await first.save({ by: 'a again' }, seenByBoth);

    // Act
    const result = await second.save({ by: 'b' }, seenByBoth).catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreConflictError);
    expect(result).toMatchObject({ expectedVersion: 1, actualVersion: 2, retryable: false });
    expect(await first.load()).toMatchObject({ version: 2, writer: 'a', data: { by: 'a again' } });
  });

  it('refuses a first save when something is already stored', async () => {
    // Prepare
    await openStore('a').save({ by: 'a' }, 0);

    // Act
    const result = await openStore('b')
      .save({ by: 'b' }, 0)
      .catch((error: unknown) => error);

    // Assess
    expect(result).toMatchObject({ name: 'StoreConflictError', expectedVersion: 0, actualVersion: 1 });
  });

  it('lets exactly one of two racing writers win each version', async () => {
    // Prepare
    const stores = [openStore('a'), openStore('b')];
    const rounds = 40;

    // Act
    const outcomes = [];
    for (let version = 0; version < rounds; version++) {
      const results = await Promise.allSettled(
        stores.map((store, i) => store.save({ round: version, by: i }, version)),
      );
      outcomes.push(results);
    }

    // Assess
    for (const [version, results] of outcomes.entries()) {
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won.map((r) => r.value)).toEqual([version + 1]);
      expect(lost.map((r) => r.reason)).toEqual([
        expect.objectContaining({ name: 'StoreConflictError', actualVersion: version + 1 }),
      ]);
    }
    expect((await stores[0]!.load())?.version).toBe(rounds);
  });

  it('never loses an increment when many writers retry after conflicts', async () => {
    // Prepare
    const stores = Array.from({ length: 6 }, (_, i) => openStore(`w${i}`));
    const perWriter = 10;
    const increment = async (store: StateStore): Promise<void> => {
      for (let done = 0; done < perWriter;) {
        const current = await store.load();
        const count = (current?.data as { count: number } | undefined)?.count ?? 0;
        try {
          await store.save({ count: count + 1 }, current?.version ?? 0);
          done++;
        } catch (error) {
          if (!(error instanceof StoreConflictError)) throw error;
        }
      }
    };

    // Act
    await Promise.all(stores.map(increment));

    // Assess
    expect(await stores[0]!.load()).toMatchObject({ version: 60, data: { count: 60 } });
  });

  it('refuses data JSON cannot hold and a negative expected version, saving nothing', async () => {
    // Prepare
    const store = openStore('a');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;

    // Act
    const results = await Promise.all([
      store.save(undefined, 0).catch((error: unknown) => error),
      store.save(cyclic, 0).catch((error: unknown) => error),
      store.save({}, -1).catch((error: unknown) => error),
    ]);

    // Assess
    expect(results[0]).toBeInstanceOf(StoreError);
    expect(results[1]).toBeInstanceOf(StoreError);
    expect(results[2]).toBeInstanceOf(RangeError);
    expect(await store.load()).toBeUndefined();
  });

  it('refuses work after close', async () => {
    // Prepare
    const store = openStore('a');
    await store.close();

    // Act
    const result = await store.load().catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreError);
    expect((result as Error).message).toContain('closed');
  });

  it('rejects with the abort reason when the signal is already aborted, saving nothing', async () => {
    // Prepare
    const store = openStore('a');
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);

    // Act
    const result = await store.save({ x: 1 }, 0, controller.signal).catch((error: unknown) => error);

    // Assess
    expect(result).toBe(reason);
    expect(await store.load()).toBeUndefined();
  });

  it('probes without changing the document', async () => {
    // Prepare
    const store = openStore('a');
    await store.save({ kept: true }, 0);
    const before = await store.load();

    // Act
    await store.probe();

    // Assess
    expect(await store.load()).toEqual(before);
  });

  describe('the lease', () => {
    let now: number;
    let mono: number;
    let instances: number;
    /**
     * A store on the shared wall clock and a monotonic clock of its own, with an origin of its own as in
     * another process: the lease must never compare one instance's monotonic times with another's.
     */
    const leaseStore = (writer: string): StateStore => {
      const origin = ++instances * 1_000_000;
      return openStore(writer, { now: () => now, monotonicNow: () => origin + mono });
    };
    /** Time passes for every instance alike (their monotonic clocks tick at the same rate). */
    const advance = (ms: number): void => {
      now += ms;
      mono += ms;
    };

    beforeEach(() => {
      now = T0;
      mono = 0;
      instances = 0;
    });

    it('goes to the first claimant at epoch 1, and others see who holds it', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');

      // Act
      const taken = await a.acquireLease(30_000);
      const refused = await b.acquireLease(30_000);
      const readByB = await b.readLease();
      const readByA = await a.readLease();

      // Assess
      const record = {
        holder: 'a',
        epoch: 1,
        recordVersion: taken.recordVersion,
        leaseDurationMs: 30_000,
        released: false,
        renewedAt: '2026-11-28T14:00:00.000Z',
      };
      expect(taken).toMatchObject({
        ...record,
        held: true,
        host: expect.any(String),
        pid: process.pid,
        expiresAt: '2026-11-28T14:00:30.000Z',
      });
      expect(taken.heldUntil).toBe(taken.changedAt + 30_000);
      expect(refused).toMatchObject({
        ...record,
        held: false,
        heldUntil: undefined,
        expiresAt: '2026-11-28T14:00:30.000Z',
      });
      expect(readByB).toMatchObject({ ...record, held: false, changedAt: refused.changedAt });
      expect(readByA).toMatchObject({ ...record, held: true, heldUntil: taken.heldUntil });
    });

    it('is renewed by its holder: same epoch, a new record version, heldUntil moved on', async () => {
      // Prepare
      const a = leaseStore('a');
      const first = await a.acquireLease(30_000);
      advance(10_000);

      // Act
      const renewed = await a.acquireLease(30_000);

      // Assess
      expect(renewed).toMatchObject({ held: true, holder: 'a', epoch: 1, expiresAt: '2026-11-28T14:00:40.000Z' });
      expect(renewed.recordVersion).not.toBe(first.recordVersion);
      expect(renewed.heldUntil).toBe((first.heldUntil ?? Number.NaN) + 10_000);
    });

    it('passes to a claimant once it has seen the record unchanged for a full lease duration by its own clock', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');
      await a.acquireLease(30_000);
      await b.readLease();

      // Act
      advance(29_999);
      const early = await b.acquireLease(30_000);
      advance(1);
      const taken = await b.acquireLease(30_000);

      // Assess
      expect(early).toMatchObject({ held: false, holder: 'a', epoch: 1 });
      expect(taken).toMatchObject({
        held: true,
        holder: 'b',
        epoch: 2,
        released: false,
        expiresAt: '2026-11-28T14:01:00.000Z',
      });
      expect(await a.readLease()).toMatchObject({ held: false, holder: 'b', epoch: 2 });
    });

    it('does not count time the claimant did not watch, however old the record looks by the wall clock', async () => {
      // Prepare: the holder goes silent for ten minutes before anyone looks; then the claimant's wall clock jumps a day.
      const a = leaseStore('a');
      const b = leaseStore('b');
      await a.acquireLease(30_000);
      advance(600_000);

      // Act
      const firstLook = await b.acquireLease(30_000);
      now += 86_400_000;
      const afterWallJump = await b.acquireLease(30_000);
      advance(30_000);
      const afterFullWatch = await b.acquireLease(30_000);

      // Assess
      expect(firstLook.held).toBe(false);
      expect(afterWallJump.held).toBe(false);
      expect(afterFullWatch).toMatchObject({ held: true, holder: 'b', epoch: 2 });
    });

    it('starts the count again whenever the holder renews', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');
      await a.acquireLease(30_000);
      await b.readLease();
      advance(20_000);
      await a.acquireLease(30_000);
      advance(20_000);

      // Act: 40 s since b first looked, but the record it finds now is new to it.
      const sawRenewal = await b.acquireLease(30_000);
      advance(29_999);
      const early = await b.acquireLease(30_000);
      advance(1);
      const taken = await b.acquireLease(30_000);

      // Assess
      expect(sawRenewal).toMatchObject({ held: false, holder: 'a' });
      expect(early.held).toBe(false);
      expect(taken).toMatchObject({ held: true, holder: 'b', epoch: 2 });
    });

    it('passes at once when its holder releases it, and a release by another changes nothing', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');
      await a.acquireLease(30_000);

      // Act
      await b.releaseLease();
      const stillA = await b.readLease();
      await a.releaseLease();
      const released = await b.readLease();
      const taken = await b.acquireLease(30_000);

      // Assess
      expect(stillA).toMatchObject({ holder: 'a', released: false, epoch: 1 });
      expect(released).toMatchObject({
        holder: 'a',
        released: true,
        held: false,
        epoch: 1,
        expiresAt: '2026-11-28T14:00:00.000Z',
      });
      expect(taken).toMatchObject({ held: true, holder: 'b', epoch: 2, released: false });
    });

    it('increments the epoch on every take-over, and keeps it on renewals and the release', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');
      const reader = leaseStore('status');

      // Act
      const epochs = [];
      epochs.push((await a.acquireLease(30_000)).epoch);
      epochs.push((await a.acquireLease(30_000)).epoch);
      await a.releaseLease();
      epochs.push((await reader.readLease())?.epoch);
      epochs.push((await b.acquireLease(30_000)).epoch);
      await b.releaseLease();
      epochs.push((await a.acquireLease(30_000)).epoch);

      // Assess
      expect(epochs).toEqual([1, 1, 1, 2, 3]);
      expect(await reader.readLease()).toMatchObject({ holder: 'a', epoch: 3, released: false, held: false });
    });

    it('lets exactly one of several claimants take a released lease', async () => {
      // Prepare
      const a = leaseStore('a');
      const claimants = ['b', 'c', 'd'].map(leaseStore);
      await a.acquireLease(30_000);
      await a.releaseLease();

      // Act
      const claims = await Promise.all(claimants.map((store) => store.acquireLease(30_000)));

      // Assess
      expect(claims.filter((claim) => claim.held)).toHaveLength(1);
      const winner = claims.find((claim) => claim.held)!.holder;
      for (const claim of claims) expect(claim).toMatchObject({ holder: winner, epoch: 2, released: false });
    });

    it('lets exactly one of several standbys take a lease they all waited out', async () => {
      // Prepare
      const a = leaseStore('a');
      const standbys = ['b', 'c', 'd'].map(leaseStore);
      await a.acquireLease(30_000);
      for (const standby of standbys) await standby.readLease();
      advance(30_000);

      // Act
      const claims = await Promise.all(standbys.map((store) => store.acquireLease(30_000)));

      // Assess
      expect(claims.filter((claim) => claim.held)).toHaveLength(1);
      const winner = claims.find((claim) => claim.held)!.holder;
      for (const claim of claims) expect(claim).toMatchObject({ holder: winner, epoch: 2 });
    });

    it('tells two instances with the same writer name apart', async () => {
      // Prepare
      const first = leaseStore('same-host');
      const restarted = leaseStore('same-host');
      await first.acquireLease(30_000);

      // Act
      const result = await restarted.acquireLease(30_000);

      // Assess
      expect(result).toMatchObject({ held: false, holder: 'same-host' });
    });

    it('is not taken by reading it, and does not fence an instance that never took it', async () => {
      // Prepare
      const a = leaseStore('a');
      const b = leaseStore('b');
      await a.acquireLease(30_000);

      // Act
      await b.readLease();
      const version = await b.save({ operator: 'failover' }, 0);

      // Assess
      expect(version).toBe(1);
      expect(await a.readLease()).toMatchObject({ held: true, holder: 'a' });
    });

    it('refuses a lease duration that is not a positive number of milliseconds', async () => {
      // Prepare
      const a = leaseStore('a');

      // Act
      const results = await Promise.all(
        [0, -5, Number.NaN].map((ms) => a.acquireLease(ms).catch((error: unknown) => error)),
      );

      // Assess
      for (const result of results) expect(result).toBeInstanceOf(RangeError);
      expect(await a.readLease()).toBeUndefined();
    });

    describe('fencing', () => {
      /** `a` holds the lease and saved version 1; `b` then waited it out and took it over. */
      async function deposed(): Promise<{ a: StateStore; b: StateStore }> {
        const a = leaseStore('a');
        const b = leaseStore('b');
        await a.acquireLease(30_000);
        await a.save({ by: 'a' }, 0);
        await b.readLease();
        advance(30_000);
        expect(await b.acquireLease(30_000)).toMatchObject({ held: true, epoch: 2 });
        return { a, b };
      }

      it("fails a deposed holder's save with LeaseLostError, keeping the document, and the new holder saves", async () => {
        // Prepare
        const { a, b } = await deposed();

        // Act
        const lost = await a.save({ by: 'a, deposed' }, 1).catch((error: unknown) => error);
        const kept = await b.load();
        const saved = await b.save({ by: 'b' }, 1);

        // Assess
        expect(lost).toBeInstanceOf(LeaseLostError);
        expect(lost).not.toBeInstanceOf(StoreConflictError);
        expect(lost).toMatchObject({
          epoch: 1,
          currentEpoch: 2,
          currentHolder: 'b',
          released: false,
          retryable: false,
        });
        expect(kept).toMatchObject({ version: 1, writer: 'a', data: { by: 'a' } });
        expect(saved).toBe(2);
      });

      it('reports a lost lease before a moved version', async () => {
        // Prepare
        const { a, b } = await deposed();
        await b.save({ by: 'b' }, 1);

        // Act
        const result = await a.save({ by: 'a, deposed' }, 1).catch((error: unknown) => error);

        // Assess
        expect(result).toBeInstanceOf(LeaseLostError);
        expect(await b.load()).toMatchObject({ version: 2, data: { by: 'b' } });
      });

      it("does not give a deposed holder's renewal the lease back, nor unfence it", async () => {
        // Prepare
        const { a } = await deposed();

        // Act
        const renewal = await a.acquireLease(30_000);
        const save = await a.save({ by: 'a' }, 1).catch((error: unknown) => error);

        // Assess
        expect(renewal).toMatchObject({ held: false, holder: 'b', epoch: 2 });
        expect(save).toBeInstanceOf(LeaseLostError);
      });

      it("fences the holder's own saves once it released the lease", async () => {
        // Prepare
        const a = leaseStore('a');
        await a.acquireLease(30_000);
        await a.save({ n: 1 }, 0);

        // Act
        await a.releaseLease();
        const result = await a.save({ n: 2 }, 1).catch((error: unknown) => error);

        // Assess
        expect(result).toBeInstanceOf(LeaseLostError);
        expect(result).toMatchObject({ epoch: 1, released: true });
        expect(await a.load()).toMatchObject({ version: 1 });
      });

      it('fences a holder that took the lease again on its new epoch', async () => {
        // Prepare
        const a = leaseStore('a');
        await a.acquireLease(30_000);
        await a.releaseLease();

        // Act
        const again = await a.acquireLease(30_000);
        const version = await a.save({ n: 1 }, 0);

        // Assess
        expect(again).toMatchObject({ held: true, epoch: 2 });
        expect(version).toBe(1);
      });

      it("still checks the version of the holder's saves", async () => {
        // Prepare
        const a = leaseStore('a');
        const tool = leaseStore('tool');
        await a.acquireLease(30_000);
        await a.save({ by: 'a' }, 0);
        await tool.save({ by: 'tool' }, 1);

        // Act
        const result = await a.save({ by: 'a' }, 1).catch((error: unknown) => error);

        // Assess
        expect(result).toBeInstanceOf(StoreConflictError);
        expect(result).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      });
    });
  });
});
