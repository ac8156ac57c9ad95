/** Pieces both stacks build the same way: encrypted queues, EventBridge targets, alarms and their actions. */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import type { AlarmRef, Deployment } from './props.ts';

/** The alarm state change events of CloudWatch, as EventBridge delivers them. */
export const ALARM_EVENT_SOURCE = 'aws.cloudwatch';
export const ALARM_EVENT_DETAIL_TYPE = 'CloudWatch Alarm State Change';
/** Namespace and dimension of the controller's heartbeat (src/observability/cloudwatch-heartbeat.ts, run-controller.ts). */
export const HEARTBEAT_NAMESPACE = 'ConnectFailover';
export const HEARTBEAT_DIMENSION = 'Controller';

/** The ARN of a configured alarm in `scope`'s account (names) or as given (ARNs). */
export function alarmArn(scope: Construct, alarm: AlarmRef): string {
  return (
    alarm.arn ??
    Stack.of(scope).formatArn({
      service: 'cloudwatch',
      region: alarm.region,
      resource: 'alarm',
      resourceName: alarm.name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    })
  );
}

/**
 * A standard queue with SQS-managed SSE (no key to manage, and EventBridge needs no KMS grant to send) that
 * refuses plain HTTP. Destroyed with the stack: alarm events are re-read from CloudWatch by the controller,
 * and a queue kept behind would block the next deployment of the same name.
 */
export function encryptedQueue(scope: Construct, id: string, props: sqs.QueueProps): sqs.Queue {
  return new sqs.Queue(scope, id, {
    ...props,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** Lets exactly `rule` (EventBridge, this account) send to `queue`: its target or its target's DLQ. */
export function allowRuleToSend(queue: sqs.Queue, rule: events.Rule, sid: string): void {
  queue.addToResourcePolicy(
    new iam.PolicyStatement({
      sid,
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
      conditions: {
        ArnEquals: { 'aws:SourceArn': rule.ruleArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(queue).account },
      },
    }),
  );
}

/**
 * How long EventBridge keeps retrying a failed delivery to the queue before the event goes to the target's
 * DLQ: an hour is far past the controller's own DescribeAlarms poll (`timing.alarmPoll`), which catches the
 * alarm's state anyway; the DLQ keeps the event for the alarm and the post-mortem.
 */
export const INTAKE_RETRY_POLICY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 3600 } as const;

/**
 * A rule target written out rather than taken from aws-events-targets, whose SqsQueue target also grants
 * `sqs:GetQueueAttributes` and `sqs:GetQueueUrl` to EventBridge: the queue policy stays exactly what it says.
 */
export function queueTarget(queue: sqs.IQueue, deadLetterQueue: sqs.IQueue): events.IRuleTarget {
  return {
    bind: () => ({
      arn: queue.queueArn,
      targetResource: queue,
      deadLetterConfig: { arn: deadLetterQueue.queueArn },
      retryPolicy: INTAKE_RETRY_POLICY,
    }),
  };
}

/**
 * An event bus in another Region as a rule target. EventBridge takes no RetryPolicy for event bus targets
 * (aws-events-targets says so too): the hop uses EventBridge's own retries (24 h, 185 attempts) and its DLQ.
 */
export function eventBusTarget(busArn: string, role: iam.IRole, deadLetterQueue: sqs.IQueue): events.IRuleTarget {
  return { bind: () => ({ arn: busArn, role, deadLetterConfig: { arn: deadLetterQueue.queueArn } }) };
}

/** Adds the deployment's alert topic (if any) to `alarm`; `ok` also notifies when it clears (pages that resolve). */
export function notify(alarm: cloudwatch.Alarm, deployment: Deployment, ok: boolean): void {
  if (!deployment.alertTopicName) return;
  const stack = Stack.of(alarm);
  const id = 'AlertTopic';
  const topic =
    (stack.node.tryFindChild(id) as sns.ITopic | undefined) ??
    sns.Topic.fromTopicArn(
      stack,
      id,
      stack.formatArn({ service: 'sns', resource: deployment.alertTopicName, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    );
  alarm.addAlarmAction(new SnsAction(topic));
  if (ok) alarm.addOkAction(new SnsAction(topic));
}

/** Anything in a dead-letter queue: a message the controller could not handle, or an event EventBridge could not deliver. */
export function deadLettersAlarm(
  scope: Construct,
  id: string,
  queue: sqs.Queue,
  alarmName: string,
  description: string,
  deployment: Deployment,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName,
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: cloudwatch.Stats.MAXIMUM,
    }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, deployment, false);
  return alarm;
}

/** A rule that failed to deliver an event (after EventBridge's retries): a state change may not have reached the queue. */
export function failedInvocationsAlarm(
  scope: Construct,
  id: string,
  rule: events.Rule,
  alarmName: string,
  deployment: Deployment,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName,
    alarmDescription: `EventBridge rule ${rule.ruleName} failed to deliver alarm events; see its dead-letter queue and docs/runbook.md`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(5),
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, deployment, false);
  return alarm;
}

/**
 * Acknowledges one cdk-nag finding on `construct` (and what it contains). Every call states why the rule
 * does not fit here; the tests list the acknowledged findings, so a new one is a deliberate change.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}
