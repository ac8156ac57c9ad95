/**
 * Findings 4 and 5 of the adversarial run: a future-dated event froze an alarm (every real change after
 * it was "stale", even across restarts), and clock steps kept a deadline a month out or overflowed
 * `setTimeout` into a 1 ms busy loop. Time must never stall a rule.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FUTURE_SKEW_MS, outlook, statesOf } from '../../state-machines/index.ts';
import { MAX_TIMER_MS, systemClock } from '../../src/clock.ts';
import { MachineDriver, MINUTE, SECOND, examplePolicy } from '../helpers/machine.ts';

const DAY = 24 * 60 * MINUTE;
const NOW = Date.UTC(2026, 11, 1, 3);

describe('future-dated alarm events', () => {
  it('refuses an event stamped beyond the allowed skew, and still applies the real changes after it', () => {
    const m = new MachineDriver(examplePolicy(), NOW).allOk();
    m.alarm('crit', 'ALARM', Date.UTC(2099, 0, 1));
    expect(m.snapshot.context.signals.crit?.value).toBe('OK');
    expect(statesOf(m.snapshot).health).toBe('healthy');

    m.alarm('crit', 'ALARM', NOW - SECOND);
    expect(statesOf(m.snapshot).health).toBe('failedOver');
  });

  it('accepts an event a little ahead of our clock (skew within the tolerance)', () => {
    const m = new MachineDriver(examplePolicy(), NOW).allOk();
    m.alarm('crit', 'ALARM', NOW + MAX_FUTURE_SKEW_MS - SECOND);
    expect(statesOf(m.snapshot).health).toBe('failedOver');
  });

  it('lets a reading repair an alarm frozen by a future timestamp saved before this rule existed', () => {
    const m = new MachineDriver(examplePolicy(), NOW).allOk();
    // What an older release persisted: an ALARM stamped 2099 for the degraded signal.
    const frozen = { value: 'ALARM' as const, at: Date.UTC(2099, 0, 1) };
    m.snapshot = {
      ...m.snapshot,
      context: { ...m.snapshot.context, signals: { ...m.snapshot.context.signals, deg: frozen } },
    } as typeof m.snapshot;

    m.send({ type: 'alarms.observed', alarms: [{ alarm: 'deg', value: 'OK', at: NOW - MINUTE }], now: NOW });
    expect(m.snapshot.context.signals.deg).toEqual({ value: 'OK', at: NOW - MINUTE });

    m.alarm('deg', 'ALARM', NOW);
    expect(statesOf(m.snapshot).health).toBe('degraded');
  });
});

describe('clock steps', () => {
  const policy = examplePolicy({ timing: { ...examplePolicy().timing, escalateAfterMs: 20 * SECOND } });

  it('a step back after a step forward never leaves a deadline further out than now + the rule', () => {
    const m = new MachineDriver(policy, NOW).allOk();
    // The wall clock is 30 days ahead when the degraded alarm arrives.
    m.now = NOW + 30 * DAY;
    m.alarm('deg', 'ALARM', NOW);
    expect(statesOf(m.snapshot).health).toBe('degraded');

    // NTP steps it back.
    m.now = NOW + SECOND;
    m.send({ type: 'clock.ticked', now: m.now });
    const deadline = outlook(policy, m.snapshot).nextDeadline;
    expect(deadline).not.toBeNull();
    expect(deadline!).toBeLessThanOrEqual(m.now + policy.timing.escalateAfterMs);

    m.now += policy.timing.escalateAfterMs;
    m.send({ type: 'clock.ticked', now: m.now });
    expect(statesOf(m.snapshot).health).toBe('failedOver');
  });

  it('a step back bounds the recovery deadline by now + max(recoverAfter, cooldown)', () => {
    const automatic = examplePolicy({ failback: 'automatic' });
    const m = new MachineDriver(automatic, NOW).allOk();
    m.now = NOW + 30 * DAY;
    m.alarm('crit', 'ALARM', NOW);
    m.alarm('crit', 'OK', NOW + SECOND);
    m.now = NOW + 2 * SECOND;
    m.send({ type: 'clock.ticked', now: m.now });
    const { recoverAfterMs, cooldownMs } = automatic.timing;
    expect(outlook(automatic, m.snapshot).nextDeadline!).toBeLessThanOrEqual(
      m.now + Math.max(recoverAfterMs, cooldownMs),
    );
  });

  it('a step forward lets due rules fire at once', () => {
    const m = new MachineDriver(policy, NOW).allOk();
    m.alarm('deg', 'ALARM', NOW);
    m.now = NOW + 30 * DAY;
    m.send({ type: 'clock.ticked', now: m.now });
    expect(statesOf(m.snapshot).health).toBe('failedOver');
  });
});

describe('long sleeps', () => {
  it('never hands setTimeout more than it can hold (no TimeoutOverflowWarning, no early wake-up)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const stop = new AbortController();
    let woke = false;
    const sleeping = systemClock.sleep(30 * DAY, stop.signal).then(
      () => (woke = true),
      () => undefined,
    );
    try {
      // Warnings are emitted on the next tick; an overflowed timer fires after 1 ms.
      await new Promise((resolve) => setImmediate(resolve));
      await systemClock.sleep(5);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
      expect(woke).toBe(false);
    } finally {
      stop.abort();
      await sleeping;
      process.off('warning', onWarning);
    }
    expect(MAX_TIMER_MS).toBeLessThan(2 ** 31);
  });
});
