/**
 * Assembles a running controller from a config: the AWS adapters, the store and its lease, the intake
 * loop, and a clean shutdown. Used by `run`, the embedded local stack and game days alike.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { clientOptions } from '../aws/client-settings.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import { AwsAlignedClock } from '../aws-aligned-clock.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import { TrafficShifter } from '../connect/shifter.ts';
import type { ConnectCall, ConnectCallObserver, TrafficApi } from '../connect/traffic-port.ts';
import { receiveLoop } from '../intake/receive-loop.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import { SqsIntake } from '../intake/sqs-intake.ts';
import type { ReceivedMessage } from '../intake/sqs-intake.ts';
import type { Logger } from '../observability/logger.ts';
import { defaultWriter, openStore } from '../store/open-store.ts';
import { DEFAULT_LEASE_DURATION_MS } from '../store/store.ts';
import type { LeaseStatus, StateStore } from '../store/store.ts';
import { LeaseLostError } from '../errors.ts';
import { Controller } from '../controller/controller.ts';
import { operability } from './controller-operability.ts';
import { LeaseGuard, standBy } from '../controller/leadership.ts';
import { crashPoint } from '../controller/crash-points.ts';
import { assertStoreBelongsTo } from '../controller/document.ts';
import type { ControllerHooks } from '../controller/controller.ts';

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
  /**
   * Long-poll wait, seconds (default 5: short enough that a stop lets the last poll end, within the 10 s a
   * stop may take; 17,280 receives a day cost less than a cent).
   */
  waitTimeSeconds?: number;
  /** Leader lease time-to-live (default 30 s, renewed every third of it). */
  leaseTtlMs?: number;
  /** CloudWatch heartbeat interval in ms (default 60000; 0 turns the heartbeat off). */
  heartbeatIntervalMs?: number;
  /** Run the preflight checks in the background at start and log them (default true; never blocks start). */
  preflight?: boolean;
  /** How often a settled split is re-read to catch hand changes (default: the config's `timing.driftCheck`). */
  resyncMs?: number;
  /** How often every signal is read with DescribeAlarms (default: the config's `timing.alarmPoll`). */
  alarmPollMs?: number;
  /** Confirm alarm events with DescribeAlarms before an automatic shift (default true; behaviour 13). */
  confirmAlarms?: boolean;
  /** Retries of failed saves before the controller stops (see `ControllerOptions.storeRetry`). */
  storeRetry?: { baseMs: number; capMs: number; maxFailures: number };
  /** Shifter tuning (defaults: backoff 200 ms doubling to 20 s, full jitter; 120 s deadline per attempt). */
  shifter?: { backoff?: { baseMs: number; capMs: number }; deadlineMs?: number };
  /**
   * Endpoints and credentials for the AWS clients made here (default: the SDK's standard chain). The
   * embedded local stack passes its own, so nothing rewrites `process.env` to steer the program.
   */
  aws?: AwsClientSettings;
  /** The SQS client for the queue (default: made from `aws` in the queue's Region). The caller destroys it. */
  sqs?: SQSClient;
  /** Connect's traffic API for the TDG (default: `ConnectTrafficApi` made from `aws`). */
  connect?: (options: { clock: Clock; onCall: ConnectCallObserver }) => TrafficApi;
  /** Reads the configured alarms (default: DescribeAlarms with clients made from `aws`). */
  alarms?: AlarmReader;
  /** CloudWatch client for a Region, for the heartbeat (default: made from `aws`). */
  cloudwatch?: (region: string) => CloudWatchClient;
}

