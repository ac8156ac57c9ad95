import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { addConnectFailover } from '../../deploy/cdk/lib/app.ts';
import { deploymentFromContext } from '../../deploy/cdk/lib/context.ts';
import { resolveDeployment } from '../../deploy/cdk/lib/props.ts';
import type { ConnectFailoverProps } from '../../deploy/cdk/lib/props.ts';
import {
  GLOBAL_RESILIENCY_PAIRS,
  parseTrafficDistributionGroupArn,
  validateRegionPair,
} from '../../deploy/cdk/lib/regions.ts';
import { onlyResourceOf, policyStatements, resourcesOf } from './cfn.ts';
import type { CfnTemplate, PolicyStatement } from './cfn.ts';

process.env.CDK_DISABLE_VERSION_CHECK = '1';

const ACCOUNT = '111122223333';
const UUID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
const tdgIn = (region: string) => `arn:aws:connect:${region}:${ACCOUNT}:traffic-distribution-group/${UUID}`;

/** A valid deployment to vary one prop at a time. */
function props(overrides: Partial<ConnectFailoverProps> = {}): ConnectFailoverProps {
  return {
    trafficDistributionGroupArn: tdgIn('us-east-1'),
    regions: { primary: 'us-east-1', replica: 'us-west-2' },
    signals: { degraded: ['primary-errors'], critical: ['primary-outage'], replicaUnhealthy: ['replica-outage'] },
    image: 'public.ecr.aws/example/connect-failover:0.1.0',
    ...overrides,
  };
}

describe('Connect Global Resiliency Region pairs', () => {
  it.each([
    ['us-east-1', 'us-west-2', 'us-east-1'],
    ['us-west-2', 'us-east-1', 'us-east-1'],
    ['eu-west-2', 'eu-central-1', 'eu-central-1'],
    ['eu-central-1', 'eu-west-2', 'eu-west-2'],
    ['ap-northeast-1', 'ap-northeast-3', 'ap-northeast-1'],
    ['ap-northeast-3', 'ap-northeast-1', 'ap-northeast-1'],
  ])('accepts primary %s with replica %s for a TDG of %s', (primary, replica, home) => {
    expect(() => validateRegionPair(primary, replica, parseTrafficDistributionGroupArn(tdgIn(home)))).not.toThrow();
  });

  it.each([
    [
      'us-east-1',
      'eu-west-2',
      'us-east-1',
      /us-east-1 and eu-west-2 are not a Connect Global Resiliency Region pair; supported pairs: us-east-1 ↔ us-west-2, eu-central-1 ↔ eu-west-2, ap-northeast-1 → ap-northeast-3/,
    ],
    ['us-east-1', 'us-east-2', 'us-east-1', /not a Connect Global Resiliency Region pair/],
    ['us-east-1', 'us-east-1', 'us-east-1', /primary and replica are both us-east-1/],
    [
      'us-east-1',
      'us-west-2',
      'eu-west-2',
      /the TDG's Region eu-west-2 is neither the primary \(us-east-1\) nor the replica \(us-west-2\)/,
    ],
    [
      'ap-northeast-1',
      'ap-northeast-3',
      'ap-northeast-3',
      /belongs to the ap-northeast-1 instance .* but its ARN says ap-northeast-3/,
    ],
  ])('refuses primary %s with replica %s for a TDG of %s, saying why', (primary, replica, home, message) => {
    expect(() => validateRegionPair(primary, replica, parseTrafficDistributionGroupArn(tdgIn(home)))).toThrow(message);
  });

  it('lists each pair once, every Region in one pair only', () => {
    const regions = GLOBAL_RESILIENCY_PAIRS.flatMap((pair) => pair.regions);
    expect(new Set(regions).size).toBe(regions.length);
  });

  it('refuses a bare TDG id or another resource ARN, asking for the TDG ARN', () => {
    expect(() => parseTrafficDistributionGroupArn(UUID)).toThrow(
      /not a traffic distribution group ARN like arn:aws:connect:/,
    );
    expect(() => parseTrafficDistributionGroupArn(`arn:aws:connect:us-east-1:${ACCOUNT}:instance/${UUID}`)).toThrow(
      /traffic distribution group ARN/,
    );
  });

  it('throws at synth for a bad pair, before any stack exists', () => {
    const app = new App();
    expect(() =>
      addConnectFailover(app, props({ regions: { primary: 'us-east-1', replica: 'eu-central-1' } })),
    ).toThrow(/not a Connect Global Resiliency Region pair/);
    expect(app.node.children).toHaveLength(0);
  });
});

