import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreConflictError, StoreError } from '../../src/errors.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { StateStore } from '../../src/store/store.ts';

/** Opens one more store on the same storage, as a second controller (or a restart) would. */
type OpenStore = (writer: string, now?: () => number) => StateStore;

interface Backend {
  name: string;
  /** Fresh, empty storage for one test; returns how to open stores on it. */
  prepare(directory: string): OpenStore;
}

const backends: Backend[] = [
  {
    name: 'FileStore',
    prepare: (directory) => (writer, now) => new FileStore({ path: join(directory, 'state.json'), writer, now }),
  },
  {
    name: 'MemoryStore',
    prepare: () => {
      let first: MemoryStore | undefined;
      return (writer, now) => {
        const store = new MemoryStore({ writer, now, sharedWith: first });
        first ??= store;
        return store;
      };
    },
  },
];

const T0 = Date.parse('2026-11-28T14:00:00.000Z');

describe.each(backends)('the state store contract, met by $name', ({ prepare }) => {
  let directory: string;
  let open: OpenStore;
  const opened: StateStore[] = [];
  const openStore: OpenStore = (writer, now) => {
    const store = open(writer, now);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'connect-failover-store-'));
    open = prepare(directory);
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
    const store = openStore('controller-a', () => T0);
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
    const result = await openStore('b').save({ by: 'b' }, 0).catch((error: unknown) => error);

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
      const results = await Promise.allSettled(stores.map((store, i) => store.save({ round: version, by: i }, version)));
      outcomes.push(results);
    }

    // Assess
    for (const [version, results] of outcomes.entries()) {
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won.map((r) => r.value)).toEqual([version + 1]);
      expect(lost.map((r) => r.reason)).toEqual([expect.objectContaining({ name: 'StoreConflictError', actualVersion: version + 1 })]);
    }
    expect((await stores[0]!.load())?.version).toBe(rounds);
  });

  it('never loses an increment when many writers retry after conflicts', async () => {
    // Prepare
    const stores = Array.from({ length: 6 }, (_, i) => openStore(`w${i}`));
    const perWriter = 10;
    const increment = async (store: StateStore): Promise<void> => {
      for (let done = 0; done < perWriter; ) {
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
    const clock = (): number => now;

    beforeEach(() => {
      now = T0;
    });

    it('goes to the first claimant, and others see who holds it', async () => {
      // Prepare
      const a = openStore('a', clock);
      const b = openStore('b', clock);

      // Act
      const taken = await a.acquireLease(30_000);
      const refused = await b.acquireLease(30_000);

      // Assess
      const expiresAt = '2026-11-28T14:00:30.000Z';
      expect(taken).toEqual({ held: true, holder: 'a', expiresAt });
      expect(refused).toEqual({ held: false, holder: 'a', expiresAt });
      expect(await b.readLease()).toEqual({ held: false, holder: 'a', expiresAt });
      expect(await a.readLease()).toEqual({ held: true, holder: 'a', expiresAt });
    });

    it('is extended when its holder renews it', async () => {
      // Prepare
      const a = openStore('a', clock);
      const b = openStore('b', clock);
      await a.acquireLease(30_000);
      now = T0 + 20_000;

      // Act
      const renewed = await a.acquireLease(30_000);
      now = T0 + 40_000;
      const refused = await b.acquireLease(30_000);

      // Assess
      expect(renewed).toEqual({ held: true, holder: 'a', expiresAt: '2026-11-28T14:00:50.000Z' });
      expect(refused.held).toBe(false);
    });

    it('passes to another claimant once it expires', async () => {
      // Prepare
      const a = openStore('a', clock);
      const b = openStore('b', clock);
      await a.acquireLease(30_000);
      now = T0 + 30_000;

      // Act
      const readAtExpiry = await b.readLease();
      const taken = await b.acquireLease(30_000);

      // Assess
      expect(readAtExpiry).toBeUndefined();
      expect(taken).toEqual({ held: true, holder: 'b', expiresAt: '2026-11-28T14:01:00.000Z' });
      expect((await a.readLease())?.held).toBe(false);
    });

    it('passes at once when its holder releases it, and a release by another changes nothing', async () => {
      // Prepare
      const a = openStore('a', clock);
      const b = openStore('b', clock);
      await a.acquireLease(30_000);

      // Act
      await b.releaseLease();
      const stillA = await b.readLease();
      await a.releaseLease();
      const taken = await b.acquireLease(30_000);

      // Assess
      expect(stillA).toMatchObject({ holder: 'a' });
      expect(taken).toMatchObject({ held: true, holder: 'b' });
    });

    it('tells two instances with the same writer name apart', async () => {
      // Prepare
      const first = openStore('same-host', clock);
      const restarted = openStore('same-host', clock);
      await first.acquireLease(30_000);

      // Act
      const result = await restarted.acquireLease(30_000);

      // Assess
      expect(result).toMatchObject({ held: false, holder: 'same-host' });
    });

    it('is not taken by reading it, and does not gate saves', async () => {
      // Prepare
      const a = openStore('a', clock);
      const b = openStore('b', clock);
      await a.acquireLease(30_000);

      // Act
      await b.readLease();
      const version = await b.save({ operator: 'failover' }, 0);

      // Assess
      expect(version).toBe(1);
      expect(await a.readLease()).toMatchObject({ held: true, holder: 'a' });
    });

    it('refuses a ttl that is not a positive number of milliseconds', async () => {
      // Prepare
      const a = openStore('a', clock);

      // Act
      const results = await Promise.all([0, -5, Number.NaN].map((ttl) => a.acquireLease(ttl).catch((error: unknown) => error)));

      // Assess
      for (const result of results) expect(result).toBeInstanceOf(RangeError);
      expect(await a.readLease()).toBeUndefined();
    });
  });
});
