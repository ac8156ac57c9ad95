/**
 * A controller whose host clock runs ten minutes slow (NTP lost): every CloudWatch timestamp is then ahead
 * of it by more than the five minutes a reading may be ahead, the refusal meant for forged future-dated
 * events. Without the correction it never fails over; with it (the default), SQS's SentTimestamp shows the
 * clock is behind and the controller acts on AWS's time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AwsAlignedClock } from '../../src/aws-aligned-clock.ts';
import { systemClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
const TEN_MINUTES = 10 * 60_000;

/** The host's clock, ten minutes slow; sleeps stay real (they are monotonic anyway). */
const slowHost: Clock = { now: () => Date.now() - TEN_MINUTES, sleep: (ms, signal) => systemClock.sleep(ms, signal) };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('a controller on a host whose clock is ten minutes slow', () => {
  it('uncorrected, takes the critical alarm for a future-dated event and does not fail over (the hazard)', async () => {
    h = await startHarness();
    await h.start({ clock: slowHost });

    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(
      () => h!.logs.some((l) => l.msg === 'alarm event dated ahead of the controller clock; not applied'),
      {
        what: 'the event refused as future-dated',
      },
    );

    expect(h.primaryPercent()).toBe(100);
  });

  it('corrected from SentTimestamp, fails over on AWS time', async () => {
    h = await startHarness();
    const clock = new AwsAlignedClock(slowHost);
    await h.start({ clock });

    await h.setAlarm(CRITICAL, 'ALARM');
    await h.waitForPrimary(0);

    expect(clock.correctionMs).toBeGreaterThan(TEN_MINUTES - 60_000);
    expect(clock.correctionMs).toBeLessThanOrEqual(TEN_MINUTES);
    expect(h.logs.some((l) => l.msg === 'alarm event dated ahead of the controller clock; not applied')).toBe(false);
  });

  it('corrected at the first receive from the Date header of SQS answers, acts on a polled reading with an empty queue', async () => {
    h = await startHarness();
    const clock = new AwsAlignedClock(slowHost);
    await h.start({ clock, alarmPollMs: 300 });

    // No event reaches the queue: only DescribeAlarms can show the change, and its timestamp is 10 minutes
    // ahead of the host's clock.
    h.stack.deliverEvents(false);
    await h.setAlarm(CRITICAL, 'ALARM');
    expect(await h.queueDepth()).toBe(0);
    await h.waitForPrimary(0, 10_000);

    expect(clock.correctionMs).toBeGreaterThan(TEN_MINUTES - 60_000);
  });
});
