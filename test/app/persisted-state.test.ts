import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readHistory } from '../../src/app/history.ts';
import { buildStatus, readStatus } from '../../src/app/status.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { appendHistory, emptyDocument } from '../../src/controller/document.ts';
import type { DocumentOwner } from '../../src/controller/document.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { createFailoverMachine } from '../../state-machines/index.ts';

const CONTRACT_EXAMPLE = readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');
const T0 = Date.parse('2026-03-01T10:00:00Z');

let dir: string;
let config: Config;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'app-persisted-'));
  config = parseConfig(CONTRACT_EXAMPLE, { file: join(dir, 'config.yaml'), baseDir: dir }).config;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Saves a document as a controller would after a critical alarm failed over, with `entries` history lines. */
async function saveFailedOver(entries: number, options: { owned: boolean } = { owned: true }): Promise<void> {
  const actor = createActor(createFailoverMachine(policyOf(config)), { input: { now: T0 } }).start();
  actor.send({
    type: 'alarm.changed',
    alarm: config.signals.critical[0]!,
    value: 'ALARM',
    at: T0 - 1_000,
    now: T0 + 1,
  });
  const doc = emptyDocument(actor.getPersistedSnapshot(), options.owned ? config : undefined);
  for (let i = 0; i < entries; i++)
    appendHistory(doc, { at: new Date(T0 + i).toISOString(), kind: 'transition', reason: `entry ${i}` });
  const store = new FileStore({ path: config.store.type === 'file' ? config.store.path : '', writer: 'test' });
  try {
    await store.save(JSON.parse(JSON.stringify(doc)), 0);
  } finally {
    await store.close();
  }
}

describe('the status use case', () => {
  it('reports what a fresh controller would start with when the store holds nothing yet', async () => {
    // Act
    const status = await readStatus(config);

    // Assess
    expect(status).toMatchObject({
      state: 'healthy',
      automation: 'active',
      desiredPrimaryPercent: 100,
      actualPrimaryPercent: null,
      leader: null,
      since: null,
      neverRun: true,
    });
    expect(status.store).toBe(`file ${join(dir, 'connect-failover-state.json')}`);
    expect(status.controller.state).toBe('never');
    expect(Object.values(status.signals)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
  });

  it('reads the persisted state and names where it read it', async () => {
    // Prepare
    await saveFailedOver(0);

    // Act
    const status = await readStatus(config);

    // Assess
    expect(status).toMatchObject({ state: 'failedOver', desiredPrimaryPercent: 0, leader: null });
    expect(status.signals[config.signals.critical[0]!]).toBe('ALARM');
    expect(status.store).toContain(join(dir, 'connect-failover-state.json'));
  });

  it('builds the same report from a document already in hand', () => {
    // Act
    const status = buildStatus(config, undefined, 'somewhere');

    // Assess
    expect(status.store).toBe('somewhere');
    expect(status.reason).toBe('the controller has not run with this store yet');
  });
});

describe('the history use case', () => {
  it('returns the whole log oldest first, or only the newest entries when limited', async () => {
    // Prepare
    await saveFailedOver(5);

    // Act
    const all = await readHistory(config);
    const newest = await readHistory(config, { limit: 2 });

    // Assess
    expect(all.map((e) => e.reason)).toEqual(['entry 0', 'entry 1', 'entry 2', 'entry 3', 'entry 4']);
    expect(newest.map((e) => e.reason)).toEqual(['entry 3', 'entry 4']);
  });

  it('is empty when the controller never ran with this store', async () => {
    // Act & Assess
    expect(await readHistory(config, { limit: 10 })).toEqual([]);
  });

  it("tells the caller, and only the caller, when a document without an owner is read as this config's", async () => {
    // Prepare
    await saveFailedOver(1, { owned: false });
    const told: Array<{ location: string; owner: DocumentOwner }> = [];

    // Act
    const entries = await readHistory(config, { onAdopt: (location, owner) => told.push({ location, owner }) });
    await readHistory(config);

    // Assess
    expect(entries).toHaveLength(1);
    expect(told).toHaveLength(1);
    expect(told[0]!.location).toContain('connect-failover-state.json');
    expect(told[0]!.owner.trafficDistributionGroup).toBe(config.trafficDistributionGroup.arn);
  });
});
