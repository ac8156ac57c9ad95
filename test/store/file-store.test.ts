import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreCorruptError, StoreError, StoreFormatError } from '../../src/errors.ts';
import { FileStore } from '../../src/store/file-store.ts';

const T0 = Date.parse('2026-11-28T14:00:00.000Z');

let directory: string;
let statePath: string;
const stores: FileStore[] = [];

function openStore(options: Partial<ConstructorParameters<typeof FileStore>[0]> = {}): FileStore {
  const store = new FileStore({ path: statePath, writer: 'test-writer', now: () => T0, ...options });
  stores.push(store);
  return store;
}

/** A state file as version 1 of the format describes it. */
function goodFile(version: number, data: unknown): string {
  const file = {
    format: 'connect-failover/state',
    formatVersion: 1,
    version,
    updatedAt: '2026-11-28T13:00:00.000Z',
    writer: 'earlier',
    data,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'connect-failover-file-store-'));
  statePath = join(directory, 'state.json');
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await chmod(directory, 0o700).catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

describe('the file store on disk', () => {
  it('writes a file with the format header, the version, the writer and the data', async () => {
    // Prepare
    const store = openStore();

    // Act
    await store.save({ state: 'healthy' }, 0);

    // Assess
    expect(JSON.parse(await readFile(statePath, 'utf8'))).toEqual({
      format: 'connect-failover/state',
      formatVersion: 1,
      version: 1,
      updatedAt: '2026-11-28T14:00:00.000Z',
      writer: 'test-writer',
      data: { state: 'healthy' },
    });
  });

  it('describes itself by the absolute path of the file', () => {
    // Prepare
    const store = new FileStore({ path: 'relative/state.json', writer: 'w' });

    // Act
    const description = store.describe();

    // Assess
    expect(description).toBe(`file ${join(process.cwd(), 'relative/state.json')}`);
  });

  it('creates missing parent directories on the first save', async () => {
    // Prepare
    statePath = join(directory, 'var', 'lib', 'connect-failover', 'state.json');
    const store = openStore();

    // Act
    await store.save({ ok: true }, 0);

    // Assess
    expect(await openStore().load()).toMatchObject({ version: 1, data: { ok: true } });
  });

  it('continues from the file a previous process saved', async () => {
    // Prepare
    await writeFile(statePath, goodFile(7, { state: 'failedOver' }));
    const store = openStore();

    // Act
    const loaded = await store.load();
    const version = await store.save({ state: 'healthy' }, 7);

    // Assess
    expect(loaded).toEqual({
      version: 7,
      updatedAt: '2026-11-28T13:00:00.000Z',
      writer: 'earlier',
      data: { state: 'failedOver' },
    });
    expect(version).toBe(8);
  });

  it('leaves no temp or lock files behind after saves and leases', async () => {
    // Prepare
    const store = openStore();

    // Act
    await store.save({ a: 1 }, 0);
    await store.acquireLease(10_000);
    await store.save({ a: 2 }, 1);
    await store.probe();

    // Assess
    expect((await readdir(directory)).sort()).toEqual(['state.json', 'state.json.lease']);
  });
});

