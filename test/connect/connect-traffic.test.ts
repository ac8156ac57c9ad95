import { afterEach, describe, expect, it } from 'vitest';
import { ConnectTrafficApi } from '../../src/connect/connect-traffic.ts';
import type { ConnectCall } from '../../src/connect/traffic-port.ts';
import { ConnectApiError } from '../../src/connect/errors.ts';
import type { FaultKind } from '../../src/local/connect-faults.ts';
import { PRIMARY, REPLICA, TDG_ARN, TEST_CREDENTIALS, startTestConnect } from '../helpers/connect.ts';
import type { TestConnect } from '../helpers/connect.ts';

let connect: TestConnect | undefined;
const signal = () => new AbortController().signal;

afterEach(async () => {
  await connect?.stop();
  connect = undefined;
});

async function failure(promise: Promise<unknown>): Promise<ConnectApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConnectApiError)) throw new Error(`expected a ConnectApiError, got ${String(err)}`);
  return err;
}

describe('ConnectTrafficApi', () => {
  it('reads the primary percentages and the status from either Region', async () => {
    // Prepare
    connect = await startTestConnect({ primaryPercent: 70, agentsPrimaryPercent: 40 });

    // Act
    const fromPrimary = await connect.api.get(PRIMARY, signal());
    const fromReplica = await connect.api.get(REPLICA, signal());
    const status = await connect.api.describe(REPLICA, signal());

    // Assess
    expect(fromPrimary).toEqual({ telephonyPrimaryPercent: 70, agentsPrimaryPercent: 40 });
    expect(fromReplica).toEqual(fromPrimary);
    expect(status).toBe('ACTIVE');
  });

  it('sends the complete split for both Regions, addressed by the ARN and signed for the Region called', async () => {
    // Prepare
    connect = await startTestConnect();

    // Act
    await connect.api.update(REPLICA, { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 }, signal());

    // Assess
    const put = connect.sim.requests.find((r) => r.operation === 'UpdateTrafficDistribution');
    expect(put?.region).toBe(REPLICA);
    expect(put?.id).toBe(TDG_ARN);
    expect(put?.body).toEqual({
      TelephonyConfig: {
        Distributions: [
          { Region: PRIMARY, Percentage: 0 },
          { Region: REPLICA, Percentage: 100 },
        ],
      },
      AgentConfig: {
        Distributions: [
          { Region: PRIMARY, Percentage: 0 },
          { Region: REPLICA, Percentage: 100 },
        ],
      },
    });
    expect(connect.sim.state().telephony).toEqual({ [PRIMARY]: 0, [REPLICA]: 100 });
  });

  it('leaves AgentConfig out when the split has no agents percent', async () => {
    // Prepare
    connect = await startTestConnect();

    // Act
    await connect.api.update(PRIMARY, { telephonyPrimaryPercent: 50, agentsPrimaryPercent: undefined }, signal());

    // Assess
    const put = connect.sim.requests.find((r) => r.operation === 'UpdateTrafficDistribution');
    expect(put?.body).not.toHaveProperty('AgentConfig');
    expect(connect.sim.state().agents).toEqual({ [PRIMARY]: 100, [REPLICA]: 0 });
  });

  it('reaches the endpoint in AWS_ENDPOINT_URL_CONNECT when no endpoint is given', async () => {
    // Prepare
    connect = await startTestConnect();
    const previous = process.env.AWS_ENDPOINT_URL_CONNECT;
    process.env.AWS_ENDPOINT_URL_CONNECT = connect.sim.endpoint;
    const api = new ConnectTrafficApi({
      tdg: connect.tdg,
      regions: { primary: PRIMARY, replica: REPLICA },
      credentials: TEST_CREDENTIALS,
    });

    // Act
    try {
      await api.describe(PRIMARY, signal());
    } finally {
      api.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_CONNECT;
      else process.env.AWS_ENDPOINT_URL_CONNECT = previous;
    }

    // Assess
    expect(connect.sim.requests.map((r) => r.operation)).toEqual(['DescribeTrafficDistributionGroup']);
  });

  it('records every call, succeeded or failed, with its Region, status and error', async () => {
    // Prepare
    const seen: ConnectCall[] = [];
    connect = await startTestConnect({ api: { onCall: (c) => seen.push(c) } });
    connect.sim.faults.script([{ operation: 'GetTrafficDistribution', fault: 'throttle' }]);
    const perCall: ConnectCall[] = [];

    // Act
    await failure(connect.api.get(PRIMARY, signal(), (c) => perCall.push(c)));
    await connect.api.get(REPLICA, signal(), (c) => perCall.push(c));

    // Assess
    expect(seen).toEqual(perCall);
    expect(seen.map((c) => [c.region, c.status, c.error])).toEqual([
      [PRIMARY, 429, 'ThrottlingException'],
      [REPLICA, 200, undefined],
    ]);
    expect(seen[1]?.split).toEqual({ telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 });
  });

  const cases: Array<{
    fault: FaultKind;
    operation: 'UpdateTrafficDistribution' | 'GetTrafficDistribution';
    kind: string;
    status: number | undefined;
    ambiguous: boolean;
  }> = [
    { fault: 'throttle', operation: 'UpdateTrafficDistribution', kind: 'throttled', status: 429, ambiguous: false },
    { fault: 'conflict', operation: 'UpdateTrafficDistribution', kind: 'conflict', status: 409, ambiguous: false },
    { fault: 'internal', operation: 'UpdateTrafficDistribution', kind: 'server', status: 500, ambiguous: true },
    { fault: 'appliedThen500', operation: 'UpdateTrafficDistribution', kind: 'server', status: 500, ambiguous: true },
    { fault: 'reset', operation: 'UpdateTrafficDistribution', kind: 'network', status: undefined, ambiguous: true },
    { fault: 'hang', operation: 'UpdateTrafficDistribution', kind: 'timeout', status: undefined, ambiguous: true },
    { fault: 'internal', operation: 'GetTrafficDistribution', kind: 'server', status: 500, ambiguous: false },
    { fault: 'reset', operation: 'GetTrafficDistribution', kind: 'network', status: undefined, ambiguous: false },
  ];

  it.each(cases)(
    'wraps a $fault answer to $operation as kind $kind',
    async ({ fault, operation, kind, status, ambiguous }) => {
      // Prepare
      connect = await startTestConnect({ requestTimeoutMs: 200 });
      connect.sim.faults.script([{ operation, fault }]);

      // Act
      const err = await failure(
        operation === 'UpdateTrafficDistribution'
          ? connect.api.update(REPLICA, { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 }, signal())
          : connect.api.get(REPLICA, signal()),
      );

      // Assess
      expect({ kind: err.kind, status: err.status, ambiguous: err.ambiguous, retryable: err.retryable }).toEqual({
        kind,
        status,
        ambiguous,
        retryable: true,
      });
      expect(err.region).toBe(REPLICA);
      expect(err.cause).toBeDefined();
    },
  );

  it('reports a bare id called from the replica as a terminal client error', async () => {
    // Prepare
    connect = await startTestConnect({ bareId: true });

    // Act
    const err = await failure(connect.api.get(REPLICA, signal()));

    // Assess
    expect(err).toMatchObject({
      kind: 'client',
      status: 404,
      code: 'ResourceNotFoundException',
      retryable: false,
      ambiguous: false,
    });
    expect(err.tdgId).not.toMatch(/^arn:/);
  });

  it('starts no request when the signal has already aborted', async () => {
    // Prepare
    connect = await startTestConnect();
    const controller = new AbortController();
    controller.abort(new Error('superseded'));

    // Act
    const outcome = connect.api.update(
      PRIMARY,
      { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0 },
      controller.signal,
    );

    // Assess
    await expect(outcome).rejects.toThrow('superseded');
    expect(connect.sim.requests).toHaveLength(0);
  });
});
