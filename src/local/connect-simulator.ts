import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdminRequest } from './connect-simulator-admin.ts';
import { ConnectFaults } from './connect-faults.ts';
import type { ConnectTrafficOperation, FaultKind, FaultPlan } from './connect-faults.ts';
import { TDG_STATUSES, TrafficGroup } from './connect-traffic-group.ts';
import type { TdgStatus, TrafficState } from './connect-traffic-group.ts';
import {
  INSTANCE_ID_PATTERN,
  instanceArn,
  isRegion,
  isUuid,
  resolveGroupId,
  splitProblem,
  trafficDistributionGroupArn,
  validateUpdateBody,
} from './connect-traffic-rules.ts';
import type { GroupHome, Split } from './connect-traffic-rules.ts';
import { parseJsonOrText, readBodyText, sendJson } from './http-io.ts';
import { readSigV4Scope } from './sigv4-scope.ts';
import { SimulatorInputError } from './simulator-errors.ts';

export type { TdgStatus, TrafficState } from './connect-traffic-group.ts';
export type { Split } from './connect-traffic-rules.ts';

/** Options of {@link startConnectSimulator}. */
export interface ConnectSimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** 12 digits; the account in every ARN. */
  accountId: string;
  /** UUID of the simulated traffic distribution group. */
  tdgId: string;
  /** The Region the group (and the primary instance) was created in; bare ids resolve only here. */
  homeRegion: string;
  /** The replica Region. */
  otherRegion: string;
  /** UUID of the Connect instance; default `c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001`. */
  instanceId?: string;
  /** Group name; default `connect-failover`. */
  name?: string;
  /** Group tags; default none. */
  tags?: Record<string, string>;
  /**
   * Whether the simulated group is the instance's default group (the only kind whose SignInConfig may
   * change). Default false; then the instance's default group (which Connect creates on replication)
   * is simulated beside it, with id `defaultTdgId`, and is listed first.
   */
  isDefault?: boolean;
  /** Default `defa0170-0000-4000-8000-000000000000`. */
  defaultTdgId?: string;
  initial?: {
    /** Telephony percent in the home Region; default 100. */
    primaryPercent?: number;
    /** Agent percent in the home Region; default `primaryPercent`. */
    agentsPrimaryPercent?: number;
    /** Default ACTIVE. */
    status?: TdgStatus;
  };
  /** How long an accepted update keeps the group UPDATE_IN_PROGRESS, by `now`; default 0 (none). */
  updateWindowMs?: number;
  /** Clock in epoch milliseconds; default `Date.now`. */
  now?: () => number;
  /** Faults armed from the start; default none. */
  faults?: FaultPlan;
}

/** One request to the Connect API, recorded when it arrived and completed when answered. */
export interface RecordedRequest {
  /** Arrival time by the simulator's clock. */
  at: number;
  operation: ConnectTrafficOperation | 'Unknown';
  /** From the SigV4 credential scope; `undefined` when unsigned. */
  region: string | undefined;
  /** The percent-decoded path id (UUID or ARN) of the three per-group operations. */
  id: string | undefined;
  /** Parsed JSON body (the text when not JSON); absent when empty. */
  body?: unknown;
  /** HTTP status answered; absent when nothing was answered (reset, hang, region down) or not yet. */
  status?: number;
  /** The `x-amzn-errortype` answered, for errors. */
  errorType?: string;
  /** The injected fault that hit this request. */
  fault?: FaultKind | 'regionDown';
}

/** One UpdateTrafficDistribution that was applied (including under `appliedThen500`). */
export interface AppliedWrite {
  at: number;
  /** The Region the update was sent to. */
  region: string;
  tdgId: string;
  telephony: Split;
  agents?: Split;
  signIn?: Record<string, boolean>;
}

/** A split changed "by hand": either part, or both; each is checked like an API update. */
export interface SplitInput {
  telephony?: Split;
  agents?: Split;
}

