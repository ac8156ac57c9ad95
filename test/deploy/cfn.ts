/** Reading synthesized CloudFormation in the deploy tests: intrinsic functions resolved as a deploy would. */

/** Values the pseudo parameters take in the tests: the account is the example TDG's. */
export const PSEUDO = {
  'AWS::AccountId': '111122223333',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
} as const;

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Resolves `Ref` (pseudo parameters, and resources as `<logicalId>`), `Fn::GetAtt` (as `<logicalId.Attr>`),
 * `Fn::Join`, `Fn::Select`/`Fn::GetAZs` (as `<az N>`) and `Fn::ImportValue` (as `<import name>`), so a test
 * compares plain strings.
 */
export function resolve(value: unknown, region: string): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, region));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    if (fn === 'Ref') {
      if (arg === 'AWS::Region') return region;
      return (PSEUDO as Record<string, string>)[arg as string] ?? `<${String(arg)}>`;
    }
    if (fn === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => resolve(part, region)).join(separator);
    }
    if (fn === 'Fn::Select') return `<az ${String((arg as unknown[])[0])}>`;
    if (fn === 'Fn::ImportValue') return `<import ${String(resolve(arg, region))}>`;
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolve(item, region)]));
}

/** The resources of `type`, resolved. */
export function resourcesOf(template: CfnTemplate, type: string, region: string): Array<{ id: string } & CfnResource> {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => ({ id, ...(resolve(resource, region) as CfnResource) }));
}

/** The one resource of `type`; fails when there is not exactly one. */
export function onlyResourceOf(template: CfnTemplate, type: string, region: string): { id: string } & CfnResource {
  const found = resourcesOf(template, type, region);
  if (found.length !== 1)
    throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.id).join(', ')}`);
  return found[0]!;
}

/** Every statement of every IAM policy, role trust, and queue policy in `template`, resolved. */
export function policyStatements(
  template: CfnTemplate,
  region: string,
): Array<PolicyStatement & { where: string; kind: 'identity' | 'trust' | 'resource' }> {
  const statements: Array<PolicyStatement & { where: string; kind: 'identity' | 'trust' | 'resource' }> = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const properties = resolve(resource.Properties ?? {}, region) as Record<
      string,
      { Statement: PolicyStatement[] } | undefined
    > & {
      Policies?: Array<{ PolicyDocument: { Statement: PolicyStatement[] } }>;
    };
    const add = (document: { Statement: PolicyStatement[] } | undefined, kind: 'identity' | 'trust' | 'resource') => {
      for (const statement of document?.Statement ?? []) statements.push({ ...statement, where: id, kind });
    };
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      add(properties.PolicyDocument, 'identity');
    if (resource.Type === 'AWS::IAM::Role') {
      add(properties.AssumeRolePolicyDocument, 'trust');
      for (const policy of properties.Policies ?? []) add(policy.PolicyDocument, 'identity');
    }
    if (resource.Type === 'AWS::SQS::QueuePolicy' || resource.Type === 'AWS::SNS::TopicPolicy')
      add(properties.PolicyDocument, 'resource');
  }
  return statements;
}

/** A statement's actions as a list. */
export function actionsOf(statement: PolicyStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** A statement's resources as a list. */
export function resourcesOfStatement(statement: PolicyStatement): unknown[] {
  if (statement.Resource === undefined) return [];
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}
