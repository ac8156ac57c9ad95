import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnectFailover } from '../../deploy/cdk/lib/app.ts';
import type { ConnectFailoverStacks } from '../../deploy/cdk/lib/app.ts';
import { CONFIG_TEXT_VARIABLE } from '../../deploy/cdk/lib/controller-stack.ts';
import type { ConnectFailoverProps } from '../../deploy/cdk/lib/props.ts';
import { loadConfigFrom, parseConfig, resolveConfigSource } from '../../src/config/load.ts';
import { actionsOf, onlyResourceOf, policyStatements, resolve, resourcesOf, resourcesOfStatement } from './cfn.ts';
import type { CfnTemplate, PolicyStatement } from './cfn.ts';

process.env.CDK_DISABLE_VERSION_CHECK = '1';

const PRIMARY = 'us-east-1';
const REPLICA = 'us-west-2';
const ACCOUNT = '111122223333';
const TDG = `arn:aws:connect:${PRIMARY}:${ACCOUNT}:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11`;
/** The example deployment's replica Connect instance (deployment.example.json). */
const INSTANCE = `arn:aws:connect:${REPLICA}:${ACCOUNT}:instance/9f3c2a1e-5b7d-4c8e-a1f2-3d4e5f6a7b8c`;
const NAME = 'connect-failover-2a5bd8f8';
const QUEUE_ARN = `arn:aws:sqs:${REPLICA}:${ACCOUNT}:${NAME}-events`;
const TABLE_ARN = `arn:aws:dynamodb:${REPLICA}:${ACCOUNT}:table/${NAME}`;
const alarm = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;
const PRIMARY_ALARMS = [alarm(PRIMARY, 'connect-primary-elevated-errors'), alarm(PRIMARY, 'connect-primary-outage')];
const ALL_ALARMS = [...PRIMARY_ALARMS, alarm(REPLICA, 'connect-replica-outage')];

let outdir: string;
let stacks: ConnectFailoverStacks;
let app: App;
const templates: Record<'shared' | 'primary' | 'replica', CfnTemplate> = {} as never;
const regionOf = { shared: REPLICA, primary: PRIMARY, replica: REPLICA } as const;

beforeAll(async () => {
  // Prepare: the example deployment the README starts from, with cdk-nag as `bin/app.ts` runs it.
  const example = JSON.parse(await readFile('deploy/cdk/deployment.example.json', 'utf8')) as ConnectFailoverProps;
  outdir = await mkdtemp(join(tmpdir(), 'connect-failover-cdk-'));
  app = new App({ outdir });
  stacks = addConnectFailover(app, example);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  templates.shared = assembly.getStackByName(stacks.shared.stackName).template as CfnTemplate;
  templates.primary = assembly.getStackByName(stacks.controllers[PRIMARY]!.stackName).template as CfnTemplate;
  templates.replica = assembly.getStackByName(stacks.controllers[REPLICA]!.stackName).template as CfnTemplate;
});

afterAll(async () => {
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

const statementsOf = (which: keyof typeof templates) => policyStatements(templates[which], regionOf[which]);
const allStatements = () =>
  (['shared', 'primary', 'replica'] as const).flatMap((which) =>
    statementsOf(which).map((s) => ({ ...s, stack: which })),
  );
const identityStatementsOfRole = (which: keyof typeof templates, rolePrefix: string) => {
  const policies = resourcesOf(templates[which], 'AWS::IAM::Policy', regionOf[which]).filter((policy) =>
    (policy.Properties!.Roles as string[]).some((role) => role.startsWith(`<${rolePrefix}`)),
  );
  return policies.flatMap(
    (policy) => (policy.Properties!.PolicyDocument as { Statement: PolicyStatement[] }).Statement,
  );
};
const simplify = (statements: PolicyStatement[]) =>
  statements.map((s) => ({
    Sid: s.Sid,
    Action: actionsOf(s),
    Resource: resourcesOfStatement(s),
    ...(s.Condition ? { Condition: s.Condition } : {}),
  }));

/**
 * Whether an explicit Deny of `statement` applies to a request, with IAM's rule for the negated operators:
 * a key missing from the request makes `ArnNotEquals`/`StringNotEquals` true.
 */
function denies(statement: PolicyStatement, request: Record<string, string | undefined>): boolean {
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => {
      const actual = request[key];
      const values = Array.isArray(expected) ? expected : [expected];
      if (operator === 'ArnNotEquals' || operator === 'StringNotEquals')
        return actual === undefined || !values.includes(actual);
      if (operator === 'ArnEquals' || operator === 'StringEquals')
        return actual !== undefined && values.includes(actual);
      throw new Error(`operator ${operator} not modelled`);
    }),
  );
}

