import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';

/**
 * The SQS client for the controller's queue. `useQueueUrlAsEndpoint: false` keeps requests on the endpoint
 * the SDK resolved (the Region's, or `AWS_ENDPOINT_URL_SQS`): emulators hand out queue URLs whose host
 * (`sqs.us-east-1.localhost`) need not resolve, and the contract says endpoint variables must win.
 */
export function createSqsClient(queue: { region: string | undefined }, extra: SQSClientConfig = {}): SQSClient {
  return new SQSClient({ ...(queue.region ? { region: queue.region } : {}), useQueueUrlAsEndpoint: false, ...extra });
}
