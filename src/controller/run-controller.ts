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
import { HEARTBEAT_INTERVAL_MS, runCloudWatchHeartbeat } from '../observability/cloudwatch-heartbeat.ts';
import { HealthProbes, startHttpServer } from '../observability/http-server.ts';
import type { RunningHttpServer } from '../observability/http-server.ts';
import type { Logger } from '../observability/logger.ts';
import { ControllerMetrics, instrumentController } from '../observability/metrics.ts';
import type { ControllerInstrumentation, InstrumentedHooks } from '../observability/metrics.ts';
import { preflightAtStart } from '../preflight/at-start.ts';
import { openStore } from '../store/open-store.ts';
import type { StateStore } from '../store/store.ts';
import { Controller, policyOf } from './controller.ts';
import { crashPoint } from './crash-points.ts';
import { assertStoreBelongsTo } from './document.ts';
import type { ControllerHooks } from './controller.ts';

export interface RunControllerOptions {
  config: Config;
  logger: Logger;
  /** Stops the controller: no new receives, in-flight work finished or persisted, then resolves. */
  signal: AbortSignal;
  dryRun?: boolean;
  clock?: Clock;
  store?: StateStore;
  hooks?: ControllerHooks & {
    connectCall?(call: ConnectCall): void;
    ready?(): void;
    /** The HTTP endpoints (config `http`) are listening; `port` is the bound one (config port 0 picks one). */
    httpListening?(server: { host: string; port: number; url: string }): void;
  };
  /** Long-poll wait, seconds (default 20; tests use less to stop faster). */
  waitTimeSeconds?: number;
  /** Leader lease time-to-live (default 30 s, renewed every third of it). */
  leaseTtlMs?: number;
  /** CloudWatch heartbeat interval in ms (default 60000; 0 turns the heartbeat off). */
  heartbeatIntervalMs?: number;
  /** Run the preflight checks in the background at start and log them (default true; never blocks start). */
  preflight?: boolean;
  /** How often a settled split is re-read to catch hand changes (default: the config's `timing.driftCheck`). */
  resyncMs?: number;
  /** Retries of failed saves before the controller stops (see `ControllerOptions.storeRetry`). */
  storeRetry?: { baseMs: number; capMs: number; maxFailures: number };
  /** Shifter tuning (defaults: backoff 200 ms doubling to 20 s, full jitter; 120 s deadline per attempt). */
  shifter?: { backoff?: { baseMs: number; capMs: number }; deadlineMs?: number };
}

