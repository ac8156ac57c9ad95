/**
 * The recorded month (`test/fixtures/alarm-history/connect-2026-10.json`, see the README beside it) and the
 * contract's example config, prepared the way `backtest` prepares them.
 */
import { readFile } from 'node:fs/promises';
import { parseAlarmHistory } from '../../src/backtest/history-format.ts';
import type { AlarmHistory } from '../../src/backtest/history-format.ts';
import type { ReplayInput } from '../../src/backtest/replay.ts';
import { signalChanges } from '../../src/backtest/signal-changes.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { policyOf } from '../../src/domain/policy.ts';

export const HISTORY_FIXTURE = 'test/fixtures/alarm-history/connect-2026-10.json';
export const CONFIG_FIXTURE = 'test/fixtures/config/contract-example.yaml';

/** Epoch ms of an ISO time, for readable expectations. */
export const t = (iso: string): number => Date.parse(iso);

export async function exampleConfig(edit: (text: string) => string = (text) => text): Promise<Config> {
  return parseConfig(edit(await readFile(CONFIG_FIXTURE, 'utf8'))).config;
}

export async function recordedMonth(): Promise<AlarmHistory> {
  return parseAlarmHistory(await readFile(HISTORY_FIXTURE, 'utf8'), HISTORY_FIXTURE);
}

/** The replay input `backtest --history` builds from the fixture for `config`. */
export async function monthInput(
  config: Config,
  operatorAfterMs: number | null = config.timing.recoverAfterMs,
): Promise<ReplayInput> {
  const matched = signalChanges((await recordedMonth()).changes, config.signals);
  return {
    policy: policyOf(config),
    start: matched.span!.from,
    recordedUntil: matched.span!.to,
    initial: matched.initial,
    changes: matched.changes,
    operatorAfterMs,
  };
}
