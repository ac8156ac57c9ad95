import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyse } from '../../src/gameday/analysis.ts';
import type { Recording } from '../../src/gameday/recording.ts';
import { writeReport } from '../../src/gameday/report-files.ts';
import { readRunHistory } from '../../src/gameday/run-history.ts';
import { secondsLabel } from '../../src/gameday/svg-timeline-parts.ts';
import { renderHtmlReport } from '../../src/gameday/report-html.ts';
import { renderMarkdownReport } from '../../src/gameday/report-markdown.ts';
import { checkHtml } from './html-check.ts';
import { sampleRecording, T0 } from './recording-fixture.ts';

const METADATA = {
  version: '0.1.0',
  commit: '0adfd26e706a',
  operator: 'alice@ops-host',
  account: '111122223333',
  trafficDistributionGroup:
    'arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/2a5bd8f8-6b1c-4f0b-9d47-1d8a0c9e0a11',
  configHash: '15be60f9103a1f06',
  scenarioHash: '0511d1600ea9443b',
  nodeVersion: 'v20.20.2',
};

/** The sample with a failed assert. */
function failedRecording(): Recording {
  const recording = sampleRecording({ rtoTargetMs: 30_000 });
  recording.metadata = METADATA;
  recording.checks.push({
    kind: 'assert',
    step: 'steps[9]',
    description: 'assert state healthy',
    passed: false,
    detail: 'state is failedOver (want healthy)',
  });
  return recording;
}

/** Text elements of an SVG with their position and an estimate of their extent (10-11px sans-serif). */
function svgTexts(
  svg: string,
): Array<{ x: number; y: number; text: string; cls: string; left: number; right: number }> {
  return [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"([^>]*)>([^<]*)/g)].map(([, x, y, attrs = '', text = '']) => {
    const width = text.length * 6.2;
    const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start';
    const left = anchor === 'middle' ? Number(x) - width / 2 : anchor === 'end' ? Number(x) - width : Number(x);
    return {
      x: Number(x),
      y: Number(y),
      text,
      cls: /class="([^"]+)"/.exec(attrs)?.[1] ?? '',
      left,
      right: left + width,
    };
  });
}

