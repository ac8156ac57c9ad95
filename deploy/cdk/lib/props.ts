/**
 * What a deployment is made of (one traffic distribution group, its two Regions) and the checks that run
 * at synth: everything a stack needs is derived here once, so the stacks of both Regions agree on every
 * name and ARN without cross-Region references (which would need an account at synth and custom resources).
 */
import { isRegionCode, parseAlarmArn } from '../../../src/aws/identifiers.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { SIGNAL_ROLES } from '../../../src/domain/signals.ts';
import type { SignalRole } from '../../../src/domain/signals.ts';
import { ConfigError } from '../../../src/errors.ts';
import { parseTrafficDistributionGroupArn, validateRegionPair } from './regions.ts';
import type { TrafficDistributionGroupArn } from './regions.ts';

/** The roles a signal can have, as in the controller config's `signals`. */
export type { SignalRole };

/** An existing network for the controller of one Region. No lookups: everything is given. */
export interface NetworkProps {
  vpcId: string;
  /** Subnets for the task; they need a route to the AWS APIs (NAT gateway, VPC endpoints or public subnets). */
  subnetIds: string[];
  /** Give the task a public IPv4 address (needed in public subnets without NAT). Default false. */
  assignPublicIp?: boolean;
}

/** Size and architecture of each controller task. */
export interface TaskProps {
  /** CPU units. Default 256 (0.25 vCPU): the controller idles on a long poll. */
  cpu?: number;
  /** Memory in MiB. Default 512: peak RSS measured over 1M events is 157 MB. */
  memoryMiB?: number;
  /** Default `X86_64`; `ARM64` is about 20 % cheaper and needs an arm64 (or multi-arch) image. */
  architecture?: 'X86_64' | 'ARM64';
}

/** Everything a deployment of the controller needs. Read from CDK context by `bin/app.ts`. */
export interface ConnectFailoverProps {
  /**
   * Prefix of every physical name (queues, rules, cluster, alarms, log groups): 3–37 characters of a-z, 0-9
   * and `-`. Default `connect-failover-<first 8 hex digits of the TDG id>`, so two TDGs in one account do not collide.
   */
  name?: string;
  /** The TDG's ARN, `arn:aws:connect:<region>:<account>:traffic-distribution-group/<uuid>`. */
  trafficDistributionGroupArn: string;
  /**
   * A Connect Global Resiliency Region pair. The queue, table and alarms live in the replica.
   * `replicaInstance`: the replica Connect instance's ARN; when given, the controller may read its contact
   * flows and modules (preflight's replica-readiness check) and nothing else of it.
   */
  regions: { primary: string; replica: string; replicaInstance?: string };
  /**
   * CloudWatch alarms by role, names or ARNs, exactly as the controller's `signals`: names of degraded and
   * critical alarms are in the primary Region, names of replicaUnhealthy alarms in the replica; an ARN says
   * its own Region (one of the pair, this account).
   */
  signals: { degraded?: string[]; critical: string[]; replicaUnhealthy?: string[] };
  /**
   * Container image: one URI for both Regions, or one per Region. Prefer one per Region (ECR replication):
   * a controller must be able to start while the other Region is down.
   */
  image: string | Record<string, string>;
  /** Per Region, an existing VPC and subnets. Default: a VPC with two public subnets, no NAT gateway. */
  network?: Record<string, NetworkProps>;
  /** The DynamoDB table. Default name: the deployment name; default partition key `pk` (string). */
  table?: { name?: string; partitionKey?: string };
  /** `store.leaseDuration` of the controller config. Default: the controller's (15s). */
  leaseDuration?: string;
  /**
   * More controller config (`traffic`, `timing`, `failback`, `drift`, `http`, `dryRun`). The keys the
   * deployment owns (`trafficDistributionGroup`, `regions`, `queue`, `signals`, `store`) are refused.
   */
  controllerConfig?: Record<string, unknown>;
  /** Name of an SNS topic that exists in both Regions; every alarm notifies it. Default: alarms without actions. */
  alertTopicName?: string;
  /**
   * IAM principals (role or user ARNs) that may assume the operator role. Default: the account, which lets
   * any principal whose own policy allows `sts:AssumeRole` on it.
   */
  operatorPrincipalArns?: string[];
  /**
   * Lets the operator role set the signal alarms' state (`cloudwatch:SetAlarmState`), which a game day
   * against AWS needs (docs/gameday.md). Default false: a production operator cannot fake an alarm.
   */
  allowGameDays?: boolean;
  task?: TaskProps;
  /**
   * The program the container runs, without arguments: the image's ENTRYPOINT, run as `… run` with the
   * config in `CONNECT_FAILOVER_CONFIG_YAML`. Default `["node", "bin/connect-failover.js"]`
   * (`deploy/Dockerfile`, working directory `/opt/connect-failover`).
   */
  containerEntryPoint?: string[];
  /** Retention of the log groups in days; one of CloudWatch Logs' values. Default 30. */
  logRetentionDays?: number;
  /** Receives before a message goes to the dead-letter queue. Default 5 (below 3 `preflight` warns). */
  maxReceiveCount?: number;
}

