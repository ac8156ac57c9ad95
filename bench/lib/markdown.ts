/** Markdown tables for the generated report. */

/** A GitHub-flavoured Markdown table; cells are escaped for `|`. */
export function mdTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
  return [
    `| ${headers.map(cell).join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** `a · b · c` from an object of counts, in key order. */
export function counts(record: Record<string, unknown> | undefined): string {
  if (!record) return '';
  return Object.entries(record)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(' · ');
}