/** A running simulator; see {@link startConnectSimulator}. */
export interface ConnectSimulator {
  /** `http://<host>:<port>`: pass as `endpoint` to a `ConnectClient`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly otherRegion: string;
  readonly tdgId: string;
  readonly tdgArn: string;
  /** ARN of the primary instance (home Region). */
  readonly instanceArn: string;
  /** Every API request in arrival order (admin requests are not recorded). */
  readonly requests: readonly RecordedRequest[];
  /** Every update applied to any group, in order. */
  readonly writes: readonly AppliedWrite[];
  readonly faults: ConnectFaults;
  /** Status and split of the simulated group now. */
  state(): TrafficState;
  /** Changes the simulated group's split out of band (drift); no write is recorded. */
  setSplit(split: SplitInput): void;
  /** Sets the simulated group's status until changed again. */
  setStatus(status: TdgStatus): void;
  /** Closes the server and every connection, hung ones included. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_INSTANCE_ID = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';
const DEFAULT_GROUP_ID = 'defa0170-0000-4000-8000-000000000000';
const LIST_PAGE_MAX = 10;
// Longer than any poll interval the controller uses, so the SDK's pooled sockets are not closed by
// the server in the instant they are reused (which surfaces as a spurious ECONNRESET).
const KEEP_ALIVE_MS = 60_000;

interface Route {
  operation: ConnectTrafficOperation;
  id?: string;
}

interface Outcome {
  status: number;
  body: unknown;
  errorType?: string;
}

/**
 * Starts a protocol-faithful simulator of the Connect traffic-distribution API (restJson1) for one
 * traffic distribution group in both of its Regions. The calling Region is read from the SigV4
 * credential scope (signatures are not verified). Admin endpoints under `/_simulator/` (no SigV4)
 * read state and arm faults from other processes.
 *
 * @throws SimulatorInputError when the options are unusable.
 */
export async function startConnectSimulator(options: ConnectSimulatorOptions): Promise<ConnectSimulator> {
  const simulator = new ConnectSimulatorServer(options);
  await simulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return simulator;
}

class ConnectSimulatorServer implements ConnectSimulator {
  endpoint = '';
  port = 0;
  readonly accountId: string;
  readonly homeRegion: string;
  readonly otherRegion: string;
  readonly tdgId: string;
  readonly tdgArn: string;
  readonly instanceArn: string;
  readonly requests: RecordedRequest[] = [];
  readonly writes: AppliedWrite[] = [];
  readonly faults = new ConnectFaults();
  readonly #instanceId: string;
  readonly #groups: TrafficGroup[];
  readonly #main: TrafficGroup;
  readonly #home: GroupHome;
  readonly #updateWindowMs: number;
  readonly #now: () => number;
  readonly #server: Server;
  #stopping: Promise<void> | undefined;

