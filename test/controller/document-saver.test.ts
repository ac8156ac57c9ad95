/** DocumentSaver.open on its own: an in-memory store, a manual clock. */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createFailoverMachine } from '../../state-machines/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { DocumentSaver } from '../../src/controller/document-saver.ts';
import { emptyDocument, StoreOwnerError } from '../../src/controller/document.ts';
import { StoreConflictError } from '../../src/errors.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { CONFIG, silentLogger } from '../helpers/controller-fixtures.ts';

const saverOf = (store: MemoryStore) => new DocumentSaver(store, new ManualClock(0), silentLogger);

/** A document of `config`'s group holding a fresh statechart snapshot and the given command ids. */
function documentOf(config: typeof CONFIG, commandIds: string[] = []) {
  const snapshot = createActor(createFailoverMachine(policyOf(config)), { input: { now: 0 } }).getPersistedSnapshot();
  return { ...emptyDocument(JSON.parse(JSON.stringify(snapshot)), config), commandIds };
}

describe('DocumentSaver.open', () => {
  it('finds nothing in an empty store', async () => {
    expect(await saverOf(new MemoryStore()).open(CONFIG, new AbortController().signal)).toBeUndefined();
  });

  it('reads the stored document and saves over it next with the version it loaded', async () => {
    const store = new MemoryStore();
    await store.save(documentOf(CONFIG, ['first']), 0);
    await store.save(documentOf(CONFIG, ['newer']), 1);
    const saver = saverOf(store);

    const doc = await saver.open(CONFIG, new AbortController().signal);
    await saver.save(doc);

    expect(doc?.commandIds).toEqual(['newer']);
    expect((await store.load())?.version).toBe(3);
  });

  it('without having opened, a save over a stored document is refused as a conflict', async () => {
    const store = new MemoryStore();
    await store.save(documentOf(CONFIG), 0);

    await expect(saverOf(store).save(emptyDocument({}, CONFIG))).rejects.toThrow(StoreConflictError);
  });

  it("refuses another group's document", async () => {
    const store = new MemoryStore();
    const other = {
      ...CONFIG,
      trafficDistributionGroup: { id: '00000000-0000-4000-8000-000000000000', arn: undefined, region: undefined },
    };
    await store.save(documentOf(other), 0);

    await expect(saverOf(store).open(CONFIG, new AbortController().signal)).rejects.toThrow(StoreOwnerError);
  });
});
