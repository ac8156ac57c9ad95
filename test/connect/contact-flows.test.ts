import { afterEach, describe, expect, it } from 'vitest';
import { ContactFlowReadError } from '../../src/connect/contact-flow-errors.ts';
import { ConnectContactFlowReader } from '../../src/connect/contact-flows.ts';
import type { ContactFlowReaderOptions } from '../../src/connect/contact-flows.ts';
import { DEFAULT_FLOW_IDS } from '../../src/local/connect-flow-defaults.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator, ConnectSimulatorOptions, SimulatedFlow } from '../../src/local/connect-simulator.ts';

const ACCOUNT = '111122223333';
const HOME = 'us-east-1';
const REPLICA = 'us-west-2';
const INSTANCE = 'c0ffee00-1c0a-4e5e-9d1b-5a1e5e55e001';

let sim: ConnectSimulator | undefined;
const readers: ConnectContactFlowReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.destroy();
  await sim?.stop();
  sim = undefined;
});

async function start(options: Partial<ConnectSimulatorOptions> = {}): Promise<ConnectSimulator> {
  sim = await startConnectSimulator({
    accountId: ACCOUNT,
    tdgId: '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
    homeRegion: HOME,
    otherRegion: REPLICA,
    ...options,
  });
  return sim;
}

/** The real adapter, over HTTP to the simulator (no SDK mock). */
function readerFor(s: ConnectSimulator, options: Partial<ContactFlowReaderOptions> = {}): ConnectContactFlowReader {
  const reader = new ConnectContactFlowReader({
    region: REPLICA,
    endpoint: s.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestTimeoutMs: 2000,
    ...options,
  });
  readers.push(reader);
  return reader;
}

const flow = (name: string, extra: Partial<SimulatedFlow> = {}): SimulatedFlow => ({
  name,
  content: {
    Version: '2019-10-30',
    StartAction: 'end',
    Actions: [{ Identifier: 'end', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }],
  },
  ...extra,
});

const timeout = () => AbortSignal.timeout(10_000);