describe('deployment props', () => {
  it("derives names from the TDG id, and the alarms' Regions from their role or ARN", () => {
    const deployment = resolveDeployment(
      props({
        signals: {
          critical: ['primary-outage', `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:synthetics-canary`],
          replicaUnhealthy: ['replica-outage'],
        },
      }),
    );
    expect(deployment.name).toBe('connect-failover-2a5bd8f8');
    expect(deployment.names.queue).toBe('connect-failover-2a5bd8f8-events');
    expect(deployment.tableName).toBe('connect-failover-2a5bd8f8');
    expect(deployment.partitionKey).toBe('pk');
    expect(deployment.alarms.map((alarm) => [alarm.role, alarm.region, alarm.name])).toEqual([
      ['critical', 'us-east-1', 'primary-outage'],
      ['critical', 'us-west-2', 'synthetics-canary'],
      ['replicaUnhealthy', 'us-west-2', 'replica-outage'],
    ]);
  });

  it('reports every problem at once, by prop path', () => {
    const call = () =>
      resolveDeployment(
        props({
          name: 'Bad_Name',
          signals: {
            degraded: ['shared-alarm'],
            critical: [
              'shared-alarm',
              `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:elsewhere`,
              'arn:aws:cloudwatch:us-east-1:999999999999:alarm:theirs',
            ],
          },
          image: { 'us-east-1': 'img' },
          task: { cpu: 256, memoryMiB: 4096 },
          controllerConfig: { queue: { url: 'x' } },
          logRetentionDays: 10,
        }),
      );
    expect(call).toThrow(/name: "Bad_Name" must be/);
    expect(call).toThrow(/signals.critical: shared-alarm is already listed under signals.degraded/);
    expect(call).toThrow(/signals.critical: arn:aws:cloudwatch:eu-west-1:.* is in eu-west-1, outside the pair/);
    expect(call).toThrow(
      /signals.critical: arn:aws:cloudwatch:us-east-1:999999999999:alarm:theirs belongs to another account/,
    );
    expect(call).toThrow(/image: no container image for us-west-2/);
    expect(call).toThrow(/task: 256 CPU units with 4096 MiB is not a Fargate size/);
    expect(call).toThrow(/controllerConfig.queue: set by the deployment/);
    expect(call).toThrow(/logRetentionDays: 10 is not one of/);
    expect(call).toThrow(/8 problem\(s\)/);
  });

  it('refuses a deployment that could never fail over', () => {
    expect(() => resolveDeployment(props({ signals: { critical: [], replicaUnhealthy: ['replica-outage'] } }))).toThrow(
      /at least one degraded or critical alarm/,
    );
  });

  it("runs the controller's own config check on the config it will pass, so a typo fails the synth", () => {
    expect(() => resolveDeployment(props({ controllerConfig: { timing: { cooldwn: '2m' } } }))).toThrow(
      /the controller would refuse its config: .*timing\.cooldwn: unknown key/s,
    );
    expect(() => resolveDeployment(props({ controllerConfig: { traffic: { degraded: 55 } } }))).toThrow(
      /traffic\.degraded/,
    );
    expect(
      resolveDeployment(
        props({ controllerConfig: { failback: 'automatic', timing: { maxAutomaticShifts: { count: 3, per: '1h' } } } }),
      ).controllerConfig,
    ).toEqual({
      failback: 'automatic',
      timing: { maxAutomaticShifts: { count: 3, per: '1h' } },
    });
  });
});

