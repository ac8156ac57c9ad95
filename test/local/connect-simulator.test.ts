import {
  ConnectClient,
  ConnectServiceException,
  DescribeTrafficDistributionGroupCommand,
  GetTrafficDistributionCommand,
  InternalServiceException,
  InvalidRequestException,
  ListTrafficDistributionGroupsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  ThrottlingException,
  UpdateTrafficDistributionCommand,
} from '@aws-sdk/client-connect';
import type { ConnectClientConfig, UpdateTrafficDistributionCommandInput } from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultKind } from '../../src/local/connect-faults.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator, ConnectSimulatorOptions } from '../../src/local/connect-simulator.ts';
import { SimulatorInputError } from '../../src/local/simulator-errors.ts';

const ACCOUNT = '111122223333';
const TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
const HOME = 'us-east-1';
const REPLICA = 'us-west-2';
const TDG_ARN = `arn:aws:connect:${HOME}:${ACCOUNT}:traffic-distribution-group/${TDG_ID}`;

const simulators: ConnectSimulator[] = [];
const clients: ConnectClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(simulators.splice(0).map((sim) => sim.stop()));
});

async function startSim(options: Partial<ConnectSimulatorOptions> = {}): Promise<ConnectSimulator> {
  const sim = await startConnectSimulator({
    accountId: ACCOUNT,
    tdgId: TDG_ID,
    homeRegion: HOME,
    otherRegion: REPLICA,
    ...options,
  });
  simulators.push(sim);
  return sim;
}

function clientFor(sim: ConnectSimulator, region: string, extra: Partial<ConnectClientConfig> = {}): ConnectClient {
  const client = new ConnectClient({
    region,
    endpoint: sim.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    ...extra,
  });
  clients.push(client);
  return client;
}

/** An update moving `primary` percent of telephony (and agents) to the home Region. */
function shift(id: string, primary: number): UpdateTrafficDistributionCommandInput {
  const distributions = [
    { Region: HOME, Percentage: primary },
    { Region: REPLICA, Percentage: 100 - primary },
  ];
  return { Id: id, TelephonyConfig: { Distributions: distributions }, AgentConfig: { Distributions: distributions } };
}