describe('the contact flow reader (Connect adapter)', () => {
  it('reads every flow and module of the default replica with its flow-language content', async () => {
    // Prepare
    const s = await start();

    // Act
    const read = await readerFor(s).readFlows(INSTANCE, timeout());

    // Assess
    expect(read.flows.map((f) => [f.name, f.type])).toEqual([
      ['Main inbound', 'CONTACT_FLOW'],
      ['Customer queue', 'CUSTOMER_QUEUE'],
    ]);
    expect(read.modules.map((m) => [m.name, m.id])).toEqual([
      ['Authenticate caller', DEFAULT_FLOW_IDS.authenticateModule],
    ]);
    expect(read.flows[0]!.arn).toBe(
      `arn:aws:connect:${REPLICA}:${ACCOUNT}:instance/${INSTANCE}/contact-flow/${DEFAULT_FLOW_IDS.mainInbound}`,
    );
    expect(JSON.parse(read.flows[0]!.content)).toMatchObject({ Version: '2019-10-30', Actions: expect.any(Array) });
    expect(read.skipped).toEqual([]);
    expect(s.requests.every((r) => r.region === REPLICA)).toBe(true);
  });

  it('follows NextToken through every page of flows and modules', async () => {
    // Prepare
    const s = await start({ contactFlows: 'empty' });
    s.contactFlows.load(REPLICA, {
      flows: ['a', 'b', 'c', 'd', 'e'].map((n) => flow(n)),
      modules: ['m1', 'm2', 'm3'].map((n) => flow(n)),
    });

    // Act
    const read = await readerFor(s, { pageSize: 2 }).readFlows(INSTANCE, timeout());

    // Assess
    expect(read.flows.map((f) => f.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(read.modules.map((m) => m.name)).toEqual(['m1', 'm2', 'm3']);
    const count = (operation: string) => s.requests.filter((r) => r.operation === operation).length;
    expect([
      count('ListContactFlows'),
      count('ListContactFlowModules'),
      count('DescribeContactFlow'),
      count('DescribeContactFlowModule'),
    ]).toEqual([3, 2, 5, 3]);
  });

  it('skips archived flows without describing them, and flows never published', async () => {
    // Prepare
    const s = await start({ contactFlows: 'empty' });
    s.contactFlows.load(REPLICA, {
      flows: [flow('Live'), flow('Old', { state: 'ARCHIVED' }), flow('Draft', { status: 'SAVED' })],
      modules: [flow('Old module', { state: 'ARCHIVED' })],
    });

    // Act
    const read = await readerFor(s).readFlows(INSTANCE, timeout());

    // Assess
    expect(read.flows.map((f) => f.name)).toEqual(['Live']);
    expect(read.skipped.map((x) => [x.name, x.reason])).toEqual([
      ['Old', 'archived'],
      ['Old module', 'archived'],
      ['Draft', 'unpublished'],
    ]);
    expect(s.requests.filter((r) => r.operation === 'DescribeContactFlow')).toHaveLength(2);
  });

  it('wraps a denied read once, naming the operation and Region, as terminal', async () => {
    // Prepare
    const s = await start();
    s.contactFlows.deny(['DescribeContactFlowModule']);

    // Act
    const failure = await readerFor(s)
      .readFlows(INSTANCE, timeout())
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(ContactFlowReadError);
    expect(failure).toMatchObject({
      operation: 'DescribeContactFlowModule',
      region: REPLICA,
      status: 403,
      code: 'AccessDeniedException',
      failure: 'denied',
      retryable: false,
    });
    expect((failure as Error).message).toMatch(
      /^DescribeContactFlowModule in us-west-2: AccessDeniedException \(HTTP 403\)/,
    );
  });

  it('reports an unknown instance as notFound, and a Region that is down as unreachable and retryable', async () => {
    // Prepare
    const s = await start();

    // Act
    const unknown = await readerFor(s)
      .readFlows('00000000-0000-4000-8000-000000000000', timeout())
      .catch((error: unknown) => error);
    s.faults.regionDown(REPLICA);
    const down = await readerFor(s, { maxAttempts: 1 })
      .readFlows(INSTANCE, timeout())
      .catch((error: unknown) => error);

    // Assess
    expect(unknown).toMatchObject({ operation: 'ListContactFlows', status: 404, failure: 'notFound' });
    expect(down).toBeInstanceOf(ContactFlowReadError);
    expect(down).toMatchObject({
      operation: 'ListContactFlows',
      status: undefined,
      failure: 'unreachable',
      retryable: true,
    });
  });

  it('sends nothing once the caller has given up', async () => {
    // Prepare
    const s = await start();
    const gone = new AbortController();
    gone.abort();

    // Act
    const failure = await readerFor(s)
      .readFlows(INSTANCE, gone.signal)
      .catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ failure: 'aborted' });
    expect(s.requests).toHaveLength(0);
  });

  it('reads only the integrations asked for, each with its own answer or error', async () => {
    // Prepare
    const s = await start();
    s.contactFlows.deny(['ListBots']);

    // Act
    const only = await readerFor(s).readIntegrations(INSTANCE, { lambda: true, lexV2: false, lexV1: false }, timeout());
    const both = await readerFor(s).readIntegrations(INSTANCE, { lambda: true, lexV2: true, lexV1: false }, timeout());

    // Assess
    expect(only).toEqual({
      lambdaFunctions: {
        ok: true,
        value: [
          `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:customer-lookup`,
          `arn:aws:lambda:${REPLICA}:${ACCOUNT}:function:verify-pin`,
        ],
      },
    });
    expect(both.lambdaFunctions?.ok).toBe(true);
    expect(both.lexV2Aliases).toMatchObject({ ok: false, error: { operation: 'ListBots', failure: 'denied' } });
    expect(s.requests.filter((r) => r.operation === 'ListBots')).toHaveLength(1);
  });
});
