/**
 * The Connect simulator's read faults: GetTrafficDistribution answers that lag behind writes (everywhere,
 * or in one Region as a stale replica would) and answers without AgentConfig.
 */
import {
  ConnectClient,
  GetTrafficDistributionCommand,
  UpdateTrafficDistributionCommand,
} from '@aws-sdk/client-connect';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { startConnectSimulator } from '../../src/local/connect-simulator.ts';
import type { ConnectSimulator } from '../../src/local/connect-simulator.ts';
import { SimulatorInputError } from '../../src/local/simulator-errors.ts';

const ACCOUNT = '111122223333';
const TDG_ID = '2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11';
const HOME = 'us-east-1';
const REPLICA = 'us-west-2';

let sim: ConnectSimulator | undefined;
const clients: ConnectClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await sim?.stop();
  sim = undefined;
});

async function startSim(clock: ManualClock): Promise<ConnectSimulator> {
  sim = await startConnectSimulator({
    accountId: ACCOUNT,
    tdgId: TDG_ID,
    homeRegion: HOME,
    otherRegion: REPLICA,
    now: () => clock.now(),
  });
  return sim;
}

function clientFor(s: ConnectSimulator, region: string): ConnectClient {
  const client = new ConnectClient({
    region,
    endpoint: s.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
}

async function shiftTo(s: ConnectSimulator, primary: number): Promise<void> {
  const distributions = [
    { Region: HOME, Percentage: primary },
    { Region: REPLICA, Percentage: 100 - primary },
  ];
  await clientFor(s, REPLICA).send(
    new UpdateTrafficDistributionCommand({
      Id: s.tdgArn,
      TelephonyConfig: { Distributions: distributions },
      AgentConfig: { Distributions: distributions },
    }),
  );
}

async function primaryPercents(
  s: ConnectSimulator,
  region: string,
): Promise<{ telephony: number | undefined; agents: number | undefined; hasAgentConfig: boolean }> {
  const out = await clientFor(s, region).send(new GetTrafficDistributionCommand({ Id: s.tdgArn }));
  return {
    telephony: out.TelephonyConfig?.Distributions?.find((d) => d.Region === HOME)?.Percentage,
    agents: out.AgentConfig?.Distributions?.find((d) => d.Region === HOME)?.Percentage,
    hasAgentConfig: out.AgentConfig !== undefined,
  };
}

describe('Connect simulator read faults', () => {
  it('answers GetTrafficDistribution with the split as it stood readLag ms earlier, until the lag has passed', async () => {
    // Prepare
    const clock = new ManualClock();
    const s = await startSim(clock);
    s.faults.readLag({ ms: 2000 });
    await shiftTo(s, 0);

    // Act
    const atOnce = await primaryPercents(s, HOME);
    clock.advance(1999);
    const justBefore = await primaryPercents(s, HOME);
    clock.advance(1);
    const atLag = await primaryPercents(s, HOME);

    // Assess
    expect(atOnce).toMatchObject({ telephony: 100, agents: 100 });
    expect(justBefore).toMatchObject({ telephony: 100 });
    expect(atLag).toMatchObject({ telephony: 0, agents: 0 });
    expect(s.state().telephony).toEqual({ [HOME]: 0, [REPLICA]: 100 });
  });

  it('lags only in the Regions named, like a stale replica', async () => {
    // Prepare
    const clock = new ManualClock();
    const s = await startSim(clock);
    s.faults.readLag({ ms: 60_000, regions: [REPLICA] });
    await shiftTo(s, 0);
    clock.advance(1000);

    // Act
    const home = await primaryPercents(s, HOME);
    const replica = await primaryPercents(s, REPLICA);

    // Assess
    expect(home.telephony).toBe(0);
    expect(replica.telephony).toBe(100);
  });

  it('shows a split changed by hand to lagging reads only after the lag', async () => {
    // Prepare
    const clock = new ManualClock();
    const s = await startSim(clock);
    s.faults.readLag({ ms: 500 });
    s.setSplit({ telephony: { [HOME]: 40, [REPLICA]: 60 } });

    // Act
    const before = await primaryPercents(s, HOME);
    clock.advance(500);
    const after = await primaryPercents(s, HOME);

    // Assess
    expect(before.telephony).toBe(100);
    expect(after.telephony).toBe(40);
  });

  it('leaves AgentConfig out while omitAgentConfig is armed, and puts it back when cleared', async () => {
    // Prepare
    const clock = new ManualClock();
    const s = await startSim(clock);
    s.faults.omitAgentConfig();

    // Act
    const omitted = await primaryPercents(s, HOME);
    s.faults.clear();
    const restored = await primaryPercents(s, HOME);

    // Assess
    expect(omitted).toMatchObject({ telephony: 100, hasAgentConfig: false });
    expect(restored).toMatchObject({ telephony: 100, agents: 100, hasAgentConfig: true });
  });

  it('arms, reports and clears read faults through the admin API', async () => {
    // Prepare
    const clock = new ManualClock();
    const s = await startSim(clock);
    const post = (body: unknown) =>
      fetch(`${s.endpoint}/_simulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // Act
    const armed = await post({ readLag: { ms: 1500, regions: [REPLICA] }, omitAgentConfig: true });
    const bad = await post({ readLag: { ms: -1 } });
    const cleared = await fetch(`${s.endpoint}/_simulator/faults`, { method: 'DELETE' });

    // Assess
    expect(armed.status).toBe(200);
    expect(await armed.json()).toMatchObject({ readLag: { ms: 1500, regions: [REPLICA] }, omitAgentConfig: true });
    expect(bad.status).toBe(400);
    expect(await cleared.json()).toEqual({ script: [], random: null, regionsDown: [] });
    expect(s.faults.readLagFor(REPLICA)).toBe(0);
  });

  it('refuses a negative read lag', async () => {
    const s = await startSim(new ManualClock());
    expect(() => s.faults.readLag({ ms: -5 })).toThrow(SimulatorInputError);
  });
});
