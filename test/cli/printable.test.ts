import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstUnsafeCharacter, printable, printableJson, printableLines } from '../../src/cli/printable.ts';
import { table, tone } from '../../src/cli/render.ts';

/** Every character class a terminal acts on or that reorders or hides text, with the escape shown for it. */
const HOSTILE: ReadonlyArray<[string, string, string]> = [
  ['ESC (clear screen)', '\u001b[2J', '\\x1b[2J'],
  ['a window-title OSC ended by BEL', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
  ['a newline', 'a\nb', 'a\\nb'],
  ['a carriage return', 'a\rb', 'a\\rb'],
  ['a tab', 'a\tb', 'a\\tb'],
  ['NUL', 'a\u0000b', 'a\\x00b'],
  ['DEL', 'a\u007fb', 'a\\x7fb'],
  ['C1 CSI', 'a\u009b2Jb', 'a\\x9b2Jb'],
  ['a right-to-left override', 'evil\u202etxt.exe', 'evil\\u202etxt.exe'],
  ['a right-to-left isolate and its pop', 'a\u2067b\u2069c', 'a\\u2067b\\u2069c'],
  ['a left-to-right mark', 'a\u200eb', 'a\\u200eb'],
  ['a zero-width space', 'a\u200bb', 'a\\u200bb'],
  ['a line separator', 'a\u2028b', 'a\\u2028b'],
  ['a paragraph separator', 'a\u2029b', 'a\\u2029b'],
  ['a tag character (hidden text)', 'a\u{e0041}b', 'a\\u{e0041}b'],
  ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
];

/** Matches any character the output must never carry raw. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** The colour codes tone() writes. */
// eslint-disable-next-line no-control-regex
const TONE_CODES = /\u001b\[(?:0|3[123])m/g;

/** Lines of multi-line output that carry an unsafe character (the line breaks between lines are layout). */
function unsafeLines(text: string): string[] {
  return text.split('\n').filter((line) => UNSAFE.test(line));
}

describe('printable: operator- and queue-supplied text made safe for a terminal', () => {
  it.each(HOSTILE)('shows %s as a visible escape', (_name, text, shown) => {
    // Act
    const out = printable(text);

    // Assess
    expect(out).toBe(shown);
    expect(out).not.toMatch(UNSAFE);
  });

  it('leaves ordinary text alone: accents, other scripts, emoji, quotes and backslashes', () => {
    // Prepare
    const text = 'Région primaire dégradée — 東京 🚨 "quoted" C:\\path';

    // Act, Assess
    expect(printable(text)).toBe(text);
  });

  it('never lets an unsafe character through, and escaping twice changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // Act
        const once = printable(text);

        // Assess
        expect(once).not.toMatch(UNSAFE);
        expect(printable(once)).toBe(once);
      }),
    );
  });

  it('keeps line breaks of multi-line messages and escapes what is inside each line', () => {
    // Act, Assess
    expect(printableLines('invalid config (1 problem):\n  reason: "\u202e" is odd\u001b[2J')).toBe(
      'invalid config (1 problem):\n  reason: "\\u202e" is odd\\x1b[2J',
    );
  });
});

describe('firstUnsafeCharacter: what the CLI refuses at the door', () => {
  it('names the first unsafe character by position (1-based, in characters) and code point', () => {
    // Act, Assess
    expect(firstUnsafeCharacter('🚨 ok\u202e')).toEqual({
      position: 5,
      codePoint: 'U+202E',
      kind: 'a bidirectional-text control',
    });
    expect(firstUnsafeCharacter('x\u001b[2J')).toEqual({
      position: 2,
      codePoint: 'U+001B',
      kind: 'a control character',
    });
    expect(firstUnsafeCharacter('a\u{e0041}')).toEqual({
      position: 2,
      codePoint: 'U+E0041',
      kind: 'an invisible formatting character',
    });
    expect(firstUnsafeCharacter('line\u2028')).toEqual({
      position: 5,
      codePoint: 'U+2028',
      kind: 'a line or paragraph separator',
    });
  });

  it('finds nothing in ordinary text', () => {
    // Act, Assess
    expect(firstUnsafeCharacter('Région dégradée — 東京 🚨')).toBeUndefined();
  });
});

describe('printableJson: JSON output escapes what JSON.stringify leaves raw', () => {
  it('escapes C1, bidi and separator characters as \\u escapes, and still parses to the same value', () => {
    // Prepare
    const value = { reason: 'a\u009b2J\u202eb\u2028c\u001b', nested: ['\u2066x\u2069'] };

    // Act
    const text = printableJson(value);

    // Assess
    expect(unsafeLines(text)).toEqual([]);
    expect(text).toContain('\\u202e');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('round-trips any JSON value exactly, with no unsafe character in the text', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary' }), (value, text) => {
        // Prepare
        const wrapped = { value, text };

        // Act
        const out = printableJson(wrapped);

        // Assess
        expect(unsafeLines(out)).toEqual([]);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(wrapped)));
      }),
    );
  });
});

describe('tone and table: the renderers escape what they are given', () => {
  it('tone escapes its text but keeps its own colour codes', () => {
    // Act
    const coloured = tone('pwn\u001b[2J', 'bad', true);

    // Assess
    expect(coloured).toBe('\u001b[31mpwn\\x1b[2J\u001b[0m');
  });

  it('table escapes raw cells (a caller that forgot) and keeps colour made by tone', () => {
    // Act
    const out = table([
      [tone('FAIL', 'bad', true), 'detail\u001b[2J\u202e', 'x\ny'],
      ['pass', 'ok', 'fine'],
    ]);

    // Assess
    expect(out).toContain('\u001b[31mFAIL\u001b[0m');
    expect(out).toContain('detail\\x1b[2J\\u202e');
    expect(out).toContain('x\\ny');
    expect(unsafeLines(out.replace(TONE_CODES, ''))).toEqual([]);
    // The columns still line up after escaping: the second row's third cell starts where the first's does.
    const [first, second] = out.split('\n');
    expect(first?.replace(TONE_CODES, '').indexOf('x\\ny')).toBe(second?.indexOf('fine'));
  });
});
