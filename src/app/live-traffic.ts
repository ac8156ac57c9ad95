/**
 * The split as Connect has it now, for people (`status`, the operator commands' prompt): one
 * GetTrafficDistribution (with the group's status from DescribeTrafficDistributionGroup beside it) through
 * the same traffic API the controller uses, in the primary Region and, if that fails, the replica's. Read only; never retried beyond the second Region, so a person waiting for
 * `status` waits seconds at most, and an unreachable Connect is reported, not hidden.
 */
import type { AwsClientSettings } from '../aws/client-settings.ts';
import { clientOptions } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import { ConnectTrafficApi } from '../connect/connect-traffic.ts';
import type { TdgStatus, TrafficSplit } from '../connect/traffic-port.ts';

/** Per request; both Regions together stay under twice this. Default 2500 ms. */
export const LIVE_READ_TIMEOUT_MS = 2500;

/**
 * `status` is the group's (DescribeTrafficDistributionGroup in the Region that answered the split), null
 * when that read failed: GetTrafficDistribution does not say whether an update is still being applied.
 */
export type LiveSplit =
  | { ok: true; split: TrafficSplit; status: TdgStatus | null; region: string; readAt: string }
  | { ok: false; error: string };

export interface LiveSplitOptions {
  signal?: AbortSignal;
  /** Per request, ms. Default {@link LIVE_READ_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Endpoints and credentials (default: the SDK's chain, so `AWS_ENDPOINT_URL_CONNECT` applies). */
  aws?: AwsClientSettings;
  now?: () => number;
}

/** Reads the split; never throws for Connect's failures (they come back as `{ ok: false, error }`). */
export async function readLiveSplit(
  config: Pick<Config, 'trafficDistributionGroup' | 'regions'>,
  options: LiveSplitOptions = {},
): Promise<LiveSplit> {
  const timeoutMs = options.timeoutMs ?? LIVE_READ_TIMEOUT_MS;
  const api = new ConnectTrafficApi({
    tdg: config.trafficDistributionGroup,
    regions: config.regions,
    requestTimeoutMs: timeoutMs,
    ...clientOptions(options.aws, 'connect'),
  });
  const errors: string[] = [];
  try {
    for (const region of [config.regions.primary, config.regions.replica]) {
      const signal = AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(timeoutMs)]);
      try {
        // Both at once, so a person waits for one round trip; a status that cannot be read (an operator role
        // without connect:DescribeTrafficDistributionGroup) leaves the split shown, its status unknown.
        const [split, status] = await Promise.all([
          api.get(region, signal),
          api.describe(region, signal).catch(() => null),
        ]);
        return { ok: true, split, status, region, readAt: new Date((options.now ?? Date.now)()).toISOString() };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        errors.push(`${region}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { ok: false, error: errors.join('; ') };
  } finally {
    api.destroy();
  }
}
