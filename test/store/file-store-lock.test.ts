import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreLockError } from '../../src/errors.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { encodeLeaseFile } from '../../src/store/state-file-format.ts';
import type { StoreLogger } from '../../src/store/store.ts';
import { leaseRecord } from '../helpers/lease-record.ts';

let directory: string;
let statePath: string;
let lockPath: string;
let warnings: { details: Record<string, unknown>; message: string }[];
const stores: FileStore[] = [];

const logger: StoreLogger = { warn: (details, message) => void warnings.push({ details, message }) };

function openStore(options: { lockTimeoutMs?: number; staleLockMs?: number } = {}): FileStore {
  const store = new FileStore({ path: statePath, writer: 'test-writer', logger, lockTimeoutMs: 300, ...options });
  stores.push(store);
  return store;
}

/** Writes a lock file as another process would, `ageMs` old by its modification time. */
async function placeLock(
  holder: { pid: number; hostname?: string; processId?: string } | string,
  ageMs: number,
): Promise<string> {
  const text =
    typeof holder === 'string'
      ? holder
      : JSON.stringify({
          pid: holder.pid,
          hostname: holder.hostname ?? hostname(),
          owner: 'other-controller',
          processId: holder.processId ?? randomUUID(),
          lockId: randomUUID(),
          acquiredAt: new Date(Date.now() - ageMs).toISOString(),
        });
  await writeFile(lockPath, text);
  const at = new Date(Date.now() - ageMs);
  await utimes(lockPath, at, at);
  return text;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'connect-failover-lock-'));
  statePath = join(directory, 'state.json');
  lockPath = `${statePath}.lock`;
  warnings = [];
});

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await rm(directory, { recursive: true, force: true });
});

describe('the file store lock', () => {
  it('breaks a lock older than the stale age whose pid is not running, and says why', async () => {
    // Prepare
    const pid = deadPid();
    await placeLock({ pid }, 60_000);
    const store = openStore();

    // Act
    const version = await store.save({ after: 'crash' }, 0);

    // Assess
    expect(version).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain(`pid ${pid} is not running`);
    expect(warnings[0]?.details).toMatchObject({ lock: lockPath, reason: expect.stringContaining('60 s old') });
    expect(await readdir(directory)).toEqual(['state.json']);
  });

  it('breaks an old lock that names no holder (a crash between creating and writing it)', async () => {
    // Prepare
    await placeLock('', 45_000);
    const store = openStore();

    // Act
    const version = await store.save({ ok: true }, 0);

    // Assess
    expect(version).toBe(1);
    expect(warnings[0]?.message).toContain('names no holder');
  });

  it('breaks an old lock left by an earlier process that had this very pid (a restarted container)', async () => {
    // Prepare
    await placeLock({ pid: process.pid, processId: 'an-earlier-process' }, 45_000);
    const store = openStore();

    // Act
    const version = await store.save({ ok: true }, 0);

    // Assess
    expect(version).toBe(1);
    expect(warnings[0]?.message).toContain(`pid ${process.pid} is now this process`);
  });

  it('breaks at once a fresh lock whose holder on this host is gone (a SIGKILL mid-save), with a warning', async () => {
    // Prepare
    const pid = deadPid();
    await placeLock({ pid }, 0);
    const store = openStore({ lockTimeoutMs: 200 });

    // Act
    const version = await store.save({ x: 1 }, 0);

    // Assess
    expect(version).toBe(1);
    expect(warnings[0]?.message).toContain(`pid ${pid} is not running`);
  });

  it('hands over at once a lease whose holder on this host was killed, but not one held by a live process', async () => {
    // Prepare
    const leasePath = `${lockPath.replace(/\.lock$/, '')}.lease`;
    const lease = (pid: number) => encodeLeaseFile(leaseRecord({ holder: 'old', host: hostname(), pid }));
    const store = openStore({});

    // Act
    await writeFile(leasePath, lease(deadPid()));
    const fromDead = await store.acquireLease(30_000);
    await writeFile(leasePath, lease(process.ppid));
    const fromLive = await store.acquireLease(30_000);

    // Assess
    expect(fromDead.held).toBe(true);
    expect(fromLive).toMatchObject({ held: false, holder: 'old' });
  });

  it('waits on a fresh lock that names no holder yet, then gives up with a retryable error', async () => {
    // Prepare: a live process may have created it and not yet written its name.
    await writeFile(lockPath, '');
    const store = openStore({ lockTimeoutMs: 200 });

    // Act
    const result = await store.save({ x: 1 }, 0).catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreLockError);
    expect(result).toMatchObject({ retryable: true, lock: lockPath });
    expect(warnings).toEqual([]);
  });

  it('never breaks a lock whose pid is running, however old, and names the holder', async () => {
    // Prepare
    const text = await placeLock({ pid: process.ppid }, 10 * 60_000);
    const store = openStore({ lockTimeoutMs: 200 });

    // Act
    const result = await store.save({ x: 1 }, 0).catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreLockError);
    expect((result as StoreLockError).holder).toContain(
      `pid ${process.ppid} on host ${hostname()} (writer other-controller`,
    );
    expect((result as Error).message).toContain('gave up after');
    expect(await readFile(lockPath, 'utf8')).toBe(text);
    expect(await store.load()).toBeUndefined();
  });

  it('never breaks a lock from another host, and says to remove it by hand', async () => {
    // Prepare
    await placeLock({ pid: deadPid(), hostname: 'some-other-host' }, 10 * 60_000);
    const store = openStore({ lockTimeoutMs: 100 });

    // Act
    const result = await store.acquireLease(10_000).catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreLockError);
    expect((result as Error).message).toContain(
      `If no connect-failover runs on host some-other-host, remove ${lockPath}`,
    );
  });

  it('fails the probe while another live process holds the lock', async () => {
    // Prepare
    await placeLock({ pid: process.ppid }, 0);
    const store = openStore({ lockTimeoutMs: 100 });

    // Act
    const result = await store.probe().catch((error: unknown) => error);

    // Assess
    expect(result).toBeInstanceOf(StoreLockError);
  });

  it('stops waiting for the lock when the signal aborts, with the abort reason', async () => {
    // Prepare
    await placeLock({ pid: process.ppid }, 0);
    const store = openStore({ lockTimeoutMs: 60_000 });
    const signal = AbortSignal.timeout(150);

    // Act
    const result = await store.save({ x: 1 }, 0, signal).catch((error: unknown) => error);

    // Assess
    expect(result).toBe(signal.reason);
    expect(result).toMatchObject({ name: 'TimeoutError' });
    expect(await store.load()).toBeUndefined();
  });
});
