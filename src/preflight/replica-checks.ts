/**
 * Preflight's replica readiness checks: can the replica answer when the primary is down? Reads every flow
 * and module of the replica instance (through the ContactFlowSource port), analyses them
 * (replica-readiness.ts), and reports:
 * - `replica.flows`: a summary that fails when any block refers to the primary Region;
 * - `replica.flow:<flow>/<block>`: one failing line per such reference, naming flow, block and ARN;
 * - `replica.resource:<arn>`: a warning per Lambda function or Lex bot a flow names that the replica
 *   instance does not have (not associated with it, which Connect needs to invoke it);
 * - `replica.resources`: a warning when that could not be checked (IAM, network).
 */
import { isCredentialErrorCode } from '../aws/error-codes.ts';
import { arnInRegion } from '../aws/identifiers.ts';
import type { Config } from '../config/types.ts';
import { ContactFlowReadError } from '../connect/contact-flow-errors.ts';
import type { ContactFlowSource, InstanceIntegrations, Lookup, SkippedFlow } from '../connect/contact-flow-source.ts';
import { analyseReplicaFlows } from './replica-readiness.ts';
import type { FlowReference, ReplicaFlowAnalysis } from './replica-readiness.ts';
import type { CheckResult } from './types.ts';
import { messageOf } from './types.ts';

/** IAM actions the flow reads need, on the replica instance and its flows and modules. */
export const REPLICA_FLOW_ACTIONS = [
  'connect:ListContactFlows',
  'connect:DescribeContactFlow',
  'connect:ListContactFlowModules',
  'connect:DescribeContactFlowModule',
] as const;
/** IAM actions of the optional existence check, on the replica instance. */
export const REPLICA_INTEGRATION_ACTIONS = ['connect:ListLambdaFunctions', 'connect:ListBots'] as const;

const SUMMARY = { id: 'replica.flows', title: 'replica flows stay in the replica' };
const SKIPPED: Readonly<Record<SkippedFlow['reason'], string>> = {
  unpublished: 'never published',
  archived: 'archived',
  gone: 'deleted while reading',
};

/**
 * Runs the replica readiness checks. Without `config.replicaInstance` (or without a source) it passes with
 * "not configured". Rejects only when `signal` aborts.
 */
