/**
 * The game-day target on the embedded local stack: faults are armed through the Connect simulator's fault
 * API, and the split is read from the simulator itself, so the observer neither consumes scripted faults
 * meant for the controller nor shows up in the controller's Connect calls.
 */
import type { FaultPlan } from '../local/connect-faults.ts';
import type { ConnectSimulator } from '../local/connect-simulator.ts';
import type { SplitReading } from './game-day-target.ts';
import { regionOf } from './scenario-check.ts';
import type { FaultSpec } from './scenario-types.ts';
import { TargetBase } from './target-base.ts';
import type { TargetBaseOptions } from './target-base.ts';

export interface LocalTargetOptions extends TargetBaseOptions {
  /** The local stack's Connect simulator. */
  simulator: ConnectSimulator;
}

/** A {@link GameDayTarget} on the local stack; observes every 100 ms unless told otherwise. */
export class LocalTarget extends TargetBase {
  readonly mode = 'local' as const;
  readonly #simulator: ConnectSimulator;

  constructor(options: LocalTargetOptions) {
    super(options, 100);
    this.#simulator = options.simulator;
  }

  injectFault(fault: FaultSpec): void {
    const faults = this.#simulator.faults;
    const region = (text: string | undefined) =>
      text === undefined ? undefined : (regionOf(text, this.config) ?? text);
    switch (fault.kind) {
      case 'clear':
        faults.clear();
        return;
      case 'regionDown':
      case 'regionUp':
        faults.regionDown(region(fault.region)!, fault.kind === 'regionDown');
        return;
      case 'random': {
        const plan: FaultPlan = {
          random: {
            seed: fault.seed,
            rates: fault.rates,
            ...(fault.operations ? { operations: fault.operations } : {}),
          },
        };
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

  async readSplit(): Promise<SplitReading> {
    const state = this.#simulator.state();
    const { primary } = this.config.regions;
    return {
      primaryPercent: state.telephony[primary] ?? 0,
      agentsPrimaryPercent: state.agents[primary],
      tdgStatus: state.status,
    };
  }
}