/** One configured alarm and where it lives. */
export interface AlarmRef {
  role: SignalRole;
  /** As given: a name or an ARN. */
  ref: string;
  region: string;
  name: string;
  /** The ARN when given as one; names get this account's ARN at deploy time. */
  arn: string | undefined;
}

/** Physical names shared by the stacks of both Regions. */
export interface DeploymentNames {
  queue: string;
  deadLetterQueue: string;
  /** EventBridge target DLQ of the rules in each Region (the same name in both). */
  deliveryDeadLetterQueue: string;
  intakeRule: string;
  forwardRule: string;
  cluster: string;
  service: string;
  logGroup: string;
  flowLogGroup: string;
  configParameter: string;
  alarm: (what: string) => string;
}

/** The validated deployment. */
export interface Deployment {
  name: string;
  tdg: TrafficDistributionGroupArn;
  primary: string;
  replica: string;
  /** Primary first. */
  regions: [string, string];
  signals: { degraded: string[]; critical: string[]; replicaUnhealthy: string[] };
  alarms: AlarmRef[];
  images: Record<string, string>;
  network: Record<string, NetworkProps | undefined>;
  tableName: string;
  partitionKey: string;
  leaseDuration: string | undefined;
  /** The replica Connect instance's ARN, when given. */
  replicaInstance: string | undefined;
  controllerConfig: Record<string, unknown>;
  alertTopicName: string | undefined;
  operatorPrincipalArns: string[];
  allowGameDays: boolean;
  task: Required<TaskProps>;
  containerEntryPoint: string[];
  logRetentionDays: number;
  maxReceiveCount: number;
  names: DeploymentNames;
}

/** The keys of the controller config the deployment writes itself. */
export const DEPLOYMENT_OWNED_CONFIG_KEYS = [
  'trafficDistributionGroup',
  'regions',
  'queue',
  'signals',
  'store',
] as const;

/** CloudWatch Logs' retention values, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** Fargate's CPU/memory combinations for the small sizes a controller could use. */
const FARGATE_SIZES: Record<number, readonly number[]> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
};
const NAME = /^[a-z][a-z0-9-]{1,35}[a-z0-9]$/;
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/**
 * Checks the props and derives names and alarm Regions.
 * @throws Error naming the prop path and what is wrong; every problem the controller's own config check
 *   finds in the config the deployment will pass it.
 */
