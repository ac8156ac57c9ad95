/**
 * One Region's controller: an ECS Fargate service running one task (the two Regions' tasks are the
 * leader/standby pair on the shared table), its roles, network and logs, and, outside the replica Region,
 * the rule that forwards this Region's alarm events to the replica's default event bus.
 */
import { ArnFormat, Duration, Fn, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  acknowledge,
  ALARM_EVENT_DETAIL_TYPE,
  ALARM_EVENT_SOURCE,
  HEARTBEAT_NAMESPACE,
  alarmArn,
  allowRuleToSend,
  deadLettersAlarm,
  encryptedQueue,
  eventBusTarget,
  failedInvocationsAlarm,
} from './common.ts';
import { CONFIG_TEXT_ENV_VAR } from '../../../src/config/load.ts';
import { controllerConfig } from './props.ts';
import type { Deployment } from './props.ts';

/**
 * The environment variable that carries the config text into the task: the controller reads it when no
 * config file is named (`CONNECT_FAILOVER_CONFIG_YAML`), so the container writes nothing before it starts
 * and runs with a read-only root filesystem. The text is in the task definition, so changing it rolls the
 * service (an SSM parameter read at start would not).
 */
export const CONFIG_TEXT_VARIABLE = CONFIG_TEXT_ENV_VAR;

export interface ControllerStackProps extends StackProps {
  deployment: Deployment;
  /** The Region of this stack (also `env.region`). */
  region: string;
  /** The shared stack's operator role's unique id (a reference across Regions for the primary's stack). */
  operatorRoleId: string;
}

export class ControllerStack extends Stack {
  readonly service: ecs.FargateService;
  readonly taskRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The rule forwarding this Region's alarm events to the replica; absent in the replica Region. */
  readonly forwardRule: events.Rule | undefined;
  readonly deliveryDeadLetterQueue: sqs.Queue | undefined;
  private pullsFromEcr = false;

