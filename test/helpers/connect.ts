import { ManualClock } from '../../src/clock.ts';
import type { Clock } from '../../src/clock.ts';
import type { TrafficDistributionGroupRef } from '../../src/config/types.ts';
import { ConnectTrafficApi } from '../../src/connect/connect-traffic.ts';
import type { ConnectTrafficApiOptions } from '../../src/connect/connect-traffic.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator, ConnectSimulatorOptions } from '../../src/local/connect-simulator.ts';

export const ACCOUNT_ID = '111122223333';
export const TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
export const PRIMARY = 'us-east-1';
export const REPLICA = 'us-west-2';
export const TDG_ARN = `arn:aws:connect:${PRIMARY}:${ACCOUNT_ID}:traffic-distribution-group/${TDG_ID}`;
/** Dummy credentials: the simulator reads the SigV4 scope and checks no signature. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface TestConnectOptions {
  /** Default 100. */
  primaryPercent?: number;
  /** Default `primaryPercent`. */
  agentsPrimaryPercent?: number;
  /** How long each accepted update keeps the group UPDATE_IN_PROGRESS, in virtual ms. Default 0. */
  updateWindowMs?: number;
  /** Address the group by its bare id instead of its ARN. Default false. */
  bareId?: boolean;
  /** Default 2000 (real ms: it bounds how long a scripted hang costs a test). */
  requestTimeoutMs?: number;
  /** Default a ManualClock with autoAdvance, shared with the simulator. */
  clock?: Clock;
  /** Extra adapter options (e.g. `onCall`), or `endpoint: undefined` to rely on the environment. */
  api?: Partial<ConnectTrafficApiOptions>;
}

/** A Connect simulator with the standard group, an adapter pointed at it, and their shared clock. */
export interface TestConnect {
  sim: ConnectSimulator;
  api: ConnectTrafficApi;
  clock: Clock;
  tdg: TrafficDistributionGroupRef;
  /** UpdateTrafficDistribution requests that reached the simulator. */
  updateRequests(): number;
  /** Destroys the adapter's clients and stops the simulator. */
  stop(): Promise<void>;
}

/**
 * Starts the simulator (account 111122223333, home us-east-1, replica us-west-2) on 127.0.0.1 and a free
 * port, and builds the real adapter against it. Call `stop()` in `afterEach`.
 */
export async function startTestConnect(options: TestConnectOptions = {}): Promise<TestConnect> {
  const clock = options.clock ?? new ManualClock(undefined, true);
  const initial: NonNullable<ConnectSimulatorOptions['initial']> = { primaryPercent: options.primaryPercent ?? 100 };
  if (options.agentsPrimaryPercent !== undefined) initial.agentsPrimaryPercent = options.agentsPrimaryPercent;
  const sim = await startConnectSimulator({
    accountId: ACCOUNT_ID,
    tdgId: TDG_ID,
    homeRegion: PRIMARY,
    otherRegion: REPLICA,
    updateWindowMs: options.updateWindowMs ?? 0,
    now: () => clock.now(),
    initial,
  });
  const tdg: TrafficDistributionGroupRef = options.bareId
    ? { id: TDG_ID, arn: undefined, region: undefined }
    : { id: TDG_ID, arn: sim.tdgArn, region: PRIMARY };
  const api = new ConnectTrafficApi({
    tdg,
    regions: { primary: PRIMARY, replica: REPLICA },
    credentials: TEST_CREDENTIALS,
    endpoint: sim.endpoint,
    requestTimeoutMs: options.requestTimeoutMs ?? 2000,
    clock,
    ...options.api,
  });
  return {
    sim,
    api,
    clock,
    tdg,
    updateRequests: () => sim.requests.filter((r) => r.operation === 'UpdateTrafficDistribution').length,
    async stop() {
      api.destroy();
      await sim.stop();
    },
  };
}
