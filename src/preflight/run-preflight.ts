/**
 * Runs the preflight checklist against the real services a config names, with the SDK's default
 * endpoints and credentials (so `AWS_ENDPOINT_URL_*` point it at a local stack). Read-only towards AWS:
 * nothing is shifted, sent or deleted; the store check writes and removes a temporary file only.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { clientOptions } from '../aws/client-settings.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { CloudWatchAlarmReader } from '../cloudwatch/alarm-reader.ts';
import type { AlarmReader } from '../cloudwatch/alarm-reader.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { ConnectContactFlowReader } from '../connect/contact-flows.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import { readDocument } from '../controller/document.ts';
import { signalRefs } from '../domain/signals.ts';
import { policyOf } from '../domain/policy.ts';
import { createSqsClient } from '../intake/sqs-client.ts';
import { SqsIntake } from '../intake/sqs-intake.ts';
import { openStore } from '../store/open-store.ts';
import type { StateStore } from '../store/store.ts';
import { createFailoverMachine, outlook, restoreSnapshot, statesOf } from '../../state-machines/index.ts';
import { checkAlarms } from './alarm-checks.ts';
import { checkCredentials } from './credentials-check.ts';
import { checkQueue } from './queue-checks.ts';
import { checkReplicaReadiness } from './replica-checks.ts';
import { checkStore } from './store-check.ts';
import { checkSplit, checkTdgAddress, checkTdgInRegion } from './traffic-checks.ts';
import type { RegionAnswer } from './traffic-checks.ts';
import { messageOf, reportOf } from './types.ts';
import type { CheckGroup, CheckResult, PreflightReport } from './types.ts';

/** Default time each group of checks may take before it fails as timed out. */
export const PREFLIGHT_CHECK_TIMEOUT_MS = 15_000;
/**
 * Default time the replica flow checks may take: one Describe per flow and module, under Connect's low
 * per-API rate quotas (with the SDK's backoff when throttled), takes longer than the other groups.
 */
export const PREFLIGHT_REPLICA_TIMEOUT_MS = 60_000;

export interface PreflightOptions {
  config: Config;
  /** Aborts every check in flight. */
  signal?: AbortSignal;
  /** The store to probe (a running controller passes its own). Default: the config's store (through `aws`), closed after. */
  store?: StateStore;
  /** `--dry-run` given on the command line (the config's `dryRun` counts too). */
  dryRun?: boolean;
  /** Groups to leave out; `run` leaves out `traffic.split`, which its start-up reconciliation reports as drift. */
  skip?: readonly CheckGroup[];
  /** Per group of checks, in ms. Default {@link PREFLIGHT_CHECK_TIMEOUT_MS}. */
  timeoutMs?: number;
  clock?: Clock;
  /** Endpoints and credentials of the clients the checks make (default: the SDK's standard chain). */
  aws?: AwsClientSettings;
}