  constructor(scope: Construct, id: string, props: ControllerStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: props.region } });
    const { deployment, region } = props;
    const { names, replica } = deployment;

    const network = this.network(deployment, region);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: names.logGroup,
      retention: deployment.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.taskRole = new iam.Role(this, 'TaskRole', {
      description: `connect-failover ${deployment.name}: the controller in ${region}`,
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({ service: 'ecs', resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME }),
          },
        },
      }),
    });
    this.grantController(deployment);
    acknowledge(
      this.taskRole,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData has no resource type; the statement is limited to the ConnectFailover namespace by the cloudwatch:namespace condition.',
    );
    if (deployment.replicaInstance) {
      for (const kind of ['contact-flow', 'flow-module']) {
        acknowledge(
          this.taskRole,
          `AwsSolutions-IAM5[Resource::${deployment.replicaInstance}/${kind}/*]`,
          `Describe${kind === 'contact-flow' ? 'ContactFlow' : 'ContactFlowModule'} on every ${kind} of the replica instance alone: preflight reads them all, read only, to find references to the primary Region.`,
        );
      }
    }

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: names.cluster,
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.DISABLED,
    });
    acknowledge(
      cluster,
      'AwsSolutions-ECS4',
      'One small task per Region: the controller publishes its own heartbeat, health and shift metrics, alarmed in the replica Region; Container Insights would add per-task custom metrics and cost for nothing the alarms use.',
    );
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: names.service,
      cpu: deployment.task.cpu,
      memoryLimitMiB: deployment.task.memoryMiB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture:
          deployment.task.architecture === 'ARM64' ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
      },
      taskRole: this.taskRole,
    });
    taskDefinition.addContainer('Controller', {
      containerName: 'controller',
      image: this.image(deployment.images[region]!),
      entryPoint: deployment.containerEntryPoint,
      command: ['run'],
      environment: {
        [CONFIG_TEXT_VARIABLE]: this.toJsonString(
          controllerConfig(deployment, {
            account: this.account,
            urlSuffix: this.urlSuffix,
            operatorRoleId: props.operatorRoleId,
          }),
        ),
        NODE_ENV: 'production',
      },
      // The program writes nothing but stdout (its state is in DynamoDB): the image runs read-only.
      readonlyRootFilesystem: true,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'controller',
        // A slow CloudWatch Logs must not block the controller's stdout, and so its decisions: every
        // decision is also kept in the store's history.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(8),
      }),
      // SIGTERM finishes the work in flight, saves and releases the lease within about 10 s.
      stopTimeout: Duration.seconds(30),
      essential: true,
    });
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds the controller config (ARNs, names, Regions; no secret) and its path; in the task definition, a config change makes a new revision and rolls the service.',
    );

    if (this.pullsFromEcr && taskDefinition.executionRole) {
      acknowledge(
        taskDefinition.executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource type (the pull actions themselves are granted on the one repository).',
      );
    }

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: names.service,
      cluster,
      taskDefinition,
      // One task per Region: the two Regions' tasks are the leader and its standby. A deploy starts the new
      // task (a standby) before stopping the old one, which hands the lease over as it stops.
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      assignPublicIp: network.assignPublicIp,
      vpcSubnets: network.subnets,
      securityGroups: [network.securityGroup],
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: false,
    });

    const local = deployment.alarms.filter((alarm) => alarm.region === region);
    if (region !== replica && local.length > 0) {
      this.deliveryDeadLetterQueue = encryptedQueue(this, 'DeliveryDeadLetterQueue', {
        queueName: names.deliveryDeadLetterQueue,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(
        this.deliveryDeadLetterQueue,
        'AwsSolutions-SQS3',
        "It is a dead-letter queue: the forward rule target's DeadLetterConfig (cdk-nag recognises only redrive-policy DLQs).",
      );
      const replicaBus = this.formatArn({
        service: 'events',
        region: replica,
        resource: 'event-bus',
        resourceName: 'default',
      });
      // Built from the rule's name, not taken from the rule: the rule refers to the role, so the role cannot refer back.
      const forwardRuleArn = this.formatArn({ service: 'events', resource: 'rule', resourceName: names.forwardRule });
      const role = new iam.Role(this, 'ForwardRole', {
        description: `connect-failover ${deployment.name}: forward ${region} alarm events to ${replica}`,
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnEquals: { 'aws:SourceArn': forwardRuleArn },
          },
        }),
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PutOnReplicaDefaultBus',
          actions: ['events:PutEvents'],
          resources: [replicaBus],
        }),
      );
      this.forwardRule = new events.Rule(this, 'ForwardRule', {
        ruleName: names.forwardRule,
        description: `connect-failover ${deployment.name}: ${region} alarm state changes to the ${replica} default bus (and so its queue)`,
        eventPattern: {
          source: [ALARM_EVENT_SOURCE],
          detailType: [ALARM_EVENT_DETAIL_TYPE],
          resources: local.map((alarm) => alarmArn(this, alarm)),
        },
        targets: [eventBusTarget(replicaBus, role, this.deliveryDeadLetterQueue)],
      });
      allowRuleToSend(this.deliveryDeadLetterQueue, this.forwardRule, 'UndeliveredEventsFromTheForwardRule');
      failedInvocationsAlarm(
        this,
        'ForwardFailedInvocationsAlarm',
        this.forwardRule,
        names.alarm('ForwardFailedInvocations'),
        deployment,
      );
      deadLettersAlarm(
        this,
        'UndeliveredEventsAlarm',
        this.deliveryDeadLetterQueue,
        names.alarm('UndeliveredForwardedEvents'),
        `EventBridge could not forward ${region} alarm events to ${replica}; the controller still reads alarms itself (timing.alarmPoll)`,
        deployment,
      );
    }
  }

  /** What the controller's code calls, on exactly its resources (README "Running on AWS", IAM). */
  private grantController(deployment: Deployment): void {
    const { replica, names } = deployment;
    const statements = [
      new iam.PolicyStatement({
        sid: 'ShiftAndVerifyTraffic',
        actions: [
          'connect:UpdateTrafficDistribution',
          'connect:GetTrafficDistribution',
          'connect:DescribeTrafficDistributionGroup',
        ],
        resources: [deployment.tdg.arn],
      }),
      // Preflight's replica-readiness check reads the replica instance's flows and modules, and which
      // Lambda functions and Lex bots are associated with it; read only, on that instance alone.
      ...(deployment.replicaInstance
        ? [
            new iam.PolicyStatement({
              sid: 'ReadReplicaFlows',
              actions: [
                'connect:ListContactFlows',
                'connect:ListContactFlowModules',
                'connect:ListLambdaFunctions',
                'connect:ListBots',
              ],
              resources: [deployment.replicaInstance],
            }),
            new iam.PolicyStatement({
              sid: 'DescribeReplicaFlows',
              actions: ['connect:DescribeContactFlow', 'connect:DescribeContactFlowModule'],
              resources: [
                `${deployment.replicaInstance}/contact-flow/*`,
                `${deployment.replicaInstance}/flow-module/*`,
              ],
            }),
          ]
        : []),
      new iam.PolicyStatement({
        sid: 'ReadSignals',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: deployment.alarms.map((alarm) => alarmArn(this, alarm)),
      }),
      // PutMetricData has no resource type: the namespace condition is the only way to narrow it.
      new iam.PolicyStatement({
        sid: 'PublishHeartbeat',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': HEARTBEAT_NAMESPACE } },
      }),
      new iam.PolicyStatement({
        sid: 'ConsumeQueue',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [
          this.formatArn({
            service: 'sqs',
            region: replica,
            resource: names.queue,
            arnFormat: ArnFormat.NO_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'StateAndLease',
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:DescribeTable',
        ],
        resources: [
          this.formatArn({
            service: 'dynamodb',
            region: replica,
            resource: 'table',
            resourceName: deployment.tableName,
          }),
        ],
      }),
    ];
    for (const statement of statements) this.taskRole.addToPolicy(statement);
  }

  /** A private ECR URI gets pull rights on its repository alone; anything else is pulled as a public image. */
  private image(uri: string): ecs.ContainerImage {
    const ecrUri =
      /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::([\w.-]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(
        uri,
      );
    if (!ecrUri) return ecs.ContainerImage.fromRegistry(uri);
    const [, account, region, repository, tag, digest] = ecrUri as unknown as [
      string,
      string,
      string,
      string,
      string | undefined,
      string | undefined,
    ];
    const repositoryArn = this.formatArn({
      service: 'ecr',
      account,
      region,
      resource: 'repository',
      resourceName: repository,
    });
    const image = ecs.ContainerImage.fromEcrRepository(
      ecr.Repository.fromRepositoryAttributes(this, 'Repository', { repositoryArn, repositoryName: repository }),
      digest ?? tag ?? 'latest',
    );
    this.pullsFromEcr = true;
    return image;
  }

  private network(
    deployment: Deployment,
    region: string,
  ): {
    vpc: ec2.IVpc;
    subnets: ec2.SubnetSelection;
    securityGroup: ec2.SecurityGroup;
    assignPublicIp: boolean;
  } {
    const given = deployment.network[region];
    let vpc: ec2.IVpc;
    let subnets: ec2.SubnetSelection;
    if (given) {
      // Only the VPC id is used (security group); the service names its subnets, so the AZs stay unresolved.
      vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: given.vpcId, availabilityZones: Fn.getAzs() });
      subnets = {
        subnets: given.subnetIds.map((subnetId) => ec2.Subnet.fromSubnetId(this, `Subnet-${subnetId}`, subnetId)),
      };
    } else {
      const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
        logGroupName: deployment.names.flowLogGroup,
        retention: deployment.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const flowLogRole = new iam.Role(this, 'FlowLogRole', {
        description: `connect-failover ${deployment.name}: VPC flow logs to CloudWatch Logs`,
        assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnLike: {
              'aws:SourceArn': this.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }),
            },
          },
        }),
      });
      // Public subnets and no NAT gateway: a NAT gateway would cost more than both tasks together; the task
      // has no inbound rule, only HTTPS out to the AWS APIs.
      vpc = new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr('10.80.0.0/24'),
        maxAzs: 2,
        natGateways: 0,
        subnetConfiguration: [
          { name: 'controller', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26, mapPublicIpOnLaunch: false },
        ],
        // Nothing uses the default security group; locking it down takes a Lambda-backed custom resource.
        restrictDefaultSecurityGroup: false,
        flowLogs: {
          all: {
            destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup, flowLogRole),
            trafficType: ec2.FlowLogTrafficType.ALL,
          },
        },
      });
      subnets = { subnetType: ec2.SubnetType.PUBLIC };
    }
    const securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: `connect-failover ${deployment.name} controller: no inbound; HTTPS out to AWS APIs`,
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over HTTPS');
    return { vpc, subnets, securityGroup, assignPublicIp: given ? (given.assignPublicIp ?? false) : true };
  }
}
