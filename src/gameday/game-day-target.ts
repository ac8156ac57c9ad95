/**
 * What a game day acts on and reads from: one interface, two implementations chosen once where the game
 * day is assembled (`LocalTarget` on the embedded stack, `AwsTarget` against AWS), so a scenario runs the
 * same way in both modes.
 */
import type { StatusReport } from '../app/status.ts';
import type { AlarmReading } from '../cloudwatch/alarm-reader.ts';
import type { AlarmValue, Config } from '../config/types.ts';
import type { HistoryEntry } from '../controller/document.ts';
import type { SignalRef } from '../domain/signals.ts';
import type { GameDayMode } from './scenario-check.ts';
import type { FaultSpec, OPERATOR_COMMANDS } from './scenario-types.ts';

/** The split as Connect reports it. */
export interface SplitReading {
  primaryPercent: number;
  agentsPrimaryPercent: number | undefined;
  /** The group's status when known (local stack); undefined from GetTrafficDistribution alone. */
  tdgStatus: string | undefined;
}

/** The world a scenario drives and observes. */
export interface GameDayTarget {
  readonly mode: GameDayMode;
  readonly config: Config;
  /** How often the runner reads the controller's state and the split: 100 ms locally, 1 s against AWS. */
  readonly observeEveryMs: number;
  setAlarm(ref: SignalRef, value: AlarmValue, reason: string, signal: AbortSignal): Promise<void>;
  /** Arms a fault in the Connect simulator. @throws GameDayRefusedError against AWS. */
  injectFault(fault: FaultSpec): void;
  /** Sends an operator command as the CLI does; resolves to the command's id. */
  sendCommand(
    command: (typeof OPERATOR_COMMANDS)[number],
    reason: string,
    force: boolean,
    signal: AbortSignal,
  ): Promise<string>;
  /** The controller's view, as `status` shows it. */
  readStatus(signal: AbortSignal): Promise<StatusReport>;
  readSplit(signal: AbortSignal): Promise<SplitReading>;
  readAlarms(signal: AbortSignal): Promise<AlarmReading[]>;
  /** The controller's decision log, oldest first. */
  readHistory(signal: AbortSignal): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}