  constructor(options: ConnectSimulatorOptions) {
    checkOptions(options);
    this.accountId = options.accountId;
    this.homeRegion = options.homeRegion;
    this.otherRegion = options.otherRegion;
    this.tdgId = options.tdgId;
    this.#instanceId = options.instanceId ?? DEFAULT_INSTANCE_ID;
    this.instanceArn = instanceArn(this.homeRegion, this.accountId, this.#instanceId);
    this.tdgArn = trafficDistributionGroupArn(this.homeRegion, this.accountId, this.tdgId);
    this.#updateWindowMs = options.updateWindowMs ?? 0;
    this.#now = options.now ?? Date.now;

    const primary = options.initial?.primaryPercent ?? 100;
    const agentsPrimary = options.initial?.agentsPrimaryPercent ?? primary;
    const regions = this.#regions();
    this.#main = new TrafficGroup({
      id: this.tdgId,
      arn: this.tdgArn,
      name: options.name ?? 'connect-failover',
      isDefault: options.isDefault ?? false,
      tags: options.tags ?? {},
      status: options.initial?.status ?? 'ACTIVE',
      telephony: { [regions[0]]: primary, [regions[1]]: 100 - primary },
      agents: { [regions[0]]: agentsPrimary, [regions[1]]: 100 - agentsPrimary },
      signIn: { [regions[0]]: true, [regions[1]]: true },
    });
    this.#groups = [this.#main];
    if (!this.#main.isDefault) {
      const id = options.defaultTdgId ?? DEFAULT_GROUP_ID;
      this.#groups.unshift(
        new TrafficGroup({
          id,
          arn: trafficDistributionGroupArn(this.homeRegion, this.accountId, id),
          name: 'default',
          isDefault: true,
          tags: {},
          status: 'ACTIVE',
          telephony: { [regions[0]]: 100, [regions[1]]: 0 },
          agents: { [regions[0]]: 100, [regions[1]]: 0 },
          signIn: { [regions[0]]: true, [regions[1]]: true },
        }),
      );
    }
    if (new Set(this.#groups.map((g) => g.id)).size !== this.#groups.length) {
      throw new SimulatorInputError('defaultTdgId must differ from tdgId');
    }
    this.#home = {
      homeRegion: this.homeRegion,
      otherRegion: this.otherRegion,
      accountId: this.accountId,
      knownIds: new Set(this.#groups.map((g) => g.id)),
    };
    if (options.faults) this.faults.apply(options.faults);

    this.#server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
      this.#onRequest(req, res).catch(() => {
        // The client went away mid-request; there is no one left to answer.
        if (!res.headersSent) res.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.port = address.port;
    const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.endpoint = `http://${hostPart}:${address.port}`;
  }

  state(): TrafficState {
    return this.#main.state(this.#now());
  }

  setSplit(split: SplitInput): void {
    if (!split.telephony && !split.agents) throw new SimulatorInputError('setSplit needs telephony, agents or both');
    const problems = [
      split.telephony && splitProblem(split.telephony, this.#regions(), 'telephony'),
      split.agents && splitProblem(split.agents, this.#regions(), 'agents'),
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0) throw new SimulatorInputError(`invalid split: ${problems.join('; ')}`);
    this.#main.setSplit(split, this.#now());
  }

  setStatus(status: TdgStatus): void {
    if (!TDG_STATUSES.includes(status)) {
      throw new SimulatorInputError(`status must be one of ${TDG_STATUSES.join(', ')}, got ${String(status)}`);
    }
    this.#main.setStatus(status);
  }

  stop(): Promise<void> {
    this.#stopping ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      // Hung requests and pooled keep-alive sockets would otherwise hold close() open forever.
      this.#server.closeAllConnections();
    });
    return this.#stopping;
  }

  #regions(): [string, string] {
    return [this.homeRegion, this.otherRegion];
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    if (url.pathname.startsWith('/_simulator/')) {
      await handleAdminRequest(req, res, url, this);
      return;
    }
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    const scope = readSigV4Scope(req.headers, url);
    const record: RecordedRequest = {
      at: this.#now(),
      operation: route?.operation ?? 'Unknown',
      region: scope?.region,
      id: route?.id,
    };
    this.requests.push(record);

    if (this.faults.isDown(scope?.region)) {
      record.fault = 'regionDown';
      req.socket.destroy();
      return;
    }
    const body = parseJsonOrText(await readBodyText(req));
    if (body !== undefined) record.body = body;

    if (!route) {
      this.#answer(res, record, error(404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`));
      return;
    }
    if (!scope || scope.service !== 'connect') {
      const why = scope ? `signed for service '${scope.service}', not 'connect'` : 'not SigV4-signed';
      this.#answer(res, record, error(403, 'AccessDeniedException', `Request ${why}`));
      return;
    }

