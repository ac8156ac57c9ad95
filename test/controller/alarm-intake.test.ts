/** AlarmIntake on its own: the real classifier and confirmer over an in-memory CloudWatch port, a manual clock. */
import { describe, expect, it } from 'vitest';
import type { AlarmReader } from '../../src/cloudwatch/alarm-reader.ts';
import { ManualClock } from '../../src/clock.ts';
import { AlarmConfirmer } from '../../src/controller/alarm-confirmer.ts';
import { AlarmIntake } from '../../src/controller/alarm-intake.ts';
import { emptyDocument } from '../../src/controller/document.ts';
import { MessageClassifier } from '../../src/controller/message-classifier.ts';
import { signalRefs } from '../../src/domain/signals.ts';
import { normalizeMessage } from '../../src/events/normalize.ts';
import type { AlarmStateChange } from '../../src/events/types.ts';
import { alarmBody, CONFIG, FakeCloudWatch, message, silentLogger } from '../helpers/controller-fixtures.ts';

const CRITICAL = 'connect-primary-outage';

/** An intake whose confirmer reads `cloudwatch` (none without it), counting its reads. */
function intakeWith(cloudwatch: AlarmReader | undefined, clock = new ManualClock(Date.UTC(2026, 11, 1, 12))) {
  const reads: string[] = [];
  const counted: AlarmReader | undefined = cloudwatch && {
    read: (refs, signal) => {
      reads.push(...refs.map((r) => r.name));
      return cloudwatch.read(refs, signal);
    },
  };
  const classifier = new MessageClassifier(signalRefs(CONFIG.signals, CONFIG.regions), silentLogger);
  const confirmer = counted && new AlarmConfirmer(counted);
  const intake = new AlarmIntake({ classifier, confirmer, clock, logger: silentLogger, hooks: {} });
  return { intake, reads, clock, doc: emptyDocument({}) };
}

const alarmEvent = (name: string, value: 'OK' | 'ALARM', at: number) =>
  normalizeMessage(alarmBody(name, value, at)) as AlarmStateChange;

describe('AlarmIntake', () => {
  it('turns a new reading into alarm.changed, and a duplicate of it into nothing', () => {
    const { intake, clock, doc } = intakeWith(undefined);
    const event = alarmEvent(CRITICAL, 'ALARM', clock.now());

    const first = intake.apply(message('a', 'm1'), event, {}, doc);
    const again = intake.apply(message('a', 'm2'), event, { [CRITICAL]: { value: 'ALARM', at: clock.now() } }, doc);

    expect(first).toEqual({
      changed: true,
      event: { type: 'alarm.changed', alarm: CRITICAL, value: 'ALARM', at: clock.now(), now: clock.now() },
    });
    expect(again).toEqual({ changed: false });
  });

  it('ignores an alarm that is not a configured signal', () => {
    const { intake, clock, doc } = intakeWith(undefined);

    const result = intake.apply(message('x'), alarmEvent('someone-elses-alarm', 'ALARM', clock.now()), {}, doc);

    expect(result).toEqual({ changed: false });
    expect(doc.history).toEqual([]);
  });

  it('asks CloudWatch only when applying the event would move traffic', async () => {
    const cloudwatch = new FakeCloudWatch(0);
    const { intake, reads, clock } = intakeWith(cloudwatch);
    const event = alarmEvent(CRITICAL, 'ALARM', clock.now());
    cloudwatch.set(CRITICAL, 'ALARM', clock.now());

    const quiet = await intake.confirmIfShifting(event, {}, () => false);
    const shifting = await intake.confirmIfShifting(event, {}, () => true);

    expect(quiet).toBeUndefined();
    expect(shifting).toEqual({ outcome: 'confirmed' });
    expect(reads).toEqual([CRITICAL]);
  });

  it('moves nothing on an event CloudWatch contradicts: records it disputed and applies what CloudWatch shows', async () => {
    const cloudwatch = new FakeCloudWatch(0);
    const { intake, clock, doc } = intakeWith(cloudwatch);
    const since = clock.now() - 60_000;
    cloudwatch.set(CRITICAL, 'OK', since);
    const event = alarmEvent(CRITICAL, 'ALARM', clock.now());

    const confirmation = await intake.confirmIfShifting(event, {}, () => true);
    const result = intake.apply(message('f', 'forged'), event, {}, doc, confirmation);

    expect(result).toEqual({
      changed: true,
      event: { type: 'alarms.observed', alarms: [{ alarm: CRITICAL, value: 'OK', at: since }], now: clock.now() },
    });
    expect(doc.history).toMatchObject([{ kind: 'disputed', alarms: [CRITICAL] }]);
  });

  it('acts on an event CloudWatch could not confirm, and records it as unconfirmed', async () => {
    const down: AlarmReader = { read: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const { intake, clock, doc } = intakeWith(down);
    const event = alarmEvent(CRITICAL, 'ALARM', clock.now());

    const confirmation = await intake.confirmIfShifting(event, {}, () => true);
    const result = intake.apply(message('u'), event, {}, doc, confirmation);

    expect(result).toMatchObject({ changed: true, event: { type: 'alarm.changed', value: 'ALARM' } });
    expect(doc.history).toMatchObject([
      { kind: 'unconfirmed', reason: expect.stringContaining('ECONNREFUSED'), alarms: [CRITICAL] },
    ]);
  });
});
