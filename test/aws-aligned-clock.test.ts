import { describe, expect, it } from 'vitest';
import { AwsAlignedClock, OBSERVATION_WINDOW_MS, SLOW_CLOCK_THRESHOLD_MS } from '../src/aws-aligned-clock.ts';
import { ManualClock } from '../src/clock.ts';

const MINUTE = 60_000;

function setup() {
  const host = new ManualClock(Date.UTC(2026, 11, 1, 3, 0, 0));
  let monotonic = 0;
  const corrections: number[] = [];
  const clock = new AwsAlignedClock(host, {
    onCorrection: (ms) => corrections.push(ms),
    monotonicNow: () => monotonic,
  });
  const pass = (ms: number) => {
    host.advance(ms);
    monotonic += ms;
  };
  return { host, clock, corrections, pass };
}

describe('a clock aligned with the times AWS stamps on messages', () => {
  it('reads the host clock while messages were sent no later than it says (queue delay is not skew)', () => {
    const { host, clock, corrections } = setup();

    clock.observe(host.now() - 5 * MINUTE);
    clock.observe(host.now() + SLOW_CLOCK_THRESHOLD_MS - 1);

    expect(clock.now()).toBe(host.now());
    expect(corrections).toEqual([]);
  });

  it('adds how far behind AWS the host is once a message was sent surely after the host says it is now', () => {
    const { host, clock, corrections } = setup();

    clock.observe(host.now() + 10 * MINUTE);

    expect(clock.correctionMs).toBe(10 * MINUTE);
    expect(clock.now()).toBe(host.now() + 10 * MINUTE);
    expect(corrections).toEqual([10 * MINUTE]);
  });

  it('keeps the largest bound seen and ignores small movements of it', () => {
    const { host, clock, corrections, pass } = setup();
    clock.observe(host.now() + 10 * MINUTE);

    pass(1_000);
    clock.observe(host.now() + 10 * MINUTE - 2_000);
    clock.observe(host.now() + 10 * MINUTE + 5_000);

    expect(clock.correctionMs).toBe(10 * MINUTE);
    expect(corrections).toEqual([10 * MINUTE]);
  });

  it('stops correcting once the host clock was fixed and the old bounds left the window', () => {
    const { host, clock, corrections, pass } = setup();
    clock.observe(host.now() + 10 * MINUTE);

    // NTP steps the host forward; messages now arrive as expected.
    host.advance(10 * MINUTE);
    pass(OBSERVATION_WINDOW_MS + 1);
    clock.observe(host.now() - 200);

    expect(clock.correctionMs).toBe(0);
    expect(clock.now()).toBe(host.now());
    expect(corrections).toEqual([10 * MINUTE, 0]);
  });

  it('falls back to the largest bound still in the window when the largest one leaves it', () => {
    const { host, clock, corrections, pass } = setup();
    clock.observe(host.now() + 10 * MINUTE);
    pass(OBSERVATION_WINDOW_MS / 2);
    clock.observe(host.now() + 5 * MINUTE);

    pass(OBSERVATION_WINDOW_MS / 2 + 1);
    clock.observe(host.now() + 2 * MINUTE);

    expect(clock.correctionMs).toBe(5 * MINUTE);
    expect(corrections).toEqual([10 * MINUTE, 5 * MINUTE]);
  });

  it('never moves a clock that is ahead of AWS (what is ahead of it is already brought back elsewhere)', () => {
    const { host, clock } = setup();

    clock.observe(host.now() - 20 * MINUTE);

    expect(clock.now()).toBe(host.now());
  });
});
