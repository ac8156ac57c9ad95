/**
 * The simulated Connect instances' flows, flow modules and integrations (the Lambda functions and Lex bots
 * associated with an instance), per Region, and the six read operations preflight makes on them:
 * ListContactFlows, DescribeContactFlow, ListContactFlowModules, DescribeContactFlowModule,
 * ListLambdaFunctions and ListBots. Shapes and paths follow the SDK model (connect 2017-08-08).
 */
import { createHash } from 'node:crypto';
import { contactFlowArn, contactFlowModuleArn, parseArn, parseConnectInstanceArn } from '../aws/identifiers.ts';
import { decodePageToken, encodePageToken, error } from './connect-rest-json.ts';
import type { ContactFlowOperation, FlowRoute, Outcome } from './connect-rest-json.ts';
import { SimulatorInputError } from './simulator-errors.ts';

/** The flow types of the API (`ContactFlowType`). */
export const CONTACT_FLOW_TYPES = [
  'CONTACT_FLOW',
  'CUSTOMER_QUEUE',
  'CUSTOMER_HOLD',
  'CUSTOMER_WHISPER',
  'AGENT_HOLD',
  'AGENT_WHISPER',
  'OUTBOUND_WHISPER',
  'AGENT_TRANSFER',
  'QUEUE_TRANSFER',
  'CAMPAIGN',
] as const;
export type ContactFlowType = (typeof CONTACT_FLOW_TYPES)[number];

/** One flow as a test or the local stack loads it. */
export interface SimulatedFlow {
  /** Default: a UUID derived from the name, so reloading a set keeps its ids (and the ARNs that name them). */
  id?: string;
  name: string;
  /** Default `CONTACT_FLOW`. */
  type?: ContactFlowType;
  /** Default `ACTIVE`; an `ARCHIVED` flow is listed but cannot run. */
  state?: 'ACTIVE' | 'ARCHIVED';
  /**
   * Default `PUBLISHED`. `SAVED`: never published, so DescribeContactFlow answers
   * ContactFlowNotPublishedException (404) unless the id carries the `:$SAVED` alias.
   */
  status?: 'PUBLISHED' | 'SAVED';
  description?: string;
  /** The flow-language document: an object, or the JSON string itself (sent as given, even if not JSON). */
  content: unknown;
}

/** One flow module; the same fields as a flow, without a type. */
export type SimulatedModule = Omit<SimulatedFlow, 'type'>;

/** What one instance holds in one Region. */
export interface InstanceFlowSet {
  flows?: SimulatedFlow[];
  modules?: SimulatedModule[];
  /** Lambda function ARNs associated with the instance (ListLambdaFunctions). */
  lambdaFunctions?: string[];
  /** Lex V2 bot alias ARNs associated with the instance (ListBots, lexVersion V2). */
  lexV2Aliases?: string[];
  /** Lex V1 bots associated with the instance (ListBots, lexVersion V1). */
  lexV1Bots?: Array<{ name: string; region: string }>;
}

interface Stored {
  id: string;
  arn: string;
  name: string;
  type: ContactFlowType | undefined;
  state: 'ACTIVE' | 'ARCHIVED';
  status: 'PUBLISHED' | 'SAVED';
  description: string | undefined;
  content: string;
  sha256: string;
  modifiedAt: number;
}

interface StoredInstance {
  flows: Stored[];
  modules: Stored[];
  lambdaFunctions: string[];
  lexV2Aliases: string[];
  lexV1Bots: Array<{ name: string; region: string }>;
}

/** Where the directory's instances live: the account, and the instance every Region has by default. */
export interface FlowDirectoryHome {
  accountId: string;
  /** The simulated instance's UUID; a replica keeps its source's id, so it names the instance in both Regions. */
  instanceId: string;
  /** The Regions the instance exists in (the traffic distribution group's two). */
  regions: readonly string[];
  now: () => number;
}

/** Page sizes: the documented range of MaxResults and the size used when it is not given. */
const PAGE_LIMITS: Readonly<
  Record<Exclude<ContactFlowOperation, `Describe${string}`>, { max: number; fallback: number }>
> = {
  ListContactFlows: { max: 1000, fallback: 100 },
  ListContactFlowModules: { max: 1000, fallback: 100 },
  ListLambdaFunctions: { max: 25, fallback: 10 },
  ListBots: { max: 25, fallback: 10 },
};

/**
 * The instances' contents, per Region and instance id. Every Region of `home` starts with an empty
 * instance; `load` fills one (or creates another instance). Reads answer as Connect does: 404
 * ResourceNotFoundException for an unknown instance, flow or module, 400 InvalidParameterException for a
 * bad page size, token or filter, 403 AccessDeniedException for an operation `deny` names.
 */
export class ContactFlowDirectory {
  readonly #home: FlowDirectoryHome;
  readonly #instances = new Map<string, StoredInstance>();
  #denied: Array<{ operation: ContactFlowOperation; region: string | undefined }> = [];

  constructor(home: FlowDirectoryHome) {
    this.#home = home;
    for (const region of home.regions) this.load(region, {});
  }

