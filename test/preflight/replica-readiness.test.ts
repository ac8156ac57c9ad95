import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseReplicaFlows } from '../../src/preflight/replica-readiness.ts';
import type { FlowInput } from '../../src/preflight/replica-readiness.ts';

const PRIMARY = 'us-east-1';

/** A fixture of test/fixtures/contact-flows/ as the Connect adapter hands it over: Content as a string. */
function fixture(file: string, name: string, kind: 'flow' | 'module' = 'flow'): FlowInput {
  const content = readFileSync(new URL(`../fixtures/contact-flows/${file}`, import.meta.url), 'utf8');
  return { kind, id: `${kind}-${file.replace(/\.json$/, '')}`, name, content };
}

const summarize = (refs: ReturnType<typeof analyseReplicaFlows>['primaryReferences']) =>
  refs.map((r) => ({
    flow: r.flow.name,
    block: r.block.identifier,
    type: r.block.type,
    parameter: r.parameter,
    kind: r.kind,
    target: r.target,
  }));

describe('the replica readiness analysis', () => {
  it('finds nothing in the primary Region in a ready replica flow, and keeps its own references', () => {
    // Act
    const analysis = analyseReplicaFlows([fixture('replica-ready-inbound.json', 'Main inbound')], PRIMARY);

    // Assess
    expect(analysis).toMatchObject({
      flowsRead: 1,
      modulesRead: 0,
      actionsRead: 7,
      primaryReferences: [],
      dynamic: [],
      unreadable: [],
    });
    expect(analysis.otherReferences.map((r) => [r.kind, r.what, r.region, r.parameter])).toEqual([
      ['lambda', 'Lambda function', 'us-west-2', 'LambdaFunctionARN'],
      ['connect', 'flow module', 'us-west-2', 'FlowModuleId'],
      ['lexV2', 'Lex bot alias', 'us-west-2', 'LexV2Bot.AliasArn'],
      ['connect', 'queue', 'us-west-2', 'QueueId'],
    ]);
  });

  it('names the flow, the block and the ARN of a Lambda function called in the primary Region', () => {
    // Act
    const analysis = analyseReplicaFlows([fixture('billing-primary-lambda.json', 'Billing')], PRIMARY);

    // Assess
    expect(summarize(analysis.primaryReferences)).toEqual([
      {
        flow: 'Billing',
        block: 'Fetch balance',
        type: 'InvokeLambdaFunction',
        parameter: 'LambdaFunctionARN',
        kind: 'lambda',
        target: 'arn:aws:lambda:us-east-1:111122223333:function:billing-balance',
      },
    ]);
    // `$.Attributes.accountNumber` is an attribute passed to the function, not the function: not a dynamic reference.
    expect(analysis.dynamic).toEqual([]);
  });

  it('finds Lex V2 and V1 bots, flows and ARNs inside attribute values in the primary Region, and leaves third Regions alone', () => {
    // Act
    const analysis = analyseReplicaFlows([fixture('support-mixed.json', 'Support')], PRIMARY);

    // Assess
    expect(summarize(analysis.primaryReferences).map((r) => [r.type, r.parameter, r.kind, r.target])).toEqual([
      [
        'UpdateContactAttributes',
        'Attributes.escalationTopic',
        'other',
        'arn:aws:sns:us-east-1:111122223333:support-escalations',
      ],
      [
        'ConnectParticipantWithLexBot',
        'LexV2Bot.AliasArn',
        'lexV2',
        'arn:aws:lex:us-east-1:111122223333:bot-alias/SUPPORTBOT/LIVEALIAS1',
      ],
      ['ConnectParticipantWithLexBot', 'LexBot', 'lexV1', 'ProductPicker:prod'],
      [
        'TransferToFlow',
        'ContactFlowId',
        'connect',
        'arn:aws:connect:us-east-1:111122223333:instance/c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001/contact-flow/2f0d4c3b-1a2b-4c5d-8e6f-7a8b9c0d1e2f',
      ],
    ]);
    expect(analysis.primaryReferences.find((r) => r.kind === 'connect')?.what).toBe('flow');
    expect(analysis.dynamic).toEqual([
      expect.objectContaining({
        parameter: 'LambdaFunctionARN',
        expression: '$.Attributes.handlerArn',
        block: { identifier: '6c2f7d11-5b3e-4e2a-9d61-8a4b2c1d0004', type: 'InvokeLambdaFunction' },
      }),
    ]);
    expect(analysis.otherReferences.map((r) => [r.region, r.target])).toEqual([
      ['eu-west-1', 'arn:aws:lambda:eu-west-1:111122223333:function:gdpr-export:live'],
    ]);
  });

  it('walks flow modules like flows', () => {
    // Act
    const analysis = analyseReplicaFlows([fixture('verify-caller-module.json', 'Verify caller', 'module')], PRIMARY);

    // Assess
    expect(analysis).toMatchObject({ flowsRead: 0, modulesRead: 1, actionsRead: 3 });
    expect(summarize(analysis.primaryReferences)).toEqual([
      expect.objectContaining({
        flow: 'Verify caller',
        type: 'InvokeLambdaFunction',
        target: 'arn:aws:lambda:us-east-1:111122223333:function:verify-pin:prod',
      }),
    ]);
  });

  it('reports content that is not the flow language as unreadable, and still finds the primary-Region ARNs in its text', () => {
    // Act
    const analysis = analyseReplicaFlows([fixture('designer-export.json', 'Legacy router')], PRIMARY);

    // Assess
    expect(analysis.unreadable).toEqual([
      { flow: expect.objectContaining({ name: 'Legacy router' }), why: expect.stringContaining('no Actions list') },
    ]);
    expect(summarize(analysis.primaryReferences)).toEqual([
      {
        flow: 'Legacy router',
        block: '(no blocks)',
        type: 'content',
        parameter: '(content)',
        kind: 'lambda',
        target: 'arn:aws:lambda:us-east-1:111122223333:function:legacy-router',
      },
    ]);
  });

  it('reads a whole instance in order, and a replica with the Regions swapped finds the other side', () => {
    // Prepare
    const all = [
      fixture('replica-ready-inbound.json', 'Main inbound'),
      fixture('billing-primary-lambda.json', 'Billing'),
      fixture('support-mixed.json', 'Support'),
      fixture('verify-caller-module.json', 'Verify caller', 'module'),
    ];

    // Act
    const fromWest = analyseReplicaFlows(all, PRIMARY);
    const fromEast = analyseReplicaFlows(all, 'us-west-2');

    // Assess
    expect(fromWest.primaryReferences.map((r) => r.flow.name)).toEqual([
      'Billing',
      'Support',
      'Support',
      'Support',
      'Support',
      'Verify caller',
    ]);
    expect(fromWest.actionsRead).toBe(7 + 4 + 7 + 3);
    expect(fromEast.primaryReferences.map((r) => r.flow.name)).toEqual([
      'Main inbound',
      'Main inbound',
      'Main inbound',
      'Main inbound',
    ]);
  });

  it('says why content that is not JSON cannot be read', () => {
    // Act
    const analysis = analyseReplicaFlows(
      [{ kind: 'flow', id: 'x', name: 'Broken', content: '{"Version": "2019-10-30", ' }],
      PRIMARY,
    );

    // Assess
    expect(analysis.unreadable).toEqual([
      { flow: { kind: 'flow', id: 'x', name: 'Broken' }, why: 'its content is not JSON' },
    ]);
  });
});
