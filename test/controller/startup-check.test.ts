/** StartupCheck on its own: Connect as an in-memory port, a document in memory, a manual clock. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import { StartupCheck } from '../../src/controller/startup-reads.ts';
import { InstantTraffic, silentLogger } from '../helpers/controller-fixtures.ts';

function setup(primaryPercent: number) {
  const traffic = new InstantTraffic();
  traffic.split = { telephonyPrimaryPercent: primaryPercent, agentsPrimaryPercent: primaryPercent };
  const check = new StartupCheck(traffic, new ManualClock(Date.UTC(2026, 11, 1, 12)), silentLogger);
  return { traffic, check, doc: emptyDocument({}), signal: new AbortController().signal };
}

describe('StartupCheck', () => {
  it('finds the split as the state wants it: records the reading and the start, nothing else', async () => {
    const { check, doc, signal } = setup(100);

    await check.read(true, signal);
    const byHand = check.settle(doc, 100, 'healthy');

    expect(byHand).toBeUndefined();
    expect(doc.actual).toMatchObject({ telephonyPrimaryPercent: 100, status: 'ACTIVE' });
    expect(doc.history).toMatchObject([{ kind: 'startup', reason: 'restored persisted state', to: 'healthy' }]);
  });

  it('says a different split with no shift of ours unfinished was set by hand, and records the drift', async () => {
    const { check, doc, signal } = setup(30);

    await check.read(false, signal);
    const byHand = check.settle(doc, 100, 'healthy');

    expect(byHand).toBe(30);
    expect(doc.history).toMatchObject([
      { kind: 'drift', primaryPercent: 30, reason: 'Connect sends 30% to the primary; the state wants 100%' },
      { kind: 'startup', reason: 'no persisted state: started healthy' },
    ]);
  });

  it('does not take a difference for a hand change while a shift of ours is unfinished', async () => {
    const { check, doc, signal } = setup(100);
    doc.shift = {
      targetPrimaryPercent: 0,
      decidedSeq: 1,
      decidedAt: '2026-12-01T11:59:00.000Z',
      status: 'pending',
      attempts: 1,
      writes: 0,
      lastError: undefined,
      updatedAt: '2026-12-01T11:59:00.000Z',
      nextAttemptAt: undefined,
      verifiedAt: undefined,
    };

    await check.read(true, signal);
    const byHand = check.settle(doc, 0, 'failedOver');

    expect(byHand).toBeUndefined();
    expect(doc.history.map((e) => e.kind)).toEqual(['drift', 'startup']);
  });

  it('starts when Connect cannot be read: no reading, no drift, only the start', async () => {
    const { traffic, check, doc, signal } = setup(30);
    traffic.readFails = new Error('neither Region answered');

    await check.read(true, signal);
    const byHand = check.settle(doc, 100, 'healthy');

    expect(byHand).toBeUndefined();
    expect(doc.actual).toBeUndefined();
    expect(doc.history.map((e) => e.kind)).toEqual(['startup']);
  });
});
