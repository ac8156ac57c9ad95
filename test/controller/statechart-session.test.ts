/** StatechartSession on its own: the real statechart and journal, a document in memory, a manual clock. */
import { describe, expect, it } from 'vitest';
import { statesOf } from '../../state-machines/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { DecisionJournal } from '../../src/controller/decision-journal.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { StatechartSession } from '../../src/controller/statechart-session.ts';
import { CONFIG, silentLogger } from '../helpers/controller-fixtures.ts';

const CRITICAL = 'connect-primary-outage';

function session(clock = new ManualClock(Date.UTC(2026, 11, 1, 12))) {
  const policy = policyOf(CONFIG);
  return { s: new StatechartSession(policy, new DecisionJournal(policy, clock, silentLogger)), clock };
}

const critical = (value: 'OK' | 'ALARM', at: number) =>
  ({ type: 'alarm.changed', alarm: CRITICAL, value, at, now: at }) as const;

describe('StatechartSession', () => {
  it('says when an event requested a split, journals the decision and keeps the document snapshot current', () => {
    const { s, clock } = session();
    s.start(undefined, clock.now());
    const doc = emptyDocument(s.persisted());

    const quiet = s.send({ type: 'clock.ticked', now: clock.now() }, doc);
    const shifted = s.send(critical('ALARM', clock.now()), doc);

    expect(quiet).toBe(false);
    expect(shifted).toBe(true);
    expect(statesOf(s.snapshot).health).toBe('failedOver');
    expect(doc.history).toMatchObject([{ kind: 'transition', from: 'healthy', to: 'failedOver', primaryPercent: 0 }]);
    expect(doc.snapshot).toEqual(s.persisted());
  });

  it('restores a persisted snapshot without journaling its old decisions again', () => {
    const first = session();
    first.s.start(undefined, first.clock.now());
    const doc = emptyDocument(first.s.persisted());
    first.s.send(critical('ALARM', first.clock.now()), doc);
    const persisted: unknown = JSON.parse(JSON.stringify(first.s.persisted()));

    const { s, clock } = session();
    s.start(persisted, clock.now());
    const restoredDoc = emptyDocument(persisted);
    s.send({ type: 'clock.ticked', now: clock.now() + 1 }, restoredDoc);

    expect(statesOf(s.snapshot)).toEqual({ health: 'failedOver', automation: 'active' });
    expect(restoredDoc.history).toEqual([]);
  });

  it('previews whether an event would move the health state, applying nothing', () => {
    const { s, clock } = session();
    s.start(undefined, clock.now());
    const before = s.snapshot;

    const moves = s.wouldChangeHealth(critical('ALARM', clock.now()));
    const stays = s.wouldChangeHealth(critical('OK', clock.now()));

    expect({ moves, stays }).toEqual({ moves: true, stays: false });
    expect(s.snapshot).toBe(before);
  });

  it('refuses to be read before it is started', () => {
    expect(() => session().s.snapshot).toThrow('controller not started');
  });
});
