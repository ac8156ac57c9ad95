/**
 * Behaviour 12 end to end: the real controller on the local stack, failing back through
 * `traffic.failbackSteps` [20, 50, 100]. Assertions are on what Connect was written and shows, and on the
 * decision log; the holds are checked as lower bounds between decisions, never by sleeping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFailoverMachine, outlook, restoreSnapshot } from '../../state-machines/index.ts';
import { readStatus } from '../../src/app/status.ts';
import { renderStatus } from '../../src/cli/status.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { FAST_TIMING, startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
const DEGRADED = 'connect-primary-elevated-errors';
const PRIMARY = 'us-east-1';

let h: Harness;
afterEach(async () => h?.close());

/** The local stack's traffic with failback steps [20, 50, 100], agents 10 points ahead, each step held `hold`. */
function stagedConfig(hold: string) {
  return {
    traffic: {
      healthy: 100,
      degraded: 50,
      failedOver: 0,
      shiftAgents: true,
      failbackSteps: [20, 50, 100],
      agentsLead: 10,
    },
    timing: { ...FAST_TIMING, failbackStepHold: hold },
  };
}

/** Fails over on the critical alarm and clears it again: the controller then waits for `failback`. */
async function failOverAndRecover(harness: Harness): Promise<void> {
  await harness.setAlarm(CRITICAL, 'ALARM');
  await harness.waitForPrimary(0);
  await harness.setAlarm(CRITICAL, 'OK');
  await eventually(
    async () => {
      const doc = await harness.readDocument();
      const context = (doc?.snapshot as { context?: { signals?: Record<string, { value: string }> } } | undefined)
        ?.context;
      return context?.signals?.[CRITICAL]?.value === 'OK';
    },
    { what: 'the critical alarm seen OK again' },
  );
}

/** What the controller's state says about the failback, as `status` reads it (outlook of the stored snapshot). */
async function failbackView(harness: Harness) {
  const policy = policyOf(harness.config);
  const doc = await harness.readDocument();
  return doc ? outlook(policy, restoreSnapshot(createFailoverMachine(policy), doc.snapshot)) : undefined;
}

const telephonyWrites = (harness: Harness) => harness.stack.connect.writes.map((w) => w.telephony[PRIMARY]);
const agentWrites = (harness: Harness) => harness.stack.connect.writes.map((w) => w.agents?.[PRIMARY]);

