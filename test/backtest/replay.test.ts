import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/backtest/replay.ts';
import type { ReplayInput, SignalChange } from '../../src/backtest/replay.ts';
import type { FailoverPolicy } from '../../state-machines/index.ts';
import { exampleConfig, monthInput, t } from './fixture.ts';

const MIN = 60_000;

/** A small policy for synthetic histories: one alarm per role. */
function policy(
  overrides: Partial<FailoverPolicy['timing']> = {},
  failback: FailoverPolicy['failback'] = 'manual',
): FailoverPolicy {
  return {
    signals: { degraded: ['errors'], critical: ['outage'], replicaUnhealthy: ['replica'] },
    traffic: { healthy: 100, degraded: 50, failedOver: 0 },
    timing: {
      escalateAfterMs: 5 * MIN,
      recoverAfterMs: 10 * MIN,
      cooldownMs: 2 * MIN,
      maxAutomaticShifts: { count: 4, perMs: 60 * MIN },
      ...overrides,
    },
    failback,
  };
}

const T0 = t('2026-10-01T00:00:00.000Z');
const ALL_OK = [
  { alarm: 'errors', value: 'OK' as const },
  { alarm: 'outage', value: 'OK' as const },
  { alarm: 'replica', value: 'OK' as const },
];

function synthetic(changes: SignalChange[], overrides: Partial<ReplayInput> = {}): ReplayInput {
  return { policy: policy(), start: T0, initial: ALL_OK, changes, operatorAfterMs: 10 * MIN, ...overrides };
}

