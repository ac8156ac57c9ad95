/**
 * Text from outside (operator commands, which anyone with `sqs:SendMessage` can put on the queue; alarm
 * names and reasons; error messages that quote a file or a message) made safe to show on a terminal.
 *
 * Unsafe are the characters a terminal acts on or that change how the rest of a line reads: C0 and C1
 * controls and DEL (escape sequences, line breaks, BEL), format characters (bidirectional overrides
 * and isolates, zero-width characters, tag characters that hide text), line and paragraph separators,
 * and unpaired surrogates. The CLI refuses them in what it sends; every human-readable output escapes
 * them with {@link printable}, and JSON output with {@link printableJson}.
 */

/** One class for refusing and for escaping, so what the door lets in is exactly what outputs leave raw. */
const UNSAFE_CLASS = '[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]';
const UNSAFE = new RegExp(UNSAFE_CLASS, 'gu');
const IS_UNSAFE = new RegExp(`^${UNSAFE_CLASS}$`, 'u');
// JSON.stringify escapes C0 inside strings itself; outside strings its line breaks are the layout.
const UNSAFE_IN_JSON = new RegExp(`(?![\\u0000-\\u001f])${UNSAFE_CLASS}`, 'gu');
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every unsafe character replaced by a visible escape: `\n`, `\r`, `\t`, `\x1b` (up to
 * U+00FF), `\u202e`, `\u{e0041}` (beyond U+FFFF). Ordinary text, other scripts and emoji are unchanged.
 * Backslashes are left alone, so escaping twice changes nothing and layers may each apply it; a literal
 * `\x1b` typed by someone reads the same as an escaped ESC, which misleads no terminal.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** {@link printable} on each line of a multi-line message, keeping its own line breaks. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** Every string in `value` (object keys included) passed through {@link printable}; for whole reports. */
export function printableStrings<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => printableStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [printable(key), printableStrings(item)]),
    ) as T;
  }
  return value;
}

/**
 * `JSON.stringify(value, null, indent)`, with the unsafe characters JSON leaves raw (DEL, C1, format
 * characters, U+2028/U+2029) written as `\uXXXX` escapes too. Parses back to exactly the same value.
 */
export function printableJson(value: unknown, indent = 2): string {
  // Outside strings JSON text is ASCII punctuation, digits, letters and layout whitespace, so every match is
  // inside a string, where a \u escape stands for the same character. JSON.stringify already escapes C0
  // controls and unpaired surrogates in strings.
  return (JSON.stringify(value, null, indent) ?? 'null').replace(UNSAFE_IN_JSON, (char) => {
    let escaped = '';
    for (let i = 0; i < char.length; i++) escaped += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/** The first unsafe character of some text: where (1-based, counting characters, not UTF-16 units) and what. */
export interface UnsafeCharacter {
  position: number;
  /** e.g. `U+001B`. */
  codePoint: string;
  /** e.g. `a control character`, `a bidirectional-text control`. */
  kind: string;
}

/** The first character of `text` that {@link printable} would escape, or undefined when there is none. */
export function firstUnsafeCharacter(text: string): UnsafeCharacter | undefined {
  let position = 0;
  for (const char of text) {
    position += 1;
    if (!IS_UNSAFE.test(char)) continue;
    const code = char.codePointAt(0) ?? 0;
    return { position, codePoint: `U+${code.toString(16).toUpperCase().padStart(4, '0')}`, kind: kindOf(char) };
  }
  return undefined;
}

function kindOf(char: string): string {
  if (/\p{Cc}/u.test(char)) return 'a control character';
  if (BIDI.test(char)) return 'a bidirectional-text control';
  if (/\p{Cf}/u.test(char)) return 'an invisible formatting character';
  if (/[\p{Zl}\p{Zp}]/u.test(char)) return 'a line or paragraph separator';
  return 'an unpaired surrogate';
}

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0) ?? 0;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}
