/**
 * Where the AWS SDK clients point and with which credentials, when not the SDK's defaults. Production
 * passes nothing (the standard chain: environment, `AWS_ENDPOINT_URL_*`, profiles, roles); the embedded
 * local stack passes its own endpoints, so nothing has to rewrite `process.env` to steer the program.
 */
export interface AwsClientSettings {
  /** Endpoint per service; a service left out uses the SDK's resolution. */
  endpoints?: { sqs?: string; connect?: string; cloudwatch?: string; dynamodb?: string };
  /** Default: the SDK's credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The client options for one service: only what the settings say, so the SDK's defaults stay in force. */
export function clientOptions(
  settings: AwsClientSettings | undefined,
  service: keyof NonNullable<AwsClientSettings['endpoints']>,
) {
  const endpoint = settings?.endpoints?.[service];
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(settings?.credentials === undefined ? {} : { credentials: settings.credentials }),
  };
}
