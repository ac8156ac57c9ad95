import { describe, expect, it } from 'vitest';
import { LeaseLostError, StoreConflictError, StoreError } from '../../src/errors.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';

describe('the memory store failure injection', () => {
  it('fails the next N saves with a retryable error, storing nothing, then saves again', async () => {
    // Prepare
    const store = new MemoryStore();
    store.failNext('save', 2);

    // Act
    const results = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      results.push(await store.save({ attempt }, 0).catch((error: unknown) => error));
    }

    // Assess
    expect(results[0]).toBeInstanceOf(StoreError);
    expect(results[0]).toMatchObject({ retryable: true, message: 'memory (writer memory): injected save failure' });
    expect(results[1]).toBeInstanceOf(StoreError);
    expect(results[2]).toBe(1);
    expect(await store.load()).toMatchObject({ version: 1, data: { attempt: 2 } });
  });

  it('can fail a save that still committed, so a retry with the same version conflicts', async () => {
    // Prepare
    const store = new MemoryStore();
    store.failNext('save', 1, { committed: true });

    // Act
    const first = await store.save({ shift: 'failover' }, 0).catch((error: unknown) => error);
    const retry = await store.save({ shift: 'failover' }, 0).catch((error: unknown) => error);

    // Assess
    expect(first).toBeInstanceOf(StoreError);
    expect(retry).toBeInstanceOf(StoreConflictError);
    expect(await store.load()).toMatchObject({ version: 1, data: { shift: 'failover' } });
  });

  it('fails loads, probes and lease claims on request, each counted separately', async () => {
    // Prepare
    const store = new MemoryStore();
    await store.save({ ok: true }, 0);
    store.failNext('load');
    store.failNext('probe', 1);
    store.failNext('acquireLease', 1);

    // Act
    const results = [
      await store.load().catch((error: unknown) => error),
      await store.probe().catch((error: unknown) => error),
      await store.acquireLease(1000).catch((error: unknown) => error),
      await store.load(),
      await store.probe(),
      await store.acquireLease(1000),
    ];

    // Assess
    expect(results.slice(0, 3).map((r) => (r as Error).message)).toEqual([
      'memory (writer memory): injected load failure',
      'memory (writer memory): injected probe failure',
      'memory (writer memory): injected acquireLease failure',
    ]);
    expect(results[3]).toMatchObject({ version: 1 });
    expect(results[4]).toBeUndefined();
    expect(results[5]).toMatchObject({ held: true });
  });

  it('clears a pending failure when asked for zero', async () => {
    // Prepare
    const store = new MemoryStore();
    store.failNext('save', 5);

    // Act
    store.failNext('save', 0);
    const version = await store.save({}, 0);

    // Assess
    expect(version).toBe(1);
  });

  it('injects failures only into the instance asked, not into stores sharing its memory', async () => {
    // Prepare
    const first = new MemoryStore({ writer: 'a' });
    const second = new MemoryStore({ writer: 'b', sharedWith: first });
    first.failNext('save', 1);

    // Act
    const version = await second.save({ by: 'b' }, 0);

    // Assess
    expect(version).toBe(1);
    expect(await first.load()).toMatchObject({ writer: 'b', data: { by: 'b' } });
  });
});

describe('the lease keeper with claims whose answer was lost', () => {
  it('adopts a take-over that landed although its call failed, counting heldUntil from when it was sent', async () => {
    // Prepare
    let mono = 1_000;
    const store = new MemoryStore({ writer: 'a', monotonicNow: () => mono });
    const reader = new MemoryStore({ writer: 'reader', sharedWith: store, monotonicNow: () => mono });
    store.failNext('acquireLease', 1, { committed: true });

    // Act
    const failed = await store.acquireLease(15_000).catch((error: unknown) => error);
    mono += 4_000;
    const renewed = await store.acquireLease(15_000);

    // Assess: the lost answer's take-over (epoch 1) is found, then renewed; nothing is taken twice.
    expect(failed).toBeInstanceOf(StoreError);
    expect(renewed).toMatchObject({ held: true, holder: 'a', epoch: 1, heldUntil: 20_000 });
    expect(await reader.readLease()).toMatchObject({ holder: 'a', epoch: 1, recordVersion: renewed.recordVersion });
  });

  it('keeps heldUntil where the last answered claim put it while a renewal fails without an answer', async () => {
    // Prepare
    let mono = 0;
    const store = new MemoryStore({ writer: 'a', monotonicNow: () => mono });
    const taken = await store.acquireLease(15_000);
    mono += 5_000;
    store.failNext('acquireLease', 1);

    // Act
    const failed = await store.acquireLease(15_000).catch((error: unknown) => error);
    const seen = await store.readLease();

    // Assess
    expect(failed).toBeInstanceOf(StoreError);
    expect(taken.heldUntil).toBe(15_000);
    expect(seen).toMatchObject({ held: true, heldUntil: 15_000 });
  });

  it('releases on request failure only when asked again, and fences saves once released', async () => {
    // Prepare
    const store = new MemoryStore({ writer: 'a' });
    await store.acquireLease(15_000);
    store.failNext('releaseLease', 1);

    // Act
    const failed = await store.releaseLease().catch((error: unknown) => error);
    const stillHeld = await store.readLease();
    await store.releaseLease();
    const save = await store.save({}, 0).catch((error: unknown) => error);

    // Assess
    expect(failed).toBeInstanceOf(StoreError);
    expect(stillHeld).toMatchObject({ held: true, released: false });
    expect(save).toBeInstanceOf(LeaseLostError);
  });
});
