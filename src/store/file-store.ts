import { mkdir, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConnectFailoverError, LeaseLostError, StoreConflictError, StoreError } from '../errors.ts';
import { removeLeftoverTemps, tempPathFor, writeAndSync, writeFileAtomic } from './atomic-file.ts';
import { assertExpectedVersion, dataToJson } from './document-data.ts';
import { isRunning, withFileLock, type FileLockOptions } from './file-lock.ts';
import {
  LeaseKeeper,
  assertLeaseDuration,
  fenceBroken,
  monotonicNow,
  type HolderGone,
  type LeaseRecord,
  type LeaseWrite,
} from './lease.ts';
import { decodeLeaseFile, decodeStateFile, encodeLeaseFile, encodeStateFile } from './state-file-format.ts';
import type { LeaseStatus, StateStore, StoredDocument, StoreLogger } from './store.ts';

/** Options of `FileStore`. */
export interface FileStoreOptions {
  /** The state file. A relative path resolves against the working directory; missing directories are created. */
  path: string;
  /** Names this controller in what it writes (file header, lock, lease), e.g. `ip-10-0-0-1:4242`. */
  writer: string;
  /** A lock file at least this old whose holder is known to be gone is broken. Default 30 000 ms. */
  staleLockMs?: number;
  /** How long a save waits for another process's lock before `StoreLockError`. Default 5 000 ms. */
  lockTimeoutMs?: number;
  /** Wall clock for `updatedAt` and the lease's `renewedAt`, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Monotonic clock for every lease decision, in milliseconds. Default `performance.now()`. */
  monotonicNow?: () => number;
  /** Told when a stale lock is broken, and why. Default: `process.emitWarning`. */
  logger?: StoreLogger;
}

/** Error codes after which retrying cannot help until someone changes the filesystem or the config. */
const TERMINAL_CODES = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENAMETOOLONG',
  'ELOOP',
  'EINVAL',
]);

/**
 * The embedded store: one JSON file (`{ "format": "connect-failover/state", "formatVersion": 1, "version",
 * "updatedAt", "writer", "data" }`) replaced atomically and durably on each save. Saves and lease changes
 * run under a lock file beside it (`<path>.lock`), so processes on one host cannot both win a version;
 * the lease lives in `<path>.lease`, and a fenced save checks it under the same lock. Loads take no
 * lock: a rename never shows a half-written file. Same-host shortcut: a lease whose holder was a process
 * on this host that no longer runs counts as released (see `holderExited`).
 * For one host: on shared network filesystems use the DynamoDB store instead.
 */
export class FileStore implements StateStore {
  readonly #path: string;
  readonly #leasePath: string;
  readonly #location: string;
  readonly #writer: string;
  readonly #now: () => number;
  readonly #lease: LeaseKeeper;
  readonly #lock: FileLockOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closed = false;

  #tempsCleaned = false;

