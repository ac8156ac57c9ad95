/**
 * `backtest --from-cloudwatch`: fetches each signal's state changes with `DescribeAlarmHistory` in the
 * alarm's own Region (an ARN's Region, else the primary for primary signals and the replica for
 * `replicaUnhealthy`, as the controller reads them), every page. Endpoints and credentials come from the
 * SDK's standard sources, so `AWS_ENDPOINT_URL_CLOUDWATCH` points it at a simulator.
 */
import { CloudWatchClient, DescribeAlarmHistoryCommand } from '@aws-sdk/client-cloudwatch';
import type { SignalRef } from '../domain/signals.ts';
import { AlarmHistoryFetchError } from './errors.ts';

/** The most DescribeAlarmHistory returns per page. */
const MAX_RECORDS = 100;

export interface FetchHistoryOptions {
  /** Epoch ms: StartDate. */
  since: number;
  /** Epoch ms: EndDate. */
  until: number;
  signal?: AbortSignal | undefined;
  /** Default: `new CloudWatchClient({ region })`. */
  makeClient?: ((region: string) => CloudWatchClient) | undefined;
}

/** What was fetched: one document per signal, in the API's own shape, for the same reader as a file. */
export interface FetchedHistory {
  documents: Array<{ AlarmHistoryItems: Array<Record<string, unknown>> }>;
  /** DescribeAlarmHistory requests made. */
  requests: number;
}

export async function fetchSignalHistory(
  refs: readonly SignalRef[],
  options: FetchHistoryOptions,
): Promise<FetchedHistory> {
  const makeClient = options.makeClient ?? ((region: string) => new CloudWatchClient({ region }));
  const clients = new Map<string, CloudWatchClient>();
  const client = (region: string) => {
    let c = clients.get(region);
    if (c === undefined) {
      c = makeClient(region);
      clients.set(region, c);
    }
    return c;
  };
  const fetched: FetchedHistory = { documents: [], requests: 0 };
  try {
    for (const ref of refs) {
      const items: Array<Record<string, unknown>> = [];
      let nextToken: string | undefined;
      do {
        fetched.requests += 1;
        const page = await send(client(ref.region), ref, options, nextToken);
        for (const item of page.AlarmHistoryItems ?? []) {
          items.push({
            AlarmName: item.AlarmName,
            AlarmType: item.AlarmType,
            Timestamp: item.Timestamp?.toISOString(),
            HistoryItemType: item.HistoryItemType,
            HistorySummary: item.HistorySummary,
            HistoryData: item.HistoryData,
          });
        }
        nextToken = page.NextToken;
      } while (nextToken);
      fetched.documents.push({ AlarmHistoryItems: items });
    }
  } finally {
    for (const c of clients.values()) c.destroy();
  }
  return fetched;
}

async function send(
  client: CloudWatchClient,
  ref: SignalRef,
  options: FetchHistoryOptions,
  nextToken: string | undefined,
) {
  try {
    return await client.send(
      new DescribeAlarmHistoryCommand({
        AlarmName: ref.name,
        // Without AlarmTypes the API returns metric alarms' history only; signals are often composites.
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        HistoryItemType: 'StateUpdate',
        StartDate: new Date(options.since),
        EndDate: new Date(options.until),
        MaxRecords: MAX_RECORDS,
        NextToken: nextToken,
      }),
      { abortSignal: options.signal },
    );
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const code = e.name ?? e.code ?? 'Error';
    const retryable = status === undefined || status === 429 || status >= 500 || /Throttl/.test(code);
    throw new AlarmHistoryFetchError(ref.key, ref.region, code, e.message ?? String(error), {
      retryable,
      cause: error,
    });
  }
}
