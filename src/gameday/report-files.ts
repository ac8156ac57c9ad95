/** Writes a game day's report files into one directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { analyse } from './analysis.ts';
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import { renderHtmlReport } from './report-html.ts';
import { renderMarkdownReport } from './report-markdown.ts';

/** Default report directory, relative to the working directory. */
export const DEFAULT_REPORT_DIR = './gameday-report';

export interface WrittenReport {
  dir: string;
  html: string;
  markdown: string;
  json: string;
  /** The controller's log lines (local stack only). */
  log: string | undefined;
  analysis: Analysis;
}

/**
 * Writes `report.md`, `report.html`, `report.json` (the recording and its analysis) and, when given the
 * controller's log lines, `controller.log`. Creates the directory; overwrites earlier reports in it.
 */
export async function writeReport(dir: string, recording: Recording, options: { logLines?: readonly string[] } = {}): Promise<WrittenReport> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const analysis = analyse(recording);
  const paths = {
    html: join(root, 'report.html'),
    markdown: join(root, 'report.md'),
    json: join(root, 'report.json'),
    log: options.logLines ? join(root, 'controller.log') : undefined,
  };
  await writeFile(paths.html, renderHtmlReport(recording, analysis));
  await writeFile(paths.markdown, renderMarkdownReport(recording, analysis));
  await writeFile(paths.json, `${JSON.stringify({ recording, analysis }, null, 2)}\n`);
  if (paths.log && options.logLines) await writeFile(paths.log, options.logLines.map((l) => `${l}\n`).join(''));
  return { dir: root, ...paths, analysis };
}