  constructor(options: FileStoreOptions) {
    if (typeof options.path !== 'string' || options.path === '')
      throw new TypeError('FileStore: path must be a non-empty string');
    if (typeof options.writer !== 'string' || options.writer === '')
      throw new TypeError('FileStore: writer must be a non-empty string');
    const staleMs = positive(options.staleLockMs, 30_000, 'staleLockMs');
    const timeoutMs = positive(options.lockTimeoutMs, 5_000, 'lockTimeoutMs');
    this.#path = resolve(options.path);
    this.#leasePath = `${this.#path}.lease`;
    this.#location = `file ${this.#path}`;
    this.#writer = options.writer;
    this.#now = options.now ?? Date.now;
    this.#lease = new LeaseKeeper(this.#writer, { now: this.#now, monotonicNow: options.monotonicNow ?? monotonicNow });
    this.#lock = {
      path: `${this.#path}.lock`,
      owner: options.writer,
      location: this.#location,
      staleMs,
      timeoutMs,
      logger: options.logger ?? warningLogger,
    };
  }

  describe(): string {
    return this.#location;
  }

  load(signal?: AbortSignal): Promise<StoredDocument | undefined> {
    return this.#run('read the state', signal, () => this.#read(signal));
  }

  async save(data: unknown, expectedVersion: number, signal?: AbortSignal): Promise<number> {
    assertExpectedVersion(expectedVersion);
    dataToJson(data, this.#location);
    return this.#run('save the state', signal, async () => {
      await this.#ensureDirectory();
      return withFileLock(this.#lock, signal, async () => {
        // The fence first, under the lock every lease write takes too: a deposed holder hears that it lost
        // the lease, not that the version moved on.
        const fence = this.#lease.fence;
        if (fence) {
          const lease = await this.#readLease(signal);
          if (fenceBroken(fence, lease)) {
            throw new LeaseLostError(this.#location, {
              epoch: fence.epoch,
              currentEpoch: lease?.epoch,
              currentHolder: lease?.holder,
              released: lease?.released,
            });
          }
        }
        // A corrupt file throws here, before anything is written: never a silent reset.
        const actual = (await this.#read(signal))?.version ?? 0;
        if (actual !== expectedVersion) throw new StoreConflictError(this.#location, expectedVersion, actual);
        // Safe under the lock: every write of ours makes its temp file while holding it. Once per store
        // instance is enough: temp files are left only by a crash, which also ends that instance.
        if (!this.#tempsCleaned) {
          await removeLeftoverTemps(this.#path);
          this.#tempsCleaned = true;
        }
        const version = actual + 1;
        const document = { version, updatedAt: new Date(this.#now()).toISOString(), writer: this.#writer, data };
        await writeFileAtomic(this.#path, encodeStateFile(document), signal);
        return version;
      });
    });
  }

  async acquireLease(leaseDurationMs: number, signal?: AbortSignal): Promise<LeaseStatus> {
    assertLeaseDuration(leaseDurationMs);
    return this.#run('take the lease', signal, async () => {
      await this.#ensureDirectory();
      // Under the lock, the record read is the record replaced: the write's condition holds by construction.
      return withFileLock(this.#lock, signal, async () => {
        const record = await this.#readLease(signal);
        this.#lease.observe(record);
        const plan = this.#lease.plan(record, leaseDurationMs, holderExited);
        if (plan.kind === 'wait') return this.#lease.status(record as LeaseRecord, holderExited);
        await this.#writeLease(plan, signal);
        return this.#lease.status(plan.record, holderExited);
      });
    });
  }

  releaseLease(signal?: AbortSignal): Promise<void> {
    return this.#run('release the lease', signal, async () => {
      await this.#ensureDirectory();
      await withFileLock(this.#lock, signal, async () => {
        this.#lease.observe(await this.#readLease(signal));
        const release = this.#lease.holds ? this.#lease.planRelease() : undefined;
        // The record stays, marked released: its epoch must survive for the next take-over to increment.
        if (release) await this.#writeLease(release, signal);
      });
    });
  }

  readLease(signal?: AbortSignal): Promise<LeaseStatus | undefined> {
    return this.#run('read the lease', signal, async () => {
      const record = await this.#readLease(signal);
      this.#lease.observe(record);
      return record && this.#lease.status(record, holderExited);
    });
  }

  /**
   * Creates the directory if missing, reads the document and the lease (a corrupt one throws), takes the
   * lock, and writes, fsyncs and removes a temp file beside the state file. Leaves the document as it was.
   */
  probe(signal?: AbortSignal): Promise<void> {
    return this.#run('probe', signal, async () => {
      await this.#ensureDirectory();
      await this.#read(signal);
      await this.#readLease(signal);
      await withFileLock(this.#lock, signal, async () => {
        const temp = tempPathFor(this.#path);
        try {
          await writeAndSync(temp, 'probe\n', signal);
        } finally {
          await unlink(temp).catch(() => undefined);
        }
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
  }

  async #read(signal: AbortSignal | undefined): Promise<StoredDocument | undefined> {
    const text = await readIfExists(this.#path, signal);
    return text === undefined ? undefined : decodeStateFile(text, this.#location);
  }

  async #readLease(signal: AbortSignal | undefined): Promise<LeaseRecord | undefined> {
    const text = await readIfExists(this.#leasePath, signal);
    return text === undefined ? undefined : decodeLeaseFile(text, `file ${this.#leasePath}`);
  }

  async #ensureDirectory(): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
  }

  async #writeLease(write: LeaseWrite, signal: AbortSignal | undefined): Promise<void> {
    this.#lease.sending(write);
    try {
      await writeFileAtomic(this.#leasePath, encodeLeaseFile(write.record), signal);
    } catch (error) {
      // The rename may or may not have happened; the next read of the record settles it.
      this.#lease.failed(write);
      throw error;
    }
    this.#lease.committed(write);
  }

  /** Tracks the operation for `close()` and turns Node I/O errors into `StoreError`s once, here. */
  #run<T>(action: string, signal: AbortSignal | undefined, operation: () => Promise<T>): Promise<T> {
    if (this.#closed)
      return Promise.reject(new StoreError(`${this.#location}: cannot ${action}: the store is closed`, this.#location));
    const promise = operation().catch((error: unknown) => {
      throw signal?.aborted && error === signal.reason ? error : toStoreError(error, action, this.#location);
    });
    this.#inFlight.add(promise);
    const forget = (): void => void this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

/**
 * The file store's liveness rule, for claiming and for reading the lease alike: a holder that was a
 * process on this host and no longer runs (SIGKILL, an exit on ENOSPC before it could release) holds
 * nothing (its lease reads as released), so a restart takes over at once and `status` stops naming it. A holder on another host, or one
 * that recorded no pid, cannot be checked and holds the lease until it expires. A record with this
 * process's pid may be another store instance in this process, which is alive; it cannot be told from an
 * earlier process that had the same pid (pid 1 in a restarted container), so that one waits out its TTL.
 * Pid reuse only ever makes a dead holder look alive, never a live one dead.
 */
const holderExited: HolderGone = (record) =>
  record.host === hostname() && record.pid !== undefined && record.pid !== process.pid && !isRunning(record.pid);

async function readIfExists(path: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function toStoreError(error: unknown, action: string, location: string): unknown {
  if (error instanceof ConnectFailoverError || (error as Error | undefined)?.name === 'AbortError') return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return new StoreError(`${location}: cannot ${action}: ${(error as Error).message}`, location, {
    retryable: !TERMINAL_CODES.has(code),
    cause: error,
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`FileStore: ${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

const warningLogger: StoreLogger = {
  warn(details, message) {
    process.emitWarning(`${message} ${JSON.stringify(details)}`, { code: 'CONNECT_FAILOVER_STORE' });
  },
};