function telephonyOf(output: { TelephonyConfig?: { Distributions?: { Region?: string; Percentage?: number }[] } }) {
  return Object.fromEntries((output.TelephonyConfig?.Distributions ?? []).map((d) => [d.Region, d.Percentage]));
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: unknown) => err,
  );
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('identity and Regions', () => {
  it('applies an update sent from the home Region by ARN and shows it to Get by ARN and by bare id', async () => {
    // Prepare
    const sim = await startSim();
    const home = clientFor(sim, HOME);

    // Act
    await home.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 30)));
    const byArn = await home.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));
    const byId = await home.send(new GetTrafficDistributionCommand({ Id: TDG_ID }));

    // Assess
    expect(telephonyOf(byArn)).toEqual({ [HOME]: 30, [REPLICA]: 70 });
    expect(telephonyOf(byId)).toEqual({ [HOME]: 30, [REPLICA]: 70 });
    expect(byArn.Arn).toBe(TDG_ARN);
    expect(byArn.Id).toBe(TDG_ID);
    expect(sim.writes).toMatchObject([{ region: HOME, telephony: { [HOME]: 30, [REPLICA]: 70 } }]);
    expect(sim.state()).toEqual({
      status: 'ACTIVE',
      telephony: { [HOME]: 30, [REPLICA]: 70 },
      agents: { [HOME]: 30, [REPLICA]: 70 },
      signIn: { [HOME]: true, [REPLICA]: true },
    });
  });

  it('receives the ARN percent-encoded as one path segment and records it decoded', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    await clientFor(sim, REPLICA).send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Assess
    expect(sim.tdgArn).toBe(TDG_ARN);
    expect(sim.requests).toMatchObject([
      { operation: 'GetTrafficDistribution', region: REPLICA, id: TDG_ARN, status: 200 },
    ]);
  });

  it('accepts the ARN from the replica Region but answers ResourceNotFoundException to the bare id there', async () => {
    // Prepare
    const sim = await startSim();
    const replica = clientFor(sim, REPLICA);

    // Act
    await replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0)));
    const got = await replica.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));
    const bareGet = await failureOf(replica.send(new GetTrafficDistributionCommand({ Id: TDG_ID })));
    const bareUpdate = await failureOf(replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ID, 100))));
    const bareDescribe = await failureOf(
      replica.send(new DescribeTrafficDistributionGroupCommand({ TrafficDistributionGroupId: TDG_ID })),
    );

    // Assess
    expect(telephonyOf(got)).toEqual({ [HOME]: 0, [REPLICA]: 100 });
    expect(bareGet).toBeInstanceOf(ResourceNotFoundException);
    expect(bareUpdate).toBeInstanceOf(ResourceNotFoundException);
    expect(bareDescribe).toBeInstanceOf(ResourceNotFoundException);
    expect(sim.writes.map((w) => w.region)).toEqual([REPLICA]);
  });

  it.each([
    ['an unknown id', HOME, '0f0f0f0f-0000-4000-8000-000000000000'],
    ['an ARN of another account', HOME, `arn:aws:connect:${HOME}:999988887777:traffic-distribution-group/${TDG_ID}`],
    [
      'an ARN naming the replica Region',
      REPLICA,
      `arn:aws:connect:${REPLICA}:${ACCOUNT}:traffic-distribution-group/${TDG_ID}`,
    ],
    ['a call from a Region outside the pair', 'eu-west-2', TDG_ARN],
  ])('answers ResourceNotFoundException to %s', async (_case, region, id) => {
    // Prepare
    const sim = await startSim();
    const client = clientFor(sim, region);

    // Act
    const failure = await failureOf(client.send(new GetTrafficDistributionCommand({ Id: id })));

    // Assess
    expect(failure).toBeInstanceOf(ResourceNotFoundException);
    expect((failure as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((failure as ResourceNotFoundException).message).toContain(id);
  });

  it('answers InvalidRequestException to an id that is neither a UUID nor an ARN', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const failure = await failureOf(clientFor(sim, HOME).send(new GetTrafficDistributionCommand({ Id: 'my-group' })));

    // Assess
    expect(failure).toBeInstanceOf(InvalidRequestException);
  });

  it('describes the group with its documented fields', async () => {
    // Prepare
    const sim = await startSim({ name: 'prod', tags: { team: 'contact-center' } });

    // Act
    const described = await clientFor(sim, REPLICA).send(
      new DescribeTrafficDistributionGroupCommand({ TrafficDistributionGroupId: TDG_ARN }),
    );

    // Assess
    expect(described.TrafficDistributionGroup).toEqual({
      Id: TDG_ID,
      Arn: TDG_ARN,
      Name: 'prod',
      InstanceArn: sim.instanceArn,
      Status: 'ACTIVE',
      Tags: { team: 'contact-center' },
      IsDefault: false,
    });
    expect(sim.instanceArn).toMatch(new RegExp(`^arn:aws:connect:${HOME}:${ACCOUNT}:instance/`));
  });

  it('lists the instance default group and the simulated one, one page at a time', async () => {
    // Prepare
    const sim = await startSim();
    const replica = clientFor(sim, REPLICA);

    // Act
    const first = await replica.send(new ListTrafficDistributionGroupsCommand({ MaxResults: 1 }));
    const second = await replica.send(
      new ListTrafficDistributionGroupsCommand({ MaxResults: 1, NextToken: first.NextToken }),
    );
    const filtered = await replica.send(new ListTrafficDistributionGroupsCommand({ InstanceId: sim.instanceArn }));
    const elsewhere = await clientFor(sim, 'eu-west-2').send(new ListTrafficDistributionGroupsCommand({}));
    const tooMany = await failureOf(replica.send(new ListTrafficDistributionGroupsCommand({ MaxResults: 11 })));

    // Assess
    expect(first.TrafficDistributionGroupSummaryList).toMatchObject([{ IsDefault: true, Status: 'ACTIVE' }]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.TrafficDistributionGroupSummaryList).toEqual([
      {
        Id: TDG_ID,
        Arn: TDG_ARN,
        Name: 'connect-failover',
        InstanceArn: sim.instanceArn,
        Status: 'ACTIVE',
        IsDefault: false,
      },
    ]);
    expect(second.NextToken).toBeUndefined();
    expect(filtered.TrafficDistributionGroupSummaryList?.map((g) => g.Id)).toHaveLength(2);
    expect(elsewhere.TrafficDistributionGroupSummaryList).toEqual([]);
    expect(tooMany).toBeInstanceOf(InvalidRequestException);
  });

  it('answers AccessDeniedException with the error-type header to an unsigned request', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const response = await fetch(`${sim.endpoint}/traffic-distribution/${TDG_ID}`);

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await response.json()).toMatchObject({ message: expect.stringContaining('SigV4') });
  });
});