    const decision = this.faults.take(route.operation, scope.region);
    if (decision) record.fault = decision.fault;
    switch (decision?.fault) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        // Left open on purpose: the client's timeout or stop() ends it.
        return;
      case 'throttle':
        this.#answer(res, record, error(429, 'ThrottlingException', 'Rate exceeded'));
        return;
      case 'conflict':
        this.#answer(res, record, error(409, 'ResourceConflictException', 'Conflicting operation in progress'));
        return;
      case 'internal':
        this.#answer(res, record, error(500, 'InternalServiceException', 'Internal service error'));
        return;
      default:
        break;
    }

    const outcome = this.#perform(route, scope.region, body, url);
    if (decision?.fault === 'appliedThen500') {
      this.#answer(res, record, error(500, 'InternalServiceException', 'Internal service error'));
      return;
    }
    this.#answer(res, record, outcome);
  }

  #perform(route: Route, region: string, body: unknown, url: URL): Outcome {
    if (route.operation === 'ListTrafficDistributionGroups') return this.#list(region, url);
    const resolved = resolveGroupId(route.id ?? '', region, this.#home);
    if (!resolved.ok) return error(resolved.status, resolved.errorType, resolved.message);
    const group = this.#groups.find((g) => g.id === resolved.id);
    if (!group) return error(404, 'ResourceNotFoundException', `Traffic distribution group not found: ${route.id ?? ''}`);
    switch (route.operation) {
      case 'UpdateTrafficDistribution':
        return this.#update(group, region, body);
      case 'GetTrafficDistribution':
        return this.#get(group, region);
      case 'DescribeTrafficDistributionGroup':
        return this.#describe(group);
    }
  }

  #update(group: TrafficGroup, region: string, body: unknown): Outcome {
    const checked = validateUpdateBody(body, this.#regions(), group.isDefault);
    if (!checked.ok) return error(400, 'InvalidRequestException', checked.message);
    const now = this.#now();
    const blocker = group.updateBlocker(now);
    if (blocker) return error(blocker.status, blocker.errorType, blocker.message);
    group.apply(checked.value, now, this.#updateWindowMs);
    this.writes.push({ at: now, region, tdgId: group.id, ...structuredClone(checked.value) });
    return { status: 200, body: {} };
  }

  #get(group: TrafficGroup, region: string): Outcome {
    const now = this.#now();
    const state = group.state(now);
    const lagMs = this.faults.readLagFor(region);
    const { telephony, agents } = lagMs > 0 ? group.splitAt(now - lagMs) : state;
    const percentages = (split: Split) =>
      this.#regions().map((r) => ({ Region: r, Percentage: split[r] ?? 0 }));
    return {
      status: 200,
      body: {
        Id: group.id,
        Arn: group.arn,
        TelephonyConfig: { Distributions: percentages(telephony) },
        SignInConfig: {
          Distributions: this.#regions().map((r) => ({ Region: r, Enabled: state.signIn[r] ?? false })),
        },
        ...(this.faults.omitsAgentConfig ? {} : { AgentConfig: { Distributions: percentages(agents) } }),
      },
    };
  }

  #describe(group: TrafficGroup): Outcome {
    return {
      status: 200,
      body: {
        TrafficDistributionGroup: {
          Id: group.id,
          Arn: group.arn,
          Name: group.name,
          ...(group.description === undefined ? {} : { Description: group.description }),
          InstanceArn: this.instanceArn,
          Status: group.status(this.#now()),
          Tags: { ...group.tags },
          IsDefault: group.isDefault,
        },
      },
    };
  }

  #list(region: string, url: URL): Outcome {
    const maxText = url.searchParams.get('maxResults');
    const maxResults = maxText === null ? LIST_PAGE_MAX : Number(maxText);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIST_PAGE_MAX) {
      return error(400, 'InvalidRequestException', `maxResults must be an integer from 1 to ${LIST_PAGE_MAX}`);
    }
    const token = url.searchParams.get('nextToken');
    const offset = token === null ? 0 : decodePageToken(token);
    if (offset === undefined) return error(400, 'InvalidRequestException', 'nextToken is not valid');
    const instanceId = url.searchParams.get('instanceId');
    if (instanceId !== null && !INSTANCE_ID_PATTERN.test(instanceId)) {
      return error(400, 'InvalidRequestException', `instanceId '${instanceId}' is neither an instance id nor its ARN`);
    }
    // Groups exist only where the instance or its replica does; an unknown instance just has none.
    const visible =
      this.#regions().includes(region) && (instanceId === null || this.#isOurInstance(instanceId)) ? this.#groups : [];
    const now = this.#now();
    const page = visible.slice(offset, offset + maxResults).map((g) => ({
      Id: g.id,
      Arn: g.arn,
      Name: g.name,
      InstanceArn: this.instanceArn,
      Status: g.status(now),
      IsDefault: g.isDefault,
    }));
    const next = offset + maxResults < visible.length ? encodePageToken(offset + maxResults) : undefined;
    return {
      status: 200,
      body: { TrafficDistributionGroupSummaryList: page, ...(next === undefined ? {} : { NextToken: next }) },
    };
  }

  #isOurInstance(idOrArn: string): boolean {
    return (
      idOrArn === this.#instanceId ||
      this.#regions().some((r) => idOrArn === instanceArn(r, this.accountId, this.#instanceId))
    );
  }

  #answer(res: ServerResponse, record: RecordedRequest, outcome: Outcome): void {
    record.status = outcome.status;
    const headers: Record<string, string> = { 'x-amzn-requestid': randomUUID() };
    if (outcome.errorType) {
      record.errorType = outcome.errorType;
      headers['x-amzn-errortype'] = outcome.errorType;
    }
    sendJson(res, outcome.status, outcome.body, headers);
  }
}

