/**
 * The replica readiness analysis, pure: walks every action of every flow and flow module of the replica
 * instance and finds what each block refers to by ARN (Lambda functions, Lex bot aliases, flows, queues,
 * prompts, anything else), and the Lex V1 bots named by Region. A reference into the primary Region is a
 * flow that stops working when the primary does: the very moment the replica has to answer.
 *
 * The flow language (Version 2019-10-30): `{ Version, StartAction, Metadata, Actions: [{ Identifier, Type,
 * Parameters, Transitions }] }`. Only `Actions` run; `Metadata` holds the designer's layout and is ignored.
 */
import { findArns } from '../aws/identifiers.ts';
import type { ArnParts } from '../aws/identifiers.ts';

/** What the analysis needs of a flow or module: FlowDocument from the Connect adapter fits. */
export interface FlowInput {
  kind: 'flow' | 'module';
  id: string;
  name: string;
  /** The flow-language JSON, as the string Connect returns. */
  content: string;
}

/** What a reference points at, which decides how its existence can be checked. */
export type ReferenceKind = 'lambda' | 'lexV2' | 'lexV1' | 'connect' | 'other';

/** One block's reference to a resource. */
export interface FlowReference {
  flow: { kind: 'flow' | 'module'; id: string; name: string };
  /** The action: its `Identifier` and `Type`. */
  block: { identifier: string; type: string };
  /** Where in `Parameters`, e.g. `LambdaFunctionARN`, `LexV2Bot.AliasArn`, `LambdaInvocationAttributes.fallback`. */
  parameter: string;
  kind: ReferenceKind;
  /** For people: `Lambda function`, `Lex bot alias`, `flow module`, `queue`, …. */
  what: string;
  /** The ARN as written; for a Lex V1 bot, `NAME:ALIAS` (V1 bots are named with a separate Region). */
  target: string;
  /** The Region the reference resolves in. */
  region: string;
  /** The ARN's parts; undefined for a Lex V1 bot. */
  arn?: ArnParts;
}

/** A parameter that names its resource only at run time (a JSONPath like `$.Attributes.lambdaArn`). */
export interface DynamicReference {
  flow: FlowReference['flow'];
  block: FlowReference['block'];
  parameter: string;
  expression: string;
}

/** A flow whose content is not flow-language JSON: nothing of it could be checked. */
export interface UnreadableFlow {
  flow: FlowReference['flow'];
  why: string;
}

/** Everything found in the replica's flows. */
export interface ReplicaFlowAnalysis {
  flowsRead: number;
  modulesRead: number;
  actionsRead: number;
  /** References into the primary Region, in flow and action order. */
  primaryReferences: FlowReference[];
  /** Every other reference with a Region (the replica's own, and any third Region). */
  otherReferences: FlowReference[];
  dynamic: DynamicReference[];
  unreadable: UnreadableFlow[];
}

// Parameters that name a resource by ARN or id, and so can be checked when static; a JSONPath there is not.
const RESOURCE_PARAMETERS = new Set([
  'LambdaFunctionARN',
  'AliasArn',
  'ContactFlowId',
  'FlowModuleId',
  'QueueId',
  'AgentId',
  'PromptId',
]);

/** Finds every reference of every block of `documents`; `primaryRegion` is the Region a ready replica never calls. */
export function analyseReplicaFlows(documents: readonly FlowInput[], primaryRegion: string): ReplicaFlowAnalysis {
  const analysis: ReplicaFlowAnalysis = {
    flowsRead: documents.filter((d) => d.kind === 'flow').length,
    modulesRead: documents.filter((d) => d.kind === 'module').length,
    actionsRead: 0,
    primaryReferences: [],
    otherReferences: [],
    dynamic: [],
    unreadable: [],
  };
  const add = (reference: FlowReference) =>
    (reference.region === primaryRegion ? analysis.primaryReferences : analysis.otherReferences).push(reference);
  const addArns = (flow: FlowReference['flow'], block: FlowReference['block'], parameter: string, text: string) => {
    for (const arn of findArns(text)) {
      if (arn.region !== '')
        add({ flow, block, parameter, ...describeArn(arn), target: arn.arn, region: arn.region, arn });
    }
  };
  for (const document of documents) {
    const flow = { kind: document.kind, id: document.id, name: document.name };
    const actions = actionsOf(document.content);
    if (typeof actions === 'string') {
      analysis.unreadable.push({ flow, why: actions });
      // Not the flow language, so no blocks to name; its ARNs still say where it reaches, and hiding them would be false comfort.
      addArns(flow, { identifier: '(no blocks)', type: 'content' }, '(content)', document.content);
      continue;
    }
    for (const action of actions) {
      analysis.actionsRead += 1;
      const block = { identifier: stringOr(action.Identifier, '?'), type: stringOr(action.Type, '?') };
      walk(action.Parameters, '', (path, key, value) => {
        if (typeof value === 'string') {
          if (RESOURCE_PARAMETERS.has(key) && value.trimStart().startsWith('$.')) {
            analysis.dynamic.push({ flow, block, parameter: path, expression: value });
            return;
          }
          addArns(flow, block, path, value);
          return;
        }
        // Lex V1 is named by bot name, alias and a separate Region, not by ARN.
        if (key === 'LexBot' && isObject(value) && typeof value.Region === 'string' && !value.Region.startsWith('$.')) {
          const target = `${stringOr(value.Name, '?')}:${stringOr(value.Alias, '$LATEST')}`;
          add({ flow, block, parameter: path, kind: 'lexV1', what: 'Lex (V1) bot', target, region: value.Region });
        }
      });
    }
  }
  return analysis;
}

/** The actions of a flow-language document, or why there are none to read. */
function actionsOf(content: string): Array<Record<string, unknown>> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return 'its content is not JSON';
  }
  if (!isObject(parsed) || !Array.isArray(parsed.Actions))
    return 'its content has no Actions list (not the flow language)';
  return parsed.Actions.filter(isObject);
}

/** Calls `visit` for every member of `value`, depth first, with its dotted path and own key. */
function walk(value: unknown, path: string, visit: (path: string, key: string, value: unknown) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const at = `${path}[${index}]`;
      visit(at, '', item);
      walk(item, at, visit);
    });
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      visit(at, key, item);
      walk(item, at, visit);
    }
  }
}

/** What an ARN names, for people and for the existence check. */
function describeArn(arn: ArnParts): { kind: ReferenceKind; what: string } {
  if (arn.service === 'lambda') return { kind: 'lambda', what: 'Lambda function' };
  if (arn.service === 'lex')
    return arn.resource.startsWith('bot-alias/')
      ? { kind: 'lexV2', what: 'Lex bot alias' }
      : { kind: 'other', what: 'Lex bot' };
  if (arn.service === 'connect') {
    const type = /^instance\/[^/]+\/([a-z-]+)\//.exec(arn.resource)?.[1];
    const names: Record<string, string> = {
      'contact-flow': 'flow',
      'flow-module': 'flow module',
      queue: 'queue',
      prompt: 'prompt',
      agent: 'agent',
      'transfer-destination': 'quick connect',
    };
    return { kind: 'connect', what: type === undefined ? 'Connect resource' : (names[type] ?? `Connect ${type}`) };
  }
  return { kind: 'other', what: `${arn.service} resource` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}
