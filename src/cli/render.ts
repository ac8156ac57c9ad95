/** Terminal rendering: aligned columns, colour only on a TTY (and never with NO_COLOR). */
const COLORS = { good: 32, warn: 33, bad: 31 } as const;

export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function tone(text: string, kind: keyof typeof COLORS, enabled = colorEnabled()): string {
  return enabled ? `\u001b[${COLORS[kind]}m${text}\u001b[0m` : text;
}

/** Two or more columns, padded to the widest cell of each (escape codes not counted). */
export function table(rows: ReadonlyArray<readonly string[]>, indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(cell).length)));
  return rows
    .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visible(cell).length + 2))).join(''))
    .join('\n');
}

function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