export function resolveDeployment(props: ConnectFailoverProps): Deployment {
  const problems: string[] = [];
  const tdg = parseTrafficDistributionGroupArn(props.trafficDistributionGroupArn);
  const { primary, replica } = props.regions ?? ({} as ConnectFailoverProps['regions']);
  for (const [key, value] of Object.entries({ primary, replica })) {
    if (typeof value !== 'string' || !isRegionCode(value))
      throw new Error(`regions.${key}: "${String(value)}" is not a Region code like us-west-2`);
  }
  validateRegionPair(primary, replica, tdg);

  const name = props.name ?? `connect-failover-${tdg.id.slice(0, 8)}`;
  if (!NAME.test(name))
    problems.push(
      `name: "${name}" must be 3-37 characters of a-z, 0-9 and -, starting with a letter (it prefixes queue, rule and alarm names)`,
    );

  const signals = {
    degraded: props.signals?.degraded ?? [],
    critical: props.signals?.critical ?? [],
    replicaUnhealthy: props.signals?.replicaUnhealthy ?? [],
  };
  const alarms: AlarmRef[] = [];
  const seen = new Map<string, string>();
  for (const role of SIGNAL_ROLES) {
    if (!Array.isArray(signals[role]) || signals[role].some((ref) => typeof ref !== 'string' || ref.length === 0)) {
      problems.push(`signals.${role}: expected a list of alarm names or ARNs`);
      continue;
    }
    for (const ref of signals[role]) {
      const alarm = alarmRef(role, ref, role === 'replicaUnhealthy' ? replica : primary);
      if (typeof alarm === 'string') {
        problems.push(`signals.${role}: ${alarm}`);
        continue;
      }
      if (alarm.region !== primary && alarm.region !== replica) {
        problems.push(
          `signals.${role}: ${ref} is in ${alarm.region}, outside the pair ${primary}/${replica}: no rule would forward its events`,
        );
      }
      if (alarm.arn && parseAlarmArn(alarm.arn)?.accountId !== tdg.account) {
        problems.push(
          `signals.${role}: ${ref} belongs to another account than the TDG (${tdg.account}); its events never reach this account's event buses`,
        );
      }
      const key = `${alarm.region}:${alarm.name}`;
      const earlier = seen.get(key);
      if (earlier)
        problems.push(`signals.${role}: ${ref} is already listed under signals.${earlier}; an alarm has one role`);
      seen.set(key, role);
      alarms.push(alarm);
    }
  }
  if (signals.degraded.length + signals.critical.length === 0) {
    problems.push('signals: at least one degraded or critical alarm is needed, or nothing can ever fail over');
  }

  const images: Record<string, string> = {};
  for (const region of [primary, replica]) {
    const image = typeof props.image === 'string' ? props.image : props.image?.[region];
    if (typeof image !== 'string' || image.length === 0) problems.push(`image: no container image for ${region}`);
    else images[region] = image;
  }
  if (props.image && typeof props.image === 'object') {
    for (const region of Object.keys(props.image)) {
      if (region !== primary && region !== replica)
        problems.push(`image.${region}: not one of the Regions ${primary}, ${replica}`);
    }
  }

  const network: Record<string, NetworkProps | undefined> = {};
  for (const [region, given] of Object.entries(props.network ?? {})) {
    if (region !== primary && region !== replica) {
      problems.push(`network.${region}: not one of the Regions ${primary}, ${replica}`);
      continue;
    }
    if (!/^vpc-[0-9a-f]+$/.test(given.vpcId ?? ''))
      problems.push(`network.${region}.vpcId: "${given.vpcId}" is not a VPC id like vpc-0abc1234`);
    if (
      !Array.isArray(given.subnetIds) ||
      given.subnetIds.length === 0 ||
      given.subnetIds.some((id) => !/^subnet-[0-9a-f]+$/.test(id))
    ) {
      problems.push(`network.${region}.subnetIds: expected one or more subnet ids like subnet-0abc1234`);
    }
    network[region] = given;
  }

  const tableName = props.table?.name ?? name;
  if (!TABLE_NAME.test(tableName))
    problems.push(`table.name: "${tableName}" is not a DynamoDB table name (3-255 characters of a-z, A-Z, 0-9, _ . -)`);
  const partitionKey = props.table?.partitionKey ?? 'pk';
  if (!/^[A-Za-z0-9_.-]{1,255}$/.test(partitionKey))
    problems.push(`table.partitionKey: "${partitionKey}" is not an attribute name`);

  const controllerConfig = props.controllerConfig ?? {};
  for (const key of DEPLOYMENT_OWNED_CONFIG_KEYS) {
    if (key in controllerConfig)
      problems.push(`controllerConfig.${key}: set by the deployment; use the deployment's own props instead`);
  }

  const task = {
    cpu: props.task?.cpu ?? 256,
    memoryMiB: props.task?.memoryMiB ?? 512,
    architecture: props.task?.architecture ?? 'X86_64',
  } as const;
  if (!FARGATE_SIZES[task.cpu]?.includes(task.memoryMiB)) {
    problems.push(
      `task: ${task.cpu} CPU units with ${task.memoryMiB} MiB is not a Fargate size (${Object.entries(FARGATE_SIZES)
        .map(([cpu, mem]) => `${cpu}: ${mem.join('/')}`)
        .join('; ')})`,
    );
  }
  if (task.architecture !== 'X86_64' && task.architecture !== 'ARM64')
    problems.push(`task.architecture: "${String(task.architecture)}" is not X86_64 or ARM64`);

  const containerEntryPoint = props.containerEntryPoint ?? ['node', 'bin/connect-failover.js'];
  if (
    !Array.isArray(containerEntryPoint) ||
    containerEntryPoint.length === 0 ||
    containerEntryPoint.some((part) => typeof part !== 'string' || part === '')
  ) {
    problems.push(
      'containerEntryPoint: expected a non-empty list of strings, like ["node", "bin/connect-failover.js"]',
    );
  }

  const logRetentionDays = props.logRetentionDays ?? 30;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays))
    problems.push(
      `logRetentionDays: ${logRetentionDays} is not one of CloudWatch Logs' values (${LOG_RETENTION_DAYS.join(', ')})`,
    );
  const maxReceiveCount = props.maxReceiveCount ?? 5;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)
    problems.push(`maxReceiveCount: ${maxReceiveCount} is not an integer from 1 to 1000`);

  const operatorPrincipalArns = props.operatorPrincipalArns ?? [];
  for (const arn of operatorPrincipalArns) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/.test(arn))
      problems.push(`operatorPrincipalArns: "${arn}" is not an IAM role or user ARN`);
  }
  if (props.alertTopicName !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(props.alertTopicName)) {
    problems.push(`alertTopicName: "${props.alertTopicName}" is not an SNS topic name`);
  }

  if (problems.length > 0)
    throw new Error(`connect-failover deployment: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);

  const deployment: Deployment = {
    name,
    tdg,
    primary,
    replica,
    regions: [primary, replica],
    signals,
    alarms,
    images,
    network,
    tableName,
    partitionKey,
    replicaInstance: props.regions.replicaInstance,
    leaseDuration: props.leaseDuration,
    controllerConfig,
    alertTopicName: props.alertTopicName,
    operatorPrincipalArns,
    allowGameDays: props.allowGameDays === true,
    task,
    containerEntryPoint,
    logRetentionDays,
    maxReceiveCount,
    names: {
      queue: `${name}-events`,
      deadLetterQueue: `${name}-events-dlq`,
      deliveryDeadLetterQueue: `${name}-delivery-dlq`,
      intakeRule: `${name}-alarms-to-queue`,
      forwardRule: `${name}-alarms-to-${replica}`,
      cluster: name,
      service: `${name}-controller`,
      logGroup: `/connect-failover/${name}/controller`,
      flowLogGroup: `/connect-failover/${name}/vpc-flow-logs`,
      configParameter: `/connect-failover/${name}/config`,
      alarm: (what) => `${name}-ConnectFailover${what}`,
    },
  };
  checkControllerAccepts(deployment);
  return deployment;
}

function alarmRef(role: SignalRole, ref: string, defaultRegion: string): AlarmRef | string {
  if (!ref.startsWith('arn:')) return { role, ref, region: defaultRegion, name: ref, arn: undefined };
  const arn = parseAlarmArn(ref);
  if (!arn || arn.name === '')
    return `"${ref}" is not a CloudWatch alarm ARN like arn:aws:cloudwatch:us-east-1:111122223333:alarm:name`;
  return { role, ref, region: arn.region, name: arn.name, arn: ref };
}

/** Where the deploy-time values go in the controller config; the stacks pass tokens, the synth check placeholders. */
export interface ConfigEnvironment {
  account: string;
  urlSuffix: string;
  /** The operator role's unique id (`AROA…`): its alarm-shaped messages are refused (`queue.alarmSenders.deny`). */
  operatorRoleId: string;
}

/**
 * The config every controller of the deployment runs with (JSON, which is YAML): the deployment's own keys
 * plus `controllerConfig`. The queue URL is built rather than referenced so both Regions' stacks can hold it.
 */
export function controllerConfig(deployment: Deployment, env: ConfigEnvironment): Record<string, unknown> {
  const { replica, names } = deployment;
  return {
    trafficDistributionGroup: deployment.tdg.arn,
    regions: {
      primary: deployment.primary,
      replica,
      ...(deployment.replicaInstance ? { replicaInstance: deployment.replicaInstance } : {}),
    },
    queue: {
      url: `https://sqs.${replica}.${env.urlSuffix}/${env.account}/${names.queue}`,
      region: replica,
      // The queue policy lets the operator role send (commands); only the controller can refuse its alarm events.
      alarmSenders: { deny: [env.operatorRoleId] },
    },
    signals: deployment.signals,
    store: {
      type: 'dynamodb',
      table: deployment.tableName,
      region: replica,
      ...(deployment.leaseDuration === undefined ? {} : { leaseDuration: deployment.leaseDuration }),
    },
    ...deployment.controllerConfig,
  };
}

/**
 * Runs the controller's own config check on the config the deployment will pass it, with the TDG's account
 * standing in for the deploy-time account, so a typo in `controllerConfig` fails the synth, not the task.
 */
function checkControllerAccepts(deployment: Deployment): void {
  const text = JSON.stringify(
    controllerConfig(deployment, {
      account: deployment.tdg.account,
      urlSuffix: 'amazonaws.com',
      operatorRoleId: 'AROAEXAMPLEOPERATORROLE',
    }),
  );
  try {
    parseConfig(text, { file: 'the generated controller config' });
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new Error(`connect-failover deployment: the controller would refuse its config: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