describe('a deployment in existing VPCs, on ARM64, with all signals read in the replica and named operators', () => {
  const operator = `arn:aws:iam::${ACCOUNT}:role/oncall`;
  const build = () => {
    const app = new App();
    const stacks = addConnectFailover(
      app,
      props({
        signals: { critical: [`arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:canary-from-replica`] },
        network: {
          'us-east-1': { vpcId: 'vpc-0aaa1111', subnetIds: ['subnet-0aaa1111', 'subnet-0aaa2222'] },
          'us-west-2': { vpcId: 'vpc-0bbb1111', subnetIds: ['subnet-0bbb1111'], assignPublicIp: true },
        },
        task: { cpu: 512, memoryMiB: 1024, architecture: 'ARM64' },
        operatorPrincipalArns: [operator],
        allowGameDays: true,
      }),
      { account: ACCOUNT },
    );
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    const template = (name: string) => assembly.getStackByName(name).template as CfnTemplate;
    return {
      stacks,
      shared: template(stacks.shared.stackName),
      primary: template(stacks.controllers['us-east-1']!.stackName),
      replica: template(stacks.controllers['us-west-2']!.stackName),
    };
  };
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  });

  it('creates no network, runs in the given subnets, with a public IP only where asked, and passes cdk-nag', () => {
    for (const [template, region, subnets, publicIp] of [
      [built.primary, 'us-east-1', ['subnet-0aaa1111', 'subnet-0aaa2222'], 'DISABLED'],
      [built.replica, 'us-west-2', ['subnet-0bbb1111'], 'ENABLED'],
    ] as const) {
      expect(resourcesOf(template, 'AWS::EC2::VPC', region)).toEqual([]);
      expect(resourcesOf(template, 'AWS::EC2::FlowLog', region)).toEqual([]);
      const service = onlyResourceOf(template, 'AWS::ECS::Service', region);
      expect(service.Properties!.NetworkConfiguration).toMatchObject({
        AwsvpcConfiguration: { Subnets: subnets, AssignPublicIp: publicIp },
      });
      expect(onlyResourceOf(template, 'AWS::EC2::SecurityGroup', region).Properties!.VpcId).toBe(
        region === 'us-east-1' ? 'vpc-0aaa1111' : 'vpc-0bbb1111',
      );
      const definition = onlyResourceOf(template, 'AWS::ECS::TaskDefinition', region);
      expect(definition.Properties).toMatchObject({
        Cpu: '512',
        Memory: '1024',
        RuntimePlatform: { CpuArchitecture: 'ARM64' },
      });
    }
    expect(built.stacks.shared.environment).toBe(`aws://${ACCOUNT}/us-west-2`);
  });

  it('forwards nothing from the primary when no signal lives there', () => {
    expect(resourcesOf(built.primary, 'AWS::Events::Rule', 'us-east-1')).toEqual([]);
    expect(resourcesOf(built.primary, 'AWS::SQS::Queue', 'us-east-1')).toEqual([]);
    expect(onlyResourceOf(built.shared, 'AWS::Events::Rule', 'us-west-2').Properties!.EventPattern).toMatchObject({
      resources: [`arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:canary-from-replica`],
    });
  });

  it("lets only the named principals assume the operator role, and set the signals' state for game days when asked", () => {
    const role = resourcesOf(built.shared, 'AWS::IAM::Role', 'us-west-2').find((r) => r.id.startsWith('OperatorRole'))!;
    expect((role.Properties!.AssumeRolePolicyDocument as { Statement: PolicyStatement[] }).Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: operator } },
    ]);
    const gameDay = policyStatements(built.shared, 'us-west-2').filter(
      (s) => s.kind === 'identity' && s.Sid === 'DriveSignalsForGameDays',
    );
    expect(gameDay).toEqual([
      expect.objectContaining({
        Action: 'cloudwatch:SetAlarmState',
        Resource: `arn:aws:cloudwatch:us-west-2:${ACCOUNT}:alarm:canary-from-replica`,
      }),
    ]);
  });

  it('leaves the alarms without actions when no alert topic is named', () => {
    const alarms = resourcesOf(built.shared, 'AWS::CloudWatch::Alarm', 'us-west-2');
    expect(alarms.length).toBeGreaterThan(5);
    for (const alarm of alarms) expect(alarm.Properties!.AlarmActions).toBeUndefined();
  });

  it('pulls a public image with no ECR permission at all', () => {
    const executionStatements = policyStatements(built.replica, 'us-west-2').filter(
      (s) => s.where.startsWith('TaskDefinitionExecutionRole') && s.kind === 'identity',
    );
    expect(executionStatements.flatMap((s) => s.Action)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

describe('the deployment from CDK context (bin/app.ts)', () => {
  const example = props();

  it('reads the props from an object, a JSON string or a file, with -c image overriding the image', () => {
    expect(deploymentFromContext(new App({ context: { connectFailover: example } }).node).props).toEqual(example);
    expect(
      deploymentFromContext(new App({ context: { connectFailover: JSON.stringify(example) } }).node).props,
    ).toEqual(example);
    const files: string[] = [];
    const fromFile = deploymentFromContext(
      new App({ context: { connectFailoverFile: 'mine.json', image: 'registry/image@sha256:abc' } }).node,
      (path) => {
        files.push(path);
        return JSON.stringify(example);
      },
    );
    expect(files).toEqual([expect.stringMatching(/\/mine\.json$/)]);
    expect(fromFile.props).toEqual({ ...example, image: 'registry/image@sha256:abc' });
    expect(fromFile.account).toBeUndefined();
    expect(
      deploymentFromContext(new App({ context: { connectFailover: example, account: ACCOUNT } }).node).account,
    ).toBe(ACCOUNT);
  });

  it('says which context to set, and what is wrong with it', () => {
    expect(() => deploymentFromContext(new App().node)).toThrow(/no deployment given: set context connectFailoverFile/);
    expect(() => deploymentFromContext(new App({ context: { connectFailover: '{oops' } }).node)).toThrow(
      /context connectFailover: not valid JSON/,
    );
    expect(() =>
      deploymentFromContext(new App({ context: { connectFailoverFile: 'missing.json' } }).node, () => {
        throw new Error('ENOENT');
      }),
    ).toThrow(/cannot read .*missing\.json: ENOENT \(copy deploy\/cdk\/deployment\.example\.json/);
    expect(() => deploymentFromContext(new App({ context: { connectFailover: example, account: '12' } }).node)).toThrow(
      /"12" is not a 12-digit account id/,
    );
  });
});
