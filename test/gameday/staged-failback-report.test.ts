import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/gameday/analysis.ts';
import { renderMarkdownReport } from '../../src/gameday/report-markdown.ts';
import { renderTimeline } from '../../src/gameday/svg-timeline.ts';
import { sampleRecording, T0 } from './recording-fixture.ts';

/** The sample game day, failing back through [20, 50, 100] instead of in one jump. */
function stagedRecording() {
  const r = sampleRecording();
  const outage = r.decisions[0]!;
  r.decisions = [
    outage,
    {
      at: T0 + 1830,
      region: 'health',
      from: 'failedOver',
      to: 'failingBack',
      reason: 'operator failback',
      trigger: 'operator',
      alarms: [],
      by: 'me',
      primaryPercent: 20,
    },
    {
      at: T0 + 2130,
      region: 'health',
      from: 'failingBack',
      to: 'failingBack',
      reason: 'failback step 1 of 3 (20%) held for failbackStepHold with every primary signal OK',
      trigger: 'automatic',
      alarms: [],
      primaryPercent: 50,
    },
    {
      at: T0 + 2430,
      region: 'health',
      from: 'failingBack',
      to: 'healthy',
      reason: 'failback step 2 of 3 (50%) held for failbackStepHold with every primary signal OK',
      trigger: 'automatic',
      alarms: [],
      primaryPercent: 100,
    },
  ];
  r.shiftOutcomes = [
    ...r.shiftOutcomes.filter((o) => o.at < T0 + 1830),
    { at: T0 + 1900, kind: 'verified', targetPrimaryPercent: 20 },
    { at: T0 + 2200, kind: 'verified', targetPrimaryPercent: 50 },
    { at: T0 + 2500, kind: 'verified', targetPrimaryPercent: 100 },
  ];
  return r;
}

describe('a game day with a staged failback', () => {
  it('lists each step as a shift with its own split, the operator command as the cause of the first only', () => {
    const analysis = analyse(stagedRecording());

    expect(
      analysis.shifts.map((s) => [s.from, s.to, s.targetPrimaryPercent, s.cause?.kind, s.verifiedAt !== undefined]),
    ).toEqual([
      ['healthy', 'failedOver', 0, 'alarm', true],
      ['failedOver', 'failingBack', 20, 'command', true],
      ['failingBack', 'failingBack', 50, undefined, true],
      ['failingBack', 'healthy', 100, undefined, true],
    ]);
  });

  it('shows each step in the report and as a segment of its own on the timeline', () => {
    const recording = stagedRecording();
    const analysis = analyse(recording);

    const markdown = renderMarkdownReport(recording, analysis);
    const svg = renderTimeline(recording, analysis);

    expect(markdown).toContain('failingBack → failingBack (50% primary)');
    expect(svg).toContain('controller state: failingBack 20% from');
    expect(svg).toContain('controller state: failingBack 50% from');
  });
});
