/**
 * Finding 1 of the adversarial run: a paused controller forgot it was paused. The store could not save
 * (a full disk), the command was applied in memory, its redelivery was judged "already applied" against
 * memory and deleted, still unsaved. The contract: a message is deleted only after the state it produced
 * is persisted, redeliveries included; a save that keeps failing stops the controller, which loses
 * nothing because the messages come back.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.ts';
import type { StateStore } from '../../src/store/store.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { FlakyStore } from '../helpers/flaky-store.ts';

let h: Harness | undefined;
let mounted: string | undefined;
afterEach(async () => {
  await h?.stopController().catch(() => undefined);
  if (mounted) execFileSync('umount', [mounted]);
  mounted = undefined;
  await h?.close();
  h = undefined;
});

function automationOf(doc: Awaited<ReturnType<Harness['readDocument']>>): string | undefined {
  return (doc?.snapshot as { value?: { automation?: string } } | undefined)?.value?.automation;
}

describe('persisted before acknowledged (injected save failures)', () => {
  it('keeps a command whose save failed on the queue, redelivery included, until it is saved', async () => {
    h = await startHarness({ stack: { visibilityTimeoutSeconds: 1 } });
    const store = new FlakyStore(new FileStore({ path: join(h.dir, 'state.json'), writer: 'flaky' }));
    await h.start({ store, storeRetry: { baseMs: 50, capMs: 200, maxFailures: 1_000 } });

    store.failSaves = true;
    await h.command('pause', { reason: 'disk full drill' });
    // The first delivery fails to save; the redelivery after the 1 s visibility timeout must fail too,
    // not be deleted as "already applied".
    await eventually(
      () => h!.logs.some((l) => l.msg === 'receive failed; backing off' || l.msg === 'state not saved; will retry'),
      {
        what: 'a failed save',
      },
    );
    await eventually(async () => (await h!.queueDepth()) === 1 && store.failedSaves >= 3, {
      timeoutMs: 15_000,
      what: 'repeated save failures',
    });
    expect(await h.queueDepth()).toBe(1);
    expect(automationOf(await h.readDocument())).toBe('active');

    store.failSaves = false;
    await eventually(async () => (await h!.queueDepth()) === 0, { timeoutMs: 15_000, what: 'the command deleted' });
    // Deleted only once saved: the document on disk says paused at the moment the queue is empty.
    expect(automationOf(await h.readDocument())).toBe('paused');
    const commands = (await h.readDocument())!.history.filter((e) => e.kind === 'command');
    expect(commands).toHaveLength(1);
  });

  it('saves a clock-driven transition whose first save failed, with no message to prompt it', async () => {
    h = await startHarness();
    const store = new FlakyStore(new FileStore({ path: join(h.dir, 'state.json'), writer: 'flaky' }));
    await h.start({ store, storeRetry: { baseMs: 50, capMs: 200, maxFailures: 1_000 } });

    await h.setAlarm('connect-primary-elevated-errors', 'ALARM');
    await h.waitForPrimary(50);
    store.failSaves = true;
    // escalateAfter (1.5 s) passes while the store is failing: the tick's decision cannot be saved, so
    // its shift is not made either (a write nobody could see); the last verified split stays.
    await eventually(() => store.failedSaves >= 2, { timeoutMs: 10_000, what: 'failed saves of the escalation' });
    expect(h.primaryPercent()).toBe(50);
    store.failSaves = false;

    await eventually(
      async () => {
        const doc = await h!.readDocument();
        return (doc?.snapshot as { value?: { health?: string } } | undefined)?.value?.health === 'failedOver';
      },
      { timeoutMs: 10_000, what: 'failedOver saved' },
    );
    await h.waitForPrimary(0);
  });

  it('stops when saves keep failing, and a restart applies the command that stayed on the queue', async () => {
    h = await startHarness({ stack: { visibilityTimeoutSeconds: 1 } });
    const store = new FlakyStore(new FileStore({ path: join(h.dir, 'state.json'), writer: 'flaky' }));
    await h.start({ store, storeRetry: { baseMs: 20, capMs: 50, maxFailures: 3 } });

    store.failSaves = true;
    await h.command('pause', { reason: 'disk full drill' });
    const stopped = await h.waitForStop(15_000);
    expect(stopped).toBeInstanceOf(Error);
    expect((stopped as Error).message, String(stopped)).toMatch(/state could not be saved \d+ times in a row/);
    expect(automationOf(await h.readDocument())).toBe('active');

    await h.start();
    await eventually(async () => automationOf(await h!.readDocument()) === 'paused' && (await h!.queueDepth()) === 0, {
      timeoutMs: 15_000,
      what: 'the pause applied after the restart',
    });
  });
});

/**
 * A real full disk: a 64 KiB tmpfs. Mounting needs root (this machine and its CI run as root); where it
 * is refused, the same scenario runs on the injected store instead, so the test never goes missing.
 */
async function fullDisk(
  dir: string,
): Promise<{ store: StateStore; fill(): Promise<void>; free(): Promise<void>; real: boolean }> {
  const disk = join(dir, 'disk');
  await mkdir(disk);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk], { stdio: 'ignore' });
  } catch {
    const store = new FlakyStore(new FileStore({ path: join(disk, 'state.json'), writer: 'injected' }));
    return {
      store,
      real: false,
      fill: async () => void (store.failSaves = true),
      free: async () => void (store.failSaves = false),
    };
  }
  mounted = disk;
  const filler = join(disk, 'filler');
  return {
    store: new FileStore({ path: join(disk, 'state.json'), writer: 'tmpfs' }),
    real: true,
    // The state file exists by then; the next save's temp file cannot be written (ENOSPC).
    fill: () => writeFile(filler, Buffer.alloc(64 * 1024)).catch(() => undefined),
    free: () => rm(filler, { force: true }),
  };
}

describe('persisted before acknowledged (a full disk)', () => {
  it('does not delete a pause it could not save on a full disk; saves and deletes it once space is freed', async () => {
    h = await startHarness({ stack: { visibilityTimeoutSeconds: 1 } });
    const disk = await fullDisk(h.dir);
    await h.start({ store: disk.store, storeRetry: { baseMs: 50, capMs: 200, maxFailures: 1_000 } });
    await disk.fill();

    await h.command('pause', { reason: 'disk full drill' });
    await eventually(
      () => h!.logs.some((l) => l.msg === 'receive failed; backing off' || l.msg === 'state not saved; will retry'),
      {
        timeoutMs: 10_000,
        what: disk.real ? 'ENOSPC reported' : 'the injected failure reported',
      },
    );
    expect(await h.queueDepth()).toBe(1);

    await disk.free();
    await eventually(async () => (await h!.queueDepth()) === 0, { timeoutMs: 15_000, what: 'the command deleted' });
    const saved = await disk.store.load();
    expect((saved?.data as { snapshot: { value: { automation: string } } }).snapshot.value.automation).toBe('paused');
  });
});