  /**
   * Replaces what instance `instanceId` (default: the simulated instance) holds in `region`, creating it
   * there if needed. Flows and modules without an id get one derived from their name.
   * @throws SimulatorInputError for a nameless flow, an unknown type, or two flows with one id.
   */
  load(region: string, set: InstanceFlowSet, instanceId = this.#home.instanceId): void {
    const now = this.#home.now();
    const store = (kind: 'flow' | 'module', item: SimulatedFlow): Stored => {
      if (typeof item.name !== 'string' || item.name === '')
        throw new SimulatorInputError(`every ${kind} needs a name`);
      if (item.type !== undefined && !CONTACT_FLOW_TYPES.includes(item.type)) {
        throw new SimulatorInputError(`${kind} ${item.name}: type must be one of ${CONTACT_FLOW_TYPES.join(', ')}`);
      }
      const id = item.id ?? idFromName(kind, item.name);
      const arnOf = kind === 'flow' ? contactFlowArn : contactFlowModuleArn;
      const content = typeof item.content === 'string' ? item.content : JSON.stringify(item.content);
      return {
        id,
        arn: arnOf(region, this.#home.accountId, instanceId, id),
        name: item.name,
        type: kind === 'flow' ? (item.type ?? 'CONTACT_FLOW') : undefined,
        state: item.state ?? 'ACTIVE',
        status: item.status ?? 'PUBLISHED',
        description: item.description,
        content,
        sha256: createHash('sha256').update(content).digest('hex'),
        modifiedAt: now,
      };
    };
    const flows = (set.flows ?? []).map((f) => store('flow', f));
    const modules = (set.modules ?? []).map((m) => store('module', m));
    for (const [kind, items] of [
      ['flow', flows],
      ['module', modules],
    ] as const) {
      const ids = items.map((i) => i.id);
      const twice = ids.find((id, index) => ids.indexOf(id) !== index);
      if (twice !== undefined) throw new SimulatorInputError(`two ${kind}s have the id ${twice}`);
    }
    this.#instances.set(key(region, instanceId), {
      flows,
      modules,
      lambdaFunctions: [...(set.lambdaFunctions ?? [])],
      lexV2Aliases: [...(set.lexV2Aliases ?? [])],
      lexV1Bots: (set.lexV1Bots ?? []).map((b) => ({ ...b })),
    });
  }

  /** Answers AccessDeniedException to these operations (from `region` only, when given) until called again; `[]` clears. */
  deny(operations: readonly ContactFlowOperation[], region?: string): void {
    this.#denied = operations.map((operation) => ({ operation, region }));
  }

  /** What instance `instanceId` holds in `region`, as loaded (content as the stored string); undefined when none. */
  snapshot(region: string, instanceId = this.#home.instanceId): Required<InstanceFlowSet> | undefined {
    const instance = this.#instances.get(key(region, instanceId));
    if (!instance) return undefined;
    const plain = (s: Stored) => ({
      id: s.id,
      name: s.name,
      state: s.state,
      status: s.status,
      content: s.content,
      ...(s.description === undefined ? {} : { description: s.description }),
    });
    return {
      flows: instance.flows.map((f) => ({ ...plain(f), type: f.type ?? 'CONTACT_FLOW' })),
      modules: instance.modules.map(plain),
      lambdaFunctions: [...instance.lambdaFunctions],
      lexV2Aliases: [...instance.lexV2Aliases],
      lexV1Bots: instance.lexV1Bots.map((b) => ({ ...b })),
    };
  }

  /** Answers one request already routed here, signed for `region`. */
  handle(route: FlowRoute, region: string, url: URL): Outcome {
    const { operation } = route;
    if (this.#denied.some((d) => d.operation === operation && (d.region === undefined || d.region === region))) {
      return error(
        403,
        'AccessDeniedException',
        `You do not have sufficient access to perform this action (connect:${operation})`,
      );
    }
    const instance = this.#instance(route.instanceId, region);
    if (!instance)
      return error(404, 'ResourceNotFoundException', `Instance not found in ${region}: ${route.instanceId}`);
    switch (operation) {
      case 'ListContactFlows': {
        const types = url.searchParams.getAll('contactFlowTypes');
        const unknown = types.find((t) => !(CONTACT_FLOW_TYPES as readonly string[]).includes(t));
        if (unknown !== undefined)
          return error(400, 'InvalidParameterException', `contactFlowTypes: '${unknown}' is not a flow type`);
        const listed = instance.flows.filter((f) => types.length === 0 || types.includes(f.type ?? ''));
        return page(operation, url, listed, 'ContactFlowSummaryList', (f) => ({
          Id: f.id,
          Arn: f.arn,
          Name: f.name,
          ContactFlowType: f.type,
          ContactFlowState: f.state,
          ContactFlowStatus: f.status,
        }));
      }
      case 'ListContactFlowModules': {
        const state = url.searchParams.get('state');
        if (state !== null && state !== 'ACTIVE' && state !== 'ARCHIVED') {
          return error(400, 'InvalidParameterException', `state: '${state}' is neither ACTIVE nor ARCHIVED`);
        }
        const listed = instance.modules.filter((m) => state === null || m.state === state);
        return page(operation, url, listed, 'ContactFlowModulesSummaryList', (m) => ({
          Id: m.id,
          Arn: m.arn,
          Name: m.name,
          State: m.state,
        }));
      }
      case 'DescribeContactFlow':
        return describeFlow(instance, route.id ?? '');
      case 'DescribeContactFlowModule':
        return describeModule(instance, route.id ?? '');
      case 'ListLambdaFunctions':
        return page(operation, url, instance.lambdaFunctions, 'LambdaFunctions', (arn) => arn);
      case 'ListBots': {
        const version = url.searchParams.get('lexVersion');
        if (version === 'V2')
          return page(operation, url, instance.lexV2Aliases, 'LexBots', (arn) => ({ LexV2Bot: { AliasArn: arn } }));
        if (version === 'V1')
          return page(operation, url, instance.lexV1Bots, 'LexBots', (b) => ({
            LexBot: { Name: b.name, LexRegion: b.region },
          }));
        return error(400, 'InvalidParameterException', 'lexVersion must be V1 or V2');
      }
    }
  }

  /** The instance a path names in `region`: its id, or its ARN in that Region. */
  #instance(idOrArn: string, region: string): StoredInstance | undefined {
    const arn = parseConnectInstanceArn(idOrArn);
    if (arn && (arn.region !== region || arn.accountId !== this.#home.accountId)) return undefined;
    return this.#instances.get(key(region, arn?.id ?? idOrArn));
  }
}

