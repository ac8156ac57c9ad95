/**
 * The AWS adapter of the traffic port: one ConnectClient per Region of the traffic distribution group,
 * each call made exactly once and its failure wrapped into a ConnectApiError.
 *
 * The clients are built with `maxAttempts: 1` on purpose: retrying is the shifter's job (shifter.ts),
 * because a safe retry of UpdateTrafficDistribution needs things the SDK's retry cannot do: read the
 * split before re-sending a write that may have been applied, wait out UPDATE_IN_PROGRESS instead of
 * re-sending into a 409 (which the SDK does not retry at all), switch to the other Region's endpoint
 * when one Region's API is down, and stop on a deadline or an abort. The SDK's retry would also multiply
 * the shifter's attempts and spend a token budget that runs dry under a long outage.
 */
import {
  ConnectClient,
  DescribeTrafficDistributionGroupCommand,
  GetTrafficDistributionCommand,
  UpdateTrafficDistributionCommand,
} from '@aws-sdk/client-connect';
import type { ConnectClientConfig, Distribution } from '@aws-sdk/client-connect';
import {
  CREDENTIAL_PROVIDER_ERRORS,
  NETWORK_ERROR_CODES,
  NOT_SENT_NETWORK_CODES,
  THROTTLING_CODES,
} from '../aws/error-codes.ts';
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { TrafficDistributionGroupRef } from '../config/types.ts';
import { ConnectApiError } from './errors.ts';
import type { ConnectApiErrorKind } from './errors.ts';
import type { ConnectCall, ConnectCallObserver, TdgStatus, TrafficApi, TrafficSplit } from './traffic-port.ts';

/** Options of {@link ConnectTrafficApi}. */
export interface ConnectTrafficApiOptions {
  /** The group; addressed by its ARN when known, by the bare id only when the config gave nothing else. */
  tdg: TrafficDistributionGroupRef;
  /** The group's two Regions: a client is made for each. */
  regions: { primary: string; replica: string };
  /** Default: the SDK's default credential chain (environment, profile, instance or task role). */
  credentials?: ConnectClientConfig['credentials'];
  /**
   * Default: none, so the SDK resolves the endpoint itself and `AWS_ENDPOINT_URL_CONNECT` (or a profile's
   * endpoint) keeps working. The same endpoint serves both Regions; the Region travels in the signature.
   */
  endpoint?: string;
  /** Appended to the SDK's user agent, naming this controller in Connect's (and CloudTrail's) records. */
  userAgent?: string;
  /** Per-request timeout (connecting included), in ms. Default 5000. */
  requestTimeoutMs?: number;
  /** Sees every call this adapter makes (metrics, game-day reports). Default none. */
  onCall?: ConnectCallObserver;
  /** Timestamps of recorded calls. Default the system clock. */
  clock?: Clock;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

type Operation = ConnectCall['operation'];

/**
 * Connect's traffic API for one traffic distribution group, in both of its Regions. One request per
 * method call, no retries; see the file comment for why.
 */
export class ConnectTrafficApi implements TrafficApi {
  readonly regions: { readonly primary: string; readonly replica: string };
  /** The `Id` every call uses: the ARN, or the bare id when no ARN is configured. */
  readonly tdgId: string;
  readonly #clients: ReadonlyMap<string, ConnectClient>;
  readonly #onCall: ConnectCallObserver | undefined;
  readonly #clock: Clock;

