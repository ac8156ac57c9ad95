import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { analyse } from '../../src/gameday/analysis.ts';
import { writeReport } from '../../src/gameday/report-files.ts';
import { renderHtmlReport } from '../../src/gameday/report-html.ts';
import { renderMarkdownReport } from '../../src/gameday/report-markdown.ts';
import { checkHtml } from './html-check.ts';
import { sampleRecording } from './recording-fixture.ts';

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
    expect(checkHtml(page('<img src="https://example.com/x.png">')).problems).toEqual(['<img src="https://example.com/x.png"> loads from elsewhere']);
    expect(checkHtml(page('<script>1</script>')).problems).toContain('has a script');
  });

  it('draws the timeline with a lane per alarm, the controller state, the split, the Connect calls and the RTO', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });

    const { elements } = checkHtml(renderHtmlReport(recording, analyse(recording)));

    const classes = elements.map((e) => e.attributes.class ?? '');
    expect(elements.filter((e) => e.attributes.class === 'lane alarm').map((e) => e.attributes['data-alarm'])).toEqual(['connect-primary-outage', 'connect-replica-outage']);
    for (const series of ['controller-state', 'automation', 'split-actual', 'split-desired', 'connect-calls', 'actions']) {
      expect(classes.some((c) => c.split(' ').includes(series)), series).toBe(true);
    }
    expect(classes.filter((c) => c.startsWith('call ')).length).toBe(recording.connectCalls.length);
    expect(classes).toContain('rto');
    expect(elements.filter((e) => e.attributes.class === 'shift-mark').map((e) => e.attributes['data-shift'])).toEqual(['1', '1', '1', '2', '2', '2']);
  });

  it('shows the measured timings per shift, the RTO against its target, each check and each API error', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });
    recording.checks.push({ kind: 'assert', step: 'steps[9]', description: 'assert state healthy', passed: false, detail: 'state is failedOver (want healthy)' });

    const html = renderHtmlReport(recording, analyse(recording));

    const timings = html.slice(html.indexOf('<table class="timings">'), html.indexOf('</table>', html.indexOf('<table class="timings">')));
    expect(timings).toContain('<td class="num">10 ms</td><td class="num">1 ms</td><td class="num">24 ms</td><td class="num">265 ms</td><td class="num">300 ms</td>');
    expect(html).toContain('RTO: 0.30s from connect-primary-outage set to ALARM until the controller verified 0% on the primary (target 30s) — within target.');
    expect(html).toContain('<tr class="failed"><td>FAIL</td><td>assert</td><td>steps[9]</td><td>assert state healthy</td><td>state is failedOver (want healthy)</td></tr>');
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
    expect(markdown).toContain('| 1 | healthy → failedOver (0% primary) | connect-primary-outage → ALARM | 10 ms | 1 ms | 24 ms | 265 ms | 300 ms | verified |');
    expect(markdown).toContain('| 2 | failedOver → healthy (100% primary) | operator failback | 29 ms | 1 ms | 15 ms | 255 ms | 300 ms | verified |');
    expect(markdown).toContain('- **RTO**: 0.30s from connect-primary-outage set to ALARM');
  });

  it('writes the HTML, Markdown, JSON and controller log into the report directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cf-report-'));
    const recording = sampleRecording();

    const written = await writeReport(join(dir, 'out'), recording, { logLines: ['{"msg":"a"}'] });

    expect(checkHtml(await readFile(written.html, 'utf8')).problems).toEqual([]);
    expect(await readFile(written.markdown, 'utf8')).toContain('## Timings per shift');
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toMatchObject({ recording: { scenario: { name: 'sample' } }, analysis: { shifts: [{ number: 1 }, { number: 2 }] } });
    expect(await readFile(written.log!, 'utf8')).toBe('{"msg":"a"}\n');
  });
});
