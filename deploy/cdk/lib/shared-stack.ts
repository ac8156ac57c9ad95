/**
 * The replica Region's shared pieces: the queue and its DLQ, the state table, the rule that puts alarm
 * events (this Region's, and those the primary forwards to this Region's default bus) on the queue, the
 * operator role, and the alarms on the controller itself. They live in the replica because that is the
 * Region that must keep working when the primary fails.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  acknowledge,
  ALARM_EVENT_DETAIL_TYPE,
  ALARM_EVENT_SOURCE,
  HEARTBEAT_DIMENSION,
  HEARTBEAT_NAMESPACE,
  alarmArn,
  allowRuleToSend,
  deadLettersAlarm,
  encryptedQueue,
  failedInvocationsAlarm,
  notify,
  queueTarget,
} from './common.ts';
import { controllerConfig } from './props.ts';
import type { Deployment } from './props.ts';

export interface SharedStackProps extends StackProps {
  deployment: Deployment;
}

/** Deployed in `deployment.replica`. */
export class SharedStack extends Stack {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deliveryDeadLetterQueue: sqs.Queue;
  readonly table: dynamodb.Table;
  readonly intakeRule: events.Rule;
  readonly operatorRole: iam.Role;
  readonly configParameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const { names } = deployment;

    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue', {
      queueName: names.deadLetterQueue,
      retentionPeriod: Duration.days(14),
    });
    this.queue = encryptedQueue(this, 'EventQueue', {
      queueName: names.queue,
      // A message is deleted once its state is saved, and the controller extends the visibility of the
      // messages in hand every 10 s; 120 s leaves room for a slow store without redelivering.
      visibilityTimeout: Duration.seconds(120),
      retentionPeriod: Duration.days(4),
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: deployment.maxReceiveCount },
    });
    this.deliveryDeadLetterQueue = encryptedQueue(this, 'DeliveryDeadLetterQueue', {
      queueName: names.deliveryDeadLetterQueue,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deliveryDeadLetterQueue,
      'AwsSolutions-SQS3',
      "It is a dead-letter queue: the intake rule target's DeadLetterConfig (cdk-nag recognises only redrive-policy DLQs).",
    );

    // Matching on `resources` (the alarm's ARN) rather than the name: an alarm of the same name in the other
    // Region or account is another alarm. Forwarded events keep their source, Region and resources.
    this.intakeRule = new events.Rule(this, 'IntakeRule', {
      ruleName: names.intakeRule,
      description: `connect-failover ${deployment.name}: state changes of the controller's alarms (both Regions) to its queue`,
      eventPattern: {
        source: [ALARM_EVENT_SOURCE],
        detailType: [ALARM_EVENT_DETAIL_TYPE],
        resources: deployment.alarms.map((alarm) => alarmArn(this, alarm)),
      },
      targets: [queueTarget(this.queue, this.deliveryDeadLetterQueue)],
    });
    allowRuleToSend(this.queue, this.intakeRule, 'AlarmEventsFromTheIntakeRule');
    allowRuleToSend(this.deliveryDeadLetterQueue, this.intakeRule, 'UndeliveredEventsFromTheIntakeRule');

    this.operatorRole = new iam.Role(this, 'OperatorRole', {
      description: `connect-failover ${deployment.name}: send operator commands, read state (status, history, preflight)`,
      assumedBy:
        deployment.operatorPrincipalArns.length > 0
          ? new iam.CompositePrincipal(...deployment.operatorPrincipalArns.map((arn) => new iam.ArnPrincipal(arn)))
          : new iam.AccountRootPrincipal(),
      maxSessionDuration: Duration.hours(1),
    });

    // Identity policies in the account could grant SendMessage around an Allow; only a Deny in the queue's
    // own policy makes "alarm events come from the intake rule, commands from operators" hold. A missing
    // aws:SourceArn or aws:PrincipalArn counts as "not equal", so each sender passes by exactly one key.
    this.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheIntakeRuleAndOperatorsSend',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: {
          ArnNotEquals: { 'aws:SourceArn': this.intakeRule.ruleArn, 'aws:PrincipalArn': this.operatorRole.roleArn },
        },
      }),
    );

    this.table = new dynamodb.Table(this, 'StateTable', {
      tableName: deployment.tableName,
      partitionKey: { name: deployment.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // AWS-owned key: encrypted at rest at no cost and no KMS calls on the lease-renewal path.
      encryption: dynamodb.TableEncryption.DEFAULT,
      // The decision history and the lease are the audit trail of every shift: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The same config the controllers run with, for operators: status, history and commands need it.
    this.configParameter = new ssm.StringParameter(this, 'ControllerConfig', {
      parameterName: names.configParameter,
      description: `connect-failover ${deployment.name}: the controllers' config (JSON, which is YAML)`,
      stringValue: this.toJsonString(
        controllerConfig(deployment, {
          account: this.account,
          urlSuffix: this.urlSuffix,
          operatorRoleId: this.operatorRole.roleId,
        }),
      ),
      tier: ssm.ParameterTier.STANDARD,
    });

    this.operatorRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SendCommands',
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        resources: [this.queue.queueArn],
      }),
    );
    this.operatorRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadState',
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'],
        resources: [this.table.tableArn],
      }),
    );
    this.operatorRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTraffic',
        actions: ['connect:GetTrafficDistribution', 'connect:DescribeTrafficDistributionGroup'],
        resources: [deployment.tdg.arn],
      }),
    );
    this.operatorRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: deployment.alarms.map((alarm) => alarmArn(this, alarm)),
      }),
    );
    this.operatorRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadConfig',
        actions: ['ssm:GetParameter'],
        resources: [this.configParameter.parameterArn],
      }),
    );
    if (deployment.allowGameDays) {
      this.operatorRole.addToPolicy(
        new iam.PolicyStatement({
          sid: 'DriveSignalsForGameDays',
          actions: ['cloudwatch:SetAlarmState'],
          resources: deployment.alarms.map((alarm) => alarmArn(this, alarm)),
        }),
      );
    }

    this.controllerAlarms(deployment);
    deadLettersAlarm(
      this,
      'DeadLettersAlarm',
      this.deadLetterQueue,
      names.alarm('DeadLetters'),
      'A queue message could not be handled and went to the dead-letter queue; see docs/runbook.md',
      deployment,
    );
    deadLettersAlarm(
      this,
      'UndeliveredEventsAlarm',
      this.deliveryDeadLetterQueue,
      names.alarm('UndeliveredEvents'),
      'EventBridge could not put an alarm event on the queue; the controller still reads alarms itself (timing.alarmPoll)',
      deployment,
    );
    failedInvocationsAlarm(
      this,
      'IntakeFailedInvocationsAlarm',
      this.intakeRule,
      names.alarm('IntakeFailedInvocations'),
      deployment,
    );

    new CfnOutput(this, 'QueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'OperatorRoleArn', { value: this.operatorRole.roleArn });
    new CfnOutput(this, 'ConfigParameterName', { value: this.configParameter.parameterName });
  }

  /** Alarms on the heartbeat the acting controller publishes in this Region (docs/runbook.md §10–11). */
  private controllerAlarms(deployment: Deployment): void {
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: HEARTBEAT_NAMESPACE,
        metricName,
        dimensionsMap: { [HEARTBEAT_DIMENSION]: deployment.tdg.id },
        statistic,
        period: Duration.minutes(1),
      });
    const { names } = deployment;
    // Missing data is the signal here: a dead, stuck or cut-off leader publishes nothing.
    const heartbeat = new cloudwatch.Alarm(this, 'HeartbeatMissingAlarm', {
      alarmName: names.alarm('HeartbeatMissing'),
      alarmDescription:
        'No controller is acting (or its receive loop is stuck, or it cannot reach CloudWatch) for 3 minutes; see docs/runbook.md',
      metric: metric('Heartbeat', cloudwatch.Stats.SUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    notify(heartbeat, deployment, true);
    const shiftFailing = new cloudwatch.Alarm(this, 'ShiftFailingAlarm', {
      alarmName: names.alarm('ShiftFailing'),
      alarmDescription:
        'The split the controller wants cannot be written or verified for 2 minutes; see docs/runbook.md',
      metric: metric('ShiftFailing', cloudwatch.Stats.MAXIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(shiftFailing, deployment, true);
    const suspended = new cloudwatch.Alarm(this, 'AutomationSuspendedAlarm', {
      alarmName: names.alarm('AutomationSuspended'),
      alarmDescription:
        'Too many automatic shifts in the window: automation stopped itself until resume; see docs/runbook.md',
      metric: metric('AutomationSuspended', cloudwatch.Stats.MAXIMUM),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(suspended, deployment, true);
    const failedOver = new cloudwatch.Alarm(this, 'FailedOverAlarm', {
      alarmName: names.alarm('FailedOver'),
      alarmDescription: 'Traffic is on the replica (HealthState 2)',
      metric: metric('HealthState', cloudwatch.Stats.MAXIMUM),
      threshold: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(failedOver, deployment, true);
  }
}
