import { randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A unique temp file beside `target`, named `.<target name>.<pid>.<random>.tmp`, so a rename can replace
 * the target atomically (same directory, same filesystem) and leftovers are recognisable.
 */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces `target` with `text` so that readers and a crash see either the old file or the new one whole:
 * write a unique temp file, fsync it, rename it over the target, fsync the directory (which makes the
 * rename itself durable). The signal is honoured until the rename; after it the write has happened.
 */
export async function writeFileAtomic(target: string, text: string, signal?: AbortSignal): Promise<void> {
  const temp = tempPathFor(target);
  try {
    await writeAndSync(temp, text, signal);
    signal?.throwIfAborted();
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(target));
}

/** Creates `path` exclusively, writes `text` and fsyncs it. */
export async function writeAndSync(path: string, text: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text, { encoding: 'utf8', signal });
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Fsyncs a directory so entries created, renamed or removed in it survive a power loss. */
export async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync and orders metadata itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes temp files that writes of `target` (or of files named `target.*`) left behind in a crash.
 * Call it only while holding the lock every such write holds, so no live write loses its temp file.
 * Returns the names removed.
 */
export async function removeLeftoverTemps(target: string): Promise<string[]> {
  const directory = dirname(target);
  const prefix = `.${basename(target)}.`;
  const removed: string[] = [];
  for (const name of await readdir(directory)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    try {
      await unlink(join(directory, name));
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