describe('validation of UpdateTrafficDistribution', () => {
  const telephony = (...d: [string, number][]) => ({
    Distributions: d.map(([Region, Percentage]) => ({ Region, Percentage })),
  });

  it.each<[string, Omit<UpdateTrafficDistributionCommandInput, 'Id'>, string]>([
    ['a sum other than 100', { TelephonyConfig: telephony([HOME, 60], [REPLICA, 30]) }, 'add up to 100'],
    ['a percentage not a multiple of 10', { TelephonyConfig: telephony([HOME, 55], [REPLICA, 45]) }, 'multiple of 10'],
    ['a percentage above 100', { TelephonyConfig: telephony([HOME, 110], [REPLICA, -10]) }, 'integer from 0 to 100'],
    ['one Region missing', { TelephonyConfig: telephony([HOME, 100]) }, 'missing us-west-2'],
    ['a Region listed twice', { TelephonyConfig: telephony([HOME, 50], [HOME, 50]) }, 'more than once'],
    ['a Region outside the pair', { TelephonyConfig: telephony([HOME, 50], ['eu-west-2', 50]) }, 'not one of'],
    ['a malformed Region', { TelephonyConfig: telephony([HOME, 50], ['US_WEST_2', 50]) }, 'must match'],
    ['no TelephonyConfig', { AgentConfig: telephony([HOME, 50], [REPLICA, 50]) }, 'TelephonyConfig is required'],
    [
      'an AgentConfig with one Region',
      { TelephonyConfig: telephony([HOME, 0], [REPLICA, 100]), AgentConfig: telephony([REPLICA, 100]) },
      'AgentConfig must list both',
    ],
    [
      'a SignInConfig on a non-default group',
      {
        TelephonyConfig: telephony([HOME, 0], [REPLICA, 100]),
        SignInConfig: { Distributions: [{ Region: HOME, Enabled: false }] },
      },
      'default traffic distribution group',
    ],
  ])('rejects %s with InvalidRequestException and applies nothing', async (_case, input, why) => {
    // Prepare
    const sim = await startSim();

    // Act
    const failure = await failureOf(
      clientFor(sim, HOME).send(new UpdateTrafficDistributionCommand({ Id: TDG_ARN, ...input })),
    );

    // Assess
    expect(failure).toBeInstanceOf(InvalidRequestException);
    expect((failure as InvalidRequestException).message).toContain(why);
    expect(sim.writes).toEqual([]);
    expect(sim.state().telephony).toEqual({ [HOME]: 100, [REPLICA]: 0 });
  });

  it('changes SignInConfig on the default group', async () => {
    // Prepare
    const sim = await startSim({ isDefault: true });
    const client = clientFor(sim, REPLICA);

    // Act
    await client.send(
      new UpdateTrafficDistributionCommand({
        ...shift(TDG_ARN, 0),
        SignInConfig: {
          Distributions: [
            { Region: HOME, Enabled: false },
            { Region: REPLICA, Enabled: true },
          ],
        },
      }),
    );
    const got = await client.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Assess
    expect(got.SignInConfig?.Distributions).toEqual([
      { Region: HOME, Enabled: false },
      { Region: REPLICA, Enabled: true },
    ]);
    expect(sim.writes[0]?.signIn).toEqual({ [HOME]: false, [REPLICA]: true });
  });

  it('refuses updates with InvalidRequestException while the group is neither ACTIVE nor updating', async () => {
    // Prepare
    const sim = await startSim();
    sim.setStatus('PENDING_DELETION');

    // Act
    const failure = await failureOf(clientFor(sim, HOME).send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0))));

    // Assess
    expect(failure).toBeInstanceOf(InvalidRequestException);
    expect(sim.writes).toEqual([]);
  });
});

