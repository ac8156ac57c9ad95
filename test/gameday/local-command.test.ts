import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { normalizeMessage } from '../../src/events/normalize.ts';
import { eventually } from '../helpers/eventually.ts';

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `export KEY='value'` lines → an object. */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export (\w+)='([^']*)'$/gm)].map(([, key, value]) => [key!, value!]));
}

describe('the local command', () => {
  it('starts the stack, writes a config and an env file that reach it, and stops with exit 0 on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-local-'));
    const configOut = join(dir, 'local.yaml');
    let stdout = '';
    const proc = spawn(process.execPath, ['bin/connect-failover.js', 'local', '--config-out', configOut], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

    await eventually(() => stdout.includes('Ready.'), { timeoutMs: 20_000, what: 'the local stack to be ready' });

    const env = parseEnv(await readFile(join(dir, 'local.env'), 'utf8'));
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'AWS_ENDPOINT_URL_SQS',
        'AWS_ENDPOINT_URL_CONNECT',
        'AWS_ENDPOINT_URL_CLOUDWATCH',
        'AWS_REGION',
      ]),
    );
    expect(stdout).toContain(`export AWS_ENDPOINT_URL_SQS='${env.AWS_ENDPOINT_URL_SQS}'`);
    const { config } = await loadConfig(configOut);
    expect(stdout).toContain(`Queue:        ${config.queue.url}`);
    expect(stdout).toContain(`TDG:          ${config.trafficDistributionGroup.arn}`);
    expect(config.store).toEqual({ type: 'file', path: join(dir, 'local-state.json') });

    // The printed environment reaches the stack: an alarm set through CloudWatch lands on the printed queue.
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
    const cloudwatch = new CloudWatchClient({
      region: 'us-east-1',
      endpoint: env.AWS_ENDPOINT_URL_CLOUDWATCH,
      credentials,
    });
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: env.AWS_ENDPOINT_URL_SQS,
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    try {
      await cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: config.signals.critical[0], StateValue: 'ALARM', StateReason: 'test' }),
      );
      const attributes = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: config.queue.url, AttributeNames: ['RedrivePolicy'] }),
      );
      expect(attributes.Attributes?.RedrivePolicy).toContain('connect-failover-events-dlq');
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: config.queue.url, WaitTimeSeconds: 5 }));
      const event = normalizeMessage(received.Messages?.[0]?.Body ?? '');
      expect(event).toMatchObject({ kind: 'alarm', state: 'ALARM', alarm: { name: 'connect-primary-outage' } });
    } finally {
      cloudwatch.destroy();
      sqs.destroy();
    }

    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
