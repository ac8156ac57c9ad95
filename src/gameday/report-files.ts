/** Writes a game day's report files into one directory, and keeps the run history beside them. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { analyse } from './analysis.ts';
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import { readRunHistory, runSummary } from './run-history.ts';
import { renderHtmlReport } from './report-html.ts';
import { renderMarkdownReport } from './report-markdown.ts';

/** Default report directory, relative to the working directory. */
export const DEFAULT_REPORT_DIR = './gameday-report';
/** The run history's file name, in the report directory. */
export const RUN_HISTORY_FILE = 'runs.jsonl';
export type { RunSummary } from './run-history.ts';

export interface WrittenReport {
  dir: string;
  html: string;
  markdown: string;
  json: string;
  /** The run history, with this run appended. */
  runs: string;
  /** The controller's log lines (local stack only). */
  log: string | undefined;
  analysis: Analysis;
}

/**
 * Appends this run to `runs.jsonl`, then writes `report.md`, `report.html` (with the trend over the history),
 * `report.json` (the recording and its analysis) and, when given the controller's log lines,
 * `controller.log`. Creates the directory; the report files of an earlier run in it are replaced, the run
 * history is kept.
 */
export async function writeReport(
  dir: string,
  recording: Recording,
  options: { logLines?: readonly string[] } = {},
): Promise<WrittenReport> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const analysis = analyse(recording);
  const paths = {
    html: join(root, 'report.html'),
    markdown: join(root, 'report.md'),
    json: join(root, 'report.json'),
    runs: join(root, RUN_HISTORY_FILE),
    log: options.logLines ? join(root, 'controller.log') : undefined,
  };
  // One write of one whole line with O_APPEND: two game days finishing together each add their line intact.
  await appendFile(paths.runs, `${JSON.stringify(runSummary(recording, analysis))}\n`);
  const history = await readRunHistory(paths.runs);
  await writeFile(paths.html, renderHtmlReport(recording, analysis, history.runs));
  await writeFile(paths.markdown, renderMarkdownReport(recording, analysis, history.runs));
  await writeFile(paths.json, `${JSON.stringify({ recording, analysis }, null, 2)}\n`);
  if (paths.log && options.logLines) await writeFile(paths.log, options.logLines.map((l) => `${l}\n`).join(''));
  return { dir: root, ...paths, analysis };
}