export async function runController(options: RunControllerOptions): Promise<void> {
  const { config, logger, signal } = options;
  const clock = options.clock ?? systemClock;
  const dryRun = Boolean(options.dryRun || config.dryRun);
  const store = options.store ?? openStore(config.store);
  const ops = operability(options, store, clock, dryRun);
  const sqs = createSqsClient(config.queue);
  const api = new ConnectTrafficApi({
    tdg: config.trafficDistributionGroup,
    regions: config.regions,
    clock,
    onCall: (call) => {
      ops.hooks.connectCall?.(call);
      if (call.operation === 'UpdateTrafficDistribution' && call.error === undefined) crashPoint('after-update');
    },
  });
  const traffic = new TrafficShifter({ api, shiftAgents: config.traffic.shiftAgents, clock, logger, ...options.shifter });
  const alarms = new CloudWatchAlarmReader((region) => new CloudWatchClient({ region }));
  const controller = new Controller({
    config,
    store,
    traffic,
    alarms,
    clock,
    logger,
    dryRun,
    hooks: ops.hooks,
    resyncMs: options.resyncMs ?? config.timing.driftCheckMs,
    storeRetry: options.storeRetry,
  });
  const intake = new SqsIntake({
    client: sqs,
    queueUrl: config.queue.url,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    onError: (error) => logger.warn({ err: error }, 'queue background operation failed'),
  });

  // One loop failing (a lost lease) stops the others too, instead of leaving a half-running controller.
  const inner = new AbortController();
  const stopInner = () => inner.abort(signal.reason);
  signal.addEventListener('abort', stopInner, { once: true });
  try {
    // Another group's state is refused now: waiting for its lease as a standby would wait for ever.
    await assertStoreBelongsTo(store, config, signal);
    await ops.open();
    const leaseTtl = options.leaseTtlMs ?? 30_000;
    if (!(await holdLease(store, leaseTtl, clock, logger, signal).catch((error: unknown) => {
      if (signal.aborted) return false;
      throw error;
    }))) return;
    const loop = (work: Promise<void>) =>
      work.catch((error: unknown) => {
        inner.abort(error);
        throw error;
      });
    const renewing = loop(renewLease(store, leaseTtl, clock, logger, inner.signal));
    try {
      await controller.start(inner.signal);
    } catch (error) {
      // Stopped during start-up reconciliation: a clean stop, not a failure (nothing was half-applied).
      if (signal.aborted) return;
      throw error;
    }
    logger.info({ dryRun, queue: config.queue.url, tdg: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id }, 'controller running');
    options.hooks?.ready?.();
    ops.preflight(inner.signal);
    await Promise.all([
      loop(controller.runLoops(inner.signal)),
      ops.heartbeat(inner.signal),
      receiveLoop({
        intake: { receive: ops.instrument.receive((s) => intake.receive(s)) },
        signal: inner.signal,
        onError: (error, failure) => logger.warn({ err: error, ...failure }, 'receive failed; backing off'),
        handle: async (batch) => {
          const stopHeartbeat = intake.startHeartbeat(batch);
          crashPoint('after-receive');
          try {
            const { deletable } = await ops.instrument.batch(batch, () =>
              controller.handleBatch(batch.map((m) => ({ messageId: m.messageId, body: m.body, receivedAt: m.receivedAt, sentAt: m.sentAt, senderId: m.senderId }))),
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
    inner.abort(new Error('controller stopped'));
    signal.removeEventListener('abort', stopInner);
    await ops.close();
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

/**
 * Metrics, the HTTP endpoints, the CloudWatch heartbeat and preflight-at-start, kept apart from the
 * controller's own assembly. None of them can stop the controller: each failure is logged and counted.
 */
function operability(options: RunControllerOptions, store: StateStore, clock: Clock, dryRun: boolean) {
  const { config, logger } = options;
  const metrics = new ControllerMetrics();
  const instrument: ControllerInstrumentation = instrumentController(metrics, policyOf(config), () => clock.now());
  const probes = new HealthProbes({ receiveTimes: () => metrics.receiveTimes(), probeStore: (signal) => store.probe(signal) });
  const hooks: InstrumentedHooks = instrument.hooks(options.hooks);
  // Published in the replica Region: the alarms on it must still evaluate while the primary Region fails.
  const cloudwatch = new CloudWatchClient({ region: config.regions.replica });
  let server: RunningHttpServer | undefined;
  let preflight: Promise<void> | undefined;
  return {
    hooks,
    instrument,
    /** Starts the endpoints before the lease, so a standby answers too; a listen failure is logged, not fatal. */
    async open(): Promise<void> {
      if (!config.http) return;
      try {
        server = await startHttpServer({ ...config.http, metrics, probes, onError: (error) => logger.warn({ err: error }, 'HTTP endpoint failed') });
        logger.info({ url: server.url }, 'HTTP endpoints listening: /healthz /readyz /metrics');
        options.hooks?.httpListening?.({ host: server.host, port: server.port, url: server.url });
      } catch (error) {
        logger.error({ err: error, ...config.http }, 'HTTP endpoints could not start; the controller runs without them');
      }
    },
    /**
     * Preflight in the background once the controller runs: after start-up reconciliation, so its reads
     * never delay or race the controller's own, and never before a failover the controller must make.
     */
    preflight(signal: AbortSignal): void {
      if (!(options.preflight ?? true)) return;
      preflight = preflightAtStart({ config, store, dryRun, logger, signal, clock, onReport: (report) => metrics.preflight(report.summary) });
    },
    heartbeat(signal: AbortSignal): Promise<void> {
      const intervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
      if (intervalMs === 0) return Promise.resolve();
      return runCloudWatchHeartbeat(
        {
          client: cloudwatch,
          dimensions: { Controller: config.trafficDistributionGroup.id },
          intervalMs,
          clock,
          logger,
          read: () => ({ alive: probes.liveness().ok, ...metrics.current() }),
          onResult: (outcome) => metrics.heartbeat(outcome),
        },
        signal,
      );
    },
    async close(): Promise<void> {
      await preflight;
      await server?.close();
      cloudwatch.destroy();
    },
  };
}
