/** The whole deployment of one traffic distribution group: the replica's shared stack and a controller stack per Region. */
import type { Construct } from 'constructs';
import { ControllerStack } from './controller-stack.ts';
import { resolveDeployment } from './props.ts';
import type { ConnectFailoverProps, Deployment } from './props.ts';
import { SharedStack } from './shared-stack.ts';

export interface ConnectFailoverStacks {
  deployment: Deployment;
  /** In the replica Region. */
  shared: SharedStack;
  /** By Region: the primary's first. */
  controllers: Record<string, ControllerStack>;
}

export interface ConnectFailoverOptions {
  /**
   * Pins every stack to this account (the TDG's). Default: account-agnostic stacks, deployed to the account
   * of the credentials in use (which must be the TDG's).
   */
  account?: string;
}

/**
 * Adds the stacks to `scope` (an App): `<name>-shared` in the replica Region, `<name>-controller-<region>`
 * in each Region. The controller stacks are deployed after the shared one, whose queue and table they use.
 * @throws Error when the props are not a deployment that could work (bad Region pair, unknown keys, …).
 */
export function addConnectFailover(
  scope: Construct,
  props: ConnectFailoverProps,
  options: ConnectFailoverOptions = {},
): ConnectFailoverStacks {
  const deployment = resolveDeployment(props);
  const env = (region: string) => ({ region, ...(options.account ? { account: options.account } : {}) });
  const description = (what: string) => `connect-failover ${deployment.name} (${deployment.tdg.arn}): ${what}`;
  const shared = new SharedStack(scope, `${deployment.name}-shared`, {
    deployment,
    env: env(deployment.replica),
    crossRegionReferences: true,
    description: description('queue, table, intake rule, operator role and alarms'),
  });
  const controllers: Record<string, ControllerStack> = {};
  for (const region of deployment.regions) {
    const stack = new ControllerStack(scope, `${deployment.name}-controller-${region}`, {
      deployment,
      region,
      operatorRoleId: shared.operatorRole.roleId,
      env: env(region),
      crossRegionReferences: true,
      description: description(`controller in ${region}`),
    });
    stack.addStackDependency(shared, 'the controller consumes the shared queue and table');
    controllers[region] = stack;
  }
  return { deployment, shared, controllers };
}