/** A four-hour game day: 60 steps, 24 shifts (some seconds apart), alarms flipping, many Connect calls. */
function longRecording(): Recording {
  const r = sampleRecording({ rtoTargetMs: 60_000 });
  const hour = 3_600_000;
  r.endedAt = T0 + 4 * hour;
  r.steps = Array.from({ length: 60 }, (_, i) => ({
    path: `steps[${i}]`,
    label: `step ${i} with a fairly long name that goes on`,
    action: 'hold',
    startedAt: T0 + i * 4 * 60_000 + (i % 5) * 1000,
    endedAt: T0 + i * 4 * 60_000 + 5000,
    status: 'done' as const,
  }));
  const states = ['degraded', 'failedOver', 'healthy'] as const;
  r.decisions = Array.from({ length: 24 }, (_, i) => ({
    // Pairs of decisions 3 s apart, pairs 10 minutes apart: labels that would sit on each other.
    at: T0 + Math.floor(i / 2) * 600_000 + (i % 2) * 3000 + 60_000,
    region: 'health',
    from: states[(i + 2) % 3]!,
    to: states[i % 3]!,
    reason: 'flapping',
    trigger: 'automatic',
    alarms: [],
  }));
  r.alarmChanges = Array.from({ length: 40 }, (_, i) => ({
    at: T0 + i * 360_000,
    alarm: 'connect-primary-outage',
    state: i % 2 === 0 ? 'ALARM' : 'INSUFFICIENT_DATA',
    step: `steps[${i}]`,
  }));
  return r;
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the game-day report', () => {
  it('is one well-formed, self-contained HTML page', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });

    const { problems, elements } = checkHtml(renderHtmlReport(recording, analyse(recording)));

    expect(problems).toEqual([]);
    expect(elements.filter((e) => e.name === 'svg')).toHaveLength(1);
    expect(elements.some((e) => e.name === 'link' || e.name === 'img' || e.name === 'iframe')).toBe(false);
  });

  it('is checked by a reader that does catch broken or leaky pages', () => {
    const page = (body: string) => `<!DOCTYPE html><html><head><style>a>b{}</style></head><body>${body}</body></html>`;

    expect(checkHtml(page('<p>fine &amp; dandy</p>')).problems).toEqual([]);
    expect(checkHtml(page('<div><p>unclosed</div>')).problems[0]).toBe('</div> closes <p>');
    expect(checkHtml(page('<p>1 < 2</p>')).problems[0]).toMatch(/^stray "<"/);
    expect(checkHtml(page('<p>R&D</p>')).problems).toEqual(['bad entity &D']);
    expect(checkHtml(page('<img src="https://example.com/x.png">')).problems).toEqual([
      '<img src="https://example.com/x.png"> loads from elsewhere',
    ]);
    expect(checkHtml(page('<script>1</script>')).problems).toContain('has a script');
  });

  it('draws the timeline with a lane per alarm, the controller state, the split, the Connect calls and the RTO', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });

    const { elements } = checkHtml(renderHtmlReport(recording, analyse(recording)));

    const classes = elements.map((e) => e.attributes.class ?? '');
    expect(elements.filter((e) => e.attributes.class === 'lane alarm').map((e) => e.attributes['data-alarm'])).toEqual([
      'connect-primary-outage',
      'connect-replica-outage',
    ]);
    for (const series of [
      'controller-state',
      'automation',
      'split-actual',
      'split-desired',
      'connect-calls',
      'actions',
    ]) {
      expect(
        classes.some((c) => c.split(' ').includes(series)),
        series,
      ).toBe(true);
    }
    expect(classes.filter((c) => c.startsWith('call ')).length).toBe(recording.connectCalls.length);
    expect(classes).toContain('rto');
    expect(elements.filter((e) => e.attributes.class === 'shift-mark').map((e) => e.attributes['data-shift'])).toEqual([
      '1',
      '1',
      '1',
      '2',
      '2',
      '2',
    ]);
  });

  it('shows the measured timings per shift, the RTO against its target, each check and each API error', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });
    recording.checks.push({
      kind: 'assert',
      step: 'steps[9]',
      description: 'assert state healthy',
      passed: false,
      detail: 'state is failedOver (want healthy)',
    });

    const html = renderHtmlReport(recording, analyse(recording));

    const timings = html.slice(
      html.indexOf('<table class="timings">'),
      html.indexOf('</table>', html.indexOf('<table class="timings">')),
    );
    expect(timings).toContain(
      '<td class="num">10 ms</td><td class="num">1 ms</td><td class="num">24 ms</td><td class="num">265 ms</td><td class="num">300 ms</td>',
    );
    expect(html).toContain(
      'RTO: 0.30s from connect-primary-outage set to ALARM until the controller verified 0% on the primary (target 30s) — within target.',
    );
    expect(html).toContain(
      '<tr class="failed"><td>FAIL</td><td>assert</td><td>steps[9]</td><td>assert state healthy</td><td>state is failedOver (want healthy)</td></tr>',
    );
    expect(html).toContain('<td>UpdateTrafficDistribution us-west-2</td><td>429 ThrottlingException</td>');
    expect(html).toContain('<span class="verdict fail">FAILED</span>');
  });

  it('escapes every name it did not write itself', () => {
    const recording = sampleRecording({ alarmName: '<script>alert("x")</script>&more' });

    const html = renderHtmlReport(recording, analyse(recording));

    expect(checkHtml(html).problems).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;more');
  });

  it('says in Markdown what it says in HTML, in tables', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });

    const markdown = renderMarkdownReport(recording, analyse(recording));

    expect(markdown).toMatch(/^# Game day: sample — PASSED/);
    expect(markdown).toContain(
      '| 1 | healthy → failedOver (0% primary) | connect-primary-outage → ALARM | 10 ms | 1 ms | 24 ms | 265 ms | 300 ms | verified |',
    );
    expect(markdown).toContain(
      '| 2 | failedOver → healthy (100% primary) | operator failback | 29 ms | 1 ms | 15 ms | 255 ms | 300 ms | verified |',
    );
    expect(markdown).toContain('- **RTO**: 0.30s from connect-primary-outage set to ALARM');
  });

  it('writes the HTML, Markdown, JSON and controller log into the report directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-report-'));
    const recording = sampleRecording();

    const written = await writeReport(join(dir, 'out'), recording, { logLines: ['{"msg":"a"}'] });

    expect(checkHtml(await readFile(written.html, 'utf8')).problems).toEqual([]);
    expect(await readFile(written.markdown, 'utf8')).toContain('## Timings per shift');
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toMatchObject({
      recording: { scenario: { name: 'sample' } },
      analysis: { shifts: [{ number: 1 }, { number: 2 }] },
    });
    expect(await readFile(written.log!, 'utf8')).toBe('{"msg":"a"}\n');
  });

  it('names what failed at the top of a FAILED report, before the summary', () => {
    // Prepare
    const recording = failedRecording();

    // Act
    const html = renderHtmlReport(recording, analyse(recording));
    const markdown = renderMarkdownReport(recording, analyse(recording));

    // Assess: the box of failures comes right after the title, and the card says FAILED, not "1 / 2"
    const top = html.slice(html.indexOf('<h1>'), html.indexOf('<div class="cards">'));
    expect(top).toContain(
      '<div class="failures"><h2 id="failed">1 of 2 checks FAILED</h2><ul><li>steps[9] assert state healthy: state is failedOver (want healthy)</li></ul></div>',
    );
    expect(html).toContain('<div class="big server">1 FAILED</div><div class="small">1 of 2 passed</div>');
    expect(html).not.toContain('class="big" class=');
    expect(markdown.split('\n').slice(0, 5)).toEqual([
      '# Game day: sample — FAILED',
      '',
      '**1 of 2 checks FAILED:**',
      '',
      '- steps[9] assert state healthy: state is failedOver (want healthy)',
    ]);
    expect(checkHtml(html).problems).toEqual([]);
  });

  it('shows errors an injected fault explains as expected, and counts only the others', () => {
    // Prepare: a throttle of one update was injected before the controller's 429.
    const recording = sampleRecording();
    recording.faults = [
      {
        at: T0 + 100,
        description: '1× throttle on UpdateTrafficDistribution',
        step: 'steps[0]',
        fault: { kind: 'throttle', operation: 'UpdateTrafficDistribution', region: undefined, count: 1 },
      },
    ];
    recording.connectCalls.push({
      operation: 'GetTrafficDistribution',
      region: 'us-east-1',
      startedAt: T0 + 2000,
      durationMs: 3,
      status: 500,
      error: 'InternalServiceException',
    });

    // Act
    const analysis = analyse(recording);
    const html = renderHtmlReport(recording, analysis);

    // Assess
    expect(analysis.apiErrors.map((e) => [e.operation, e.injected])).toEqual([
      ['UpdateTrafficDistribution', '1× throttle on UpdateTrafficDistribution'],
      ['GetTrafficDistribution', undefined],
    ]);
    expect(analysis.unexpectedApiErrors).toHaveLength(1);
    expect(html).toContain('<td>expected: injected fault (1× throttle on UpdateTrafficDistribution)</td>');
    expect(html).toContain('<td><b>unexpected</b></td>');
    expect(html).toContain(
      '<div class="small">unexpected errors</div><div class="big server">1</div><div class="small">1 expected from injected faults (not counted)</div>',
    );
  });

  it('a fault only explains the errors it can cause: a 500 while a throttle is armed is unexpected, a cleared fault explains nothing', () => {
    // Prepare
    const recording = sampleRecording();
    recording.connectCalls = [
      {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
        startedAt: T0 + 200,
        durationMs: 3,
        status: 500,
        error: 'InternalServiceException',
      },
      {
        operation: 'UpdateTrafficDistribution',
        region: 'us-west-2',
        startedAt: T0 + 900,
        durationMs: 3,
        status: 429,
        error: 'ThrottlingException',
      },
      {
        operation: 'GetTrafficDistribution',
        region: 'us-east-1',
        startedAt: T0 + 1200,
        durationMs: 3,
        status: undefined,
        error: 'ECONNREFUSED',
      },
    ];
    recording.faults = [
      {
        at: T0 + 100,
        description: 'throttle',
        step: 'steps[0]',
        fault: { kind: 'throttle', operation: 'UpdateTrafficDistribution', region: undefined, count: 2 },
      },
      { at: T0 + 800, description: 'clear every fault', step: 'steps[1]', fault: { kind: 'clear' } },
      {
        at: T0 + 1000,
        description: 'Region us-east-1 down',
        step: 'steps[2]',
        fault: { kind: 'regionDown', region: 'us-east-1' },
      },
    ];

    // Act
    const analysis = analyse(recording);

    // Assess
    expect(analysis.apiErrors.map((e) => e.injected)).toEqual([undefined, undefined, 'Region us-east-1 down']);
  });

  it('says who ran it with what: version and commit, operator, account, group, config and scenario hashes; a criteria table and a sign-off block', () => {
    // Prepare
    const recording = failedRecording();

    // Act
    const html = renderHtmlReport(recording, analyse(recording));
    const markdown = renderMarkdownReport(recording, analyse(recording));

    // Assess
    for (const text of [
      'connect-failover 0.1.0 (commit 0adfd26e706a), Node.js v20.20.2',
      'alice@ops-host',
      '111122223333',
      '15be60f9103a1f06',
      '0511d1600ea9443b',
    ]) {
      expect(html).toContain(text);
      expect(markdown).toContain(text);
    }
    expect(html).toContain(
      '<tr class="failed"><td>FAIL</td><td>every assert held</td><td>1 of 1</td><td>0 of 1</td></tr>',
    );
    expect(html).toContain(
      '<tr class="passed"><td>pass</td><td>recovery time (RTO)</td><td>at most 30.00 s</td><td>300 ms</td></tr>',
    );
    expect(markdown).toContain('| **FAIL** | every assert held | 1 of 1 | 0 of 1 |');
    expect(html).toContain('<h2 id="sign-off">Sign-off</h2>');
    expect(html).toContain('<tr><th>reviewed by (name, role)</th><td class="blank"></td></tr>');
    expect(markdown).toContain('| decision | ☐ accepted ☐ accepted with actions ☐ rejected: repeat the game day |');
  });

  it('appends each run to runs.jsonl beside the report, keeps earlier runs, and draws the RTO trend across them', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'cf-report-'));
    const out = join(dir, 'out');
    const first = sampleRecording({ rtoTargetMs: 30_000 });
    first.metadata = METADATA;
    const second = failedRecording();
    second.startedAt = first.startedAt + 86_400_000;
    second.endedAt = second.startedAt + 3000;

    // Act
    await writeReport(out, first);
    const written = await writeReport(out, second);
    const history = await readRunHistory(written.runs);
    const html = await readFile(written.html, 'utf8');

    // Assess
    expect(history.skipped).toBe(0);
    expect(history.runs.map((r) => [r.startedAt, r.passed, r.checksPassed, r.checksTotal])).toEqual([
      [new Date(first.startedAt).toISOString(), true, 1, 1],
      [new Date(second.startedAt).toISOString(), false, 1, 2],
    ]);
    expect(history.runs[1]).toMatchObject({
      scenario: 'sample',
      configHash: METADATA.configHash,
      scenarioHash: METADATA.scenarioHash,
      commit: METADATA.commit,
      operator: METADATA.operator,
      rtoMs: 300,
      rtoTargetMs: 30_000,
    });
    expect(history.runs[1]?.failures).toEqual(['steps[9] assert state healthy: state is failedOver (want healthy)']);
    expect(html).toContain('<h2 id="trend">RTO across runs</h2>');
    expect(
      checkHtml(html)
        .elements.filter((e) => e.name === 'g' && (e.attributes.class ?? '').startsWith('run '))
        .map((e) => e.attributes.class),
    ).toEqual(['run passed', 'run failed']);
    expect(checkHtml(html).problems).toEqual([]);
  });

  it('keeps the labels of a four-hour run apart and its time axis in hours and minutes', () => {
    // Prepare
    const recording = longRecording();

    // Act
    const html = renderHtmlReport(recording, analyse(recording));
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    const texts = svgTexts(svg);

    // Assess: no two labels on the same line overlap
    const overlaps: string[] = [];
    for (const [i, a] of texts.entries()) {
      for (const b of texts.slice(i + 1)) {
        if (a.y === b.y && a.left < b.right && b.left < a.right) overlaps.push(`${a.text} / ${b.text} at y ${a.y}`);
      }
    }
    expect(overlaps).toEqual([]);
    const axis = texts.filter((t) => t.cls === 'axis' && /^\d/.test(t.text) && !t.text.endsWith('%'));
    expect(axis.map((t) => t.text)).toContain('1h');
    expect(axis.every((t) => !/^\d{3,}m$/.test(t.text))).toBe(true);
    expect(texts.filter((t) => t.cls === 'shift-label').length).toBeGreaterThanOrEqual(12);
    expect(checkHtml(html).problems).toEqual([]);
  });

  it('writes tick labels a person reads at a glance', () => {
    expect([1500, 45_000, 300_000, 330_000, 3_600_000, 5_400_000].map(secondsLabel)).toEqual([
      '1.5s',
      '45s',
      '5m',
      '5m 30s',
      '1h',
      '1h 30m',
    ]);
  });
});
