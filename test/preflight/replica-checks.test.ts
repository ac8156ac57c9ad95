import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import { ConnectContactFlowReader } from '../../src/connect/contact-flows.ts';
import { defaultFlowSet } from '../../src/local/connect-flow-defaults.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator } from '../../src/local/connect-simulator.ts';
import { checkReplicaReadiness } from '../../src/preflight/replica-checks.ts';
import type { CheckResult } from '../../src/preflight/types.ts';

const ACCOUNT = '111122223333';
const PRIMARY = 'us-east-1';
const REPLICA = 'us-west-2';
const INSTANCE = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';
const INSTANCE_ARN = `arn:aws:connect:${REPLICA}:${ACCOUNT}:instance/${INSTANCE}`;

let sim: ConnectSimulator;
let reader: ConnectContactFlowReader;

beforeEach(async () => {
  sim = await startConnectSimulator({
    accountId: ACCOUNT,
    tdgId: '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    homeRegion: PRIMARY,
    otherRegion: REPLICA,
  });
  reader = new ConnectContactFlowReader({
    region: REPLICA,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterEach(async () => {
  reader.destroy();
  await sim.stop();
});

const config: Pick<Config, 'regions' | 'replicaInstance'> = {
  regions: { primary: PRIMARY, replica: REPLICA },
  replicaInstance: { id: INSTANCE, arn: INSTANCE_ARN, region: REPLICA },
};

const fixture = (file: string) => readFileSync(new URL(`../fixtures/contact-flows/${file}`, import.meta.url), 'utf8');

/** The default replica set with `flows` added (and `change` applied to it). */
function loadReplica(
  extra: { flows?: Array<{ name: string; content: string }>; modules?: Array<{ name: string; content: string }> },
  change: (set: ReturnType<typeof defaultFlowSet>) => void = () => undefined,
): void {
  const set = defaultFlowSet(REPLICA, ACCOUNT, INSTANCE);
  change(set);
  sim.contactFlows.load(REPLICA, {
    ...set,
    flows: [...set.flows, ...(extra.flows ?? [])],
    modules: [...set.modules, ...(extra.modules ?? [])],
  });
}

const run = () => checkReplicaReadiness(config, reader, AbortSignal.timeout(10_000));
const byId = (checks: CheckResult[], id: string) => checks.find((c) => c.id === id);

describe('the replica readiness check', () => {
  it('passes with "not configured" when no replica instance is configured, and reads nothing', async () => {
    // Act
    const checks = await checkReplicaReadiness({ regions: config.regions }, reader, AbortSignal.timeout(10_000));

    // Assess
    expect(checks).toEqual([
      {
        id: 'replica.flows',
        title: 'replica flows stay in the replica',
        status: 'pass',
        detail: expect.stringMatching(/^not configured: set regions.replicaInstance/),
      },
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  it('passes the default replica, saying what it read and that the resources it names are associated', async () => {
    // Act
    const checks = await run();

    // Assess
    expect(checks).toEqual([
      {
        id: 'replica.flows',
        title: 'replica flows stay in the replica',
        status: 'pass',
        detail: `2 flows and 1 module of ${INSTANCE_ARN} (12 blocks): none refers to us-east-1; the 2 Lambda functions and 1 Lex bot alias they name are associated with the instance`,
      },
    ]);
  });

  it('fails naming the flow, the block and the ARN when a replica flow calls a Lambda function in the primary Region', async () => {
    // Prepare
    loadReplica({ flows: [{ name: 'Billing', content: fixture('billing-primary-lambda.json') }] });

    // Act
    const checks = await run();

    // Assess
    expect(byId(checks, 'replica.flows')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^1 reference to the primary Region us-east-1 in 1 flow of /),
    });
    expect(byId(checks, 'replica.flow:Billing/Fetch balance')).toEqual({
      id: 'replica.flow:Billing/Fetch balance',
      title: 'flow "Billing": InvokeLambdaFunction',
      status: 'fail',
      detail:
        'block Fetch balance calls Lambda function arn:aws:lambda:us-east-1:111122223333:function:billing-balance (LambdaFunctionARN) in the primary Region us-east-1',
      fix: 'use arn:aws:lambda:us-west-2:111122223333:function:billing-balance (the same Lambda function in us-west-2; create it there if it is missing), then publish the flow',
    });
  });

  it('fails once per reference in flows and modules: Lex V2 and V1, a transfer, an attribute, content that is not the flow language', async () => {
    // Prepare
    loadReplica({
      flows: [
        { name: 'Support', content: fixture('support-mixed.json') },
        { name: 'Legacy router', content: fixture('designer-export.json') },
      ],
      modules: [{ name: 'Verify caller', content: fixture('verify-caller-module.json') }],
    });

    // Act
    const checks = await run();

    // Assess
    const failing = checks.filter((c) => c.status === 'fail');
    expect(failing.map((c) => c.title)).toEqual([
      'replica flows stay in the replica',
      'flow "Support": UpdateContactAttributes',
      'flow "Support": ConnectParticipantWithLexBot',
      'flow "Support": ConnectParticipantWithLexBot',
      'flow "Support": TransferToFlow',
      'flow "Legacy router": content',
      'module "Verify caller": InvokeLambdaFunction',
    ]);
    expect(failing[0]!.detail).toMatch(
      /^6 references to the primary Region us-east-1 in 2 flows and 1 module of .*; not checked: 1 block naming a resource only at run time \(LambdaFunctionARN: \$\.Attributes\.handlerArn\)$/,
    );
    expect(failing[3]).toMatchObject({
      detail: expect.stringContaining('hands the caller to Lex (V1) bot ProductPicker:prod in us-east-1 (LexBot)'),
      fix: expect.stringContaining("set the block's Lex bot Region to us-west-2"),
    });
    expect(failing[4]!.fix).toContain(
      `use the replica instance's own flow, arn:aws:connect:us-west-2:${ACCOUNT}:instance/${INSTANCE}/contact-flow/`,
    );
    expect(failing[5]!.detail).toBe(
      'its content (not the flow language) names Lambda function arn:aws:lambda:us-east-1:111122223333:function:legacy-router in the primary Region us-east-1',
    );
    expect(failing[6]!.fix).toContain('arn:aws:lambda:us-west-2:111122223333:function:verify-pin:prod');
  });

  it('warns about a Lambda function the replica instance does not have, with the command that adds it', async () => {
    // Prepare: the flow is right, but the function was never associated with the replica instance.
    loadReplica(
      {},
      (set) => (set.lambdaFunctions = set.lambdaFunctions.filter((arn) => !arn.endsWith(':customer-lookup'))),
    );

    // Act
    const checks = await run();

    // Assess
    expect(byId(checks, 'replica.flows')).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('the 1 Lambda function and 1 Lex bot alias they name are associated'),
    });
    const arn = `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:customer-lookup`;
    expect(byId(checks, `replica.resource:${arn}`)).toMatchObject({
      title: 'Lambda function customer-lookup',
      status: 'warn',
      detail: expect.stringContaining(
        `named by flow "Main inbound" (block a1c0e7d2-0002-4f3a-9b1e-5a0c0de00002), but ListLambdaFunctions of the replica instance in ${REPLICA} does not list ${arn}`,
      ),
      fix: `deploy it in ${REPLICA} if it is missing, then: aws connect --region ${REPLICA} associate-lambda-function --instance-id ${INSTANCE} --function-arn ${arn}`,
    });
  });

  it('warns that existence could not be checked when ListBots is not permitted, and still passes the flows', async () => {
    // Prepare
    sim.contactFlows.deny(['ListBots']);

    // Act
    const checks = await run();

    // Assess
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['replica.flows', 'pass'],
      ['replica.resources', 'warn'],
    ]);
    expect(byId(checks, 'replica.resources')).toMatchObject({
      detail: expect.stringMatching(
        /^could not check that the Lex bot aliases the flows name exist in us-west-2: ListBots in us-west-2: AccessDeniedException/,
      ),
      fix: expect.stringContaining('connect:ListLambdaFunctions and connect:ListBots'),
    });
  });

  it('fails with the IAM actions to allow when the flows cannot be read', async () => {
    // Prepare
    sim.contactFlows.deny(['ListContactFlows']);

    // Act
    const checks = await run();

    // Assess
    expect(checks).toEqual([
      expect.objectContaining({
        id: 'replica.flows',
        status: 'fail',
        detail: expect.stringMatching(/^ListContactFlows in us-west-2: AccessDeniedException \(HTTP 403\)/),
        fix: expect.stringContaining(
          'connect:ListContactFlows, connect:DescribeContactFlow, connect:ListContactFlowModules, connect:DescribeContactFlowModule',
        ),
      }),
    ]);
  });

  it('fails naming regions.replicaInstance when there is no such instance in the replica Region', async () => {
    // Act
    const checks = await checkReplicaReadiness(
      { ...config, replicaInstance: { id: '00000000-0000-4000-8000-000000000000', arn: undefined, region: undefined } },
      reader,
      AbortSignal.timeout(10_000),
    );

    // Assess
    expect(checks).toEqual([
      expect.objectContaining({
        status: 'fail',
        detail: expect.stringMatching(/^instance 00000000-.* not found in us-west-2/),
        fix: expect.stringContaining('check regions.replicaInstance'),
      }),
    ]);
  });

  it('warns when a flow cannot be read as the flow language, and says what else was not checked', async () => {
    // Prepare
    loadReplica({ flows: [{ name: 'Broken', content: '{"Version": "2019-10-30", "Actions": ' }] }, (set) =>
      set.flows.push({ name: 'Draft', status: 'SAVED', content: {} }),
    );

    // Act
    const checks = await run();

    // Assess
    expect(checks).toEqual([
      expect.objectContaining({
        status: 'warn',
        detail: expect.stringMatching(
          /none refers to us-east-1, but flow "Broken" \(its content is not JSON\) could not be read; not checked: 1 flow never published$/,
        ),
      }),
    ]);
  });
});