export async function runController(options: RunControllerOptions): Promise<void> {
  const { config, signal } = options;
  // Every line says which group and which controller it is about (several may share a log stream).
  const logger = options.logger.child({ tdg: config.trafficDistributionGroup.id, controller: defaultWriter() });
  options = { ...options, logger };
  // A slow host clock is corrected from the times SQS stamps on messages (aws-aligned-clock.ts).
  const clock =
    options.clock ??
    new AwsAlignedClock(systemClock, {
      onCorrection: (behindMs) =>
        behindMs === 0
          ? logger.info('host clock agrees with AWS again; no longer corrected')
          : logger.error(
              { behindMs },
              'host clock is behind AWS (SQS SentTimestamp): using AWS time; fix the host clock (NTP)',
            ),
    });
  const dryRun = Boolean(options.dryRun || config.dryRun);
  const waitTimeSeconds = options.waitTimeSeconds ?? 5;
  const store = options.store ?? openStore(config.store, { aws: options.aws });
  const ops = operability(options, store, clock, dryRun);
  // What is made here is destroyed here; what the caller passed stays the caller's.
  const owned: Array<{ destroy?(): void }> = [];
  const made = <T extends { destroy?(): void }>(thing: T): T => (owned.push(thing), thing);
  const sqs = options.sqs ?? made(createSqsClient(config.queue, clientOptions(options.aws, 'sqs')));
  // The SDK keeps the offset of each answer's Date header from this host's clock (second resolution, so a
  // lower bound of AWS's time): a slow host clock is seen at the first receive, even on an empty queue.
  const observeAwsTime = () => {
    const offset = (sqs.config as { systemClockOffset?: unknown }).systemClockOffset;
    if (clock instanceof AwsAlignedClock && typeof offset === 'number') clock.observe(Date.now() + offset);
  };
  const onCall = (call: ConnectCall) => {
    ops.hooks.connectCall?.(call);
    if (call.operation === 'UpdateTrafficDistribution' && call.error === undefined) crashPoint('after-update');
  };
  const api = options.connect
    ? options.connect({ clock, onCall })
    : made(
        new ConnectTrafficApi({
          tdg: config.trafficDistributionGroup,
          regions: config.regions,
          clock,
          onCall,
          // Who wrote: CloudTrail (and the split-brain tests) attribute every write to a controller.
          userAgent: `connect-failover/${defaultWriter()}`,
          ...clientOptions(options.aws, 'connect'),
        }),
      );
  // Each read also carries an AbortSignal with its own deadline; these bound a connection that hangs.
  const cloudWatchClient = (region: string) =>
    new CloudWatchClient({
      region,
      requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000 },
      ...clientOptions(options.aws, 'cloudwatch'),
    });
  const alarms = options.alarms ?? made(new CloudWatchAlarmReader(cloudWatchClient));
  const intake = new SqsIntake({
    client: sqs,
    queueUrl: config.queue.url,
    waitTimeSeconds,
    onError: (error) => logger.warn({ err: error }, 'queue background operation failed'),
  });
  const term: TermDeps = { options, store, ops, api, alarms, intake, clock, dryRun, waitTimeSeconds, observeAwsTime };

  try {
    // Another group's state is refused now: waiting for its lease as a standby would wait for ever.
    await assertStoreBelongsTo(store, config, signal);
    await ops.open();
    const leaseMs = options.leaseTtlMs ?? leaseDurationOf(config);
    let first = true;
    // Standby, lead, and back to standby when leadership is lost, until stopped (behaviour 11).
    while (!signal.aborted) {
      const lease = await standBy(store, leaseMs, clock, logger, signal);
      if (!lease) break;
      logger.info({ epoch: lease.epoch, holder: lease.holder }, 'took the lease: this controller acts');
      if ((await leadOneTerm(term, lease, first)) === 'stopped') break;
      first = false;
    }
    logger.info('controller stopped');
  } finally {
    await ops.close();
    await store.releaseLease().catch((error: unknown) => logger.warn({ err: error }, 'releasing the lease failed'));
    await store.close();
    for (const thing of owned) thing.destroy?.();
  }
}

/** What every term of leadership shares. */
interface TermDeps {
  options: RunControllerOptions;
  store: StateStore;
  ops: ReturnType<typeof operability>;
  api: TrafficApi;
  alarms: AlarmReader;
  intake: SqsIntake;
  clock: Clock;
  dryRun: boolean;
  waitTimeSeconds: number;
  /** After each successful receive: lets the clock learn AWS's time from the answer. */
  observeAwsTime: () => void;
}

/**
 * One term as the acting controller: a fresh Controller restored from the store (another leader may have
 * changed it), running until stopped or until the lease is lost or can no longer be known to be ours.
 * Losing it aborts everything in flight at once, the shift included; nothing unsaved was acknowledged.
 */
