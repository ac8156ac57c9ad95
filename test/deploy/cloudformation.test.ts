import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

/** CloudFormation's short-form intrinsic functions, kept as `{ Fn: value }` so the template parses as plain data. */
const CFN_TAGS = ['Ref', 'GetAtt', 'Sub', 'Equals', 'If', 'Join', 'Not'].flatMap((name) =>
  (['scalar', 'seq'] as const).map((collection) => ({
    tag: `!${name}`,
    ...(collection === 'seq' ? { collection } : {}),
    resolve: (value: unknown) => ({ [name]: value }),
    identify: () => false,
  })),
);

type Template = {
  Parameters: Record<string, unknown>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
};

let template: Template;
let text: string;
beforeAll(async () => {
  text = await readFile('deploy/cloudformation.yaml', 'utf8');
  template = YAML.parse(text, { customTags: CFN_TAGS }) as Template;
});

/** Every AWS operation the controller's own code sends (the simulators and CLI-only paths excluded). */
async function operationsCalled(): Promise<string[]> {
  const found = new Set<string>();
  for (const dir of ['src/connect', 'src/cloudwatch', 'src/intake', 'src/controller', 'src/observability', 'src/preflight']) {
    const files = await readdir(dir).catch(() => [] as string[]);
    for (const file of files.filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(join(dir, file), 'utf8');
      const service = /@aws-sdk\/client-(\w+)/.exec(source)?.[1];
      for (const match of source.matchAll(/new (\w+)Command\(/g)) if (service) found.add(`${service}:${match[1]}`);
    }
  }
  return [...found].sort();
}

describe('deploy/cloudformation.yaml', () => {
  it('references only resources, parameters and conditions it defines', () => {
    const names = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters), 'AWS::Partition', 'AWS::AccountId']);
    for (const [, ref] of text.matchAll(/!Ref (\w+)/g)) expect(names, `!Ref ${ref}`).toContain(ref);
    for (const [, ref] of text.matchAll(/!GetAtt (\w+)\./g)) expect(Object.keys(template.Resources), `!GetAtt ${ref}`).toContain(ref);
    for (const resource of Object.values(template.Resources)) {
      if (resource.Condition) expect(Object.keys(template.Conditions)).toContain(resource.Condition);
    }
  });

  it('gives the queue a dead-letter queue and a visibility timeout longer than a shift', () => {
    const queue = template.Resources.EventQueue!.Properties;
    expect(queue.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { GetAtt: 'DeadLetterQueue.Arn' } });
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(60);
  });

  it('lets only its own rule send to the queue', () => {
    const statement = (template.Resources.EventQueuePolicy!.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement[0]!;
    expect(statement).toMatchObject({ Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { GetAtt: 'AlarmStateRule.Arn' } } } });
  });

  it('grants the controller every AWS operation its code calls, and nothing to send commands', async () => {
    const statements = (template.Resources.ControllerPolicy!.Properties.PolicyDocument as { Statement: Array<{ Action: string[] }> }).Statement;
    const granted = new Set(statements.flatMap((s) => s.Action.map((a) => a.toLowerCase())));
    const iamPrefix: Record<string, string> = { connect: 'connect', cloudwatch: 'cloudwatch', sqs: 'sqs' };

    const called = await operationsCalled();
    expect(called.length).toBeGreaterThan(5);
    for (const op of called) {
      const [service, name] = op.split(':') as [string, string];
      const action = `${iamPrefix[service] ?? service}:${name.replace(/Batch$/, '')}`.toLowerCase();
      expect(granted, `${op} needs ${action}`).toContain(action);
    }
    expect(granted).not.toContain('sqs:sendmessage');
  });
});