describe('replaying the recorded month with the example config', () => {
  it('makes exactly the shifts the policy implies, with their times, triggers and reasons', async () => {
    // Prepare
    const input = await monthInput(await exampleConfig());

    // Act
    const result = replay(input);

    // Assess
    expect(
      result.shifts.map((s) => [
        new Date(s.at).toISOString(),
        `${s.from}->${s.to}`,
        s.primaryPercent,
        s.trigger,
        s.reason,
      ]),
    ).toEqual([
      ['2026-10-03T09:14:07.512Z', 'healthy->degraded', 50, 'automatic', 'degraded alarm in ALARM'],
      // INSUFFICIENT_DATA at 09:19 held recovery back: 10 minutes from the OK at 09:21:02.731, not from 09:17.
      ['2026-10-03T09:31:02.731Z', 'degraded->healthy', 100, 'automatic', 'every primary signal OK for recoverAfter'],
      ['2026-10-11T14:02:31.204Z', 'healthy->degraded', 50, 'automatic', 'degraded alarm in ALARM'],
      ['2026-10-11T14:04:10.880Z', 'degraded->failedOver', 0, 'automatic', 'critical alarm in ALARM'],
      [
        '2026-10-11T15:45:00.402Z',
        'failedOver->healthy',
        100,
        'operator',
        'operator failback: assumed (every primary signal OK since 2026-10-11T15:35:00.402Z)',
      ],
      ['2026-10-17T07:40:12.093Z', 'healthy->degraded', 50, 'automatic', 'degraded alarm in ALARM'],
      // The escalation deadline fired by itself, exactly escalateAfter after entering degraded.
      ['2026-10-17T07:45:12.093Z', 'degraded->failedOver', 0, 'automatic', 'still degraded after escalateAfter'],
      [
        '2026-10-17T07:57:55.610Z',
        'failedOver->healthy',
        100,
        'operator',
        'operator failback: assumed (every primary signal OK since 2026-10-17T07:47:55.610Z)',
      ],
      ['2026-10-24T18:00:05.117Z', 'healthy->degraded', 50, 'automatic', 'degraded alarm in ALARM'],
      ['2026-10-24T18:13:10.420Z', 'degraded->healthy', 100, 'automatic', 'every primary signal OK for recoverAfter'],
      ['2026-10-24T18:20:40.008Z', 'healthy->degraded', 50, 'automatic', 'degraded alarm in ALARM'],
      ['2026-10-24T18:32:15.663Z', 'degraded->healthy', 100, 'automatic', 'every primary signal OK for recoverAfter'],
    ]);
  });

  it('suspends automation at the fifth wanted shift within the hour, and the assumed operator resumes when calm', async () => {
    // Prepare
    const input = await monthInput(await exampleConfig());

    // Act
    const result = replay(input);

    // Assess
    expect(result.suspensions).toEqual([
      {
        at: t('2026-10-24T18:40:30.250Z'),
        resumedAt: t('2026-10-24T19:16:30.774Z'),
        alarms: ['connect-primary-elevated-errors'],
        reason:
          'more than 4 automatic shifts within maxAutomaticShifts.per; shift to degraded (connect-primary-elevated-errors) blocked: maxAutomaticShifts reached',
      },
    ]);
    expect(result.operatorActions.map((a) => [new Date(a.at).toISOString(), a.action, a.accepted])).toEqual([
      ['2026-10-11T15:45:00.402Z', 'failback', true],
      ['2026-10-17T07:57:55.610Z', 'failback', true],
      ['2026-10-24T19:16:30.774Z', 'resume', true],
    ]);
  });

  it('reports the failover blocked by the unhealthy replica and the shifts blocked by the suspension, each with its end', async () => {
    // Prepare
    const input = await monthInput(await exampleConfig());

    // Act
    const result = replay(input);

    // Assess
    expect(
      result.blocked.map((b) => [
        new Date(b.at).toISOString(),
        b.until && new Date(b.until).toISOString(),
        b.kind,
        b.wanted,
      ]),
    ).toEqual([
      ['2026-10-20T02:20:30.337Z', '2026-10-20T02:24:10.902Z', 'replicaUnhealthy', 'failedOver'],
      ['2026-10-24T18:40:30.250Z', '2026-10-24T18:42:00.871Z', 'suspended', 'degraded'],
      ['2026-10-24T18:51:20.415Z', '2026-10-24T18:53:45.090Z', 'suspended', 'degraded'],
      ['2026-10-24T19:01:10.333Z', '2026-10-24T19:06:30.774Z', 'suspended', 'degraded'],
    ]);
    expect(result.blocked[0]?.message).toBe(
      'failover (connect-primary-outage) blocked: replica unhealthy (connect-replica-outage in ALARM)',
    );
  });

  it('sums the time failed over and degraded per episode and in total', async () => {
    // Prepare
    const input = await monthInput(await exampleConfig());

    // Act
    const result = replay(input);

    // Assess
    expect(
      result.episodes.map((e) => [
        new Date(e.start).toISOString(),
        e.worst,
        e.degradedMs,
        e.failedOverMs,
        e.durationMs,
      ]),
    ).toEqual([
      ['2026-10-03T09:14:07.512Z', 'degraded', 1_015_219, 0, 1_015_219],
      ['2026-10-11T14:02:31.204Z', 'failedOver', 99_676, 6_049_522, 6_149_198],
      ['2026-10-17T07:40:12.093Z', 'failedOver', 300_000, 763_517, 1_063_517],
      ['2026-10-24T18:00:05.117Z', 'degraded', 785_303, 0, 785_303],
      ['2026-10-24T18:20:40.008Z', 'degraded', 695_655, 0, 695_655],
    ]);
    expect(result.summary).toEqual({
      shifts: 12,
      automaticShifts: 10,
      automaticFailovers: 2,
      operatorShifts: 2,
      suspensions: 1,
      blockedShifts: 4,
      episodes: 5,
      timeFailedOverMs: 6_813_039,
      timeDegradedMs: 2_895_853,
      timeSuspendedMs: 2_160_524,
      longestOutageMs: 6_049_522,
      longestEpisodeMs: 6_149_198,
    });
    expect(result.final).toEqual({ health: 'healthy', automation: 'active' });
    expect([new Date(result.start).toISOString(), new Date(result.end).toISOString()]).toEqual([
      '2026-10-01T03:12:44.120Z',
      '2026-10-28T17:05:02.011Z',
    ]);
  });

  it('with recoverAfter 5m recovers five minutes sooner in each of the three recovered episodes: 15 minutes less degraded', async () => {
    // Prepare
    const baseline = await exampleConfig();
    const variant = await exampleConfig((text) => text.replace('recoverAfter: 10m', 'recoverAfter: 5m'));
    // The same assumed operator for both, so only the policy differs.
    const operatorAfter = baseline.timing.recoverAfterMs;

    // Act
    const before = replay(await monthInput(baseline, operatorAfter));
    const after = replay(await monthInput(variant, operatorAfter));

    // Assess
    expect(before.summary.timeDegradedMs - after.summary.timeDegradedMs).toBe(15 * MIN);
    expect(after.summary.timeFailedOverMs).toBe(before.summary.timeFailedOverMs);
    expect(after.summary.suspensions).toBe(1);
    expect(
      after.shifts
        .filter((s) => s.to === 'healthy' && s.trigger === 'automatic')
        .map((s) => new Date(s.at).toISOString()),
    ).toEqual(['2026-10-03T09:26:02.731Z', '2026-10-24T18:08:10.420Z', '2026-10-24T18:27:15.663Z']);
  });

  it('with recoverAfter 20m the flapping escalates to two more failovers instead of suspending', async () => {
    // Prepare
    const baseline = await exampleConfig();
    const variant = await exampleConfig((text) => text.replace('recoverAfter: 10m', 'recoverAfter: 20m'));

    // Act
    const result = replay(await monthInput(variant, baseline.timing.recoverAfterMs));

    // Assess
    expect(result.summary).toMatchObject({
      shifts: 14,
      automaticFailovers: 4,
      suspensions: 0,
      blockedShifts: 1,
      timeFailedOverMs: 9_019_053,
    });
    expect(
      result.shifts.filter((s) => s.to === 'failedOver').map((s) => [new Date(s.at).toISOString(), s.reason]),
    ).toEqual([
      ['2026-10-11T14:04:10.880Z', 'critical alarm in ALARM'],
      ['2026-10-17T07:45:12.093Z', 'still degraded after escalateAfter'],
      // Still degraded (not yet recovered) when the alarm fires again 20 minutes after entering degraded.
      ['2026-10-24T18:20:40.008Z', 'still degraded after escalateAfter'],
      ['2026-10-24T18:51:20.415Z', 'still degraded after escalateAfter'],
    ]);
  });
});