describe('the CDK app (deploy/cdk) with the example deployment', () => {
  it('synthesizes a shared stack in the replica Region and a controller stack per Region, with no account and no lookups', () => {
    expect(stacks.shared.region).toBe(REPLICA);
    expect(Object.keys(stacks.controllers)).toEqual([PRIMARY, REPLICA]);
    expect(stacks.controllers[PRIMARY]!.region).toBe(PRIMARY);
    for (const stack of [stacks.shared, ...Object.values(stacks.controllers)])
      expect(stack.environment).toMatch(/^aws:\/\/unknown-account\//);
    expect(app.synth().manifest.missing ?? []).toEqual([]);
    expect(stacks.controllers[PRIMARY]!.dependencies).toContain(stacks.shared);
  });

  it('passes cdk-nag AwsSolutions checks with only these acknowledged findings, each with its reason', () => {
    const acknowledged: string[] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          if (!id.startsWith('Annotation::AwsSolutions-')) continue;
          expect(reason.length, `${construct.node.path} ${id}`).toBeGreaterThan(60);
          acknowledged.push(`${construct.node.path.replace(NAME, '')} ${id.replace('Annotation::', '')}`);
        }
      }
    }
    const instance = INSTANCE;
    const perController = (region: string) => [
      `-controller-${region}/TaskRole AwsSolutions-IAM5[Resource::*]`,
      `-controller-${region}/TaskRole AwsSolutions-IAM5[Resource::${instance}/contact-flow/*]`,
      `-controller-${region}/TaskRole AwsSolutions-IAM5[Resource::${instance}/flow-module/*]`,
      `-controller-${region}/Cluster AwsSolutions-ECS4`,
      `-controller-${region}/TaskDefinition AwsSolutions-ECS2`,
      `-controller-${region}/TaskDefinition/ExecutionRole AwsSolutions-IAM5[Resource::*]`,
    ];
    expect(acknowledged.sort()).toEqual(
      [
        '-shared/DeliveryDeadLetterQueue AwsSolutions-SQS3',
        ...perController(PRIMARY),
        `-controller-${PRIMARY}/DeliveryDeadLetterQueue AwsSolutions-SQS3`,
        ...perController(REPLICA),
      ].sort(),
    );
  });

  it('fails the synth when a resource breaks an AwsSolutions rule', () => {
    const other = new App({ outdir: join(outdir, 'nag-check') });
    const stack = new Stack(other, 'Bad', { env: { region: REPLICA } });
    new sqs.Queue(stack, 'PlainQueue');
    Validations.of(other).addPlugins(new AwsSolutionsChecks(other));
    expect(() => other.synth()).toThrow(/AwsSolutions-SQS/);
  });
});