function key(region: string, instanceId: string): string {
  return `${region}\u0000${instanceId}`;
}

/** A UUID-shaped id from a hash of the name: stable across loads, unlike a random one. */
function idFromName(kind: string, name: string): string {
  const hex = createHash('sha256').update(`${kind}:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The stored item a path id names: its id or ARN, either with the `:$SAVED` alias. */
function find(items: readonly Stored[], rawId: string): { item: Stored; saved: boolean } | undefined {
  const saved = rawId.endsWith(':$SAVED');
  const id = saved ? rawId.slice(0, -':$SAVED'.length) : rawId;
  const item = items.find((i) => i.id === id || i.arn === id);
  return item && { item, saved };
}

function describeFlow(instance: StoredInstance, rawId: string): Outcome {
  const found = find(instance.flows, rawId);
  if (!found) return error(404, 'ResourceNotFoundException', `Contact flow not found: ${rawId}`);
  const { item, saved } = found;
  // What runs is the published content; a flow never published has none to describe without $SAVED.
  if (item.status === 'SAVED' && !saved) {
    return error(404, 'ContactFlowNotPublishedException', `The flow ${item.id} has not been published`);
  }
  return {
    status: 200,
    body: {
      ContactFlow: {
        Arn: item.arn,
        Id: item.id,
        Name: item.name,
        Type: item.type,
        State: item.state,
        Status: saved ? 'SAVED' : item.status,
        ...(item.description === undefined ? {} : { Description: item.description }),
        Content: item.content,
        Tags: {},
        FlowContentSha256: item.sha256,
        LastModifiedTime: item.modifiedAt / 1000,
        LastModifiedRegion: parseArn(item.arn)?.region,
      },
    },
  };
}

function describeModule(instance: StoredInstance, rawId: string): Outcome {
  const found = find(instance.modules, rawId);
  if (!found) return error(404, 'ResourceNotFoundException', `Flow module not found: ${rawId}`);
  const { item } = found;
  return {
    status: 200,
    body: {
      ContactFlowModule: {
        Arn: item.arn,
        Id: item.id,
        Name: item.name,
        ...(item.description === undefined ? {} : { Description: item.description }),
        Content: item.content,
        State: item.state,
        Status: found.saved ? 'SAVED' : item.status,
        Tags: {},
        FlowModuleContentSha256: item.sha256,
      },
    },
  };
}

/** One page of `items` by the request's `maxResults` and `nextToken`, under `listKey`, with `NextToken` when more remain. */
function page<T>(
  operation: keyof typeof PAGE_LIMITS,
  url: URL,
  items: readonly T[],
  listKey: string,
  shape: (item: T) => unknown,
): Outcome {
  const { max, fallback } = PAGE_LIMITS[operation];
  const maxText = url.searchParams.get('maxResults');
  const maxResults = maxText === null ? fallback : Number(maxText);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    return error(400, 'InvalidParameterException', `maxResults must be an integer from 1 to ${max}`);
  }
  const token = url.searchParams.get('nextToken');
  const offset = token === null ? 0 : decodePageToken(token);
  if (offset === undefined) return error(400, 'InvalidParameterException', 'nextToken is not valid');
  const next = offset + maxResults < items.length ? encodePageToken(offset + maxResults) : undefined;
  return {
    status: 200,
    body: {
      [listKey]: items.slice(offset, offset + maxResults).map(shape),
      ...(next === undefined ? {} : { NextToken: next }),
    },
  };
}