  constructor(options: ConnectTrafficApiOptions) {
    const { primary, replica } = options.regions;
    if (primary === replica)
      throw new RangeError(`regions.primary and regions.replica must differ, both are '${primary}'`);
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(Number.isFinite(timeout) && timeout > 0))
      throw new RangeError(`requestTimeoutMs must be > 0, got ${timeout}`);
    this.regions = { primary, replica };
    this.tdgId = options.tdg.arn ?? options.tdg.id;
    this.#onCall = options.onCall;
    this.#clock = options.clock ?? systemClock;
    const clientFor = (region: string) =>
      new ConnectClient({
        region,
        maxAttempts: 1,
        // throwOnRequestTimeout: without it this SDK version only logs a warning when requestTimeout passes.
        requestHandler: { requestTimeout: timeout, connectionTimeout: timeout, throwOnRequestTimeout: true },
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.userAgent === undefined ? {} : { customUserAgent: options.userAgent }),
      });
    this.#clients = new Map([
      [primary, clientFor(primary)],
      [replica, clientFor(replica)],
    ]);
  }

  async get(region: string, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<TrafficSplit> {
    return this.#call('GetTrafficDistribution', region, signal, onCall, async (client) => {
      const out = await client.send(new GetTrafficDistributionCommand({ Id: this.tdgId }), { abortSignal: signal });
      const telephony = this.#primaryPercent(out.TelephonyConfig?.Distributions);
      if (telephony === undefined) {
        throw new MalformedAnswer(
          'the answer has no TelephonyConfig percentage for either Region',
          out.$metadata.httpStatusCode,
        );
      }
      const split: TrafficSplit = {
        telephonyPrimaryPercent: telephony,
        agentsPrimaryPercent: this.#primaryPercent(out.AgentConfig?.Distributions),
      };
      return { value: split, status: out.$metadata.httpStatusCode, split };
    });
  }

  async describe(region: string, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<TdgStatus> {
    return this.#call('DescribeTrafficDistributionGroup', region, signal, onCall, async (client) => {
      const out = await client.send(
        new DescribeTrafficDistributionGroupCommand({ TrafficDistributionGroupId: this.tdgId }),
        {
          abortSignal: signal,
        },
      );
      const status = out.TrafficDistributionGroup?.Status;
      if (status === undefined)
        throw new MalformedAnswer('the answer has no TrafficDistributionGroup.Status', out.$metadata.httpStatusCode);
      return { value: status, status: out.$metadata.httpStatusCode };
    });
  }

  async update(region: string, split: TrafficSplit, signal: AbortSignal, onCall?: ConnectCallObserver): Promise<void> {
    const agents = split.agentsPrimaryPercent;
    const command = new UpdateTrafficDistributionCommand({
      Id: this.tdgId,
      TelephonyConfig: { Distributions: this.#distributions(split.telephonyPrimaryPercent) },
      ...(agents === undefined ? {} : { AgentConfig: { Distributions: this.#distributions(agents) } }),
    });
    await this.#call(
      'UpdateTrafficDistribution',
      region,
      signal,
      onCall,
      async (client) => {
        const out = await client.send(command, { abortSignal: signal });
        return { value: undefined, status: out.$metadata.httpStatusCode };
      },
      split,
    );
  }

  /** Closes both clients' sockets. */
  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
  }

  async #call<T>(
    operation: Operation,
    region: string,
    signal: AbortSignal,
    onCall: ConnectCallObserver | undefined,
    send: (client: ConnectClient) => Promise<{ value: T; status: number | undefined; split?: TrafficSplit }>,
    sentSplit?: TrafficSplit,
  ): Promise<T> {
    const client = this.#clients.get(region);
    if (!client)
      throw new RangeError(`Region '${region}' is neither ${this.regions.primary} nor ${this.regions.replica}`);
    // No request may start once the caller gave up on this work.
    signal.throwIfAborted();
    const startedAt = this.#clock.now();
    const finish = (status: number | undefined, error: string | undefined, split: TrafficSplit | undefined) => {
      const call: ConnectCall = {
        operation,
        region,
        startedAt,
        durationMs: this.#clock.now() - startedAt,
        status,
        error,
        ...(split === undefined ? {} : { split }),
      };
      onCall?.(call);
      this.#onCall?.(call);
    };
    try {
      const answer = await send(client);
      finish(answer.status, undefined, sentSplit ?? answer.split);
      return answer.value;
    } catch (err) {
      const wrapped = toConnectApiError(operation, region, this.tdgId, err, signal);
      finish(wrapped.status, wrapped.code, sentSplit);
      throw wrapped;
    }
  }

  #primaryPercent(distributions: Distribution[] | undefined): number | undefined {
    const primary = distributions?.find((d) => d.Region === this.regions.primary)?.Percentage;
    if (primary !== undefined) return primary;
    const replica = distributions?.find((d) => d.Region === this.regions.replica)?.Percentage;
    return replica === undefined ? undefined : 100 - replica;
  }

  #distributions(primaryPercent: number): Distribution[] {
    return [
      { Region: this.regions.primary, Percentage: primaryPercent },
      { Region: this.regions.replica, Percentage: 100 - primaryPercent },
    ];
  }
}

/** A 2xx answer this adapter cannot use; treated like a server error (retryable). */
class MalformedAnswer extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
  ) {
    super(message);
    this.name = 'MalformedAnswer';
  }
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Wraps whatever one call threw into a {@link ConnectApiError} (once: one passes through unchanged).
 * The node HTTP handler renames ECONNRESET and EPIPE to `TimeoutError`, so the Node `code` is checked
 * before the name.
 */
export function toConnectApiError(
  operation: Operation,
  region: string,
  tdgId: string,
  err: unknown,
  signal?: AbortSignal,
): ConnectApiError {
  if (err instanceof ConnectApiError) return err;
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' && shape.name !== '' ? shape.name : 'Error';
  const nodeCode = typeof shape.code === 'string' && shape.code !== '' ? shape.code : undefined;
  const rawStatus = err instanceof MalformedAnswer ? err.httpStatus : shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const kind = kindOf(name, nodeCode, status, err instanceof MalformedAnswer, signal?.aborted === true);
  const code = kind === 'network' && nodeCode !== undefined ? nodeCode : name;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(err);
  const mayHaveApplied =
    kind === 'server' ||
    kind === 'timeout' ||
    kind === 'aborted' ||
    (kind === 'network' && !NOT_SENT_NETWORK_CODES.has(nodeCode ?? ''));
  return new ConnectApiError(`${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`, {
    operation,
    region,
    status,
    code,
    kind,
    ambiguous: operation === 'UpdateTrafficDistribution' && mayHaveApplied,
    tdgId,
    cause: err,
  });
}

function kindOf(
  name: string,
  nodeCode: string | undefined,
  status: number | undefined,
  malformed: boolean,
  aborted: boolean,
): ConnectApiErrorKind {
  if (name === 'AbortError' || aborted) return 'aborted';
  if (malformed) return 'server';
  if (status === 429 || THROTTLING_CODES.has(name)) return 'throttled';
  if (status === 409 || name === 'ResourceConflictException') return 'conflict';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'client';
  if (nodeCode !== undefined && NETWORK_ERROR_CODES.has(nodeCode)) return 'network';
  if (name === 'TimeoutError' || nodeCode === 'ETIMEDOUT') return 'timeout';
  if (CREDENTIAL_PROVIDER_ERRORS.has(name)) return 'client';
  // Anything else without an HTTP answer: assume the worst (sent, maybe applied) and retry.
  return status === undefined ? 'network' : 'server';
}
