/**
 * Assembles a running controller from a config: the AWS adapters, the store and its lease, the intake
 * loop, and a clean shutdown. Used by `run`, the embedded local stack and game days alike.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import { TrafficShifter } from '../connect/shifter.ts';
import type { ConnectCall } from '../connect/traffic-port.ts';
import { receiveLoop } from '../intake/receive-loop.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import { SqsIntake } from '../intake/sqs-intake.ts';
import type { Logger } from '../observability/logger.ts';
import { openStore } from '../store/open-store.ts';
import type { StateStore } from '../store/store.ts';
import { Controller } from './controller.ts';
import { crashPoint } from './crash-points.ts';
import type { ControllerHooks } from './controller.ts';

export interface RunControllerOptions {
  config: Config;
  logger: Logger;
  /** Stops the controller: no new receives, in-flight work finished or persisted, then resolves. */
  signal: AbortSignal;
  dryRun?: boolean;
  clock?: Clock;
  store?: StateStore;
  hooks?: ControllerHooks & { connectCall?(call: ConnectCall): void; ready?(): void };
  /** Long-poll wait, seconds (default 20; tests use less to stop faster). */
  waitTimeSeconds?: number;
  /** Leader lease time-to-live (default 30 s, renewed every third of it). */
  leaseTtlMs?: number;
  /** Shifter tuning (defaults: backoff 200 ms doubling to 20 s, full jitter; 120 s deadline per attempt). */
  shifter?: { backoff?: { baseMs: number; capMs: number }; deadlineMs?: number };
}

export async function runController(options: RunControllerOptions): Promise<void> {
  const { config, logger, signal } = options;
  const clock = options.clock ?? systemClock;
  const dryRun = Boolean(options.dryRun || config.dryRun);
  const store = options.store ?? openStore(config.store);
  const sqs = createSqsClient(config.queue);
  const api = new ConnectTrafficApi({
    tdg: config.trafficDistributionGroup,
    regions: config.regions,
    clock,
    onCall: (call) => {
      options.hooks?.connectCall?.(call);
      if (call.operation === 'UpdateTrafficDistribution' && call.error === undefined) crashPoint('after-update');
    },
  });
  const traffic = new TrafficShifter({ api, shiftAgents: config.traffic.shiftAgents, clock, logger, ...options.shifter });
  const alarms = new CloudWatchAlarmReader((region) => new CloudWatchClient({ region }));
  const controller = new Controller({ config, store, traffic, alarms, clock, logger, dryRun, hooks: options.hooks });
  const intake = new SqsIntake({
    client: sqs,
    queueUrl: config.queue.url,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    onError: (error) => logger.warn({ err: error }, 'queue background operation failed'),
  });

  try {
    const leaseTtl = options.leaseTtlMs ?? 30_000;
    if (!(await holdLease(store, leaseTtl, clock, logger, signal))) return;
    const renewing = renewLease(store, leaseTtl, clock, logger, signal);
    await controller.start(signal);
    logger.info({ dryRun, queue: config.queue.url, tdg: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id }, 'controller running');
    options.hooks?.ready?.();
    await Promise.all([
      controller.runLoops(signal),
      receiveLoop({
        intake,
        signal,
        onError: (error, failure) => logger.warn({ err: error, ...failure }, 'receive failed; backing off'),
        handle: async (batch) => {
          const stopHeartbeat = intake.startHeartbeat(batch);
          crashPoint('after-receive');
          try {
            const { deletable } = await controller.handleBatch(
              batch.map((m) => ({ messageId: m.messageId, body: m.body, receivedAt: m.receivedAt, sentAt: m.sentAt })),
            );
            crashPoint('after-persist');
            const ids = new Set(deletable);
            const deleted = await intake.delete(batch.filter((m) => ids.has(m.messageId)));
            for (const failed of deleted.failed) logger.warn(failed, 'delete failed; the message will come back and be deduplicated');
          } finally {
            await stopHeartbeat();
          }
        },
      }),
      renewing,
    ]);
    await controller.flush();
    logger.info('controller stopped');
  } finally {
    await store.releaseLease().catch((error: unknown) => logger.warn({ err: error }, 'releasing the lease failed'));
    await store.close();
    sqs.destroy();
    alarms.destroy();
    api.destroy?.();
  }
}

/** Waits until this process holds the lease (standby otherwise). False when stopped while waiting. */
async function holdLease(store: StateStore, ttlMs: number, clock: Clock, logger: Logger, signal: AbortSignal): Promise<boolean> {
  let reported = false;
  while (!signal.aborted) {
    const lease = await store.acquireLease(ttlMs, signal);
    if (lease.held) return true;
    if (!reported) logger.warn({ holder: lease.holder, expiresAt: lease.expiresAt }, 'standby: another controller holds the lease');
    reported = true;
    await clock.sleep(ttlMs / 3, signal).catch(() => undefined);
  }
  return false;
}

/** Renews the lease every third of its TTL; losing it is fatal (exit 1, the supervisor restarts us as standby). */
async function renewLease(store: StateStore, ttlMs: number, clock: Clock, logger: Logger, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await clock.sleep(ttlMs / 3, signal);
    } catch {
      return;
    }
    const lease = await store.acquireLease(ttlMs, signal).catch((error: unknown) => {
      logger.warn({ err: error }, 'lease renewal failed');
      return undefined;
    });
    if (lease && !lease.held) {
      logger.fatal({ holder: lease.holder }, 'lost the lease to another controller; stopping');
      throw new Error(`lost the lease to ${lease.holder}`);
    }
  }
}
