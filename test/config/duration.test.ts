import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, formatDuration, parseDuration } from '../../src/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1_500],
    ['1.1s', 1_100],
    ['0.25m', 15_000],
    ['0s', 0],
    ['007s', 7_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['a bare number', '30'],
    ['a unit alone', 's'],
    ['an unknown unit', '2d'],
    ['a word unit', '2 minutes'],
    ['an upper-case unit', '5M'],
    ['surrounding space', ' 5m'],
    ['a sign', '-5m'],
    ['an exponent', '1e3ms'],
    ['a compound form', '1h30m'],
    ['a missing leading digit', '.5s'],
    ['a missing fraction', '1.s'],
    ['a fraction of a millisecond', '0.5ms'],
    ['the empty string', ''],
  ])('refuses %s', (_case, text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '90s'],
    [120_000, '2m'],
    [1_500, '1.5s'],
    [250, '250ms'],
    [5_400_000, '90m'],
    [3_600_000, '1h'],
    [61_000, '61s'],
    [0, '0s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('writes every whole number of milliseconds so that parseDuration reads it back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_TIMER_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it.each([-1, 1.5, Number.NaN])('refuses %d, which is not a whole non-negative number of milliseconds', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});