describe('the file store with an unusable file', () => {
  const cases = [
    { what: 'garbage', text: 'not json at all {', error: StoreCorruptError, says: 'not JSON' },
    { what: 'an empty file', text: '', error: StoreCorruptError, says: 'not JSON' },
    { what: 'foreign JSON', text: '{"users": []}', error: StoreCorruptError, says: 'no "format" header' },
    {
      what: 'another format',
      text: '{"format": "something-else/state"}',
      error: StoreCorruptError,
      says: '"something-else/state"',
    },
    { what: 'a JSON array', text: '[1, 2]', error: StoreCorruptError, says: 'not an object' },
    {
      what: 'a newer formatVersion',
      text: JSON.stringify({
        format: 'connect-failover/state',
        formatVersion: 2,
        version: 1,
        updatedAt: '2026-11-28T13:00:00.000Z',
        writer: 'w',
        data: {},
      }),
      error: StoreFormatError,
      says: 'formatVersion 2 was written by a newer connect-failover',
    },
    {
      what: 'a version that is not a number',
      text: JSON.stringify({
        format: 'connect-failover/state',
        formatVersion: 1,
        version: '3',
        updatedAt: '2026-11-28T13:00:00.000Z',
        writer: 'w',
        data: {},
      }),
      error: StoreCorruptError,
      says: '"version" must be a whole number >= 1, found "3"',
    },
    {
      what: 'no data',
      text: JSON.stringify({
        format: 'connect-failover/state',
        formatVersion: 1,
        version: 3,
        updatedAt: '2026-11-28T13:00:00.000Z',
        writer: 'w',
      }),
      error: StoreCorruptError,
      says: 'no "data" field',
    },
    {
      what: 'a bad updatedAt',
      text: JSON.stringify({
        format: 'connect-failover/state',
        formatVersion: 1,
        version: 3,
        updatedAt: 'yesterday',
        writer: 'w',
        data: 1,
      }),
      error: StoreCorruptError,
      says: '"updatedAt" must be an ISO 8601 time',
    },
  ];

  it.each(cases)(
    'refuses to load $what, naming the file, the problem and the remedy',
    async ({ text, error, says }) => {
      // Prepare
      await writeFile(statePath, text);
      const store = openStore();

      // Act
      const result = await store.load().catch((e: unknown) => e);

      // Assess
      expect(result).toBeInstanceOf(error);
      expect(result).toMatchObject({ retryable: false, location: `file ${statePath}` });
      const message = (result as Error).message;
      expect(message).toContain(statePath);
      expect(message).toContain(says);
      expect(message).toMatch(/move (it|the file) away/);
      expect(await readFile(statePath, 'utf8')).toBe(text);
    },
  );

  it.each(cases)('refuses to save over $what and leaves it untouched', async ({ text, error }) => {
    // Prepare
    await writeFile(statePath, text);
    const store = openStore();

    // Act
    const results = await Promise.all([
      store.save({ fresh: true }, 0).catch((e: unknown) => e),
      store.save({ fresh: true }, 3).catch((e: unknown) => e),
    ]);

    // Assess
    for (const result of results) expect(result).toBeInstanceOf(error);
    expect(await readFile(statePath, 'utf8')).toBe(text);
  });

  it('reports a newer formatVersion as a kind of unusable file, with both versions', async () => {
    // Prepare
    await writeFile(statePath, JSON.stringify({ format: 'connect-failover/state', formatVersion: 3 }));

    // Act
    const result = await openStore()
      .load()
      .catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreCorruptError);
    expect(result).toMatchObject({ foundFormatVersion: 3, supportedFormatVersion: 1 });
  });

  it('fails the probe on a corrupt file', async () => {
    // Prepare
    await writeFile(statePath, '{{{');

    // Act
    const result = await openStore()
      .probe()
      .catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreCorruptError);
  });

  it('refuses a corrupt lease file instead of taking the lease over it', async () => {
    // Prepare
    await writeFile(`${statePath}.lease`, 'garbage');

    // Act
    const result = await openStore()
      .acquireLease(10_000)
      .catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreCorruptError);
    expect((result as Error).message).toContain(`${statePath}.lease`);
    expect(await readFile(`${statePath}.lease`, 'utf8')).toBe('garbage');
  });

  it('reports a directory where the file should be as an error, not as nothing stored', async () => {
    // Prepare
    await mkdir(statePath);

    // Act
    const result = await openStore()
      .load()
      .catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreError);
    expect(result).toMatchObject({ retryable: false });
    expect((result as Error).message).toContain('EISDIR');
  });
});

describe('the file store after a crash', () => {
  it('loads the last good document past a leftover temp file and a truncated one', async () => {
    // Prepare
    await writeFile(statePath, goodFile(4, { state: 'degraded' }));
    await writeFile(join(directory, '.state.json.4242.aaaaaaaaaaaa.tmp'), goodFile(5, { state: 'failedOver' }));
    await writeFile(
      join(directory, '.state.json.4242.bbbbbbbbbbbb.tmp'),
      goodFile(5, { state: 'failedOver' }).slice(0, 40),
    );
    const store = openStore();

    // Act
    const loaded = await store.load();

    // Assess
    expect(loaded).toMatchObject({ version: 4, data: { state: 'degraded' } });
  });

  it('removes leftover temp files on the next save and keeps files it does not own', async () => {
    // Prepare
    await writeFile(statePath, goodFile(4, { state: 'degraded' }));
    await writeFile(join(directory, '.state.json.4242.aaaaaaaaaaaa.tmp'), goodFile(5, {}).slice(0, 40));
    await writeFile(join(directory, '.state.json.lease.4242.cccccccccccc.tmp'), '{');
    await writeFile(join(directory, 'notes.txt'), 'mine');
    const store = openStore();

    // Act
    const version = await store.save({ state: 'healthy' }, 4);

    // Assess
    expect(version).toBe(5);
    expect((await readdir(directory)).sort()).toEqual(['notes.txt', 'state.json']);
  });
});

