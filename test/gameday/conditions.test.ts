import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildStatus } from '../../src/app/status.ts';
import type { StatusReport } from '../../src/app/status.ts';
import { parseConfig } from '../../src/config/load.ts';
import { evaluate } from '../../src/gameday/conditions.ts';

const config = parseConfig(readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8'), {
  baseDir: '/tmp',
}).config;

function status(overrides: Partial<StatusReport> = {}): StatusReport {
  return {
    // The fields conditions do not read, as a report of a store the controller never ran with has them.
    ...buildStatus(config, undefined, 'file x', { now: Date.parse('2026-11-28T14:00:02.000Z') }),
    state: 'degraded',
    automation: 'active',
    desiredPrimaryPercent: 50,
    actualPrimaryPercent: 50,
    since: '2026-11-28T14:00:00.000Z',
    reason: 'degraded alarm in ALARM',
    signals: {
      'connect-primary-elevated-errors': 'ALARM',
      'connect-primary-outage': 'OK',
      'connect-replica-outage': 'OK',
    },
    lastShift: { at: '2026-11-28T14:00:01.000Z', primaryPercent: 50, outcome: 'verified' },
    blocked: null,
    nextDeadline: null,
    automationReason: null,
    actualReadAt: null,
    store: 'file x',
    updatedAt: null,
    leader: null,
    ...overrides,
  };
}

describe('a game-day condition', () => {
  it('holds when every key it names holds, comparing split with the config’s traffic percents', () => {
    const seen = {
      at: 0,
      status: status(),
      split: { primaryPercent: 50, agentsPrimaryPercent: 50, tdgStatus: 'ACTIVE' },
    };

    expect(
      evaluate(
        {
          state: 'degraded',
          split: 'degraded',
          lastShift: 'verified',
          signals: { critical: 'OK', 'connect-primary-elevated-errors': 'ALARM' },
        },
        seen,
        config,
      ),
    ).toMatchObject({
      passed: true,
      mismatches: [],
    });
  });

  it('lists every key that does not hold, with what was seen', () => {
    const seen = {
      at: 0,
      status: status(),
      split: { primaryPercent: 50, agentsPrimaryPercent: 50, tdgStatus: 'ACTIVE' },
    };

    const verdict = evaluate(
      { state: 'failedOver', primaryPercent: 0, automation: 'paused', signals: { degraded: 'OK' } },
      seen,
      config,
    );

    expect(verdict.passed).toBe(false);
    expect(verdict.mismatches).toEqual([
      'state is degraded (want failedOver)',
      'automation is active (want paused)',
      'split is 50% primary (want 0% primary)',
      'signal connect-primary-elevated-errors is ALARM (want OK)',
    ]);
    expect(verdict.seen).toBe('state degraded, automation active, split 50% primary, last shift 50% verified');
  });

  it('never holds on what could not be read', () => {
    const verdict = evaluate(
      { state: 'healthy', split: 'healthy' },
      { at: 0, status: undefined, split: undefined },
      config,
    );

    expect(verdict.mismatches).toEqual(['state is unknown (want healthy)', 'split is unknown (want 100% primary)']);
  });
});