describe('the UPDATE_IN_PROGRESS window', () => {
  it('holds UPDATE_IN_PROGRESS for the window by the injected clock, answering a second update with ResourceConflictException', async () => {
    // Prepare
    let clock = Date.parse('2026-11-28T14:00:00Z');
    const sim = await startSim({ updateWindowMs: 5_000, now: () => clock });
    const replica = clientFor(sim, REPLICA);
    const describe = () =>
      replica.send(new DescribeTrafficDistributionGroupCommand({ TrafficDistributionGroupId: TDG_ARN }));

    // Act
    await replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0)));
    const during = await describe();
    const splitDuring = await replica.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));
    const second = await failureOf(replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 50))));
    clock += 4_999;
    const almost = await describe();
    clock += 1;
    const after = await describe();
    await replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 50)));

    // Assess
    expect(during.TrafficDistributionGroup?.Status).toBe('UPDATE_IN_PROGRESS');
    expect(telephonyOf(splitDuring)).toEqual({ [HOME]: 0, [REPLICA]: 100 });
    expect(second).toBeInstanceOf(ResourceConflictException);
    expect(almost.TrafficDistributionGroup?.Status).toBe('UPDATE_IN_PROGRESS');
    expect(after.TrafficDistributionGroup?.Status).toBe('ACTIVE');
    expect(sim.writes.map((w) => [w.at - Date.parse('2026-11-28T14:00:00Z'), w.telephony[HOME]])).toEqual([
      [0, 0],
      [5_000, 50],
    ]);
  });
});

