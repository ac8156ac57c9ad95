/**
 * Reading a Connect instance's contact flows and flow modules (with their flow-language content), and the
 * Lambda functions and Lex bots associated with it: the AWS adapter of the port preflight's replica
 * readiness check reads through.
 *
 * Unlike the traffic adapter (connect-traffic.ts, `maxAttempts: 1`), these reads keep the SDK's standard
 * retry: they change nothing, so repeating one is always safe, and Connect's per-API rate quotas for them
 * are low enough (a few requests a second per account) that describing every flow of a large instance
 * meets throttling, which the SDK's backoff with jitter absorbs.
 *
 * The port and its types are contact-flow-source.ts, the error contact-flow-errors.ts.
 */
import {
  ConnectClient,
  DescribeContactFlowCommand,
  DescribeContactFlowModuleCommand,
  ListBotsCommand,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListLambdaFunctionsCommand,
} from '@aws-sdk/client-connect';
import type { ConnectClientConfig } from '@aws-sdk/client-connect';
import { ContactFlowReadError, toReadError } from './contact-flow-errors.ts';
import type { ContactFlowReadOperation } from './contact-flow-errors.ts';
import type {
  ContactFlowSource,
  FlowDocument,
  InstanceFlows,
  InstanceIntegrations,
  Lookup,
  SkippedFlow,
} from './contact-flow-source.ts';

/** Options of {@link ConnectContactFlowReader}. */
export interface ContactFlowReaderOptions {
  /** The Region to read in (the replica's). */
  region: string;
  /** Default: the SDK's default credential chain. */
  credentials?: ConnectClientConfig['credentials'];
  /** Default: none, so the SDK resolves it and `AWS_ENDPOINT_URL_CONNECT` keeps working. */
  endpoint?: string;
  /** Appended to the SDK's user agent. */
  userAgent?: string;
  /** Per-request timeout (connecting included), in ms. Default 5000. */
  requestTimeoutMs?: number;
  /** Attempts per request under the SDK's standard retry. Default 3 (the SDK's). */
  maxAttempts?: number;
  /** Describe requests in flight at once. Default 2: more only meets the per-API rate quota sooner. */
  concurrency?: number;
  /** MaxResults of each page of flows and modules (1–1000; the integration lists stop at 25). Default 100, the API's. */
  pageSize?: number;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
const INTEGRATION_PAGE_MAX = 25;

/** The AWS adapter of {@link ContactFlowSource}: one ConnectClient in one Region, every List paginated. */
export class ConnectContactFlowReader implements ContactFlowSource {
  readonly region: string;
  readonly #client: ConnectClient;
  readonly #concurrency: number;
  readonly #pageSize: number;

