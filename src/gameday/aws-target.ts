/**
 * The game-day target against AWS: the split is read with GetTrafficDistribution through the real Connect
 * client, and faults are refused (nobody may script errors into a real Region's API).
 */
import { clientOptions } from '../aws/client-settings.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import type { SplitReading } from './game-day-target.ts';
import { GameDayRefusedError } from './scenario-errors.ts';
import { TargetBase } from './target-base.ts';
import type { TargetBaseOptions } from './target-base.ts';

/**
 * A {@link GameDayTarget} against the user's running controller on AWS; observes every second unless told
 * otherwise (GetTrafficDistribution has a rate quota).
 */
export class AwsTarget extends TargetBase {
  readonly mode = 'aws' as const;
  #connect: ConnectTrafficApi | undefined;
  readonly #aws: TargetBaseOptions['aws'];

  constructor(options: TargetBaseOptions) {
    super(options, 1_000);
    this.#aws = options.aws;
  }

  injectFault(): void {
    throw new GameDayRefusedError('fault injection works only on the local stack (--local)');
  }

  async readSplit(signal: AbortSignal): Promise<SplitReading> {
    const { primary, replica } = this.config.regions;
    this.#connect ??= new ConnectTrafficApi({
      tdg: this.config.trafficDistributionGroup,
      regions: this.config.regions,
      ...clientOptions(this.#aws, 'connect'),
    });
    let failure: unknown;
    // Like the controller: from the primary, else the replica (the primary's API may be the one that is down).
    for (const region of [primary, replica]) {
      try {
        const split = await this.#connect.get(region, signal);
        return {
          primaryPercent: split.telephonyPrimaryPercent,
          agentsPrimaryPercent: split.agentsPrimaryPercent,
          tdgStatus: undefined,
        };
      } catch (error) {
        if (signal.aborted) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  override async close(): Promise<void> {
    await super.close();
    this.#connect?.destroy();
  }
}
