/**
 * Finding 4 of the adversarial run, end to end: an event stamped 2099 was applied, after which every
 * real transition of that alarm was "stale", across restarts. Now it is refused with a warning, and the
 * real transitions after it act.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toMessageBody } from '../../src/local/alarm-event-sink.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a future-dated alarm event', () => {
  it('is refused and logged; the real transitions after it still act', async () => {
    h = await startHarness();
    await h.start();
    // A real transition gives us the event's shape; its twin is re-stamped 2099 and sent on its own.
    const real = await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    await h.setAlarm(CRITICAL, 'OK');
    await h.command('failback', { reason: 'back before the forged event' });
    await h.waitForPrimary(100);

    const forged = { ...real!, current: { ...real!.current, value: 'OK' as const, timestamp: Date.UTC(2099, 0, 1) } };
    await h.sendBody(toMessageBody(forged, 'eventbridge'));
    await eventually(
      () => h!.logs.find((l) => l.msg === 'alarm event dated ahead of the controller clock; not applied'),
      { what: 'the refusal' },
    );
    await eventually(async () => (await h!.queueDepth()) === 0, { what: 'the forged event deleted' });

    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);
    const doc = await h.readDocument();
    const signal = (doc!.snapshot as { context: { signals: Record<string, { at: number }> } }).context.signals[
      CRITICAL
    ];
    expect(signal!.at).toBeLessThan(Date.UTC(2030, 0, 1));
  });
});