describe('the file store probe', () => {
  it('passes on a writable directory, creating it, and leaves nothing behind', async () => {
    // Prepare
    statePath = join(directory, 'new', 'state.json');
    const store = openStore();

    // Act
    await store.probe();

    // Assess
    expect(await readdir(join(directory, 'new'))).toEqual([]);
    expect(await store.load()).toBeUndefined();
  });

  it('leaves the file byte for byte as it was', async () => {
    // Prepare
    await writeFile(statePath, goodFile(2, { keep: 'me' }));
    const before = await stat(statePath);

    // Act
    await openStore().probe();

    // Assess
    expect(await readFile(statePath, 'utf8')).toBe(goodFile(2, { keep: 'me' }));
    expect((await stat(statePath)).mtimeMs).toBe(before.mtimeMs);
  });

  it('fails, terminally, when the parent path is a regular file', async () => {
    // Prepare
    await writeFile(join(directory, 'not-a-directory'), 'x');
    statePath = join(directory, 'not-a-directory', 'state.json');
    const store = openStore();

    // Act
    const result = await store.probe().catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreError);
    expect(result).toMatchObject({ retryable: false, location: `file ${statePath}` });
    expect((result as Error).message).toMatch(/ENOTDIR|EEXIST/);
  });

  it('fails on a read-only directory exactly when the operating system refuses writes there', async () => {
    // Prepare: as root, mode 0500 does not stop writes, so ask the OS rather than assume.
    const readOnly = join(directory, 'read-only');
    await mkdir(readOnly);
    await chmod(readOnly, 0o500);
    const osRefuses = await writeFile(join(readOnly, 'canary'), 'x').then(
      () => rm(join(readOnly, 'canary')).then(() => false),
      () => true,
    );
    statePath = join(readOnly, 'state.json');
    const store = openStore();

    // Act
    const result = await store.probe().then(
      () => 'passed',
      (e: unknown) => e,
    );

    // Assess
    if (osRefuses) {
      expect(result).toBeInstanceOf(StoreError);
      expect(result).toMatchObject({ retryable: false });
      expect((result as Error).message).toContain('EACCES');
    } else {
      expect(result).toBe('passed');
    }
    await chmod(readOnly, 0o700);
    expect(await readdir(readOnly)).toEqual([]);
  });
});

describe('the file store options', () => {
  it('refuses an empty path, an empty writer and a non-positive lock timeout', () => {
    // Prepare
    const attempts = [
      () => new FileStore({ path: '', writer: 'w' }),
      () => new FileStore({ path: 'x.json', writer: '' }),
      () => new FileStore({ path: 'x.json', writer: 'w', lockTimeoutMs: 0 }),
      () => new FileStore({ path: 'x.json', writer: 'w', staleLockMs: Number.NaN }),
    ];

    // Act
    const errors = attempts.map((attempt) => {
      try {
        attempt();
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    });

    // Assess
    expect(errors).toEqual([
      'FileStore: path must be a non-empty string',
      'FileStore: writer must be a non-empty string',
      'FileStore: lockTimeoutMs must be a positive number of milliseconds, got 0',
      'FileStore: staleLockMs must be a positive number of milliseconds, got NaN',
    ]);
  });
});

describe('the file store lease file', () => {
  it('keeps a released lease on disk with its epoch, so the next take-over increments it', async () => {
    // Prepare
    const store = openStore();
    await store.acquireLease(10_000);

    // Act
    await store.releaseLease();
    const file = JSON.parse(await readFile(`${statePath}.lease`, 'utf8')) as Record<string, unknown>;

    // Assess
    expect(file).toMatchObject({
      format: 'connect-failover/lease',
      formatVersion: 2,
      holder: 'test-writer',
      epoch: 1,
      released: true,
      leaseDurationMs: 10_000,
    });
  });

  it('reads a lease an older release wrote (format 1) as held, waits out its duration, then takes it at epoch 1', async () => {
    // Prepare: format 1 had a wall-clock expiry and no epoch; its 30 s TTL is the duration waited out.
    let mono = 0;
    const old = {
      format: 'connect-failover/lease',
      formatVersion: 1,
      holder: 'older-release',
      token: 't',
      expiresAt: '2026-11-28T14:00:30.000Z',
    };
    await writeFile(`${statePath}.lease`, JSON.stringify(old));
    const store = openStore({ monotonicNow: () => mono });

    // Act
    const first = await store.acquireLease(10_000);
    mono += 30_000;
    const taken = await store.acquireLease(10_000);

    // Assess
    expect(first).toMatchObject({ held: false, holder: 'older-release', epoch: 0, leaseDurationMs: 30_000 });
    expect(taken).toMatchObject({ held: true, holder: 'test-writer', epoch: 1 });
  });

  it('refuses a lease file a newer release wrote', async () => {
    // Prepare
    await writeFile(
      `${statePath}.lease`,
      JSON.stringify({ format: 'connect-failover/lease', formatVersion: 3, holder: 'x', token: 't' }),
    );

    // Act
    const result = await openStore()
      .readLease()
      .catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(StoreFormatError);
  });
});
