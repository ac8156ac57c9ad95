/**
 * Finding 6 of the adversarial run: every periodic re-check of the split that found nothing added a
 * history entry and an fsynced save, so the 1,000-entry history lost its operator commands and
 * transitions within days. A re-check that changed nothing is neither history nor a save.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { FlakyStore } from '../helpers/flaky-store.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('periodic re-checks of a settled split', () => {
  const reads = () => h!.stack.connect.requests.filter((r) => r.operation === 'GetTrafficDistribution').length;

  /** Lets 20 re-checks happen and returns the saves and history entries they added. */
  async function twentyRechecks(store: FlakyStore) {
    const saves = store.saveAttempts;
    const entries = (await h!.readDocument())!.history.length;
    const before = reads();
    await eventually(() => reads() >= before + 20, { what: '20 re-checks' });
    return { saves: store.saveAttempts - saves, entries: (await h!.readDocument())!.history.length - entries };
  }

  it('adds no history entry and no save when the split is as it should be (active, then paused)', async () => {
    h = await startHarness();
    const store = new FlakyStore(new FileStore({ path: join(h.dir, 'state.json'), writer: 'counting' }));
    await h.start({ store, resyncMs: 20 });
    await h.waitForPrimary(100);
    // The first DescribeAlarms read is news (every alarm's state): let it be saved before counting.
    await eventually(
      async () =>
        Object.keys(((await h!.readDocument())?.snapshot as { context?: { signals?: object } })?.context?.signals ?? {})
          .length === 3,
      {
        what: 'the first alarm read saved',
      },
    );
    expect(await twentyRechecks(store)).toEqual({ saves: 0, entries: 0 });

    await h.command('pause', { reason: 'an entry the audit must keep' });
    await eventually(async () => (await h!.readDocument())?.history.some((e) => e.kind === 'command'), {
      what: 'the command saved',
    });
    expect(await twentyRechecks(store)).toEqual({ saves: 0, entries: 0 });
  });
});
