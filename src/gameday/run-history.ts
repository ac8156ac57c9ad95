/** The append-only history of game days beside a report (`runs.jsonl`): what a line holds, and reading it back. */
import { readFile } from 'node:fs/promises';
import type { Analysis } from './analysis.ts';
import type { Recording } from './recording.ts';
import { failuresOf, passed } from './report-format.ts';

/**
 * One game day in the run history (`runs.jsonl`, one JSON object a line, appended and never rewritten):
 * enough to compare runs of a drill over months (the RTO trend) and to tie each to a release and a config.
 */
export interface RunSummary {
  startedAt: string;
  endedAt: string;
  scenario: string;
  /** Absent in a line written without metadata. */
  scenarioHash?: string;
  configHash?: string;
  mode: string;
  passed: boolean;
  checksPassed: number;
  checksTotal: number;
  /** What failed, one line each (empty when it passed). */
  failures: string[];
  rtoMs: number | null;
  rtoTargetMs: number | null;
  version?: string;
  commit?: string | null;
  operator?: string;
  trafficDistributionGroup: string;
  account?: string | null;
}

/** This run as a line of the history. */
export function runSummary(recording: Recording, analysis: Analysis): RunSummary {
  const m = recording.metadata;
  return {
    startedAt: new Date(recording.startedAt).toISOString(),
    endedAt: new Date(recording.endedAt).toISOString(),
    scenario: recording.scenario.name,
    ...(m ? { scenarioHash: m.scenarioHash, configHash: m.configHash } : {}),
    mode: recording.mode,
    passed: passed(recording),
    checksPassed: recording.checks.filter((c) => c.passed).length,
    checksTotal: recording.checks.length,
    failures: passed(recording) ? [] : failuresOf(recording),
    rtoMs: analysis.rto.measuredMs ?? null,
    rtoTargetMs: analysis.rto.targetMs ?? null,
    ...(m ? { version: m.version, commit: m.commit, operator: m.operator, account: m.account } : {}),
    trafficDistributionGroup: recording.config.tdg,
  };
}

/** The run history, oldest first; lines that are not a run (edited by hand, cut off) are skipped and counted. */
export async function readRunHistory(path: string): Promise<{ runs: RunSummary[]; skipped: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], skipped: 0 };
    throw error;
  }
  const runs: RunSummary[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<RunSummary>;
      if (
        typeof value.startedAt === 'string' &&
        typeof value.scenario === 'string' &&
        typeof value.passed === 'boolean'
      )
        runs.push(value as RunSummary);
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  return { runs, skipped };
}
