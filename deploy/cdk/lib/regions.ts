/**
 * Amazon Connect Global Resiliency Region pairs and the traffic distribution group's ARN: checked at synth,
 * so a deployment that Connect would refuse (or that would forward alarms to the wrong Region) never reaches
 * CloudFormation.
 */
import {
  isAccountId,
  isRegionCode,
  parseTrafficDistributionGroupArn as parseTdgArn,
} from '../../../src/aws/identifiers.ts';

/**
 * The Region pairs Connect Global Resiliency links, as the Connect admin guide lists them ("Set up Connect
 * Customer Global Resiliency"): a replica can be created in the other Region of a pair. Tokyo → Osaka is one-way:
 * only a Tokyo instance can be replicated, so a Tokyo/Osaka TDG always belongs to the Tokyo instance.
 */
export const GLOBAL_RESILIENCY_PAIRS: readonly {
  readonly regions: readonly [string, string];
  readonly sourceOnly?: string;
}[] = [
  { regions: ['us-east-1', 'us-west-2'] },
  { regions: ['eu-central-1', 'eu-west-2'] },
  { regions: ['ap-northeast-1', 'ap-northeast-3'], sourceOnly: 'ap-northeast-1' },
];

/** The parts of a TDG ARN the deployment needs. */
export interface TrafficDistributionGroupArn {
  arn: string;
  partition: string;
  /** The TDG's home Region: the Region of the instance it was created for. */
  region: string;
  account: string;
  /** The UUID: the `Controller` dimension of the heartbeat metrics. */
  id: string;
}

/** @throws Error naming the expected shape when `arn` is not a TDG ARN. */
export function parseTrafficDistributionGroupArn(arn: string): TrafficDistributionGroupArn {
  const parts = parseTdgArn(arn);
  if (!parts || !parts.partition.startsWith('aws') || !isRegionCode(parts.region) || !isAccountId(parts.accountId)) {
    throw new Error(
      `trafficDistributionGroupArn: "${arn}" is not a traffic distribution group ARN like ` +
        'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11 ' +
        '(the controller needs the ARN, not the bare id, to call Connect from the replica Region)',
    );
  }
  return { arn, partition: parts.partition, region: parts.region, account: parts.accountId, id: parts.id };
}

const describePairs = (): string =>
  GLOBAL_RESILIENCY_PAIRS.map((pair) =>
    pair.sourceOnly ? `${pair.regions[0]} → ${pair.regions[1]}` : `${pair.regions[0]} ↔ ${pair.regions[1]}`,
  ).join(', ');

/**
 * Checks that `primary` and `replica` are a Connect Global Resiliency pair and that the TDG lives in one of
 * them (the instance it belongs to can only be the source of a one-way pair).
 * @throws Error with the supported pairs when they are not.
 */
export function validateRegionPair(primary: string, replica: string, tdg: TrafficDistributionGroupArn): void {
  if (primary === replica)
    throw new Error(`regions: primary and replica are both ${primary}; a traffic distribution group spans two Regions`);
  const pair = GLOBAL_RESILIENCY_PAIRS.find(
    (candidate) => candidate.regions.includes(primary) && candidate.regions.includes(replica),
  );
  if (!pair) {
    throw new Error(
      `regions: ${primary} and ${replica} are not a Connect Global Resiliency Region pair; supported pairs: ${describePairs()}`,
    );
  }
  if (tdg.region !== primary && tdg.region !== replica) {
    throw new Error(
      `trafficDistributionGroupArn: the TDG's Region ${tdg.region} is neither the primary (${primary}) nor the replica (${replica})`,
    );
  }
  if (pair.sourceOnly && tdg.region !== pair.sourceOnly) {
    throw new Error(
      `trafficDistributionGroupArn: a ${pair.regions.join('/')} TDG belongs to the ${pair.sourceOnly} instance ` +
        `(only ${pair.sourceOnly} instances can be replicated to ${pair.regions.find((r) => r !== pair.sourceOnly)}), but its ARN says ${tdg.region}`,
    );
  }
}
