import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreLockError } from '../errors.ts';
import { tempPathFor } from './atomic-file.ts';
import type { StoreLogger } from './store.ts';

/** Options of `withFileLock`. */
export interface FileLockOptions {
  /** The lock file, e.g. `state.json.lock`; its directory must exist. */
  path: string;
  /** Who takes it, written into the lock for whoever waits on it. */
  owner: string;
  /** The store's `describe()`, for errors. */
  location: string;
  /** A lock at least this old whose holder is known to be gone is broken. */
  staleMs: number;
  /** How long to wait for the lock before throwing `StoreLockError`. */
  timeoutMs: number;
  /** Told about every broken lock, with the reason. */
  logger: StoreLogger;
}

/** What a lock file says about its holder. */
interface LockInfo {
  pid: number;
  hostname: string;
  owner: string;
  /** Unique per process: tells this process from an earlier one that had the same pid (pid 1 in containers). */
  processId: string;
  /** Unique per acquisition. */
  lockId: string;
  acquiredAt: string;
}

/** A lock file as found: enough to decide, and to recognise the very same file again when breaking it. */
interface ObservedLock {
  info: LockInfo | undefined;
  text: string;
  ino: number;
  mtimeMs: number;
  ageMs: number;
}

const PROCESS_ID = randomUUID();
const HOST = hostname();
/** Locks this process holds now, by lockId; a lock of ours not in here was left by a failed release. */
const heldHere = new Set<string>();

/**
 * Runs `work` while holding an exclusive lock file created with `O_CREAT | O_EXCL` (`wx`), which one
 * process on the host wins even on the same file from several instances in one process.
 *
 * Waiting: retries with capped, jittered backoff until `timeoutMs`, then throws `StoreLockError`
 * (retryable) naming the holder. Stale locks: a lock is broken, and `logger.warn` told why, only when it
 * is older than `staleMs` AND it names no holder (empty or garbage, e.g. a crash between create and write)
 * or its holder is known to be gone: a pid on this host that is not running, this very pid from an
 * earlier process (a restarted container), or this process after a failed release. A lock from another
 * host is never broken automatically: its pid cannot be checked, so the error says to remove it by hand.
 */
export async function withFileLock<T>(
  options: FileLockOptions,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const lockId = await acquire(options, signal);
  try {
    return await work();
  } finally {
    await release(options, lockId);
  }
}

async function acquire(options: FileLockOptions, signal: AbortSignal | undefined): Promise<string> {
  const started = performance.now();
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const lockId = randomUUID();
    if (await tryCreate(options, lockId)) return lockId;

    const observed = await observe(options.path);
    if (!observed) continue; // released between our create and our look: try again at once
    const holder = describeHolder(observed.info);
    const goneBecause = staleReason(observed, options.staleMs);
    if (goneBecause !== undefined && (await breakLock(options.path, observed))) {
      options.logger.warn(
        { lock: options.path, holder, ageMs: Math.round(observed.ageMs), reason: goneBecause },
        `broke a stale state-store lock: ${goneBecause}`,
      );
      continue;
    }
    // Not broken (live holder, or someone else broke it first): wait like for any held lock.
    const waited = performance.now() - started;
    if (waited >= options.timeoutMs) {
      const remedy =
        observed.info && observed.info.hostname !== HOST
          ? `If no connect-failover runs on host ${observed.info.hostname}, remove ${options.path}`
          : 'Another connect-failover process is saving or is stuck; if none is running, remove the lock file';
      throw new StoreLockError(options.location, options.path, holder, Math.round(waited), remedy);
    }
    const backoff = Math.min(100, 2 ** attempt) * (0.5 + Math.random() / 2);
    await delay(Math.min(backoff, options.timeoutMs - waited + 1), undefined, { signal }).catch((error: unknown) => {
      signal?.throwIfAborted(); // the caller's own abort reason, as everywhere else
      throw error;
    });
  }
}

/**
 * Creates the lock with its holder already in it: the info goes to a private file first, then `link`
 * publishes it under the lock's name, failing with EEXIST when the lock exists. A process killed at any
 * instant therefore leaves either no lock or one that names it (so it can be broken at once when that pid
 * is gone), never an empty lock that only ageing can clear.
 */
