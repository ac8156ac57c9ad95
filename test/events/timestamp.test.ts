import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../src/errors.ts';
import { normalizeTimestampOffset, parseTimestamp } from '../../src/events/timestamp.ts';

const PATH = 'detail.state.timestamp';
const AT = Date.UTC(2026, 10, 28, 17, 4, 40, 989);

describe('parseTimestamp', () => {
  it.each([
    ['CloudWatch +0000 offsets', '2026-11-28T17:04:40.989+0000', AT],
    ['Z', '2026-11-28T17:04:40.989Z', AT],
    ['±HH:MM offsets', '2026-11-28T17:04:40.989+00:00', AT],
    ['negative compact offsets', '2026-11-28T12:04:40.989-0500', AT],
    ['half-hour offsets with a colon', '2026-11-28T22:34:40.989+05:30', AT],
    ['half-hour compact offsets', '2026-11-28T22:34:40.989+0530', AT],
    ['no fraction', '2026-11-28T17:04:40Z', AT - 989],
    ['a one-digit fraction', '2026-11-28T17:04:40.9Z', AT - 89],
    ['a nine-digit fraction, cut to milliseconds', '2026-11-28T17:04:40.989999999+0000', AT],
    ['the 29th of February in a leap year', '2028-02-29T00:00:00.000+0000', Date.UTC(2028, 1, 29)],
  ])('reads %s', (_what, text, expected) => {
    // Act
    const epochMs = parseTimestamp(text, PATH);

    // Assess
    expect(epochMs).toBe(expected);
  });

  it.each([
    ['a word', 'yesterday', 'is not an ISO-8601 timestamp'],
    ['an empty string', '', 'is not an ISO-8601 timestamp'],
    ['a timestamp without an offset', '2026-11-28T17:04:40.989', 'is not an ISO-8601 timestamp'],
    ['a space instead of T', '2026-11-28 17:04:40.989Z', 'is not an ISO-8601 timestamp'],
    ['a timestamp without seconds', '2026-11-28T17:04Z', 'is not an ISO-8601 timestamp'],
    ['an hours-only offset', '2026-11-28T17:04:40+00', 'is not an ISO-8601 timestamp'],
    ['a date only', '2026-11-28', 'is not an ISO-8601 timestamp'],
    ['month 13', '2026-13-01T00:00:00Z', 'month 13 does not exist'],
    ['the 29th of February in a common year', '2026-02-29T00:00:00Z', 'day 29 does not exist in 2026-02'],
    ['the 31st of April', '2026-04-31T00:00:00Z', 'day 31 does not exist in 2026-04'],
    ['hour 24', '2026-11-28T24:00:00Z', 'hour 24 is out of range'],
    ['a leap second', '2026-12-31T23:59:60Z', 'second 60 is out of range'],
    ['an offset of 24 hours', '2026-11-28T17:04:40+2400', 'offset +2400 is out of range'],
    ['a number', 1795885480989, 'expected an ISO-8601 timestamp string, got number 1795885480989'],
  ])('refuses %s, naming the path', (_what, value, fragment) => {
    // Act
    const act = () => parseTimestamp(value, PATH);

    // Assess
    expect(act).toThrow(MalformedMessageError);
    expect(act).toThrow(`${PATH}: `);
    expect(act).toThrow(fragment);
  });

  it('reads back every instant from its CloudWatch-style and ISO forms', () => {
    fc.assert(
      fc.property(
        // A day inside the four-digit years each side, so the shifted local time is a four-digit year too.
        fc.date({
          min: new Date('0001-01-02T00:00:00Z'),
          max: new Date('9999-12-30T23:59:59.999Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (date, offsetMinutes) => {
          // Prepare
          const iso = date.toISOString();
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
          const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, -1);

          // Act
          const fromCloudWatch = parseTimestamp(iso.replace('Z', '+0000'), PATH);
          const fromOffset = parseTimestamp(`${local}${offset}`, PATH);

          // Assess
          expect(fromCloudWatch).toBe(date.getTime());
          expect(fromOffset).toBe(date.getTime());
        },
      ),
    );
  });
});

describe('normalizeTimestampOffset', () => {
  it.each([
    ['2026-11-28T17:04:40.989+0000', '2026-11-28T17:04:40.989+00:00'],
    ['2026-11-28T12:04:40.989-0500', '2026-11-28T12:04:40.989-05:00'],
    ['2026-11-28T17:04:40.989+00:00', '2026-11-28T17:04:40.989+00:00'],
    ['2026-11-28T17:04:40.989Z', '2026-11-28T17:04:40.989Z'],
  ])('rewrites %s as %s', (text, expected) => {
    // Act
    const normalized = normalizeTimestampOffset(text);

    // Assess
    expect(normalized).toBe(expected);
  });
});
