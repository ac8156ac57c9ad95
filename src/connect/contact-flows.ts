/**
 * Reading a Connect instance's contact flows and flow modules (with their flow-language content), and the
 * Lambda functions and Lex bots associated with it: the port preflight's replica readiness check reads
 * through, and its AWS adapter.
 *
 * Unlike the traffic adapter (connect-traffic.ts, `maxAttempts: 1`), these reads keep the SDK's standard
 * retry: they change nothing, so repeating one is always safe, and Connect's per-API rate quotas for them
 * are low enough (a few requests a second per account) that describing every flow of a large instance
 * meets throttling, which the SDK's backoff with jitter absorbs.
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
import {
  CREDENTIAL_PROVIDER_ERRORS,
  NETWORK_ERROR_CODES,
  THROTTLING_CODES,
  TIMEOUT_CODES,
} from '../aws/error-codes.ts';
import { ConnectFailoverError } from '../errors.ts';

/** The reads this module makes, by their API names (and IAM actions, `connect:<name>`). */
export type ContactFlowReadOperation =
  | 'ListContactFlows'
  | 'DescribeContactFlow'
  | 'ListContactFlowModules'
  | 'DescribeContactFlowModule'
  | 'ListLambdaFunctions'
  | 'ListBots';

/**
 * Why a read failed: `denied` (403: IAM), `notFound` (404: no such instance), `throttled`, `server` (5xx),
 * `unreachable` (network error or no answer in time), `client` (other 4xx, missing credentials), `aborted`.
 */
export type ContactFlowReadFailure =
  'denied' | 'notFound' | 'throttled' | 'server' | 'unreachable' | 'client' | 'aborted';

/** One read of an instance's flows or integrations failed (after the SDK's retries). Wrapped once, here. */
export class ContactFlowReadError extends ConnectFailoverError {
  readonly operation: ContactFlowReadOperation;
  readonly region: string;
  /** HTTP status; undefined when no answer arrived. */
  readonly status: number | undefined;
  /** Error name, e.g. `AccessDeniedException`, `TimeoutError`, `ECONNREFUSED`. */
  readonly code: string;
  readonly failure: ContactFlowReadFailure;

  constructor(
    message: string,
    details: {
      operation: ContactFlowReadOperation;
      region: string;
      status: number | undefined;
      code: string;
      failure: ContactFlowReadFailure;
      cause: unknown;
    },
  ) {
    super(`${details.operation} in ${details.region}: ${message}`, {
      retryable: details.failure === 'throttled' || details.failure === 'server' || details.failure === 'unreachable',
      cause: details.cause,
    });
    this.operation = details.operation;
    this.region = details.region;
    this.status = details.status;
    this.code = details.code;
    this.failure = details.failure;
  }
}

/** A flow or flow module and its content. */
export interface FlowDocument {
  kind: 'flow' | 'module';
  id: string;
  arn: string;
  name: string;
  /** The flow's `ContactFlowType`; undefined for modules. */
  type: string | undefined;
  /** The flow-language JSON, as the string Connect returns in `Content`. */
  content: string;
}

/** A flow or module listed but not read: `archived` (cannot run), `unpublished` (never published, so never runs), `gone` (deleted between list and describe). */
export interface SkippedFlow {
  kind: 'flow' | 'module';
  id: string;
  name: string;
  reason: 'archived' | 'unpublished' | 'gone';
}

/** Every flow and module of an instance that can run, with their published content. */
export interface InstanceFlows {
  flows: FlowDocument[];
  modules: FlowDocument[];
  skipped: SkippedFlow[];
}

/** The answer of one integration list, or why there is none. */
export type Lookup<T> = { ok: true; value: T } | { ok: false; error: ContactFlowReadError };

/** The integrations asked for (a kind not asked for is not read, so needs no permission). */
export interface InstanceIntegrations {
  /** ListLambdaFunctions: the ARNs of the Lambda functions associated with the instance. */
  lambdaFunctions?: Lookup<string[]>;
  /** ListBots (V2): the Lex V2 bot alias ARNs associated with the instance. */
  lexV2Aliases?: Lookup<string[]>;
  /** ListBots (V1): the Lex V1 bots associated with the instance. */
  lexV1Bots?: Lookup<Array<{ name: string; region: string }>>;
}

/** The port: what preflight reads of the replica instance, in the one Region it reads from. */
export interface ContactFlowSource {
  readonly region: string;
  /** @throws ContactFlowReadError when listing fails, or describing fails other than by a flow being unpublished or gone. */
  readFlows(instanceId: string, signal: AbortSignal): Promise<InstanceFlows>;
  /** Never rejects for a failed list: each kind asked for carries its answer or its error. */
  readIntegrations(
    instanceId: string,
    wanted: { lambda: boolean; lexV2: boolean; lexV1: boolean },
    signal: AbortSignal,
  ): Promise<InstanceIntegrations>;
}

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

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Wraps whatever one read threw into a {@link ContactFlowReadError} (one passes through unchanged). */
export function toReadError(
  operation: ContactFlowReadOperation,
  region: string,
  err: unknown,
  signal?: AbortSignal,
): ContactFlowReadError {
  if (err instanceof ContactFlowReadError) return err;
  const shape: SdkErrorShape = typeof err === 'object' && err !== null ? (err as SdkErrorShape) : {};
  const name = typeof shape.name === 'string' && shape.name !== '' ? shape.name : 'Error';
  const nodeCode = typeof shape.code === 'string' && shape.code !== '' ? shape.code : undefined;
  const rawStatus = shape.$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const failure = failureOf(name, nodeCode, status, signal?.aborted === true);
  const code = failure === 'unreachable' && nodeCode !== undefined ? nodeCode : name;
  const message = typeof shape.message === 'string' && shape.message !== '' ? shape.message : String(err);
  return new ContactFlowReadError(`${code}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`, {
    operation,
    region,
    status,
    code,
    failure,
    cause: err,
  });
}

function failureOf(
  name: string,
  nodeCode: string | undefined,
  status: number | undefined,
  aborted: boolean,
): ContactFlowReadFailure {
  if (name === 'AbortError' || aborted) return 'aborted';
  if (status === 403 || name === 'AccessDeniedException') return 'denied';
  if (status === 404 || name === 'ResourceNotFoundException') return 'notFound';
  if (status === 429 || THROTTLING_CODES.has(name)) return 'throttled';
  if (status !== undefined && status >= 500) return 'server';
  if (status !== undefined && status >= 400) return 'client';
  if (CREDENTIAL_PROVIDER_ERRORS.has(name)) return 'client';
  if (
    (nodeCode !== undefined && NETWORK_ERROR_CODES.has(nodeCode)) ||
    TIMEOUT_CODES.has(name) ||
    (nodeCode !== undefined && TIMEOUT_CODES.has(nodeCode))
  )
    return 'unreachable';
  return status === undefined ? 'unreachable' : 'server';
}
