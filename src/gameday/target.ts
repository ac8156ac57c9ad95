/**
 * What a game day acts on and reads from: one interface for both modes, so a scenario runs the same way
 * on the local stack and against AWS.
 * - Alarms: SetAlarmState through the real CloudWatch client (the simulator locally, CloudWatch on AWS).
 * - Operator commands: through the controller's queue, exactly as the CLI sends them.
 * - The controller's view: its store, read as `status` reads it (`buildStatus`).
 * - The split: GetTrafficDistribution through the real Connect client against AWS. On the local stack it
 *   is read from the simulator itself, so the observer neither consumes scripted faults meant for the
 *   controller nor shows up in the controller's attempts.
 * - Faults: only on the local stack, through the simulator's fault API.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { AlarmReading } from '../cloudwatch/alarm-reader.ts';
import { sendOperatorCommand } from '../cli/operator.ts';
import { readPersisted } from '../cli/common.ts';
import { buildStatus } from '../cli/status.ts';
import type { StatusReport } from '../cli/status.ts';
import type { AlarmValue, Config } from '../config/types.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import type { HistoryEntry } from '../controller/document.ts';
import { signalRefs } from '../controller/signal-map.ts';
import type { SignalRef } from '../controller/signal-map.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import type { ConnectSimulator } from '../local/connect-simulator.ts';
import type { FaultPlan } from '../local/connect-faults.ts';
import { AlarmSetter } from './alarm-setter.ts';
import { regionOf } from './scenario-check.ts';
import type { GameDayMode } from './scenario-check.ts';
import type { FaultSpec, OPERATOR_COMMANDS } from './scenario.ts';
import { GameDayRefusedError } from './scenario-errors.ts';

/** The split as Connect reports it. */
export interface SplitReading {
  primaryPercent: number;
  agentsPrimaryPercent: number | undefined;
  /** The group's status when known (local stack); undefined from GetTrafficDistribution alone. */
  tdgStatus: string | undefined;
}

export interface GameDayTarget {
  readonly mode: GameDayMode;
  readonly config: Config;
  /** How often the runner reads the controller's state and the split: 100 ms locally, 1 s against AWS. */
  readonly observeEveryMs: number;
  setAlarm(ref: SignalRef, value: AlarmValue, reason: string, signal: AbortSignal): Promise<void>;
  /** Arms a fault in the Connect simulator. @throws GameDayRefusedError against AWS. */
  injectFault(fault: FaultSpec): void;
  sendCommand(command: (typeof OPERATOR_COMMANDS)[number], reason: string, force: boolean, signal: AbortSignal): Promise<string>;
  readStatus(signal: AbortSignal): Promise<StatusReport>;
  readSplit(signal: AbortSignal): Promise<SplitReading>;
  readAlarms(signal: AbortSignal): Promise<AlarmReading[]>;
  /** The controller's decision log, oldest first. */
  readHistory(signal: AbortSignal): Promise<HistoryEntry[]>;
  close(): Promise<void>;
}

export interface TargetOptions {
  config: Config;
  /** The local stack's Connect simulator: makes this a local target (faults allowed, split read directly). */
  simulator?: ConnectSimulator;
  /** An SQS client for operator commands; default one made for the config's queue. */
  sqs?: SQSClient;
  /** Observation interval, ms; default 100 locally, 1000 against AWS (GetTrafficDistribution has a rate quota). */
  observeEveryMs?: number;
}

/** A target over the SDK clients (and, locally, the simulator). Clients honour `AWS_ENDPOINT_URL_*`. */
export function createTarget(options: TargetOptions): GameDayTarget {
  return new SdkTarget(options);
}

class SdkTarget implements GameDayTarget {
  readonly mode: GameDayMode;
  readonly config: Config;
  readonly observeEveryMs: number;
  readonly #simulator: ConnectSimulator | undefined;
  readonly #alarms = new AlarmSetter();
  readonly #reader = new CloudWatchAlarmReader();
  readonly #sqs: SQSClient;
  readonly #ownSqs: boolean;
  #connect: ConnectTrafficApi | undefined;

  constructor(options: TargetOptions) {
    this.config = options.config;
    this.#simulator = options.simulator;
    this.mode = options.simulator ? 'local' : 'aws';
    this.observeEveryMs = options.observeEveryMs ?? (options.simulator ? 100 : 1_000);
    this.#ownSqs = options.sqs === undefined;
    this.#sqs = options.sqs ?? createSqsClient(options.config.queue);
  }

  async setAlarm(ref: SignalRef, value: AlarmValue, reason: string, signal: AbortSignal): Promise<void> {
    await this.#alarms.set(ref.region, ref.name, value, reason, signal);
  }

  injectFault(fault: FaultSpec): void {
    if (!this.#simulator) throw new GameDayRefusedError('fault injection works only on the local stack (--local)');
    const faults = this.#simulator.faults;
    const region = (text: string | undefined) => (text === undefined ? undefined : (regionOf(text, this.config) ?? text));
    switch (fault.kind) {
      case 'clear':
        faults.clear();
        return;
      case 'regionDown':
      case 'regionUp':
        faults.regionDown(region(fault.region)!, fault.kind === 'regionDown');
        return;
      case 'random': {
        const plan: FaultPlan = { random: { seed: fault.seed, rates: fault.rates, ...(fault.operations ? { operations: fault.operations } : {}) } };
        faults.apply(plan);
        return;
      }
      default: {
        const where = region(fault.region);
        const one = { operation: fault.operation, fault: fault.kind, ...(where ? { region: where } : {}) };
        faults.script(Array.from({ length: fault.count }, () => one));
      }
    }
  }

  async sendCommand(command: (typeof OPERATOR_COMMANDS)[number], reason: string, force: boolean, signal: AbortSignal): Promise<string> {
    const sent = await sendOperatorCommand(this.config, { command, reason, force, by: 'connect-failover gameday' }, { signal, client: this.#sqs });
    return sent.id;
  }

  async readStatus(): Promise<StatusReport> {
    const persisted = await readPersisted(this.config);
    return buildStatus(this.config, persisted, persisted?.location ?? this.config.store.type);
  }

  async readHistory(): Promise<HistoryEntry[]> {
    return (await readPersisted(this.config))?.doc.history ?? [];
  }

  async readSplit(signal: AbortSignal): Promise<SplitReading> {
    const { primary, replica } = this.config.regions;
    if (this.#simulator) {
      const state = this.#simulator.state();
      return { primaryPercent: state.telephony[primary] ?? 0, agentsPrimaryPercent: state.agents[primary], tdgStatus: state.status };
    }
    this.#connect ??= new ConnectTrafficApi({ tdg: this.config.trafficDistributionGroup, regions: this.config.regions });
    let failure: unknown;
    // Like the controller: from the primary, else the replica (the primary's API may be the one that is down).
    for (const region of [primary, replica]) {
      try {
        const split = await this.#connect.get(region, signal);
        return { primaryPercent: split.telephonyPrimaryPercent, agentsPrimaryPercent: split.agentsPrimaryPercent, tdgStatus: undefined };
      } catch (error) {
        if (signal.aborted) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  async readAlarms(signal: AbortSignal): Promise<AlarmReading[]> {
    return this.#reader.read(signalRefs(this.config.signals, this.config.regions), signal);
  }

  async close(): Promise<void> {
    this.#alarms.destroy();
    this.#reader.destroy();
    this.#connect?.destroy();
    if (this.#ownSqs) this.#sqs.destroy();
  }
}
