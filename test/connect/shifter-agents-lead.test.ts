import { afterEach, describe, expect, it } from 'vitest';
import { ShiftError } from '../../src/connect/errors.ts';
import { TrafficShifter } from '../../src/connect/shifter.ts';
import type { TrafficShifterOptions } from '../../src/connect/shifter.ts';
import { mulberry32 } from '../../src/local/prng.ts';
import { PRIMARY, REPLICA, startTestConnect } from '../helpers/connect.ts';
import type { TestConnect, TestConnectOptions } from '../helpers/connect.ts';

/** A failback step with `traffic.agentsLead`: the agents get a split of their own. */
let connect: TestConnect | undefined;

afterEach(async () => {
  await connect?.stop();
  connect = undefined;
});

async function start(options: TestConnectOptions = {}): Promise<TestConnect> {
  connect = await startTestConnect(options);
  return connect;
}

function shifterFor(c: TestConnect, options: Partial<TrafficShifterOptions> = {}): TrafficShifter {
  return new TrafficShifter({ api: c.api, clock: c.clock, backoff: { random: mulberry32(7) }, ...options });
}

const live = () => new AbortController().signal;
const split = (primary: number) => ({ [PRIMARY]: primary, [REPLICA]: 100 - primary });

describe('TrafficShifter with agents ahead of telephony', () => {
  it('writes both splits in one update to the Region gaining traffic, each summing to 100, and verifies both', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });

    // Act
    const result = await shifterFor(c).shift({ telephonyPrimaryPercent: 20, agentsPrimaryPercent: 30 }, live());

    // Assess
    expect(result).toMatchObject({
      outcome: 'verified',
      writes: 1,
      writtenVia: PRIMARY,
      split: { telephonyPrimaryPercent: 20, agentsPrimaryPercent: 30 },
    });
    expect(c.sim.writes.map((w) => [w.telephony, w.agents])).toEqual([[split(20), split(30)]]);
    expect(c.sim.state()).toMatchObject({ status: 'ACTIVE', telephony: split(20), agents: split(30) });
  });

  it('corrects the agents alone when telephony is already right', async () => {
    // Prepare
    const c = await start({ primaryPercent: 50, agentsPrimaryPercent: 50 });

    // Act
    const result = await shifterFor(c).shift({ telephonyPrimaryPercent: 50, agentsPrimaryPercent: 60 }, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1, writtenVia: PRIMARY });
    expect(c.sim.state()).toMatchObject({ telephony: split(50), agents: split(60) });
  });

  it('writes nothing when both splits are already in place', async () => {
    // Prepare
    const c = await start({ primaryPercent: 20, agentsPrimaryPercent: 30 });

    // Act
    const result = await shifterFor(c).shift({ telephonyPrimaryPercent: 20, agentsPrimaryPercent: 30 }, live());

    // Assess
    expect(result).toMatchObject({ outcome: 'alreadyInPlace', writes: 0 });
    expect(c.updateRequests()).toBe(0);
  });

  it('ignores the agents target when agents are not shifted', async () => {
    // Prepare
    const c = await start({ primaryPercent: 0 });

    // Act
    const result = await shifterFor(c, { shiftAgents: false }).shift(
      { telephonyPrimaryPercent: 20, agentsPrimaryPercent: 30 },
      live(),
    );

    // Assess
    expect(result).toMatchObject({ outcome: 'verified', writes: 1 });
    expect(c.sim.writes[0]?.agents).toBeUndefined();
    expect(c.sim.state()).toMatchObject({ telephony: split(20), agents: split(0) });
  });

  it('refuses an agents target Connect cannot take before calling it', async () => {
    // Prepare
    const c = await start();

    // Act
    const err = await shifterFor(c)
      .shift({ telephonyPrimaryPercent: 20, agentsPrimaryPercent: 35 }, live())
      .catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(ShiftError);
    expect((err as ShiftError).message).toBe('agents target 35 is not a percent from 0 to 100 in steps of 10');
    expect((err as ShiftError).retryable).toBe(false);
    expect(c.sim.requests).toHaveLength(0);
  });
});