  constructor(options: ContactFlowReaderOptions) {
    const timeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (!(Number.isFinite(timeout) && timeout > 0))
      throw new RangeError(`requestTimeoutMs must be > 0, got ${timeout}`);
    this.#concurrency = options.concurrency ?? 2;
    if (!(Number.isInteger(this.#concurrency) && this.#concurrency >= 1))
      throw new RangeError(`concurrency must be a whole number ≥ 1, got ${this.#concurrency}`);
    this.#pageSize = options.pageSize ?? 100;
    if (!(Number.isInteger(this.#pageSize) && this.#pageSize >= 1 && this.#pageSize <= 1000))
      throw new RangeError(`pageSize must be 1–1000, got ${this.#pageSize}`);
    this.region = options.region;
    this.#client = new ConnectClient({
      region: options.region,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      // throwOnRequestTimeout: without it this SDK version only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout: timeout, connectionTimeout: timeout, throwOnRequestTimeout: true },
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.userAgent === undefined ? {} : { customUserAgent: options.userAgent }),
    });
  }

  async readFlows(instanceId: string, signal: AbortSignal): Promise<InstanceFlows> {
    const InstanceId = instanceId;
    const flowList = await this.#pages('ListContactFlows', signal, this.#pageSize, async (NextToken, MaxResults) => {
      const out = await this.#client.send(new ListContactFlowsCommand({ InstanceId, NextToken, MaxResults }), {
        abortSignal: signal,
      });
      return { items: out.ContactFlowSummaryList ?? [], next: out.NextToken };
    });
    const moduleList = await this.#pages(
      'ListContactFlowModules',
      signal,
      this.#pageSize,
      async (NextToken, MaxResults) => {
        const out = await this.#client.send(new ListContactFlowModulesCommand({ InstanceId, NextToken, MaxResults }), {
          abortSignal: signal,
        });
        return { items: out.ContactFlowModulesSummaryList ?? [], next: out.NextToken };
      },
    );
    const skipped: SkippedFlow[] = [];
    const summaries = [
      ...flowList.map((f) => ({
        kind: 'flow' as const,
        id: f.Id ?? '',
        name: f.Name ?? '',
        archived: f.ContactFlowState === 'ARCHIVED',
        type: f.ContactFlowType as string | undefined,
      })),
      ...moduleList.map((m) => ({
        kind: 'module' as const,
        id: m.Id ?? '',
        name: m.Name ?? '',
        archived: m.State === 'ARCHIVED',
        type: undefined,
      })),
    ];
    const runnable = summaries.filter((s) => {
      if (s.archived) skipped.push({ kind: s.kind, id: s.id, name: s.name, reason: 'archived' });
      return !s.archived;
    });
    const documents = await eachLimited(runnable, this.#concurrency, signal, async (summary, inner) => {
      const operation = summary.kind === 'flow' ? 'DescribeContactFlow' : 'DescribeContactFlowModule';
      try {
        const described = await this.#read(operation, inner, async () => {
          if (summary.kind === 'flow') {
            return (
              await this.#client.send(new DescribeContactFlowCommand({ InstanceId, ContactFlowId: summary.id }), {
                abortSignal: inner,
              })
            ).ContactFlow;
          }
          return (
            await this.#client.send(
              new DescribeContactFlowModuleCommand({ InstanceId, ContactFlowModuleId: summary.id }),
              { abortSignal: inner },
            )
          ).ContactFlowModule;
        });
        const document: FlowDocument = {
          kind: summary.kind,
          id: described?.Id ?? summary.id,
          arn: described?.Arn ?? '',
          name: described?.Name ?? summary.name,
          type: summary.type,
          content: described?.Content ?? '',
        };
        return document;
      } catch (error) {
        // Listed, then not describable: never published (nothing of it runs) or deleted since the list.
        if (error instanceof ContactFlowReadError && error.code === 'ContactFlowNotPublishedException') {
          skipped.push({ kind: summary.kind, id: summary.id, name: summary.name, reason: 'unpublished' });
          return undefined;
        }
        if (error instanceof ContactFlowReadError && error.failure === 'notFound') {
          skipped.push({ kind: summary.kind, id: summary.id, name: summary.name, reason: 'gone' });
          return undefined;
        }
        throw error;
      }
    });
    const read = documents.filter((d): d is FlowDocument => d !== undefined);
    return { flows: read.filter((d) => d.kind === 'flow'), modules: read.filter((d) => d.kind === 'module'), skipped };
  }

  async readIntegrations(
    instanceId: string,
    wanted: { lambda: boolean; lexV2: boolean; lexV1: boolean },
    signal: AbortSignal,
  ): Promise<InstanceIntegrations> {
    const InstanceId = instanceId;
    const size = Math.min(this.#pageSize, INTEGRATION_PAGE_MAX);
    const lookup = async <T>(work: () => Promise<T>): Promise<Lookup<T>> => {
      try {
        return { ok: true, value: await work() };
      } catch (error) {
        if (!(error instanceof ContactFlowReadError) || signal.aborted) throw error;
        return { ok: false, error };
      }
    };
    const bots = (version: 'V1' | 'V2') =>
      this.#pages('ListBots', signal, size, async (NextToken, MaxResults) => {
        const out = await this.#client.send(
          new ListBotsCommand({ InstanceId, LexVersion: version, NextToken, MaxResults }),
          { abortSignal: signal },
        );
        return { items: out.LexBots ?? [], next: out.NextToken };
      });
    const [lambdaFunctions, lexV2Aliases, lexV1Bots] = await Promise.all([
      wanted.lambda
        ? lookup(() =>
            this.#pages('ListLambdaFunctions', signal, size, async (NextToken, MaxResults) => {
              const out = await this.#client.send(
                new ListLambdaFunctionsCommand({ InstanceId, NextToken, MaxResults }),
                { abortSignal: signal },
              );
              return { items: out.LambdaFunctions ?? [], next: out.NextToken };
            }),
          )
        : undefined,
      wanted.lexV2
        ? lookup(async () => (await bots('V2')).flatMap((b) => (b.LexV2Bot?.AliasArn ? [b.LexV2Bot.AliasArn] : [])))
        : undefined,
      wanted.lexV1
        ? lookup(async () =>
            (await bots('V1')).flatMap((b) =>
              b.LexBot?.Name ? [{ name: b.LexBot.Name, region: b.LexBot.LexRegion ?? '' }] : [],
            ),
          )
        : undefined,
    ]);
    return {
      ...(lambdaFunctions ? { lambdaFunctions } : {}),
      ...(lexV2Aliases ? { lexV2Aliases } : {}),
      ...(lexV1Bots ? { lexV1Bots } : {}),
    };
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.#client.destroy();
  }

  /** Every item of a paginated List, following NextToken until the last page. */
  async #pages<T>(
    operation: ContactFlowReadOperation,
    signal: AbortSignal,
    size: number,
    page: (token: string | undefined, size: number) => Promise<{ items: T[]; next: string | undefined }>,
  ): Promise<T[]> {
    const all: T[] = [];
    let token: string | undefined;
    do {
      const current = token;
      const { items, next } = await this.#read(operation, signal, () => page(current, size));
      all.push(...items);
      // A token equal to the one just sent would loop forever; a faithful service never sends one.
      token = next === '' || next === current ? undefined : next;
    } while (token !== undefined);
    return all;
  }

  async #read<T>(operation: ContactFlowReadOperation, signal: AbortSignal, send: () => Promise<T>): Promise<T> {
    try {
      // No request may start once the caller gave up.
      signal.throwIfAborted();
      return await send();
    } catch (error) {
      throw toReadError(operation, this.region, error, signal);
    }
  }
}

/** Runs `work` over `items`, at most `limit` at once, in order; the first failure stops the rest from starting. */
async function eachLimited<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && !inner.aborted) {
      const index = next++;
      try {
        results[index] = await work(items[index]!, inner);
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