/** Runs every check (groups in parallel) and returns them in a fixed order. Never throws for a failing check. */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const skip = new Set(options.skip ?? []);
  const store = options.store ?? openStore(config.store, { aws: options.aws });
  const sqs = createSqsClient(config.queue, clientOptions(options.aws, 'sqs'));
  const api = new ConnectTrafficApi({
    tdg: config.trafficDistributionGroup,
    regions: config.regions,
    clock,
    ...clientOptions(options.aws, 'connect'),
  });
  const alarms: AlarmReader & { destroy(): void } = new CloudWatchAlarmReader(
    (region) => new CloudWatchClient({ region, ...clientOptions(options.aws, 'cloudwatch') }),
  );
  const flows =
    config.replicaInstance && !skip.has('replica')
      ? new ConnectContactFlowReader({ region: config.regions.replica, ...clientOptions(options.aws, 'connect') })
      : undefined;
  const within = <T>(
    id: string,
    title: string,
    work: (signal: AbortSignal) => Promise<T>,
    fallback: (failure: CheckResult) => T,
    groupTimeoutMs = PREFLIGHT_CHECK_TIMEOUT_MS,
  ): Promise<T> => {
    const timeoutMs = options.timeoutMs ?? groupTimeoutMs;
    const signal = AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(timeoutMs)]);
    const check = (async () => {
      try {
        return await work(signal);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const detail = signal.aborted ? `no answer within ${timeoutMs} ms` : messageOf(error);
        return fallback({
          id,
          title,
          status: 'fail',
          detail,
          fix: 'check that the service endpoint is reachable from here and try again',
        });
      }
    })();
    // Only a stop rejects it, and may do so before it is awaited: the stop is reported once, below.
    check.catch(() => undefined);
    return check;
  };

  try {
    const credentials = skip.has('credentials')
      ? undefined
      : within(
          'credentials',
          'AWS credentials',
          () => checkCredentials(() => sqs.config.credentials(), clock.now()),
          (f) => f,
        );
    const queue = skip.has('queue')
      ? undefined
      : within(
          'queue',
          'queue reachable',
          (signal) =>
            checkQueue(config.queue.url, () =>
              new SqsIntake({ client: sqs, queueUrl: config.queue.url }).describeQueue(signal),
            ),
          (f) => [f],
        );
    const noAnswer = (region: string) => ({ region, split: undefined });
    const inRegion = (role: 'primary' | 'replica') =>
      within(
        `tdg.${role}`,
        `TDG from ${config.regions[role]} (${role})`,
        (signal) => checkTdgInRegion(config, api, role, signal),
        (f) => ({ result: f, answer: noAnswer(config.regions[role]) }),
      );
    const needTdg = !skip.has('tdg') || !skip.has('traffic.split');
    const regions = needTdg ? Promise.all([inRegion('primary'), inRegion('replica')]) : undefined;
    const alarmChecks = skip.has('alarms')
      ? undefined
      : within(
          'alarms',
          'alarms readable',
          (signal) => checkAlarms(signalRefs(config.signals, config.regions), alarms, signal),
          (f) => [f],
        );
    const replica = skip.has('replica')
      ? undefined
      : within(
          'replica.flows',
          'replica flows stay in the replica',
          (signal) => checkReplicaReadiness(config, flows, signal),
          (f) => [f],
          PREFLIGHT_REPLICA_TIMEOUT_MS,
        );
    const storeCheck = skip.has('store')
      ? undefined
      : within(
          'store',
          'state store writable',
          (signal) => checkStore(store, signal, config),
          (f) => f,
        );
    const wanted = skip.has('traffic.split')
      ? undefined
      : within(
          'traffic.split',
          'split matches the state',
          (signal) => wantedSplit(config, store, signal),
          (f) => ({ error: f.detail }),
        );

    // Stopped half way, the awaits below end at the first check that throws: the others are waited for
    // (each aborted by the same signal), so none fails unobserved and no client is destroyed under a call.
    const started = [credentials, queue, regions, alarmChecks, replica, storeCheck, wanted];
    try {
      const checks: CheckResult[] = [];
      if (!skip.has('mode')) checks.push(modeCheck(config, options.dryRun));
      if (credentials) checks.push(await credentials);
      if (queue) checks.push(...(await queue));
      const answers: RegionAnswer[] = [];
      if (regions) {
        const found = await regions;
        answers.push(...found.map((f) => f.answer));
        if (!skip.has('tdg')) checks.push(checkTdgAddress(config), ...found.map((f) => f.result));
      }
      if (wanted) checks.push(checkSplit(config, answers, await wanted));
      if (replica) checks.push(...(await replica));
      if (alarmChecks) checks.push(...(await alarmChecks));
      if (storeCheck) checks.push(await storeCheck);
      return reportOf(checks);
    } catch (error) {
      await Promise.allSettled(started);
      throw error;
    }
  } finally {
    sqs.destroy();
    api.destroy();
    alarms.destroy();
    flows?.destroy();
    if (!options.store) await store.close();
  }
}

function modeCheck(config: Config, dryRun: boolean | undefined): CheckResult {
  const base = { id: 'mode', title: 'mode' };
  if (config.dryRun || dryRun) {
    return {
      ...base,
      status: 'warn',
      detail: `dry run (${config.dryRun ? 'dryRun: true in the config' : '--dry-run'}): decisions are logged, traffic is never shifted`,
      fix: 'set dryRun: false (and drop --dry-run) when the controller should act',
    };
  }
  return { ...base, status: 'pass', detail: 'live: the controller shifts traffic' };
}

/** The primary percent the persisted state wants (or the healthy split when nothing is persisted yet). */
async function wantedSplit(
  config: Config,
  store: StateStore,
  signal: AbortSignal,
): Promise<{ primaryPercent: number; why: string } | { error: string }> {
  try {
    const stored = await store.load(signal);
    if (!stored) return { primaryPercent: config.traffic.healthy, why: 'no persisted state yet (healthy)' };
    const policy = policyOf(config);
    const snapshot = restoreSnapshot(
      createFailoverMachine(policy),
      readDocument(stored.data, store.describe(), { config }).snapshot,
    );
    const { health, automation } = statesOf(snapshot);
    return {
      primaryPercent: outlook(policy, snapshot).desiredPrimaryPercent,
      why: `the persisted state (${health}, automation ${automation})`,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    return { error: messageOf(error) };
  }
}