describe('shared stack (replica Region)', () => {
  it('keeps events on an SSE-SQS queue whose dead-letter queue takes a message after 5 receives', () => {
    const queues = resourcesOf(templates.shared, 'AWS::SQS::Queue', REPLICA);
    const byName = Object.fromEntries(queues.map((queue) => [queue.Properties!.QueueName as string, queue]));
    expect(Object.keys(byName).sort()).toEqual([`${NAME}-delivery-dlq`, `${NAME}-events`, `${NAME}-events-dlq`]);
    for (const queue of queues) expect(queue.Properties!.SqsManagedSseEnabled, queue.id).toBe(true);
    const events = byName[`${NAME}-events`]!;
    const dlq = byName[`${NAME}-events-dlq`]!;
    expect(events.Properties!.RedrivePolicy).toEqual({ deadLetterTargetArn: `<${dlq.id}.Arn>`, maxReceiveCount: 5 });
    expect(events.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(60);
    expect(dlq.Properties!.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('refuses plain HTTP on every queue of every stack', () => {
    for (const which of ['shared', 'primary'] as const) {
      const queues = resourcesOf(templates[which], 'AWS::SQS::Queue', regionOf[which]);
      expect(queues.length).toBeGreaterThan(0);
      for (const queue of queues) {
        const deny = statementsOf(which).find(
          (s) =>
            s.kind === 'resource' &&
            s.Effect === 'Deny' &&
            s.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
            s.Resource === `<${queue.id}.Arn>`,
        );
        expect(deny, `${which} ${queue.id}`).toBeDefined();
      }
    }
  });

  it('keeps state in an on-demand table keyed by a pk string, with PITR and deletion protection, never deleted with the stack', () => {
    const table = onlyResourceOf(templates.shared, 'AWS::DynamoDB::Table', REPLICA);
    expect(table.Properties).toMatchObject({
      TableName: NAME,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('puts state changes of exactly the configured alarms of both Regions on the queue, retrying for an hour into a DLQ', () => {
    const rule = onlyResourceOf(templates.shared, 'AWS::Events::Rule', REPLICA);
    expect(rule.Properties!.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: ALL_ALARMS,
    });
    expect(rule.Properties!.EventBusName).toBeUndefined();
    const queues = resourcesOf(templates.shared, 'AWS::SQS::Queue', REPLICA);
    const id = (name: string) => queues.find((q) => q.Properties!.QueueName === name)!.id;
    expect(rule.Properties!.Targets).toEqual([
      {
        Id: 'Target0',
        Arn: `<${id(`${NAME}-events`)}.Arn>`,
        DeadLetterConfig: { Arn: `<${id(`${NAME}-delivery-dlq`)}.Arn>` },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
      },
    ]);
  });

  it('lets only the intake rule send alarm events and only the operator role send commands', () => {
    const rule = onlyResourceOf(templates.shared, 'AWS::Events::Rule', REPLICA);
    const role = resourcesOf(templates.shared, 'AWS::IAM::Role', REPLICA).find((r) => r.id.startsWith('OperatorRole'))!;
    const queue = resourcesOf(templates.shared, 'AWS::SQS::Queue', REPLICA).find(
      (q) => q.Properties!.QueueName === `${NAME}-events`,
    )!;
    const onQueue = statementsOf('shared').filter((s) => s.kind === 'resource' && s.Resource === `<${queue.id}.Arn>`);
    const sends = onQueue.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    const allows = sends.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Condition: { ArnEquals: { 'aws:SourceArn': `<${rule.id}.Arn>` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    });
    const deny = sends.find((s) => s.Effect === 'Deny')!;
    expect(deny.Principal).toEqual({ AWS: '*' });
    const roleArn = `<${role.id}.Arn>`;
    // Assess: the Deny spares exactly the two senders, whoever else an identity policy lets send.
    expect(denies(deny, { 'aws:SourceArn': `<${rule.id}.Arn>`, 'aws:PrincipalArn': undefined })).toBe(false);
    expect(denies(deny, { 'aws:SourceArn': undefined, 'aws:PrincipalArn': roleArn })).toBe(false);
    expect(denies(deny, { 'aws:SourceArn': undefined, 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/admin` })).toBe(
      true,
    );
    expect(
      denies(deny, {
        'aws:SourceArn': `arn:aws:events:${REPLICA}:${ACCOUNT}:rule/other`,
        'aws:PrincipalArn': undefined,
      }),
    ).toBe(true);
    expect(
      denies(deny, { 'aws:SourceArn': `arn:aws:sns:${REPLICA}:${ACCOUNT}:topic`, 'aws:PrincipalArn': undefined }),
    ).toBe(true);
  });

  it('gives the operator role commands and reads, and nothing that writes the state or the split', () => {
    const role = resourcesOf(templates.shared, 'AWS::IAM::Role', REPLICA).find((r) => r.id.startsWith('OperatorRole'))!;
    expect((role.Properties!.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
    ]);
    const parameter = onlyResourceOf(templates.shared, 'AWS::SSM::Parameter', REPLICA);
    expect(simplify(identityStatementsOfRole('shared', 'OperatorRole'))).toEqual([
      {
        Sid: 'SendCommands',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        Resource: expect.arrayContaining([expect.stringMatching(/^<EventQueue.*\.Arn>$/)]),
      },
      {
        Sid: 'ReadState',
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
        Resource: [expect.stringMatching(/^<StateTable.*\.Arn>$/)],
      },
      {
        Sid: 'ReadTraffic',
        Action: ['connect:GetTrafficDistribution', 'connect:DescribeTrafficDistributionGroup'],
        Resource: [TDG],
      },
      { Sid: 'ReadAlarms', Action: ['cloudwatch:DescribeAlarms'], Resource: ALL_ALARMS },
      {
        Sid: 'ReadConfig',
        Action: ['ssm:GetParameter'],
        Resource: [`arn:aws:ssm:${REPLICA}:${ACCOUNT}:parameter<${parameter.id}>`],
      },
    ]);
  });

  it('alarms in the replica Region when the heartbeat goes missing, a shift keeps failing, or an event or message dead-letters', () => {
    const alarms = Object.fromEntries(
      resourcesOf(templates.shared, 'AWS::CloudWatch::Alarm', REPLICA).map((a) => [
        (a.Properties!.AlarmName as string).replace(`${NAME}-`, ''),
        a.Properties!,
      ]),
    );
    const page = [`arn:aws:sns:${REPLICA}:${ACCOUNT}:oncall-page`];
    const controller = [{ Name: 'Controller', Value: '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11' }];
    expect(alarms.ConnectFailoverHeartbeatMissing).toMatchObject({
      Namespace: 'ConnectFailover',
      MetricName: 'Heartbeat',
      Dimensions: controller,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: page,
      OKActions: page,
    });
    expect(alarms.ConnectFailoverShiftFailing).toMatchObject({
      Namespace: 'ConnectFailover',
      MetricName: 'ShiftFailing',
      Dimensions: controller,
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: page,
    });
    expect(alarms.ConnectFailoverAutomationSuspended).toMatchObject({
      MetricName: 'AutomationSuspended',
      Dimensions: controller,
    });
    expect(alarms.ConnectFailoverFailedOver).toMatchObject({
      MetricName: 'HealthState',
      Threshold: 2,
      Dimensions: controller,
    });
    const queues = resourcesOf(templates.shared, 'AWS::SQS::Queue', REPLICA);
    const queueName = (name: string) => `<${queues.find((q) => q.Properties!.QueueName === name)!.id}.QueueName>`;
    expect(alarms.ConnectFailoverDeadLetters).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName(`${NAME}-events-dlq`) }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: page,
    });
    expect(alarms.ConnectFailoverUndeliveredEvents).toMatchObject({
      Dimensions: [{ Name: 'QueueName', Value: queueName(`${NAME}-delivery-dlq`) }],
    });
    expect(alarms.ConnectFailoverIntakeFailedInvocations).toMatchObject({
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: expect.stringMatching(/^<IntakeRule/) }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('controller stacks (one per Region)', () => {
  const configOf = (which: 'primary' | 'replica') => {
    const definition = onlyResourceOf(templates[which], 'AWS::ECS::TaskDefinition', regionOf[which]);
    const [container] = definition.Properties!.ContainerDefinitions as Array<{
      Environment: Array<{ Name: string; Value: string }>;
    }>;
    return container!.Environment.find((variable) => variable.Name === CONFIG_TEXT_VARIABLE)!.Value;
  };
  /** The operator role's unique id, as the deploy resolves each stack's token for it. */
  const ROLE_ID = 'AROAEXAMPLEOPERATOR01';
  /**
   * The config text with the operator role id's token (a GetAtt in the shared stack, an import in the
   * replica's, a cross-Region export in the primary's) replaced by the id the deploy puts there.
   */
  const deployed = (text: string) => {
    const token = /"alarmSenders":\{"deny":\["(<[^"]*>)"\]\}/.exec(text)?.[1];
    expect(token, 'the deny entry is a token').toBeDefined();
    expect(token).toMatch(/OperatorRole\w*[.]?RoleId/);
    return text.replace(token!, ROLE_ID);
  };

  it('runs one Fargate task per Region, a new one started before the old one stops', () => {
    for (const which of ['primary', 'replica'] as const) {
      const service = onlyResourceOf(templates[which], 'AWS::ECS::Service', regionOf[which]);
      expect(service.Properties).toMatchObject({
        DesiredCount: 1,
        LaunchType: 'FARGATE',
        ServiceName: `${NAME}-controller`,
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
      });
      const definition = onlyResourceOf(templates[which], 'AWS::ECS::TaskDefinition', regionOf[which]);
      expect(definition.Properties).toMatchObject({ Cpu: '256', Memory: '512', RequiresCompatibilities: ['FARGATE'] });
      expect(definition.Properties!.TaskRoleArn).toMatch(/^<TaskRole.*\.Arn>$/);
      const [container] = definition.Properties!.ContainerDefinitions as Array<Record<string, unknown>>;
      expect(container!.Image).toBe(`${ACCOUNT}.dkr.ecr.${regionOf[which]}.amazonaws.com/connect-failover:0.1.0`);
      expect(container!.LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: { 'awslogs-region': regionOf[which] },
      });
    }
  });

  it('gives both controllers the same config, on the shared queue and table, which the controller accepts', () => {
    const text = deployed(configOf('primary'));
    expect(deployed(configOf('replica'))).toBe(text);
    const parameter = onlyResourceOf(templates.shared, 'AWS::SSM::Parameter', REPLICA);
    expect(deployed(parameter.Properties!.Value as string)).toBe(text);
    const { config } = parseConfig(text);
    expect(config.trafficDistributionGroup.arn).toBe(TDG);
    expect(config.regions).toEqual({ primary: PRIMARY, replica: REPLICA });
    // The queue policy lets the operator role send commands; the controller refuses its alarm events.
    expect(config.queue).toEqual({
      url: `https://sqs.${REPLICA}.amazonaws.com/${ACCOUNT}/${NAME}-events`,
      region: REPLICA,
      alarmSenders: { deny: [ROLE_ID] },
    });
    expect(config.store).toEqual({
      type: 'dynamodb',
      table: NAME,
      region: REPLICA,
      leaseDurationMs: 15_000,
      key: TDG.slice(TDG.lastIndexOf('/') + 1),
    });
    expect(config.signals).toEqual({
      degraded: ['connect-primary-elevated-errors'],
      critical: ['connect-primary-outage'],
      replicaUnhealthy: ['connect-replica-outage'],
    });
  });

  it('starts the program with its config in CONNECT_FAILOVER_CONFIG_YAML, on a read-only root filesystem, writing no file first', () => {
    for (const which of ['primary', 'replica'] as const) {
      const definition = onlyResourceOf(templates[which], 'AWS::ECS::TaskDefinition', regionOf[which]);
      const [container] = definition.Properties!.ContainerDefinitions as Array<{
        EntryPoint: string[];
        Command: string[];
        Environment: Array<{ Name: string; Value: string }>;
        ReadonlyRootFilesystem?: boolean;
      }>;
      expect(container!.EntryPoint).toEqual(['node', 'bin/connect-failover.js']);
      expect(container!.Command).toEqual(['run']);
      expect(container!.ReadonlyRootFilesystem).toBe(true);
      expect(CONFIG_TEXT_VARIABLE).toBe('CONNECT_FAILOVER_CONFIG_YAML');
      expect(container!.Environment.map((variable) => variable.Name).sort()).toEqual([
        'CONNECT_FAILOVER_CONFIG_YAML',
        'NODE_ENV',
      ]);
    }
  });

  it('hands the controller a config it reads from the environment alone (no -c, no file variable)', async () => {
    const source = resolveConfigSource(undefined, { [CONFIG_TEXT_VARIABLE]: deployed(configOf('primary')) });
    const { config } = await loadConfigFrom(source);
    expect(config.store).toMatchObject({ type: 'dynamodb', table: NAME, region: REPLICA });
  });

  it('grants each controller exactly what it calls, on exactly its resources', () => {
    for (const which of ['primary', 'replica'] as const) {
      expect(simplify(identityStatementsOfRole(which, 'TaskRole'))).toEqual([
        {
          Sid: 'ShiftAndVerifyTraffic',
          Action: [
            'connect:UpdateTrafficDistribution',
            'connect:GetTrafficDistribution',
            'connect:DescribeTrafficDistributionGroup',
          ],
          Resource: [TDG],
        },
        {
          Sid: 'ReadReplicaFlows',
          Action: [
            'connect:ListContactFlows',
            'connect:ListContactFlowModules',
            'connect:ListLambdaFunctions',
            'connect:ListBots',
          ],
          Resource: [INSTANCE],
        },
        {
          Sid: 'DescribeReplicaFlows',
          Action: ['connect:DescribeContactFlow', 'connect:DescribeContactFlowModule'],
          Resource: [`${INSTANCE}/contact-flow/*`, `${INSTANCE}/flow-module/*`],
        },
        { Sid: 'ReadSignals', Action: ['cloudwatch:DescribeAlarms'], Resource: ALL_ALARMS },
        {
          Sid: 'PublishHeartbeat',
          Action: ['cloudwatch:PutMetricData'],
          Resource: ['*'],
          Condition: { StringEquals: { 'cloudwatch:namespace': 'ConnectFailover' } },
        },
        {
          Sid: 'ConsumeQueue',
          Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
          Resource: [QUEUE_ARN],
        },
        {
          Sid: 'StateAndLease',
          Action: [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:Query',
            'dynamodb:DescribeTable',
          ],
          Resource: [TABLE_ARN],
        },
      ]);
      const role = resourcesOf(templates[which], 'AWS::IAM::Role', regionOf[which]).find((r) =>
        r.id.startsWith('TaskRole'),
      )!;
      expect((role.Properties!.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:ecs:${regionOf[which]}:${ACCOUNT}:*` },
          },
        },
      ]);
    }
    // The ARNs the controller stacks build must be the resources the shared stack creates.
    const queueNames = resourcesOf(templates.shared, 'AWS::SQS::Queue', REPLICA).map((q) => q.Properties!.QueueName);
    expect(queueNames).toContain(QUEUE_ARN.split(':').at(-1));
    expect(onlyResourceOf(templates.shared, 'AWS::DynamoDB::Table', REPLICA).Properties!.TableName).toBe(
      TABLE_ARN.split('/').at(-1),
    );
  });

  it('grants every AWS operation the controller code sends, and never SendMessage', async () => {
    const granted = new Set(
      identityStatementsOfRole('replica', 'TaskRole').flatMap((s) => actionsOf(s).map((a) => a.toLowerCase())),
    );
    const called = await operationsCalled();
    expect(called).toEqual(
      expect.arrayContaining(['cloudwatch:DescribeAlarms', 'connect:UpdateTrafficDistribution', 'sqs:ReceiveMessage']),
    );
    for (const action of called) expect(granted, `the controller calls ${action}`).toContain(action.toLowerCase());
    expect(granted).not.toContain('sqs:sendmessage');
  });

  it('forwards the primary alarms to the replica default bus through a role only that rule can use, into a DLQ on failure', () => {
    expect(resourcesOf(templates.replica, 'AWS::Events::Rule', REPLICA)).toEqual([]);
    const rule = onlyResourceOf(templates.primary, 'AWS::Events::Rule', PRIMARY);
    expect(rule.Properties!.Name).toBe(`${NAME}-alarms-to-${REPLICA}`);
    expect(rule.Properties!.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      resources: PRIMARY_ALARMS,
    });
    const dlq = onlyResourceOf(templates.primary, 'AWS::SQS::Queue', PRIMARY);
    const role = resourcesOf(templates.primary, 'AWS::IAM::Role', PRIMARY).find((r) => r.id.startsWith('ForwardRole'))!;
    const replicaBus = `arn:aws:events:${REPLICA}:${ACCOUNT}:event-bus/default`;
    expect(rule.Properties!.Targets).toEqual([
      { Id: 'Target0', Arn: replicaBus, RoleArn: `<${role.id}.Arn>`, DeadLetterConfig: { Arn: `<${dlq.id}.Arn>` } },
    ]);
    expect((role.Properties!.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnEquals: {
            'aws:SourceArn': `arn:aws:events:${PRIMARY}:${ACCOUNT}:rule/${rule.Properties!.Name as string}`,
          },
        },
      },
    ]);
    expect(simplify(identityStatementsOfRole('primary', 'ForwardRole'))).toEqual([
      { Sid: 'PutOnReplicaDefaultBus', Action: ['events:PutEvents'], Resource: [replicaBus] },
    ]);
    const dlqSenders = statementsOf('primary').filter(
      (s) => s.kind === 'resource' && s.Effect === 'Allow' && s.Resource === `<${dlq.id}.Arn>`,
    );
    expect(dlqSenders).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: expect.objectContaining({ ArnEquals: { 'aws:SourceArn': `<${rule.id}.Arn>` } }),
      }),
    ]);

    const alarms = resourcesOf(templates.primary, 'AWS::CloudWatch::Alarm', PRIMARY).map((a) => a.Properties!);
    expect(alarms).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: 'FailedInvocations',
          Dimensions: [{ Name: 'RuleName', Value: `<${rule.id}>` }],
          AlarmActions: [`arn:aws:sns:${PRIMARY}:${ACCOUNT}:oncall-page`],
        }),
        expect.objectContaining({
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: `<${dlq.id}.QueueName>` }],
        }),
      ]),
    );
    expect(alarms).toHaveLength(2);
  });

  it('keeps 30 days of logs per Region and lets the task out on HTTPS only, with nothing in', () => {
    for (const which of ['primary', 'replica'] as const) {
      const groups = resourcesOf(templates[which], 'AWS::Logs::LogGroup', regionOf[which]);
      expect(groups.map((g) => [g.Properties!.LogGroupName, g.Properties!.RetentionInDays]).sort()).toEqual([
        [`/connect-failover/${NAME}/controller`, 30],
        [`/connect-failover/${NAME}/vpc-flow-logs`, 30],
      ]);
      const group = onlyResourceOf(templates[which], 'AWS::EC2::SecurityGroup', regionOf[which]);
      expect(group.Properties!.SecurityGroupIngress).toBeUndefined();
      expect(group.Properties!.SecurityGroupEgress).toEqual([
        { CidrIp: '0.0.0.0/0', Description: 'AWS APIs over HTTPS', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
      ]);
      expect(resourcesOf(templates[which], 'AWS::EC2::NatGateway', regionOf[which])).toEqual([]);
      expect(onlyResourceOf(templates[which], 'AWS::EC2::FlowLog', regionOf[which]).Properties).toMatchObject({
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
      });
    }
  });
});

describe('IAM across the whole app', () => {
  /** The only `*` resources: actions with no resource type in the Service Authorization Reference (README lists them). */
  const NO_RESOURCE_TYPE = new Set(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);

  it('allows no * action, and a * resource only for actions that have no narrower form', () => {
    const allows = allStatements().filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(10);
    for (const statement of allows) {
      for (const action of actionsOf(statement)) expect(action, statement.where).not.toContain('*');
      // The replica instance's flows and modules: the narrowest form is every one of that instance.
      const ofTheInstance = resourcesOfStatement(statement).every(
        (r) => typeof r === 'string' && r.startsWith(`${INSTANCE}/`) && /\/(contact-flow|flow-module)\/\*$/.test(r),
      );
      // CDK's cross-Region reference (the operator role id for the primary's config): its deploy-time
      // functions keep the exported values as SSM parameters under /cdk/exports/ in the consuming Region.
      const ofCdkExports = resourcesOfStatement(statement).every(
        (r) => typeof r === 'string' && r.startsWith(`arn:aws:ssm:${PRIMARY}:${ACCOUNT}:parameter/cdk/exports/`),
      );
      if (
        !ofTheInstance &&
        !ofCdkExports &&
        resourcesOfStatement(statement).some((resource) => typeof resource === 'string' && resource.includes('*'))
      ) {
        expect(
          actionsOf(statement).every((action) => NO_RESOURCE_TYPE.has(action)),
          `${statement.stack} ${statement.where} ${JSON.stringify(statement.Action)}`,
        ).toBe(true);
        expect(resourcesOfStatement(statement)).toEqual(['*']);
      }
      expect(statement.Principal, statement.where).not.toEqual('*');
      expect(statement.Principal, statement.where).not.toEqual({ AWS: '*' });
    }
    const putMetricData = allows.filter((s) => actionsOf(s).includes('cloudwatch:PutMetricData'));
    expect(putMetricData.length).toBe(2);
    for (const statement of putMetricData)
      expect(statement.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'ConnectFailover' } });
  });

  it('conditions every trust of a service principal on this account, except the ECS execution role', () => {
    const trusts = allStatements().filter(
      (s) => s.kind === 'trust' && typeof s.Principal === 'object' && 'Service' in (s.Principal as object),
    );
    const unconditioned = trusts
      .filter((s) => s.Condition?.StringEquals?.['aws:SourceAccount'] !== ACCOUNT)
      .map((s) => `${s.stack} ${s.where}`);
    // Besides the execution roles: the roles of CDK's own cross-Region reference functions (deploy time only).
    expect(unconditioned.sort()).toEqual([
      expect.stringMatching(/^primary CustomCrossRegionExportReaderCustomResourceProviderRole/),
      expect.stringMatching(/^primary TaskDefinitionExecutionRole/),
      expect.stringMatching(/^replica TaskDefinitionExecutionRole/),
      expect.stringMatching(/^shared CustomCrossRegionExportWriterCustomResourceProviderRole/),
    ]);
    expect(trusts.length).toBeGreaterThanOrEqual(7);
  });
});

/**
 * Every AWS operation the controller's own code sends, as an IAM action. The CLI-only paths are left out:
 * operator commands (SendMessage) and `init-store`, whose work (create the table, turn on PITR) the stack does.
 */
async function operationsCalled(): Promise<string[]> {
  const notTheController = new Set([
    'sqs:SendMessage',
    'dynamodb:CreateTable',
    'dynamodb:UpdateContinuousBackups',
    'dynamodb:DescribeContinuousBackups',
    'dynamodb:UpdateTimeToLive',
    'dynamodb:DescribeTimeToLive',
    'dynamodb:TagResource',
  ]);
  const documentClient: Record<string, string> = {
    Get: 'GetItem',
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    BatchGet: 'BatchGetItem',
    BatchWrite: 'BatchWriteItem',
    TransactGet: 'TransactGetItems',
    TransactWrite: 'TransactWriteItems',
  };
  const found = new Set<string>();
  for (const dir of [
    'src/connect',
    'src/cloudwatch',
    'src/intake',
    'src/controller',
    'src/observability',
    'src/preflight',
    'src/store',
  ]) {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(join(dir, file), 'utf8');
      const packageOf = new Map<string, string>();
      for (const [, names, pkg] of source.matchAll(
        /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[\w-]+|lib-dynamodb)'/g,
      )) {
        for (const name of names!.split(',').map((n) => n.trim().split(/\s+as\s+/)[0]!))
          if (name) packageOf.set(name, pkg!);
      }
      for (const [, name] of source.matchAll(/new (\w+)Command\(/g)) {
        const pkg = packageOf.get(`${name}Command`);
        if (!pkg) continue;
        const service = pkg === 'lib-dynamodb' ? 'dynamodb' : pkg.replace('client-', '');
        const operation = pkg === 'lib-dynamodb' ? (documentClient[name!] ?? name!) : name!.replace(/Batch$/, '');
        const action = `${service}:${operation}`;
        if (!notTheController.has(action)) found.add(action);
      }
    }
  }
  return [...found].sort();
}

// The intrinsic resolver is what every assertion above stands on.
describe('resolve (test helper)', () => {
  it('joins pseudo parameters and names resources like a deploy to the example account would', () => {
    expect(
      resolve(
        {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':q'],
          ],
        },
        REPLICA,
      ),
    ).toBe(`arn:aws:sqs:${REPLICA}:${ACCOUNT}:q`);
    expect(resolve({ 'Fn::GetAtt': ['Queue1', 'Arn'] }, REPLICA)).toBe('<Queue1.Arn>');
  });
});