describe('replaying on a simulated clock', () => {
  it('holds recovery back until the cooldown after the last shift has passed', () => {
    // Prepare
    const input = synthetic(
      [
        { alarm: 'errors', value: 'ALARM', at: T0 + MIN },
        { alarm: 'errors', value: 'OK', at: T0 + MIN + 10_000 },
      ],
      { policy: policy({ recoverAfterMs: MIN, cooldownMs: 15 * MIN }) },
    );

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts.map((s) => [s.at - T0, s.to])).toEqual([
      [MIN, 'degraded'],
      [16 * MIN, 'healthy'],
    ]);
  });

  it('fails back by itself with failback automatic, recoverAfter after the last primary alarm cleared', () => {
    // Prepare
    const input = synthetic(
      [
        { alarm: 'outage', value: 'ALARM', at: T0 + MIN },
        { alarm: 'outage', value: 'OK', at: T0 + 30 * MIN },
      ],
      { policy: policy({}, 'automatic') },
    );

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts.map((s) => [s.at - T0, s.to, s.trigger])).toEqual([
      [MIN, 'failedOver', 'automatic'],
      [40 * MIN, 'healthy', 'automatic'],
    ]);
    expect(result.operatorActions).toEqual([]);
  });

  it('fails back through the steps, each held failbackStepHold from its decision (no Connect: verified at once)', () => {
    // Prepare
    const base = policy({ failbackStepHoldMs: 3 * MIN }, 'automatic');
    const input = synthetic(
      [
        { alarm: 'outage', value: 'ALARM', at: T0 + MIN },
        { alarm: 'outage', value: 'OK', at: T0 + 30 * MIN },
      ],
      { policy: { ...base, traffic: { ...base.traffic, failbackSteps: [20, 50, 100] } } },
    );

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts.map((s) => [s.at - T0, s.to, s.primaryPercent])).toEqual([
      [MIN, 'failedOver', 0],
      [40 * MIN, 'failingBack', 20],
      [43 * MIN, 'failingBack', 50],
      [46 * MIN, 'healthy', 100],
    ]);
  });

  it('without an operator stays failed over to the end, with the episode open and measured to the end of the window', () => {
    // Prepare
    const input = synthetic(
      [
        { alarm: 'outage', value: 'ALARM', at: T0 + MIN },
        { alarm: 'outage', value: 'OK', at: T0 + 30 * MIN },
      ],
      { operatorAfterMs: null, end: T0 + 120 * MIN },
    );

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts).toHaveLength(1);
    expect(result.episodes).toEqual([
      {
        start: T0 + MIN,
        end: null,
        degradedMs: 0,
        failedOverMs: 119 * MIN,
        durationMs: 119 * MIN,
        worst: 'failedOver',
      },
    ]);
    expect(result.final.health).toBe('failedOver');
  });

  it('applies nothing after the end of the window, not even a deadline already set', () => {
    // Prepare
    const input = synthetic([{ alarm: 'errors', value: 'ALARM', at: T0 + MIN }], { end: T0 + 4 * MIN });

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts.map((s) => s.to)).toEqual(['degraded']);
    expect(result.episodes[0]).toMatchObject({ end: null, degradedMs: 3 * MIN });
  });

  it('treats a signal with no known state as not OK, so recovery waits for it', () => {
    // Prepare
    const input = synthetic(
      [
        { alarm: 'errors', value: 'ALARM', at: T0 + MIN },
        { alarm: 'errors', value: 'OK', at: T0 + 2 * MIN },
        { alarm: 'outage', value: 'OK', at: T0 + 20 * MIN },
      ],
      { initial: [{ alarm: 'errors', value: 'OK' }] },
    );

    // Act
    const result = replay(input);

    // Assess
    expect(result.shifts.map((s) => [s.at - T0, s.to])).toEqual([
      [MIN, 'degraded'],
      [30 * MIN, 'healthy'],
    ]);
  });

  it('gives the same result whatever order the changes come in', async () => {
    // Prepare
    const input = await monthInput(await exampleConfig());

    // Act
    const forwards = replay({ ...input, changes: [...input.changes].reverse() });
    const shuffled = replay({ ...input, changes: [...input.changes].sort((a, b) => (a.alarm < b.alarm ? 1 : -1)) });

    // Assess
    expect(shuffled).toEqual(forwards);
  });
});

describe('the replay module', () => {
  it('imports only the statechart (and XState), never the CLI, the controller or an adapter', async () => {
    // Prepare
    const source = await readFile('src/backtest/replay.ts', 'utf8');

    // Act
    const imports = [...source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);

    // Assess
    expect(imports.length).toBeGreaterThan(0);
    for (const specifier of imports) expect(specifier).toMatch(/^(xstate|\.\.\/\.\.\/state-machines\/[a-z-]+\.ts)$/);
  });
});
