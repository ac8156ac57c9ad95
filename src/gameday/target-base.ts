/**
 * What both game-day targets do alike, through the real SDK clients (which honour `AWS_ENDPOINT_URL_*`):
 * - Alarms: SetAlarmState (the simulator locally, CloudWatch on AWS), and DescribeAlarms to read them.
 * - Operator commands: through the controller's queue, exactly as the CLI sends them.
 * - The controller's view: its store, read as `status` and `history` read it.
 * The split and faults differ by mode: the subclasses supply them.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { readHistory } from '../app/history.ts';
import { sendOperatorCommand } from '../app/operator-commands.ts';
import { readStatus } from '../app/status.ts';
import type { StatusReport } from '../app/status.ts';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { AlarmReading } from '../cloudwatch/alarm-reader.ts';
import type { AlarmValue, Config } from '../config/types.ts';
import type { HistoryEntry } from '../controller/document.ts';
import { signalRefs } from '../domain/signals.ts';
import type { SignalRef } from '../domain/signals.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientOptions } from '../aws/client-settings.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { AlarmSetter } from './alarm-setter.ts';
import type { GameDayTarget, SplitReading } from './game-day-target.ts';
import type { GameDayMode } from './scenario-check.ts';
import type { FaultSpec, OPERATOR_COMMANDS } from './scenario-types.ts';

/** What every target is built from. */
export interface TargetBaseOptions {
  config: Config;
  /** An SQS client for operator commands; default one made for the config's queue (destroyed on close). */
  sqs?: SQSClient;
  /** Observation interval, ms; each target has its own default. */
  observeEveryMs?: number;
  /** Endpoints and credentials of the clients made here (default: the SDK's standard chain). */
  aws?: AwsClientSettings;
}

/** The shared half of a {@link GameDayTarget}; {@link LocalTarget} and {@link AwsTarget} complete it. */
export abstract class TargetBase implements GameDayTarget {
  abstract readonly mode: GameDayMode;
  readonly config: Config;
  readonly observeEveryMs: number;
  readonly #alarms: AlarmSetter;
  readonly #reader: CloudWatchAlarmReader;
  readonly #sqs: SQSClient;
  readonly #ownSqs: boolean;

  protected constructor(options: TargetBaseOptions, defaultObserveEveryMs: number) {
    this.config = options.config;
    this.observeEveryMs = options.observeEveryMs ?? defaultObserveEveryMs;
    this.#ownSqs = options.sqs === undefined;
    this.#sqs = options.sqs ?? createSqsClient(options.config.queue, clientOptions(options.aws, 'sqs'));
    const cloudwatch = (region: string) =>
      new CloudWatchClient({ region, ...clientOptions(options.aws, 'cloudwatch') });
    this.#alarms = new AlarmSetter(cloudwatch);
    this.#reader = new CloudWatchAlarmReader(cloudwatch);
  }

  abstract injectFault(fault: FaultSpec): void;
  abstract readSplit(signal: AbortSignal): Promise<SplitReading>;

  async setAlarm(ref: SignalRef, value: AlarmValue, reason: string, signal: AbortSignal): Promise<void> {
    await this.#alarms.set(ref.region, ref.name, value, reason, signal);
  }

  async sendCommand(
    command: (typeof OPERATOR_COMMANDS)[number],
    reason: string,
    force: boolean,
    signal: AbortSignal,
  ): Promise<string> {
    const sent = await sendOperatorCommand(
      this.config,
      { command, reason, force, by: 'connect-failover gameday' },
      { signal, client: this.#sqs },
    );
    return sent.id;
  }

  // The store reads take no signal: the runner shares one observation among its waiters, so one waiter
  // giving up must not fail the read the others wait on; a store read is short.
  async readStatus(): Promise<StatusReport> {
    return readStatus(this.config);
  }

  async readHistory(): Promise<HistoryEntry[]> {
    return readHistory(this.config);
  }

  async readAlarms(signal: AbortSignal): Promise<AlarmReading[]> {
    return this.#reader.read(signalRefs(this.config.signals, this.config.regions), signal);
  }

  async close(): Promise<void> {
    this.#alarms.destroy();
    this.#reader.destroy();
    if (this.#ownSqs) this.#sqs.destroy();
  }
}
