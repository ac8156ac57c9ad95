/**
 * A protocol-faithful simulator of the Connect traffic-distribution API, and of the instance reads
 * preflight makes (flows, flow modules, associated Lambda functions and Lex bots). This file holds the
 * server and the traffic operations; the rules Connect applies are in connect-traffic-rules.ts, the group's
 * state in connect-traffic-group.ts, the instances' flows in connect-contact-flows.ts (their default set in
 * connect-flow-defaults.ts), the wire format in connect-rest-json.ts, faults in connect-faults.ts, the
 * admin API in connect-simulator-admin.ts, option checks in connect-simulator-options.ts and the public
 * shapes in connect-simulator-types.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CONNECT_INSTANCE_ID_PATTERN, connectInstanceArn, trafficDistributionGroupArn } from '../aws/identifiers.ts';
import { ContactFlowDirectory } from './connect-contact-flows.ts';
import { defaultFlowSet } from './connect-flow-defaults.ts';
import { handleAdminRequest } from './connect-simulator-admin.ts';
import { ConnectFaults } from './connect-faults.ts';
import { decodePageToken, encodePageToken, error, isFlowRoute, matchRoute } from './connect-rest-json.ts';
import type { Outcome, TrafficRoute } from './connect-rest-json.ts';
import { checkOptions } from './connect-simulator-options.ts';
import type {
  AppliedWrite,
  ConnectSimulator,
  ConnectSimulatorOptions,
  RecordedRequest,
  SplitInput,
} from './connect-simulator-types.ts';

import { TDG_STATUSES, TrafficGroup } from './connect-traffic-group.ts';
import type { TdgStatus, TrafficState } from './connect-traffic-group.ts';
import { resolveGroupId, splitProblem, validateUpdateBody } from './connect-traffic-rules.ts';
import type { GroupHome, Split } from './connect-traffic-rules.ts';
import { closeServer, listen, parseJsonOrText, readBodyText, sendJson } from './http-io.ts';
import { readSigV4Scope } from './sigv4-scope.ts';
import { SimulatorInputError } from './simulator-errors.ts';

export type { TdgStatus, TrafficState } from './connect-traffic-group.ts';
export type { Split } from './connect-traffic-rules.ts';
export type {
  AppliedWrite,
  ConnectSimulator,
  ConnectSimulatorOptions,
  RecordedRequest,
  SplitInput,
} from './connect-simulator-types.ts';
export type { InstanceFlowSet, SimulatedFlow, SimulatedModule } from './connect-contact-flows.ts';

const DEFAULT_INSTANCE_ID = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';
const DEFAULT_GROUP_ID = 'defa0170-0000-4000-8000-000000000000';
const LIST_PAGE_MAX = 10;
// Longer than any poll interval the controller uses, so the SDK's pooled sockets are not closed by
// the server in the instant they are reused (which surfaces as a spurious ECONNRESET).
const KEEP_ALIVE_MS = 60_000;

/**
 * Starts a protocol-faithful simulator of the Connect traffic-distribution API (restJson1) for one
 * traffic distribution group in both of its Regions, with the group's instance (one id in both Regions)
 * holding contact flows, modules and integrations per Region. The calling Region is read from the SigV4
 * credential scope (signatures are not verified). Admin endpoints under `/_simulator/` (no SigV4)
 * read state, arm faults and load flows from other processes.
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
  readonly contactFlows: ContactFlowDirectory;
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
    this.instanceArn = connectInstanceArn(this.homeRegion, this.accountId, this.#instanceId);
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
    // The replica keeps its source's instance id (ReplicateInstance), so one id names it in both Regions.
    this.contactFlows = new ContactFlowDirectory({
      accountId: this.accountId,
      instanceId: this.#instanceId,
      regions,
      now: this.#now,
    });
    if (options.contactFlows !== 'empty') {
      for (const region of regions)
        this.contactFlows.load(region, defaultFlowSet(region, this.accountId, this.#instanceId));
    }

    this.#server = createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
      this.#onRequest(req, res).catch(() => {
        // The client went away mid-request; there is no one left to answer.
        if (!res.headersSent) res.destroy();
      });
    });
  }

  async listen(port: number, host: string): Promise<void> {
    ({ port: this.port, endpoint: this.endpoint } = await listen(this.#server, port, host));
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
    // Hung requests and pooled keep-alive sockets are closed too, or close() would wait for them forever.
    this.#stopping ??= closeServer(this.#server);
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
      ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'] } : {}),
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
      this.#answer(
        res,
        record,
        error(404, 'UnknownOperationException', `No operation at ${req.method} ${url.pathname}`),
      );
      return;
    }
    if (!scope || scope.service !== 'connect') {
      const why = scope ? `signed for service '${scope.service}', not 'connect'` : 'not SigV4-signed';
      this.#answer(res, record, error(403, 'AccessDeniedException', `Request ${why}`));
      return;
    }

    // Faults are armed for the traffic operations only; a Region that is down drops these too (above).
    if (isFlowRoute(route)) {
      this.#answer(res, record, this.contactFlows.handle(route, scope.region, url));
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

    const writesBefore = this.writes.length;
    const outcome = this.#perform(route, scope.region, body, url);
    const applied = this.writes[writesBefore];
    if (applied && record.userAgent !== undefined) applied.userAgent = record.userAgent;
    if (decision?.fault === 'appliedThen500') {
      this.#answer(res, record, error(500, 'InternalServiceException', 'Internal service error'));
      return;
    }
    this.#answer(res, record, outcome);
  }

  #perform(route: TrafficRoute, region: string, body: unknown, url: URL): Outcome {
    if (route.operation === 'ListTrafficDistributionGroups') return this.#list(region, url);
    const resolved = resolveGroupId(route.id ?? '', region, this.#home);
    if (!resolved.ok) return error(resolved.status, resolved.errorType, resolved.message);
    const group = this.#groups.find((g) => g.id === resolved.id);
    if (!group)
      return error(404, 'ResourceNotFoundException', `Traffic distribution group not found: ${route.id ?? ''}`);
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
    const percentages = (split: Split) => this.#regions().map((r) => ({ Region: r, Percentage: split[r] ?? 0 }));
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
    if (instanceId !== null && !CONNECT_INSTANCE_ID_PATTERN.test(instanceId)) {
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
      this.#regions().some((r) => idOrArn === connectInstanceArn(r, this.accountId, this.#instanceId))
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