async function leadOneTerm(deps: TermDeps, lease: LeaseStatus, first: boolean): Promise<'stopped' | 'lost'> {
  const { options, store, ops, api, alarms, intake, clock, dryRun, waitTimeSeconds, observeAwsTime } = deps;
  const received = <T>(batch: T): T => (observeAwsTime(), batch);
  const { config, logger, signal } = options;
  const guard = new LeaseGuard(store, lease, clock, logger);
  // One loop failing (a lost lease, a store gone for good) stops the others too.
  const term = new AbortController();
  const stopTerm = () => term.abort(signal.reason);
  signal.addEventListener('abort', stopTerm, { once: true });
  let lost: LeaseLostError | undefined;
  const lose = (error: LeaseLostError) => {
    if (lost || term.signal.aborted) return;
    lost = error;
    logger.error(
      { err: error, epoch: guard.epoch },
      'no longer sure this controller holds the lease: stopped acting at once; standing by',
    );
    term.abort(error);
  };
  const traffic = new TrafficShifter({
    api,
    shiftAgents: config.traffic.shiftAgents,
    clock,
    logger,
    ...options.shifter,
    beforeWrite: () => {
      try {
        guard.assertSure();
      } catch (error) {
        lose(error as LeaseLostError);
        throw error;
      }
    },
  });
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
    alarmPollMs: options.alarmPollMs,
    confirmAlarms: options.confirmAlarms,
    onLeaseLost: lose,
  });
  const loop = (work: Promise<void>) =>
    work.catch((error: unknown) => {
      if (error instanceof LeaseLostError) return lose(error);
      term.abort(error);
      throw error;
    });
  /** One batch: applied and saved by the controller, then deleted (all but the malformed). */
  const handle = async (batch: ReceivedMessage[]): Promise<void> => {
    const stopHeartbeat = intake.startHeartbeat(batch);
    crashPoint('after-receive');
    if (clock instanceof AwsAlignedClock) for (const m of batch) if (m.sentAt !== undefined) clock.observe(m.sentAt);
    try {
      const { deletable } = await ops.instrument.batch(batch, () =>
        controller.handleBatch(
          batch.map((m) => ({
            messageId: m.messageId,
            body: m.body,
            receivedAt: m.receivedAt,
            sentAt: m.sentAt,
            senderId: m.senderId,
          })),
        ),
      );
      crashPoint('after-persist');
      const ids = new Set(deletable);
      const deleted = await intake.delete(batch.filter((m) => ids.has(m.messageId)));
      for (const failed of deleted.failed)
        logger.warn(failed, 'delete failed; the message will come back and be deduplicated');
    } finally {
      await stopHeartbeat();
    }
  };
  try {
    const keeping = loop(guard.keep(term.signal));
    try {
      await controller.start(term.signal);
      // Behaviour 8: operator commands already waiting in the queue apply before the start-up decision
      // on a split changed by hand (an operator who failed over by hand may also have sent a resume).
      // Through the instrumented receive: a successful short poll is what /readyz waits for.
      await applyWaiting(
        ops.instrument.receive((s, wait) => intake.receive(s, wait).then(received)),
        handle,
        logger,
        term.signal,
      );
      await controller.settleStartup(term.signal);
    } catch (error) {
      // Stopped during start-up reconciliation: a clean stop, not a failure (nothing was half-applied).
      if (signal.aborted) return 'stopped';
      if (lost || error instanceof LeaseLostError) return (lose(error as LeaseLostError), 'lost');
      throw error;
    }
    logger.info(
      {
        dryRun,
        epoch: guard.epoch,
        queue: config.queue.url,
        tdg: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id,
      },
      'controller running',
    );
    options.hooks?.ready?.();
    if (first) ops.preflight(term.signal);
    await Promise.all([
      loop(controller.runLoops(term.signal)),
      ops.heartbeat(term.signal),
      receiveLoop({
        intake: { receive: ops.instrument.receive((s) => intake.receive(s).then(received)) },
        signal: term.signal,
        onError: (error, failure) => logger.warn({ err: error, ...failure }, 'receive failed; backing off'),
        handle,
        // The last poll ends on its own (it is short) and what it got goes straight back to the queue, so a
        // command sent during a stop (or to a deposed leader) is not stranded for a visibility timeout.
        stopGraceMs: Math.min(waitTimeSeconds * 1000 + 1000, MAX_STOP_GRACE_MS),
        handBack: (batch) => intake.release(batch, { retryAfterSeconds: 0 }),
      }),
      keeping,
    ]);
    if (lost) return 'lost';
    // Whatever is still unsaved was not acknowledged: a failed last save loses nothing (the messages come
    // back to the next controller), so a stop stays a clean stop.
    await controller
      .flush()
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'the last save at stop failed; unsaved messages stay on the queue'),
      );
    return 'stopped';
  } finally {
    term.abort(new Error('term over'));
    signal.removeEventListener('abort', stopTerm);
  }
}

/** The lease duration the config asks for (`store.leaseDuration` for DynamoDB; the default otherwise). */
function leaseDurationOf(config: Config): number {
  return config.store.type === 'dynamodb' ? config.store.leaseDurationMs : DEFAULT_LEASE_DURATION_MS;
}

/** Longest a stop waits for the last poll to end by itself (a clean stop has 10 s in all). */
const MAX_STOP_GRACE_MS = 6_000;

/** Most short polls made at start-up for what was queued while no controller ran. */
const WAITING_POLLS = 5;

/**
 * Applies what already waits on the queue with short polls (no wait), until one comes back empty. Bounded:
 * an alarm storm in the queue must not hold back the start. A failure is left to the receive loop.
 */
async function applyWaiting(
  receive: (signal: AbortSignal, waitTimeSeconds?: number) => Promise<ReceivedMessage[]>,
  handle: (batch: ReceivedMessage[]) => Promise<void>,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  for (let poll = 0; poll < WAITING_POLLS && !signal.aborted; poll++) {
    let batch: ReceivedMessage[];
    try {
      batch = await receive(signal, 0);
    } catch (error) {
      logger.warn({ err: error }, 'reading the queue at start-up failed; the receive loop retries');
      return;
    }
    if (batch.length === 0) return;
    try {
      await handle(batch);
    } catch (error) {
      // Not deleted, so it comes back: the receive loop takes it from here.
      logger.warn({ err: error }, 'a waiting batch could not be applied at start-up; the receive loop retries');
      return;
    }
  }
}
