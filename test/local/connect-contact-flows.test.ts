import {
  AccessDeniedException,
  ConnectClient,
  ContactFlowNotPublishedException,
  DescribeContactFlowCommand,
  DescribeContactFlowModuleCommand,
  InvalidParameterException,
  ListBotsCommand,
  ListContactFlowModulesCommand,
  ListContactFlowsCommand,
  ListLambdaFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_FLOW_IDS } from '../../src/local/connect-flow-defaults.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator, ConnectSimulatorOptions, SimulatedFlow } from '../../src/local/connect-simulator.ts';
import { SimulatorInputError } from '../../src/local/simulator-errors.ts';

const ACCOUNT = '111122223333';
const HOME = 'us-east-1';
const REPLICA = 'us-west-2';
const INSTANCE = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';

const simulators: ConnectSimulator[] = [];
const clients: ConnectClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(simulators.splice(0).map((sim) => sim.stop()));
});

async function startSim(options: Partial<ConnectSimulatorOptions> = {}): Promise<ConnectSimulator> {
  const sim = await startConnectSimulator({
    accountId: ACCOUNT,
    tdgId: '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    homeRegion: HOME,
    otherRegion: REPLICA,
    ...options,
  });
  simulators.push(sim);
  return sim;
}

function clientFor(sim: ConnectSimulator, region: string): ConnectClient {
  const client = new ConnectClient({
    region,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

/** The error a request ends with (caught at once, so a rejection is never left unhandled while others run). */
const failureOf = (request: Promise<unknown>): Promise<unknown> =>
  request.then(
    () => undefined,
    (error: unknown) => error,
  );

const flow = (name: string, extra: Partial<SimulatedFlow> = {}): SimulatedFlow => ({
  name,
  content: {
    Version: '2019-10-30',
    StartAction: 'end',
    Actions: [{ Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
  },
  ...extra,
});

describe('the Connect simulator: flows and modules', () => {
  it('lists and describes the default set, each Region naming only its own resources', async () => {
    // Prepare
    const sim = await startSim();
    const west = clientFor(sim, REPLICA);

    // Act
    const listed = await west.send(new ListContactFlowsCommand({ InstanceId: INSTANCE }));
    const described = await west.send(
      new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: DEFAULT_FLOW_IDS.mainInbound }),
    );
    const modules = await west.send(new ListContactFlowModulesCommand({ InstanceId: INSTANCE }));
    const module = await west.send(
      new DescribeContactFlowModuleCommand({
        InstanceId: INSTANCE,
        ContactFlowModuleId: DEFAULT_FLOW_IDS.authenticateModule,
      }),
    );
    const east = await clientFor(sim, HOME).send(
      new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: DEFAULT_FLOW_IDS.mainInbound }),
    );

    // Assess
    expect(listed.ContactFlowSummaryList).toEqual([
      {
        Id: DEFAULT_FLOW_IDS.mainInbound,
        Arn: `arn:aws:connect:${REPLICA}:${ACCOUNT}:instance/${INSTANCE}/contact-flow/${DEFAULT_FLOW_IDS.mainInbound}`,
        Name: 'Main inbound',
        ContactFlowType: 'CONTACT_FLOW',
        ContactFlowState: 'ACTIVE',
        ContactFlowStatus: 'PUBLISHED',
      },
      expect.objectContaining({ Name: 'Customer queue', ContactFlowType: 'CUSTOMER_QUEUE' }),
    ]);
    expect(listed.NextToken).toBeUndefined();
    const content = JSON.parse(described.ContactFlow!.Content!) as {
      Version: string;
      StartAction: string;
      Actions: Array<{ Identifier: string; Type: string }>;
    };
    expect(content.Version).toBe('2019-10-30');
    expect(content.Actions.map((a) => a.Type)).toContain('InvokeLambdaFunction');
    expect(content.Actions.some((a) => a.Identifier === content.StartAction)).toBe(true);
    expect(described.ContactFlow).toMatchObject({
      Status: 'PUBLISHED',
      State: 'ACTIVE',
      LastModifiedRegion: REPLICA,
      LastModifiedTime: expect.any(Date),
    });
    expect(described.ContactFlow!.Content).toContain(`arn:aws:lambda:${REPLICA}:`);
    expect(described.ContactFlow!.Content).not.toContain(HOME);
    expect(modules.ContactFlowModulesSummaryList).toEqual([
      expect.objectContaining({
        Id: DEFAULT_FLOW_IDS.authenticateModule,
        Name: 'Authenticate caller',
        State: 'ACTIVE',
      }),
    ]);
    expect(module.ContactFlowModule).toMatchObject({
      Name: 'Authenticate caller',
      Status: 'PUBLISHED',
      FlowModuleContentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(east.ContactFlow!.Content).toContain(`arn:aws:lambda:${HOME}:`);
    expect(east.ContactFlow!.Content).not.toContain(REPLICA);
  });

  it('pages with MaxResults and NextToken, in the order loaded, and filters by flow type', async () => {
    // Prepare
    const sim = await startSim({ contactFlows: 'empty' });
    sim.contactFlows.load(REPLICA, {
      flows: ['a', 'b', 'c', 'd', 'e'].map((n) => flow(n, { type: n === 'c' ? 'CUSTOMER_QUEUE' : 'CONTACT_FLOW' })),
    });
    const west = clientFor(sim, REPLICA);

    // Act
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await west.send(
        new ListContactFlowsCommand({ InstanceId: INSTANCE, MaxResults: 2, NextToken: token }),
      );
      names.push(...(page.ContactFlowSummaryList ?? []).map((f) => f.Name!));
      token = page.NextToken;
      pages += 1;
    } while (token);
    const queues = await west.send(
      new ListContactFlowsCommand({ InstanceId: INSTANCE, ContactFlowTypes: ['CUSTOMER_QUEUE'] }),
    );

    // Assess
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(pages).toBe(3);
    expect(queues.ContactFlowSummaryList?.map((f) => f.Name)).toEqual(['c']);
    expect(sim.requests.filter((r) => r.operation === 'ListContactFlows' && r.region === REPLICA)).toHaveLength(4);
  });

  it('answers 404 for an unknown instance, flow or module, and 400 for a page size out of range or a forged token', async () => {
    // Prepare
    const sim = await startSim();
    const west = clientFor(sim, REPLICA);

    // Act
    const outcomes = await Promise.allSettled([
      west.send(new ListContactFlowsCommand({ InstanceId: '00000000-0000-4000-8000-000000000000' })),
      west.send(
        new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: '00000000-0000-4000-8000-000000000000' }),
      ),
      west.send(
        new DescribeContactFlowModuleCommand({
          InstanceId: INSTANCE,
          ContactFlowModuleId: DEFAULT_FLOW_IDS.mainInbound,
        }),
      ),
      clientFor(sim, 'eu-west-1').send(new ListContactFlowsCommand({ InstanceId: INSTANCE })),
      west.send(new ListContactFlowsCommand({ InstanceId: INSTANCE, MaxResults: 1001 })),
      west.send(new ListContactFlowModulesCommand({ InstanceId: INSTANCE, NextToken: 'not-ours' })),
    ]);

    // Assess
    const errors = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error) : undefined));
    for (const e of errors.slice(0, 4)) expect(e).toBeInstanceOf(ResourceNotFoundException);
    for (const e of errors.slice(4)) expect(e).toBeInstanceOf(InvalidParameterException);
  });

  it('resolves the instance by its ARN in its own Region only, and a flow by its ARN', async () => {
    // Prepare
    const sim = await startSim();
    const west = clientFor(sim, REPLICA);
    const westArn = `arn:aws:connect:${REPLICA}:${ACCOUNT}:instance/${INSTANCE}`;
    const flowArn = `${westArn}/contact-flow/${DEFAULT_FLOW_IDS.customerQueue}`;

    // Act
    const byArn = await west.send(new DescribeContactFlowCommand({ InstanceId: westArn, ContactFlowId: flowArn }));
    const wrongRegion = await failureOf(
      west.send(new ListContactFlowsCommand({ InstanceId: `arn:aws:connect:${HOME}:${ACCOUNT}:instance/${INSTANCE}` })),
    );

    // Assess
    expect(byArn.ContactFlow?.Name).toBe('Customer queue');
    expect(wrongRegion).toBeInstanceOf(ResourceNotFoundException);
    expect(sim.requests.at(-2)).toMatchObject({ operation: 'DescribeContactFlow', region: REPLICA, id: flowArn });
  });

  it('refuses to describe a flow never published unless asked for its $SAVED content', async () => {
    // Prepare
    const sim = await startSim({ contactFlows: 'empty' });
    sim.contactFlows.load(REPLICA, {
      flows: [flow('Draft', { id: '11111111-2222-4333-8444-555555555555', status: 'SAVED' })],
    });
    const west = clientFor(sim, REPLICA);

    // Act
    const published = await failureOf(
      west.send(
        new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: '11111111-2222-4333-8444-555555555555' }),
      ),
    );
    const saved = await west.send(
      new DescribeContactFlowCommand({
        InstanceId: INSTANCE,
        ContactFlowId: '11111111-2222-4333-8444-555555555555:$SAVED',
      }),
    );

    // Assess
    expect(published).toBeInstanceOf(ContactFlowNotPublishedException);
    expect(saved.ContactFlow).toMatchObject({ Name: 'Draft', Status: 'SAVED' });
  });

  it('lists the Lambda functions and Lex bots associated with the instance, V1 and V2 apart', async () => {
    // Prepare
    const sim = await startSim({ contactFlows: 'empty' });
    sim.contactFlows.load(REPLICA, {
      lambdaFunctions: Array.from({ length: 12 }, (_, i) => `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:f${i}`),
      lexV2Aliases: [`arn:aws:lex:${REPLICA}:${ACCOUNT}:bot-alias/HELPDESKBT/PRODALIAS1`],
      lexV1Bots: [{ name: 'ProductPicker', region: REPLICA }],
    });
    const west = clientFor(sim, REPLICA);

    // Act
    const first = await west.send(new ListLambdaFunctionsCommand({ InstanceId: INSTANCE }));
    const second = await west.send(
      new ListLambdaFunctionsCommand({ InstanceId: INSTANCE, NextToken: first.NextToken }),
    );
    const v2 = await west.send(new ListBotsCommand({ InstanceId: INSTANCE, LexVersion: 'V2' }));
    const v1 = await west.send(new ListBotsCommand({ InstanceId: INSTANCE, LexVersion: 'V1' }));
    const tooMany = await failureOf(
      west.send(new ListLambdaFunctionsCommand({ InstanceId: INSTANCE, MaxResults: 26 })),
    );

    // Assess
    expect(first.LambdaFunctions).toHaveLength(10);
    expect(second.LambdaFunctions).toEqual([
      `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:f10`,
      `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:f11`,
    ]);
    expect(second.NextToken).toBeUndefined();
    expect(v2.LexBots).toEqual([
      { LexV2Bot: { AliasArn: `arn:aws:lex:${REPLICA}:${ACCOUNT}:bot-alias/HELPDESKBT/PRODALIAS1` } },
    ]);
    expect(v1.LexBots).toEqual([{ LexBot: { Name: 'ProductPicker', LexRegion: REPLICA } }]);
    expect(tooMany).toBeInstanceOf(InvalidParameterException);
  });

  it('answers AccessDeniedException to the operations denied, in the Region denied', async () => {
    // Prepare
    const sim = await startSim();
    sim.contactFlows.deny(['DescribeContactFlow'], REPLICA);

    // Act
    const west = await failureOf(
      clientFor(sim, REPLICA).send(
        new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: DEFAULT_FLOW_IDS.mainInbound }),
      ),
    );
    const east = await clientFor(sim, HOME).send(
      new DescribeContactFlowCommand({ InstanceId: INSTANCE, ContactFlowId: DEFAULT_FLOW_IDS.mainInbound }),
    );
    const list = await clientFor(sim, REPLICA).send(new ListContactFlowsCommand({ InstanceId: INSTANCE }));

    // Assess
    expect(west).toBeInstanceOf(AccessDeniedException);
    expect(east.ContactFlow?.Name).toBe('Main inbound');
    expect(list.ContactFlowSummaryList).toHaveLength(2);
  });

  it('loads and reads flows through the admin API, for processes that cannot hold the simulator', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const posted = await fetch(`${sim.endpoint}/_simulator/contact-flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ region: REPLICA, flows: [flow('Only flow')], lambdaFunctions: [] }),
    });
    const read = await fetch(`${sim.endpoint}/_simulator/contact-flows?region=${REPLICA}`);
    const bad = await fetch(`${sim.endpoint}/_simulator/contact-flows`, {
      method: 'POST',
      body: JSON.stringify({ region: REPLICA, flows: [{ content: {} }] }),
    });
    const listed = await clientFor(sim, REPLICA).send(new ListContactFlowsCommand({ InstanceId: INSTANCE }));

    // Assess
    expect(posted.status).toBe(200);
    expect(await read.json()).toMatchObject({
      flows: [{ name: 'Only flow', type: 'CONTACT_FLOW', status: 'PUBLISHED' }],
      modules: [],
      lambdaFunctions: [],
    });
    expect(bad.status).toBe(400);
    expect(listed.ContactFlowSummaryList?.map((f) => f.Name)).toEqual(['Only flow']);
  });

  it('refuses a set with two flows of one id, and keeps ids derived from names across loads', async () => {
    // Prepare
    const sim = await startSim({ contactFlows: 'empty' });

    // Act
    const twice = () =>
      sim.contactFlows.load(REPLICA, { flows: [flow('a', { id: 'same' }), flow('b', { id: 'same' })] });
    sim.contactFlows.load(REPLICA, { flows: [flow('Named')] });
    const first = sim.contactFlows.snapshot(REPLICA)!.flows[0]!.id;
    sim.contactFlows.load(REPLICA, { flows: [flow('Named')] });

    // Assess
    expect(twice).toThrow(SimulatorInputError);
    expect(sim.contactFlows.snapshot(REPLICA)!.flows[0]!.id).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