describe('behaviour 12: staged failback', () => {
  it('fails back through [20, 50, 100], each step a verified shift held for failbackStepHold, agents 10 points ahead', async () => {
    // Prepare
    const holdMs = 500;
    h = await startHarness({ config: stagedConfig(`${holdMs}ms`) });
    await h.start();
    await failOverAndRecover(h);

    // Act
    await h.command('failback', { reason: 'primary verified; staged return' });
    await h.waitForPrimary(100, 15_000);

    // Assess: each step was written to Connect in turn, to the Region taking traffic back, and verified.
    expect(telephonyWrites(h)).toEqual([0, 20, 50, 100]);
    expect(agentWrites(h)).toEqual([0, 30, 60, 100]);
    expect(h.stack.connect.writes.slice(1).map((w) => w.region)).toEqual([PRIMARY, PRIMARY, PRIMARY]);
    expect(h.stack.connect.state()).toMatchObject({
      status: 'ACTIVE',
      telephony: { [PRIMARY]: 100 },
      agents: { [PRIMARY]: 100 },
    });
    const doc = (await h.readDocument())!;
    const verified = doc.history
      .filter((e) => e.kind === 'shift' && e.outcome === 'verified')
      .map((e) => e.primaryPercent);
    // The first is start-up's check of the healthy split.
    expect(verified).toEqual([100, 0, 20, 50, 100]);
    const steps = doc.history.filter((e) => e.kind === 'transition' && e.region === 'health').slice(1);
    expect(steps.map((e) => [e.from, e.to, e.primaryPercent, e.trigger])).toEqual([
      ['failedOver', 'failingBack', 20, 'operator'],
      ['failingBack', 'failingBack', 50, 'automatic'],
      ['failingBack', 'healthy', 100, 'automatic'],
    ]);
    // Each step was held at least failbackStepHold before the next one was decided.
    const at = steps.map((e) => Date.parse(e.at));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(holdMs);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(holdMs);
  });

  it('holds each step from its verified shift: with a slow UPDATE_IN_PROGRESS the next step comes failbackStepHold after the verification', async () => {
    // Prepare: Connect keeps each update in progress for 3 s, six times the hold.
    const holdMs = 500;
    const windowMs = 3_000;
    h = await startHarness({ config: stagedConfig(`${holdMs}ms`), stack: { updateWindowMs: windowMs } });
    await h.start();
    await failOverAndRecover(h);

    // Act
    await h.command('failback', { reason: 'primary verified; staged return' });
    // While the first step's update is in progress: decided, not verified, so no hold deadline yet.
    await eventually(async () => (await failbackView(h))?.failback?.step === 1, { what: 'the first step decided' });
    const shifting = await readStatus(h.config, { aws: h.aws });
    // Read live while Connect still applies the step's write: the split is new, the group not yet ACTIVE.
    let unsettled: Awaited<ReturnType<typeof readStatus>> | undefined;
    await eventually(
      async () => {
        unsettled = await readStatus(h.config, { aws: h.aws, live: true });
        return unsettled.actualStatus === 'UPDATE_IN_PROGRESS';
      },
      { what: 'a live read during the update window' },
    );
    await h.waitForPrimary(100, 30_000);

    // Assess
    expect(telephonyWrites(h)).toEqual([0, 20, 50, 100]);
    expect(shifting.failback).toMatchObject({ step: 1, verified: false, holdUntil: null });
    expect(renderStatus(shifting)).toMatch(
      /^failback +step 1 of 3: 20% primary \(agents 30%\); shifting: its hold starts once Connect is verified at the step's split$/m,
    );
    expect(unsettled).toMatchObject({
      actualPrimaryPercent: 20,
      actualStatus: 'UPDATE_IN_PROGRESS',
      actual: { source: 'live', region: PRIMARY, status: 'UPDATE_IN_PROGRESS' },
    });
    expect(renderStatus(unsettled!)).toMatch(
      /^actual +20% to us-east-1 \(primary\), 80% to us-west-2 \(replica\), agents 30% primary \(read live from us-east-1 just now; UPDATE_IN_PROGRESS: not settled yet\)$/m,
    );
    const doc = (await h.readDocument())!;
    const decided = doc.history
      .filter((e) => e.kind === 'transition' && e.region === 'health')
      .slice(-3)
      .map((e) => [e.primaryPercent ?? -1, Date.parse(e.at)] as const);
    const verifiedAt = (percent: number) =>
      Date.parse(
        doc.history.findLast((e) => e.kind === 'shift' && e.outcome === 'verified' && e.primaryPercent === percent)!.at,
      );
    expect(decided.map(([percent]) => percent)).toEqual([20, 50, 100]);
    for (let i = 0; i < 2; i++) {
      const [percent, at] = decided[i]!;
      const next = decided[i + 1]![1];
      // The update stayed in progress for the window, and the hold ran from the verification after it.
      expect(verifiedAt(percent) - at).toBeGreaterThanOrEqual(windowMs);
      expect(next - verifiedAt(percent)).toBeGreaterThanOrEqual(holdMs);
    }
  });

  it('returns to failedOver at once when a primary signal goes into ALARM during a step', async () => {
    // Prepare: a hold long enough that the first step is still held when the alarm comes.
    h = await startHarness({ config: stagedConfig('1h') });
    await h.start();
    await failOverAndRecover(h);
    await h.command('failback', { reason: 'primary verified; staged return' });
    await h.waitForPrimary(20);
    const during = await failbackView(h);
    // `status` shows the step, its split and the hold.
    const status = await readStatus(h.config, { aws: h.aws });
    expect(status.failback).toMatchObject({
      step: 1,
      of: 3,
      primaryPercent: 20,
      agentsPrimaryPercent: 30,
      frozen: false,
    });
    expect(renderStatus(status)).toMatch(
      /^failback +step 1 of 3: 20% primary \(agents 30%\); next step at \d{4}-.+Z if every primary signal stays OK$/m,
    );
    expect(renderStatus(status)).toMatch(/^desired +20% to us-east-1 .*, agents 30% primary \(ahead of the calls/m);
    // The hold is a routine wait: the failback row says until when, and nothing asks for attention.
    expect(status).toMatchObject({
      blockedKind: 'waiting',
      blocked: expect.stringContaining('held until'),
      attention: [],
    });
    expect(renderStatus(status).split('\n')[0]).toBe('OK: nothing needs attention');
    expect(renderStatus(status)).not.toMatch(/blocked/);

    // Act: a degraded signal, not only a critical one, ends the probation.
    await h.setAlarm(DEGRADED, 'ALARM');
    await h.waitForPrimary(0);

    // Assess
    expect(during).toMatchObject({
      health: 'failingBack',
      desiredPrimaryPercent: 20,
      desiredAgentsPrimaryPercent: 30,
      failback: { step: 1, of: 3, frozen: false },
    });
    expect(telephonyWrites(h)).toEqual([0, 20, 0]);
    expect(agentWrites(h)).toEqual([0, 30, 0]);
    const doc = (await h.readDocument())!;
    expect(doc.history.filter((e) => e.kind === 'transition' && e.region === 'health').at(-1)).toMatchObject({
      from: 'failingBack',
      to: 'failedOver',
      trigger: 'automatic',
      alarms: [DEGRADED],
      reason: 'primary signal in ALARM during failback step 1 of 3 (20%)',
    });
    expect(await failbackView(h)).toMatchObject({ health: 'failedOver', failback: null });
  });

  it('goes straight back to healthy on failback --now', async () => {
    // Prepare
    h = await startHarness({ config: stagedConfig('1h') });
    await h.start();
    await failOverAndRecover(h);

    // Act
    await h.command('failback', { reason: 'change window is closing', now: true });
    await h.waitForPrimary(100);

    // Assess
    expect(telephonyWrites(h)).toEqual([0, 100]);
    expect(agentWrites(h)).toEqual([0, 100]);
  });
});
