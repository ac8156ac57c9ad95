/** Terminal rendering: aligned columns, colour only on a TTY (and never with NO_COLOR). */
import { printable } from './printable.ts';

const COLORS = { good: 32, warn: 33, bad: 31 } as const;
/** Exactly the codes {@link tone} writes; {@link table} lets these through and escapes every other escape. */
// eslint-disable-next-line no-control-regex
const OWN_SGR = /(\u001b\[(?:0|3[123])m)/;

export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

/** `text` in colour; `text` itself is escaped with {@link printable}, since it may come from outside. */
export function tone(text: string, kind: keyof typeof COLORS, enabled = colorEnabled()): string {
  const safe = printable(text);
  return enabled ? `\u001b[${COLORS[kind]}m${safe}\u001b[0m` : safe;
}

/**
 * Two or more columns, padded to the widest cell of each (colour codes not counted). Every cell is
 * escaped with {@link printable} except the colour codes of {@link tone}: a caller that forgot to escape
 * text from outside still prints no escape sequence, line break or bidi control (at worst a colour).
 */
export function table(rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  const safeRows = rows.map((row) => row.map(safeCell));
  const widths: number[] = [];
  for (const row of safeRows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell).length)));
  return safeRows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell).length + 2),
          )
          .join(''),
    )
    .join('\n');
}

function safeCell(cell: string): string {
  // split with a capturing group: odd indexes are our own colour codes, even ones the text between them.
  return cell
    .split(OWN_SGR)
    .map((part, i) => (i % 2 === 1 ? part : printable(part)))
    .join('');
}

function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