describe('fault injection', () => {
  it.each<[FaultKind, new (...args: never[]) => ConnectServiceException, number]>([
    ['throttle', ThrottlingException, 429],
    ['conflict', ResourceConflictException, 409],
    ['internal', InternalServiceException, 500],
  ])('surfaces %s as the modeled SDK error and applies nothing', async (fault, ErrorClass, status) => {
    // Prepare
    const sim = await startSim({ faults: { script: [{ operation: 'UpdateTrafficDistribution', fault }] } });

    // Act
    const failure = await failureOf(
      clientFor(sim, REPLICA).send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0))),
    );

    // Assess
    expect(failure).toBeInstanceOf(ErrorClass);
    expect((failure as ConnectServiceException).$metadata.httpStatusCode).toBe(status);
    expect(sim.writes).toEqual([]);
    expect(sim.requests).toMatchObject([{ operation: 'UpdateTrafficDistribution', status, fault }]);
  });

  it('applies the update under appliedThen500 and still answers InternalServiceException', async () => {
    // Prepare
    const sim = await startSim({
      faults: { script: [{ operation: 'UpdateTrafficDistribution', fault: 'appliedThen500' }] },
    });
    const replica = clientFor(sim, REPLICA);

    // Act
    const failure = await failureOf(replica.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0))));
    const got = await replica.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Assess
    expect(failure).toBeInstanceOf(InternalServiceException);
    expect(telephonyOf(got)).toEqual({ [HOME]: 0, [REPLICA]: 100 });
    expect(sim.writes).toHaveLength(1);
  });

  it('destroys the socket under reset before applying: a network error, not a service error', async () => {
    // Prepare
    const sim = await startSim({ faults: { script: [{ operation: 'UpdateTrafficDistribution', fault: 'reset' }] } });

    // Act
    const failure = await failureOf(
      clientFor(sim, REPLICA).send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0))),
    );

    // Assess
    expect(failure).not.toBeInstanceOf(ConnectServiceException);
    expect(failure).toMatchObject({ code: 'ECONNRESET' });
    expect(sim.writes).toEqual([]);
    expect(sim.requests[0]?.status).toBeUndefined();
  });

  it('hangs until the client times out, applying nothing', async () => {
    // Prepare
    const sim = await startSim({ faults: { script: [{ operation: 'UpdateTrafficDistribution', fault: 'hang' }] } });
    // This SDK only warns on requestTimeout unless throwOnRequestTimeout is set.
    const client = clientFor(sim, REPLICA, { requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });

    // Act
    const failure = await failureOf(client.send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 0))));

    // Assess
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    expect(sim.writes).toEqual([]);
    expect(sim.requests).toMatchObject([{ operation: 'UpdateTrafficDistribution', fault: 'hang' }]);
  });

  it('lets an AbortSignal end a hung request', async () => {
    // Prepare
    const sim = await startSim({ faults: { script: [{ operation: 'GetTrafficDistribution', fault: 'hang' }] } });
    const controller = new AbortController();

    // Act
    const pending = failureOf(
      clientFor(sim, HOME).send(new GetTrafficDistributionCommand({ Id: TDG_ARN }), { abortSignal: controller.signal }),
    );
    await waitFor(() => sim.requests[0]?.fault === 'hang');
    controller.abort();

    // Assess
    expect(await pending).toMatchObject({ name: 'AbortError' });
  });

  it('consumes scripted faults in order, each by the first request of its operation and Region', async () => {
    // Prepare
    const sim = await startSim();
    sim.faults.script([
      { operation: 'GetTrafficDistribution', region: HOME, fault: 'throttle' },
      { operation: 'GetTrafficDistribution', fault: 'internal' },
    ]);
    const home = clientFor(sim, HOME);
    const replica = clientFor(sim, REPLICA);
    const get = (client: ConnectClient) => client.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Act
    const replicaFirst = await failureOf(get(replica));
    const homeFirst = await failureOf(get(home));
    const homeSecond = await get(home);
    await clientFor(sim, HOME).send(new UpdateTrafficDistributionCommand(shift(TDG_ARN, 100)));

    // Assess
    expect(replicaFirst).toBeInstanceOf(InternalServiceException);
    expect(homeFirst).toBeInstanceOf(ThrottlingException);
    expect(telephonyOf(homeSecond)).toEqual({ [HOME]: 100, [REPLICA]: 0 });
    expect(sim.faults.snapshot().script).toEqual([]);
  });

  it('repeats the same random faults for the same seed, and others for another seed', async () => {
    // Prepare
    const sim = await startSim();
    const client = clientFor(sim, HOME);
    const faultsFor = async (seed: number) => {
      sim.faults.random({ seed, rates: { throttle: 0.3, internal: 0.2 }, operations: ['GetTrafficDistribution'] });
      const start = sim.requests.length;
      for (let i = 0; i < 20; i += 1) {
        await client.send(new GetTrafficDistributionCommand({ Id: TDG_ARN })).catch(() => undefined);
        // Unselected operations must not draw and so must not shift the sequence.
        await client.send(new DescribeTrafficDistributionGroupCommand({ TrafficDistributionGroupId: TDG_ARN }));
      }
      return sim.requests
        .slice(start)
        .filter((r) => r.operation === 'GetTrafficDistribution')
        .map((r) => r.fault ?? 'none');
    };

    // Act
    const first = await faultsFor(42);
    const again = await faultsFor(42);
    const other = await faultsFor(7);

    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(new Set(first)).toEqual(new Set(['none', 'throttle', 'internal']));
  });

  it('takes down only the Region named, until it is brought back', async () => {
    // Prepare
    const sim = await startSim();
    const home = clientFor(sim, HOME);
    const replica = clientFor(sim, REPLICA);
    const get = (client: ConnectClient) => client.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Act
    sim.faults.regionDown(HOME);
    const homeDown = await failureOf(get(home));
    const replicaUp = await get(replica);
    sim.faults.regionDown(HOME, false);
    const homeBack = await get(home);

    // Assess
    expect(homeDown).not.toBeInstanceOf(ConnectServiceException);
    expect(homeDown).toMatchObject({ code: 'ECONNRESET' });
    expect(telephonyOf(replicaUp)).toEqual({ [HOME]: 100, [REPLICA]: 0 });
    expect(telephonyOf(homeBack)).toEqual({ [HOME]: 100, [REPLICA]: 0 });
    expect(sim.requests.map((r) => r.fault)).toEqual(['regionDown', undefined, undefined]);
  });

  it('stops promptly while a request hangs', async () => {
    // Prepare
    const sim = await startSim({ faults: { script: [{ operation: 'GetTrafficDistribution', fault: 'hang' }] } });
    const pending = failureOf(clientFor(sim, HOME).send(new GetTrafficDistributionCommand({ Id: TDG_ARN })));
    await waitFor(() => sim.requests[0]?.fault === 'hang');

    // Act
    await sim.stop();

    // Assess
    expect(await pending).not.toBeInstanceOf(ConnectServiceException);
    expect(sim.requests[0]?.status).toBeUndefined();
  });

  it('rejects random fault rates that add up to more than 1', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const arm = () => sim.faults.random({ seed: 1, rates: { throttle: 0.6, reset: 0.5 } });

    // Assess
    expect(arm).toThrow(SimulatorInputError);
  });
});

