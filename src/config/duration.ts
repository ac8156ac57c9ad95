/**
 * Durations as people write them in the config: a decimal number and one unit, `250ms`, `1.5s`, `5m`, `1h`.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Larger units first, so that among equally short forms the larger unit wins. */
const UNITS_DESCENDING: readonly Unit[] = ['h', 'm', 's', 'ms'];

const DURATION = /^([0-9]+)(?:\.([0-9]+))?(ms|s|m|h)$/;

// The config refuses durations longer than one Node.js timer; clock.ts says why that limit exists.
export { MAX_TIMER_MS } from '../clock.ts';

/**
 * Parses `250ms`, `30s`, `5m`, `1h`, or a decimal such as `1.5s`, into milliseconds.
 * Returns undefined for anything else: no unit, an unknown unit, signs, spaces, exponents, compound forms
 * like `1h30m`, or a value that is not a whole number of milliseconds (`0.5ms`).
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const [, whole = '', fraction = '', unit = 's'] = match;
  // Exact decimal arithmetic: `1.1s` must be 1100, which 1.1 * 1000 in floating point is not.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(UNIT_MS[unit as Unit]);
  if (scaled % scale !== 0n) return undefined;
  const ms = scaled / scale;
  return ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : undefined;
}

/**
 * Formats milliseconds as the shortest exact duration that {@link parseDuration} reads back to the same
 * value: 90000 → `90s`, 120000 → `2m`, 1500 → `1.5s`, 250 → `250ms`, 0 → `0s`. Values below one unit
 * are written in a smaller unit (`250ms`, never `0.25s`); on equal length a whole number beats a decimal.
 * @throws RangeError when `ms` is not a non-negative safe integer.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`${ms} is not a duration in whole milliseconds`);
  }
  if (ms === 0) return '0s';
  let best: { text: string; decimal: boolean } | undefined;
  for (const unit of UNITS_DESCENDING) {
    const number = exactNumberIn(ms, UNIT_MS[unit]);
    if (number === undefined) continue;
    const candidate = { text: `${number}${unit}`, decimal: number.includes('.') };
    if (
      best === undefined ||
      candidate.text.length < best.text.length ||
      (candidate.text.length === best.text.length && best.decimal && !candidate.decimal)
    ) {
      best = candidate;
    }
  }
  // The millisecond unit always yields a form, so `best` is set.
  return best?.text ?? `${ms}ms`;
}

/** `ms / size` written exactly in decimal, or undefined when below one unit or not a finite decimal. */
function exactNumberIn(ms: number, size: number): string | undefined {
  if (ms < size) return undefined;
  const whole = Math.floor(ms / size);
  const remainder = ms % size;
  if (remainder === 0) return String(whole);
  // size divides 3.6e6 = 2^7 · 3^2 · 5^5, so a terminating fraction has at most 7 digits.
  for (let digits = 1; digits <= 7; digits++) {
    const scaled = remainder * 10 ** digits;
    if (scaled % size === 0) {
      return `${whole}.${String(scaled / size).padStart(digits, '0')}`;
    }
  }
  return undefined;
}