export async function checkReplicaReadiness(
  config: Pick<Config, 'regions' | 'replicaInstance'>,
  source: ContactFlowSource | undefined,
  signal: AbortSignal,
): Promise<CheckResult[]> {
  const { primary, replica } = config.regions;
  const instance = config.replicaInstance;
  if (!instance || !source) {
    return [
      {
        ...SUMMARY,
        status: 'pass',
        detail: `not configured: set regions.replicaInstance to check that the replica's flows do not call into ${primary}`,
      },
    ];
  }
  const shown = instance.arn ?? `instance ${instance.id}`;
  let read;
  try {
    read = await source.readFlows(instance.id, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return [readFailure(error, shown, instance.id, replica)];
  }
  const analysis = analyseReplicaFlows([...read.flows, ...read.modules], primary);
  const own = analysis.otherReferences.filter(
    (r) => r.region === replica && (r.kind === 'lambda' || r.kind === 'lexV2' || r.kind === 'lexV1'),
  );
  const wanted = {
    lambda: own.some((r) => r.kind === 'lambda'),
    lexV2: own.some((r) => r.kind === 'lexV2'),
    lexV1: own.some((r) => r.kind === 'lexV1'),
  };
  const integrations = own.length === 0 ? {} : await source.readIntegrations(instance.id, wanted, signal);
  const existence = existenceChecks(own, integrations, instance.id, replica, primary);
  return [
    summary(analysis, read.skipped, shown, replica, primary, existence),
    ...analysis.primaryReferences.map((r, i, all) => referenceCheck(r, i, all, replica, primary)),
    ...existence.results,
  ];
}

function readFailure(error: unknown, shown: string, id: string, replica: string): CheckResult {
  const detail = messageOf(error);
  const failure = error instanceof ContactFlowReadError ? error : undefined;
  if (failure?.failure === 'notFound') {
    return {
      ...SUMMARY,
      status: 'fail',
      detail: `${shown} not found in ${replica}: ${detail}`,
      fix: `check regions.replicaInstance: the replica made by ReplicateInstance has the primary's instance id (${id}) in ${replica}`,
    };
  }
  if (failure && isCredentialErrorCode(failure.code)) {
    return { ...SUMMARY, status: 'fail', detail, fix: 'fix the AWS credentials (see the credentials check)' };
  }
  if (failure?.failure === 'denied' || failure?.failure === 'client') {
    return {
      ...SUMMARY,
      status: 'fail',
      detail,
      fix: `allow ${REPLICA_FLOW_ACTIONS.join(', ')} for the controller's IAM identity on the replica instance (${shown}, and its contact-flow/* and flow-module/*)`,
    };
  }
  return {
    ...SUMMARY,
    status: 'fail',
    detail,
    fix: `check that the Connect endpoint of ${replica} is reachable from here and try again`,
  };
}

function summary(
  analysis: ReplicaFlowAnalysis,
  skipped: readonly SkippedFlow[],
  shown: string,
  replica: string,
  primary: string,
  existence: Existence,
): CheckResult {
  const read = `${count(analysis.flowsRead, 'flow')} and ${count(analysis.modulesRead, 'module')} of ${shown} (${count(analysis.actionsRead, 'block')})`;
  const notChecked = [
    ...(analysis.dynamic.length > 0
      ? [
          `${count(analysis.dynamic.length, 'block')} naming a resource only at run time (${analysis.dynamic.map((d) => `${d.parameter}: ${d.expression}`).join(', ')})`,
        ]
      : []),
    ...(['unpublished', 'archived', 'gone'] as const).flatMap((reason) => {
      const n = skipped.filter((s) => s.reason === reason).length;
      return n === 0 ? [] : [`${count(n, 'flow')} ${SKIPPED[reason]}`];
    }),
  ];
  const tail = notChecked.length === 0 ? '' : `; not checked: ${notChecked.join(', ')}`;
  const refs = analysis.primaryReferences;
  if (refs.length > 0) {
    const holders = (kind: 'flow' | 'module') =>
      new Set(refs.filter((r) => r.flow.kind === kind).map((r) => r.flow.id)).size;
    const where = [count(holders('flow'), 'flow'), count(holders('module'), 'module')]
      .filter((text) => !text.startsWith('0 '))
      .join(' and ');
    return {
      ...SUMMARY,
      status: 'fail',
      detail: `${count(refs.length, 'reference')} to the primary Region ${primary} in ${where} of ${shown} (each on a line below): those blocks fail when ${primary} does${tail}`,
      fix: `point each at the same resource in ${replica} (the line says which), publish, and run preflight again`,
    };
  }
  if (analysis.unreadable.length > 0) {
    return {
      ...SUMMARY,
      status: 'warn',
      detail: `${read}: none refers to ${primary}, but ${analysis.unreadable.map((u) => `${u.flow.kind} ${JSON.stringify(u.flow.name)} (${u.why})`).join(', ')} could not be read${tail}`,
      fix: 'open the flow in the flow designer and publish it again; Connect returns flow-language JSON for every published flow',
    };
  }
  return { ...SUMMARY, status: 'pass', detail: `${read}: none refers to ${primary}${existence.note}${tail}` };
}

function referenceCheck(
  reference: FlowReference,
  index: number,
  all: readonly FlowReference[],
  replica: string,
  primary: string,
): CheckResult {
  const { flow, block } = reference;
  const same = all
    .slice(0, index)
    .filter((r) => r.flow.id === reference.flow.id && r.block.identifier === block.identifier).length;
  const replacement = reference.arn ? arnInRegion(reference.arn, replica) : undefined;
  const publish = `then publish the ${flow.kind}`;
  // A document that is not the flow language has no blocks to name: the ARN was found in its text.
  const inContent = reference.parameter === '(content)';
  const where = inContent
    ? 'its content (not the flow language) names'
    : `block ${block.identifier} ${verb(reference)}`;
  const parameter = inContent ? '' : ` (${reference.parameter})`;
  const fix =
    reference.kind === 'lexV1'
      ? `set the block's Lex bot Region to ${replica} (the bot ${reference.target.split(':')[0] ?? ''} must exist there), ${publish}`
      : reference.kind === 'connect'
        ? `use the replica instance's own ${reference.what}, ${replacement ?? ''}, ${publish}`
        : `use ${replacement ?? "the replica Region's copy"} (the same ${reference.what} in ${replica}; create it there if it is missing), ${publish}`;
  return {
    id: `replica.flow:${flow.name}/${block.identifier}${same === 0 ? '' : `#${same + 1}`}`,
    title: `${flow.kind} ${JSON.stringify(flow.name)}: ${block.type}`,
    status: 'fail',
    detail: `${where} ${reference.what} ${reference.target}${reference.kind === 'lexV1' ? ` in ${reference.region}` : ''}${parameter} in the primary Region ${primary}`,
    fix,
  };
}

function verb(reference: FlowReference): string {
  if (reference.kind === 'lambda') return 'calls';
  if (reference.kind === 'lexV2' || reference.kind === 'lexV1') return 'hands the caller to';
  return 'refers to';
}

interface Existence {
  results: CheckResult[];
  /** For the summary when everything was found: what was confirmed. */
  note: string;
}

const KIND_ORDER: readonly FlowReference['kind'][] = ['lambda', 'lexV2', 'lexV1'];
const LIST_OF = { lambda: 'ListLambdaFunctions', lexV2: 'ListBots (V2)', lexV1: 'ListBots (V1)' } as const;

/** Whether the replica instance has the Lambda functions and Lex bots its flows name (by association). */
function existenceChecks(
  own: readonly FlowReference[],
  integrations: InstanceIntegrations,
  instanceId: string,
  replica: string,
  primary: string,
): Existence {
  const results: CheckResult[] = [];
  const failures: string[] = [];
  const unchecked = new Set<string>();
  const confirmed: FlowReference[] = [];
  const byTarget = new Map<string, FlowReference[]>();
  for (const reference of own) byTarget.set(reference.target, [...(byTarget.get(reference.target) ?? []), reference]);
  for (const [target, references] of byTarget) {
    const first = references[0]!;
    const kind = first.kind as 'lambda' | 'lexV2' | 'lexV1';
    const lookup: Lookup<unknown[]> | undefined =
      kind === 'lambda'
        ? integrations.lambdaFunctions
        : kind === 'lexV2'
          ? integrations.lexV2Aliases
          : integrations.lexV1Bots;
    if (!lookup) continue;
    if (!lookup.ok) {
      if (!failures.includes(lookup.error.message)) failures.push(lookup.error.message);
      unchecked.add(plural(first.what));
      continue;
    }
    if (isAssociated(first, lookup.value)) {
      confirmed.push(first);
      continue;
    }
    const users = references.map((r) => `${r.flow.kind} ${JSON.stringify(r.flow.name)} (block ${r.block.identifier})`);
    results.push({
      id: `replica.resource:${target}`,
      title: `${first.what} ${shortName(first)}`,
      status: 'warn',
      detail: `named by ${users.slice(0, 2).join(', ')}${users.length > 2 ? ` and ${users.length - 2} more` : ''}, but ${LIST_OF[kind]} of the replica instance in ${replica} does not list ${target}: it does not exist there or was never added to the instance, and Connect cannot invoke it`,
      fix: associateFix(first, instanceId, replica, primary),
    });
  }
  if (failures.length > 0) {
    results.push({
      id: 'replica.resources',
      title: 'replica Lambda functions and Lex bots exist',
      status: 'warn',
      detail: `could not check that the ${[...unchecked].join(' and ')} the flows name exist in ${replica}: ${failures.join('; ')}`,
      fix: `allow ${REPLICA_INTEGRATION_ACTIONS.join(' and ')} on the replica instance to check them (the flows themselves were checked)`,
    });
  }
  const kinds = [
    ...new Set(
      confirmed.toSorted((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)).map((r) => r.what),
    ),
  ].map((what) => count(confirmed.filter((r) => r.what === what).length, what));
  const note =
    confirmed.length === 0
      ? ''
      : `; the ${kinds.join(' and ')} they name ${confirmed.length === 1 ? 'is' : 'are'} associated with the instance`;
  return { results, note };
}

function isAssociated(reference: FlowReference, listed: readonly unknown[]): boolean {
  if (reference.kind === 'lexV1') {
    const [name] = reference.target.split(':');
    return listed.some(
      (b) =>
        typeof b === 'object' &&
        b !== null &&
        (b as { name?: unknown }).name === name &&
        (b as { region?: unknown }).region === reference.region,
    );
  }
  // A flow may call a version or alias of a function (`function:name:qualifier`); the association names the function.
  const unqualified = (arn: string) => (reference.kind === 'lambda' ? arn.split(':').slice(0, 7).join(':') : arn);
  return listed.some(
    (arn) =>
      typeof arn === 'string' && (arn === reference.target || unqualified(arn) === unqualified(reference.target)),
  );
}

function associateFix(reference: FlowReference, instanceId: string, replica: string, primary: string): string {
  const base = `aws connect --region ${replica}`;
  if (reference.kind === 'lambda')
    return `deploy it in ${replica} if it is missing, then: ${base} associate-lambda-function --instance-id ${instanceId} --function-arn ${reference.target}`;
  if (reference.kind === 'lexV2') {
    const [, botId = '<bot-id>'] = reference.arn?.resource.split('/') ?? [];
    return `check the bot's replica (aws lexv2-models list-bot-replicas --region ${primary} --bot-id ${botId}), then: ${base} associate-bot --instance-id ${instanceId} --lex-v2-bot AliasArn=${reference.target}`;
  }
  return `${base} associate-lex-bot --instance-id ${instanceId} --lex-bot Name=${reference.target.split(':')[0] ?? ''},LexRegion=${reference.region}`;
}

function shortName(reference: FlowReference): string {
  if (reference.kind === 'lambda') return reference.arn?.resource.replace(/^function:/, '') ?? reference.target;
  if (reference.kind === 'lexV2') return reference.arn?.resource.replace(/^bot-alias\//, '') ?? reference.target;
  return reference.target;
}

function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : plural(noun)}`;
}

function plural(noun: string): string {
  return /(s|sh|ch|x)$/.test(noun) ? `${noun}es` : `${noun}s`;
}
