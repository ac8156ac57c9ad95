/**
 * The embedded local stack: an SQS emulator (fauxqs) with the controller's queue and its dead-letter queue,
 * the Connect traffic simulator and the CloudWatch alarm simulator, all on free loopback ports in this
 * process. Setting a CloudWatch alarm's state puts its EventBridge event on the queue, as a real
 * EventBridge rule would. The controller and any AWS SDK or CLI run against it unchanged via `env`.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { connectInstanceArn, parseConnectInstanceArn } from '../aws/identifiers.ts';
import { sqsEventSink } from './alarm-event-sink.ts';
import type { AlarmMessageShape } from './alarm-event-sink.ts';
import { startCloudWatchSimulator } from './cloudwatch-simulator.ts';
import type { CloudWatchSimulator } from './cloudwatch-simulator.ts';
import { startConnectSimulator } from './connect-simulator.ts';
import type { ConnectSimulator } from './connect-simulator.ts';
import { startFauxqs } from './sqs-emulator.ts';

export const LOCAL_ACCOUNT = '111122223333';
export const LOCAL_TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
/** Dummy credentials: the simulators read the Region from the signature but never check it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalStackOptions {
  regions?: { primary: string; replica: string };
  /** Alarm names by role; created as composite alarms in OK (composites hold a state set by SetAlarmState). */
  alarms?: { degraded?: string[]; critical?: string[]; replicaUnhealthy?: string[] };
  /** How long Connect keeps the group UPDATE_IN_PROGRESS after an update (default 300 ms). */
  updateWindowMs?: number;
  /** The queue's visibility timeout in seconds (default 30) and receives before the DLQ (default 3). */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
  /** Shape of the alarm messages CloudWatch puts on the queue (default EventBridge events). */
  messageShape?: AlarmMessageShape | ((change: { alarm: { name: string } }) => AlarmMessageShape);
}

export interface LocalStack {
  regions: { primary: string; replica: string };
  alarms: { degraded: string[]; critical: string[]; replicaUnhealthy: string[] };
  sqsEndpoint: string;
  queueUrl: string;
  dlqUrl: string;
  connect: ConnectSimulator;
  cloudwatch: CloudWatchSimulator;
  /** An SQS client pointed at the emulator. */
  sqs: SQSClient;
  /** Environment that points AWS SDKs and the AWS CLI at the stack (for child processes and `local`). */
  env: Record<string, string>;
  /** Switches the alarm events' delivery to the queue off (a lost delivery) or back on. */
  deliverEvents(on: boolean): void;
  /** The same, for SDK clients made in this process (`runController`'s `aws`, preflight's). */
  clientSettings: AwsClientSettings;
  /**
   * A config (the file's shape) for a controller on this stack, with `regions.replicaInstance` naming the
   * simulated replica instance; `overrides` merge at the top level.
   */
  config(overrides?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

const DEFAULT_ALARMS = {
  degraded: ['connect-primary-elevated-errors'],
  critical: ['connect-primary-outage'],
  replicaUnhealthy: ['connect-replica-outage'],
};

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const regions = options.regions ?? { primary: 'us-east-1', replica: 'us-west-2' };
  const alarms = { ...DEFAULT_ALARMS, ...options.alarms } as LocalStack['alarms'];
  const started: Array<() => Promise<void>> = [];
  let delivering = true;
  try {
    const fauxqs = await startFauxqs({ port: 0, logger: false, defaultRegion: regions.primary });
    started.push(() => fauxqs.stop());
    const sqs = new SQSClient({
      region: regions.primary,
      endpoint: fauxqs.address,
      credentials: LOCAL_CREDENTIALS,
      useQueueUrlAsEndpoint: false,
    });
    started.push(async () => sqs.destroy());
    const { queueUrl, dlqUrl } = await createQueues(sqs, options);

    const connect = await startConnectSimulator({
      accountId: LOCAL_ACCOUNT,
      tdgId: LOCAL_TDG_ID,
      homeRegion: regions.primary,
      otherRegion: regions.replica,
      updateWindowMs: options.updateWindowMs ?? 300,
    });
    started.push(() => connect.stop());

    // The replica instance keeps the primary's id (ReplicateInstance); its default flows name only replica resources.
    const replicaInstance = connectInstanceArn(
      regions.replica,
      LOCAL_ACCOUNT,
      parseConnectInstanceArn(connect.instanceArn)!.id,
    );

    const deliver = sqsEventSink({ client: sqs, queueUrl, shape: options.messageShape ?? 'eventbridge' });
    const cloudwatch = await startCloudWatchSimulator({
      accountId: LOCAL_ACCOUNT,
      alarms: [
        ...[...alarms.degraded, ...alarms.critical].map((name) => ({ name, region: regions.primary })),
        ...alarms.replicaUnhealthy.map((name) => ({ name, region: regions.replica })),
      ],
      // Deliveries can be switched off: a lost EventBridge or SNS delivery, for the alarm poll's tests.
      sink: (change, sinkOptions) => (delivering ? deliver(change, sinkOptions) : Promise.resolve()),
    });
    started.push(() => cloudwatch.stop());

    const env = {
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      AWS_ENDPOINT_URL_CONNECT: connect.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: regions.primary,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    return {
      regions,
      alarms,
      sqsEndpoint: fauxqs.address,
      queueUrl,
      dlqUrl,
      connect,
      cloudwatch,
      sqs,
      env,
      deliverEvents: (on: boolean) => void (delivering = on),
      clientSettings: {
        endpoints: { sqs: fauxqs.address, connect: connect.endpoint, cloudwatch: cloudwatch.endpoint },
        credentials: { ...LOCAL_CREDENTIALS },
      },
      config: (overrides = {}) => ({
        trafficDistributionGroup: connect.tdgArn,
        regions: { ...regions, replicaInstance },
        queue: { url: queueUrl, region: regions.primary },
        signals: alarms,
        traffic: { healthy: 100, degraded: 50, failedOver: 0, shiftAgents: true },
        timing: {
          escalateAfter: '5m',
          recoverAfter: '10m',
          cooldown: '2m',
          maxAutomaticShifts: { count: 4, per: '1h' },
        },
        failback: 'manual',
        ...overrides,
      }),
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function createQueues(sqs: SQSClient, options: LocalStackOptions): Promise<{ queueUrl: string; dlqUrl: string }> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'connect-failover-events-dlq' }));
  const dlqUrl = dlq.QueueUrl!;
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'connect-failover-events',
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: attributes.Attributes!.QueueArn,
          maxReceiveCount: options.maxReceiveCount ?? 3,
        }),
      },
    }),
  );
  return { queueUrl: queue.QueueUrl!, dlqUrl };
}

async function stopAll(stops: Array<() => Promise<void>>): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