async function tryCreate(options: FileLockOptions, lockId: string): Promise<boolean> {
  const info: LockInfo = {
    pid: process.pid,
    hostname: HOST,
    owner: options.owner,
    processId: PROCESS_ID,
    lockId,
    acquiredAt: new Date().toISOString(),
  };
  // A temp name the state file's leftover cleanup knows, so a SIGKILL here leaves nothing for long.
  const staged = tempPathFor(options.path);
  try {
    await writeFile(staged, JSON.stringify(info), { flag: 'wx' });
    await link(staged, options.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT: the lock holder's cleanup removed our staged file; like EEXIST, just try again.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  } finally {
    await unlink(staged).catch(() => undefined);
  }
  heldHere.add(lockId);
  return true;
}

async function release(options: FileLockOptions, lockId: string): Promise<void> {
  try {
    const text = await readFile(options.path, 'utf8').catch(ignoreMissing);
    if (text === undefined) return;
    if (parseInfo(text)?.lockId !== lockId) {
      options.logger.warn({ lock: options.path }, 'state-store lock was taken from this process while it held it');
      return;
    }
    await unlink(options.path).catch(ignoreMissing);
  } finally {
    heldHere.delete(lockId);
  }
}

async function observe(path: string): Promise<ObservedLock | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return ignoreMissing(error);
  }
  try {
    const stats = await handle.stat();
    const text = await handle.readFile('utf8');
    return { info: parseInfo(text), text, ino: stats.ino, mtimeMs: stats.mtimeMs, ageMs: Date.now() - stats.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Why the lock's holder is known to be gone, or undefined while it may be alive or the lock is young. */
function staleReason(lock: ObservedLock, staleMs: number): string | undefined {
  const old = lock.ageMs >= staleMs;
  const age = `${Math.round(lock.ageMs / 1000)} s old`;
  const { info } = lock;
  // A lock file without a holder may be one a live process has just created and not yet written: only age tells.
  if (!info) return old ? `the lock file names no holder and is ${age}` : undefined;
  if (info.hostname !== HOST) return undefined;
  if (info.pid === process.pid) {
    if (info.processId !== PROCESS_ID)
      return `pid ${info.pid} is now this process, so its earlier holder is gone; ${age}`;
    if (!heldHere.has(info.lockId)) return old ? `this process left it behind; ${age}` : undefined;
    return undefined;
  }
  // A holder on this host whose pid is gone (a SIGKILL mid-save) cannot come back: stale at any age, so a
  // restarted controller does not wait out staleLockMs. Pid reuse only makes a dead holder look alive.
  if (!isRunning(info.pid)) return `pid ${info.pid} is not running; ${age}`;
  return undefined;
}

/**
 * Removes the lock observed as stale, and only that one: rename is atomic, so of several processes
 * breaking at once one gets the file; if what it got is not the observed lock (someone broke the stale
 * one and took a fresh lock in between) it links it back, which never overwrites. Compares inode,
 * mtime and content, since a freed inode number is often reused at once.
 */
async function breakLock(path: string, observed: ObservedLock): Promise<boolean> {
  const aside = `${path}.${randomUUID()}.broken`;
  try {
    await rename(path, aside);
  } catch (error) {
    return ignoreMissing(error) ?? false;
  }
  try {
    const stats = await stat(aside);
    const text = await readFile(aside, 'utf8');
    if (stats.ino === observed.ino && stats.mtimeMs === observed.mtimeMs && text === observed.text) return true;
    await link(aside, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return false;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> | null;
    if (
      value &&
      typeof value === 'object' &&
      Number.isSafeInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.hostname === 'string' &&
      typeof value.processId === 'string' &&
      typeof value.lockId === 'string'
    ) {
      return {
        pid: value.pid as number,
        hostname: value.hostname,
        owner: String(value.owner ?? ''),
        processId: value.processId,
        lockId: value.lockId,
        acquiredAt: String(value.acquiredAt ?? ''),
      };
    }
  } catch {
    // Not JSON: empty (a crash between create and write) or not a lock we wrote; judged by age alone.
  }
  return undefined;
}

function describeHolder(info: LockInfo | undefined): string {
  if (!info) return 'an unknown holder (the lock file names none)';
  return `pid ${info.pid} on host ${info.hostname} (writer ${info.owner || 'unknown'}, since ${info.acquiredAt})`;
}

/** True when a process with this pid exists on this host. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}