/**
 * An error the way restJson1 services send it: the type in `x-amzn-errortype`, the text in the body.
 * The modeled member is `Message` (what botocore and the CLI read); JS SDK v3 reads `message` first
 * and folds either into `error.message`, so both keys are sent.
 */
function error(status: number, errorType: string, message: string): Outcome {
  return { status, errorType, body: { message, Message: message } };
}

function matchRoute(method: string, pathname: string): Route | undefined {
  if (method === 'GET' && pathname === '/traffic-distribution-groups') {
    return { operation: 'ListTrafficDistributionGroups' };
  }
  const parts = pathname.split('/');
  if (parts.length !== 3 || parts[0] !== '' || !parts[2]) return undefined;
  const id = decodeSegment(parts[2]);
  if (parts[1] === 'traffic-distribution') {
    if (method === 'PUT') return { operation: 'UpdateTrafficDistribution', id };
    if (method === 'GET') return { operation: 'GetTrafficDistribution', id };
  }
  if (parts[1] === 'traffic-distribution-group' && method === 'GET') {
    return { operation: 'DescribeTrafficDistributionGroup', id };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodePageToken(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0
      ? parsed.offset
      : undefined;
  } catch {
    return undefined;
  }
}

function checkOptions(options: ConnectSimulatorOptions): void {
  const problems: string[] = [];
  if (!/^\d{12}$/.test(options.accountId)) problems.push(`accountId must be 12 digits, got '${options.accountId}'`);
  if (!isUuid(options.tdgId)) problems.push(`tdgId must be a lower-case UUID, got '${options.tdgId}'`);
  if (options.instanceId !== undefined && !isUuid(options.instanceId)) problems.push('instanceId must be a UUID');
  if (options.defaultTdgId !== undefined && !isUuid(options.defaultTdgId)) problems.push('defaultTdgId must be a UUID');
  for (const key of ['homeRegion', 'otherRegion'] as const) {
    if (!isRegion(options[key])) problems.push(`${key} '${options[key]}' is not a Region name`);
  }
  if (options.homeRegion === options.otherRegion) problems.push('homeRegion and otherRegion must differ');
  for (const key of ['primaryPercent', 'agentsPrimaryPercent'] as const) {
    const value = options.initial?.[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 100 && value % 10 === 0)) {
      problems.push(`initial.${key} must be 0–100 in steps of 10, got ${value}`);
    }
  }
  if (options.initial?.status !== undefined && !TDG_STATUSES.includes(options.initial.status)) {
    problems.push(`initial.status must be one of ${TDG_STATUSES.join(', ')}`);
  }
  const window = options.updateWindowMs;
  if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
    problems.push('updateWindowMs must be a number ≥ 0');
  }
  if (problems.length > 0) throw new SimulatorInputError(`invalid Connect simulator options: ${problems.join('; ')}`);
}
