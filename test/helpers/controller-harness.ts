/**
 * Runs the real controller in this process against the embedded local stack (fauxqs + Connect and
 * CloudWatch simulators) over HTTP on 127.0.0.1, with small timings so rules fire in milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import type { AwsClientSettings } from '../../src/aws/client-settings.ts';
import type { Config } from '../../src/config/types.ts';
import { runController } from '../../src/app/run-controller.ts';
import type { RunControllerOptions } from '../../src/app/run-controller.ts';
import type { ControllerDocument } from '../../src/controller/document.ts';
import { readDocument } from '../../src/controller/document.ts';
import { encodeOperatorCommand } from '../../src/events/normalize.ts';
import type { AlarmTransition } from '../../src/local/alarm-event-sink.ts';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack, LocalStackOptions } from '../../src/local/local-stack.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { openStore } from '../../src/store/open-store.ts';
import { startDynalite } from './dynalite-server.ts';
import type { RunningDynalite } from './dynalite-server.ts';
import { eventually } from './eventually.ts';
import { messagesLeft } from './sqs.ts';

/** Timings for end-to-end tests: everything happens within a second or two. */
export const FAST_TIMING = {
  escalateAfter: '1500ms',
  recoverAfter: '800ms',
  cooldown: '0s',
  maxAutomaticShifts: { count: 10, per: '1h' },
};

/** Which store the harness gives the controller; the vitest project `dynamodb` provides `dynamodb`. */
export type HarnessStore = 'file' | 'dynamodb';

declare module 'vitest' {
  export interface ProvidedContext {
    harnessStore: HarnessStore;
  }
}

export interface Harness {
  stack: LocalStack;
  /** The store the controller was given. */
  storeKind: HarnessStore;
  /** Where the controller's SDK clients point: the local stack, and dynalite for the DynamoDB store. */
  aws: AwsClientSettings;
  dir: string;
  configPath: string;
  config: Config;
  logs: Array<Record<string, unknown>>;
  /** Starts the controller (in this process); resolves once it is receiving. */
  start(options?: Partial<RunControllerOptions>): Promise<void>;
  /** SIGTERM-like stop: abort and wait for the clean shutdown. */
  stopController(): Promise<void>;
  /** Waits for the controller to stop on its own; resolves with what it failed with (undefined: clean). */
  waitForStop(timeoutMs?: number): Promise<unknown>;
  readDocument(): Promise<ControllerDocument | undefined>;
  primaryPercent(): number;
  setAlarm(name: string, value: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'): Promise<AlarmTransition | undefined>;
  /** Puts a raw body on the controller's queue (duplicates, stale events, malformed bodies). */
  sendBody(body: string): Promise<void>;
  /** Sends an operator command through the queue, as the CLI does (`now`: `failback --now`). */
  command(
    command: 'failover' | 'failback' | 'pause' | 'resume',
    options?: { force?: boolean; reason?: string; now?: boolean },
  ): Promise<void>;
  /** Messages currently on the queue or its DLQ (visible + in flight). */
  queueDepth(which?: 'queue' | 'dlq'): Promise<number>;
  waitForPrimary(percent: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  options: { stack?: LocalStackOptions; config?: Record<string, unknown>; store?: HarnessStore } = {},
): Promise<Harness> {
  const storeKind = options.store ?? inject('harnessStore') ?? 'file';
  const stack = await startLocalStack({ updateWindowMs: 100, ...options.stack });
  const dir = await mkdtemp(join(tmpdir(), 'cf-e2e-'));
  // The DynamoDB store runs on dynalite started here, on a table made the way `init-store` makes it.
  const dynamo: RunningDynalite | undefined = storeKind === 'dynamodb' ? await startDynalite() : undefined;
  if (dynamo) await dynamo.createTable('connect-failover-e2e');
  const aws = dynamo
    ? { ...stack.clientSettings, endpoints: { ...stack.clientSettings.endpoints, dynamodb: dynamo.endpoint } }
    : stack.clientSettings;
  const base = stack.config({
    timing: FAST_TIMING,
    store: dynamo
      ? { type: 'dynamodb', table: 'connect-failover-e2e' }
      : { type: 'file', path: join(dir, 'state.json') },
  });
  // `queue` merges key by key: a test adds a setting without knowing the stack's queue URL.
  const queue = { ...(base.queue as object), ...(options.config?.queue as object | undefined) };
  const raw = { ...base, ...options.config, queue };
  const configPath = join(dir, 'config.yaml');
  const text = YAML.stringify(raw);
  await import('node:fs/promises').then((fs) => fs.writeFile(configPath, text));
  const { config } = parseConfig(text, { file: configPath, baseDir: dir });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  let running: { abort: AbortController; done: Promise<void> } | undefined;
  // Reads what the controller saved, as `status` would from another host.
  const reader = openStore(config.store, { writer: 'test-reader', aws });

  const harness: Harness = {
    stack,
    storeKind,
    aws,
    dir,
    configPath,
    config,
    logs,
    async start(extra = {}) {
      const abort = new AbortController();
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const done = runController({
        config,
        logger: createLogger({ level: 'debug', destination: sink }),
        signal: abort.signal,
        waitTimeSeconds: 1,
        leaseTtlMs: 3_000,
        // Real time passes in these tests: keep Connect retries quick so a 429 storm takes well under a second.
        shifter: { backoff: { baseMs: 10, capMs: 100 }, deadlineMs: 3_000 },
        aws,
        ...extra,
        hooks: { ...extra.hooks, ready: () => ready() },
      });
      running = { abort, done };
      await Promise.race([isReady, done]);
    },
    async stopController() {
      if (!running) return;
      running.abort.abort(new Error('test stop'));
      await running.done;
      running = undefined;
    },
    async waitForStop(timeoutMs = 10_000) {
      if (!running) throw new Error('the controller is not running');
      const { done } = running;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the controller did not stop within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        return await Promise.race([
          done.then(
            () => undefined,
            (error: unknown) => error,
          ),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
        running = undefined;
      }
    },
    async readDocument() {
      const stored = await reader.load();
      return stored ? readDocument(stored.data, 'test') : undefined;
    },
    primaryPercent: () => stack.connect.state().telephony[stack.regions.primary] ?? -1,
    async setAlarm(name, value) {
      const region = stack.alarms.replicaUnhealthy.includes(name) ? stack.regions.replica : stack.regions.primary;
      return stack.cloudwatch.setAlarmState(region, name, value);
    },
    async sendBody(body) {
      await stack.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }));
    },
    async command(command, opts = {}) {
      const body = encodeOperatorCommand({
        id: randomUUID(),
        command,
        reason: opts.reason ?? `test ${command}`,
        force: Boolean(opts.force),
        now: Boolean(opts.now),
        requestedBy: 'tester',
        requestedAt: Date.now(),
      });
      await harness.sendBody(body);
    },
    queueDepth: (which = 'queue') => messagesLeft(stack.sqs, which === 'queue' ? stack.queueUrl : stack.dlqUrl),
    async waitForPrimary(percent, timeoutMs = 10_000) {
      await eventually(
        async () =>
          harness.primaryPercent() === percent &&
          stack.connect.state().status === 'ACTIVE' &&
          (await harness.readDocument())?.shift?.status === 'verified',
        { timeoutMs, what: `primary at ${percent}% and verified (now ${harness.primaryPercent()}%)` },
      );
    },
    async close() {
      await harness.stopController().catch(() => undefined);
      await reader.close();
      await stack.stop();
      await dynamo?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