describe('drift and options', () => {
  it('shows a split changed by hand without recording a write', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    sim.setSplit({ telephony: { [HOME]: 60, [REPLICA]: 40 } });
    const got = await clientFor(sim, REPLICA).send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Assess
    expect(telephonyOf(got)).toEqual({ [HOME]: 60, [REPLICA]: 40 });
    expect(sim.state().agents).toEqual({ [HOME]: 100, [REPLICA]: 0 });
    expect(sim.writes).toEqual([]);
  });

  it('refuses a hand-made split the API would refuse', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const set = () => sim.setSplit({ telephony: { [HOME]: 65, [REPLICA]: 35 } });

    // Assess
    expect(set).toThrow(SimulatorInputError);
  });

  it('starts from the initial split given', async () => {
    // Prepare
    const sim = await startSim({ initial: { primaryPercent: 0, agentsPrimaryPercent: 20 } });

    // Act
    const state = sim.state();

    // Assess
    expect(state.telephony).toEqual({ [HOME]: 0, [REPLICA]: 100 });
    expect(state.agents).toEqual({ [HOME]: 20, [REPLICA]: 80 });
  });

  it('refuses unusable options with every problem named', async () => {
    // Act
    const failure = await failureOf(
      startConnectSimulator({ accountId: '1234', tdgId: 'not-a-uuid', homeRegion: HOME, otherRegion: HOME }),
    );

    // Assess
    expect(failure).toBeInstanceOf(SimulatorInputError);
    expect((failure as Error).message).toMatch(/accountId.*tdgId.*must differ/);
  });
});

describe('the admin HTTP endpoints', () => {
  const post = (sim: ConnectSimulator, path: string, body: unknown) =>
    fetch(`${sim.endpoint}/_simulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('arm and clear faults, change the split and status, and report state', async () => {
    // Prepare
    const sim = await startSim();
    const replica = clientFor(sim, REPLICA);
    const get = () => replica.send(new GetTrafficDistributionCommand({ Id: TDG_ARN }));

    // Act
    const armed = await post(sim, 'faults', {
      script: [{ operation: 'GetTrafficDistribution', fault: 'throttle' }],
      regionDown: { [HOME]: true },
    });
    const throttled = await failureOf(get());
    const homeDown = await failureOf(clientFor(sim, HOME).send(new GetTrafficDistributionCommand({ Id: TDG_ARN })));
    const cleared = await fetch(`${sim.endpoint}/_simulator/faults`, { method: 'DELETE' });
    const drifted = await post(sim, 'split', { telephony: { [HOME]: 40, [REPLICA]: 60 } });
    const afterDrift = await get();
    await post(sim, 'status', { status: 'UPDATE_IN_PROGRESS' });
    const state = (await (await fetch(`${sim.endpoint}/_simulator/state`)).json()) as Record<string, unknown>;
    const requests = (await (await fetch(`${sim.endpoint}/_simulator/requests`)).json()) as unknown[];

    // Assess
    expect(armed.status).toBe(200);
    expect(await armed.json()).toMatchObject({ regionsDown: [HOME], script: [{ fault: 'throttle' }] });
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(homeDown).toMatchObject({ code: 'ECONNRESET' });
    expect(await cleared.json()).toEqual({ script: [], random: null, regionsDown: [] });
    expect(drifted.status).toBe(200);
    expect(telephonyOf(afterDrift)).toEqual({ [HOME]: 40, [REPLICA]: 60 });
    expect(state).toMatchObject({
      tdgArn: TDG_ARN,
      homeRegion: HOME,
      otherRegion: REPLICA,
      status: 'UPDATE_IN_PROGRESS',
      telephony: { [HOME]: 40, [REPLICA]: 60 },
    });
    expect(requests).toHaveLength(sim.requests.length);
    expect(sim.requests.every((r) => r.operation !== 'Unknown')).toBe(true);
  });

  it('answers 400 with a message to an invalid fault plan or split', async () => {
    // Prepare
    const sim = await startSim();

    // Act
    const badPlan = await post(sim, 'faults', { script: [{ operation: 'DeleteInstance', fault: 'throttle' }] });
    const badSplit = await post(sim, 'split', { telephony: { [HOME]: 70, [REPLICA]: 70 } });

    // Assess
    expect(badPlan.status).toBe(400);
    expect(await badPlan.json()).toMatchObject({ message: expect.stringContaining('script.0.operation') });
    expect(badSplit.status).toBe(400);
    expect(await badSplit.json()).toMatchObject({ message: expect.stringContaining('add up to 100') });
    expect(sim.faults.snapshot().script).toEqual([]);
  });
});
