import { describe, expect, it } from 'vitest';
import { renderPreflight } from '../../src/cli/preflight-render.ts';
import { reportOf } from '../../src/preflight/types.ts';

const report = reportOf([
  { id: 'queue', title: 'queue reachable', status: 'pass', detail: 'https://sqs…/events (0 messages waiting)' },
  {
    id: 'queue.deadLetter',
    title: 'dead-letter queue',
    status: 'fail',
    detail: 'no redrive policy',
    fix: 'set a RedrivePolicy',
  },
  { id: 'alarm:x', title: 'alarm x (critical)', status: 'warn', detail: 'INSUFFICIENT_DATA', fix: 'check the metric' },
]);

describe('the preflight table', () => {
  it('puts each fix on its own line under the detail, and ends with the verdict', () => {
    // Act
    const lines = renderPreflight(report, false).split('\n');

    // Assess
    expect(lines).toEqual([
      'pass  queue reachable     https://sqs…/events (0 messages waiting)',
      'FAIL  dead-letter queue   no redrive policy',
      '                          fix: set a RedrivePolicy',
      'warn  alarm x (critical)  INSUFFICIENT_DATA',
      '                          fix: check the metric',
      '',
      '1 passed, 1 warning, 1 failed: a failover may not work: fix the failures above',
    ]);
  });

  it('colours the status only when asked (a TTY)', () => {
    // Act
    const coloured = renderPreflight(report, true);

    // Assess
    expect(coloured).toContain('\u001b[31mFAIL\u001b[0m');
    expect(coloured.split('\n')[0]!.startsWith('\u001b[32mpass\u001b[0m  queue reachable')).toBe(true);
  });

  it('counts and judges: ok unless something failed', () => {
    // Act
    const warnOnly = reportOf([{ id: 'mode', title: 'mode', status: 'warn', detail: 'dry run' }]);

    // Assess
    expect(report).toMatchObject({ ok: false, summary: { pass: 1, warn: 1, fail: 1 } });
    expect(warnOnly.ok).toBe(true);
  });
});
