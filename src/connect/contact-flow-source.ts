/** The port preflight's replica readiness check reads an instance's flows and integrations through. */
import type { ContactFlowReadError } from './contact-flow-errors.ts';

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
