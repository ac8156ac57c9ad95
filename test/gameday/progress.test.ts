import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../src/gameday/progress.ts';

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('the game-day progress display', () => {
  it('writes one plain line per step start and end when not on a terminal', () => {
    let now = 1_000;
    const out = capture();
    const progress = new ProgressDisplay(out.stream, { tty: false, now: () => now });

    progress.stepStarted({ index: 2, total: 14, cleanup: false }, 'failed over');
    progress.waiting('wait for state failedOver', now + 60_000);
    now += 1_700;
    progress.stepFinished('passed', 'reached after 1.7s');
    progress.close();

    expect(out.text().split('\n')).toEqual([
      '[gameday +0.0s] step 3/14: failed over',
      '[gameday +0.0s] step 3/14: wait for state failedOver (deadline 60.0s)',
      '[gameday +1.7s] step 3/14 passed in 1.7s: reached after 1.7s',
      '',
    ]);
  });

  it('redraws a single line on a terminal with the step, what it waits for, the elapsed time and the time left', () => {
    let now = 1_000;
    const out = capture();
    const progress = new ProgressDisplay(out.stream, { tty: true, now: () => now, redrawMs: 60_000 });

    progress.stepStarted({ index: 6, total: 14, cleanup: false }, 'failed over');
    progress.waiting('wait for state failedOver', now + 60_000);
    now += 2_500;

    expect(progress.render()).toBe(
      '[gameday +2.5s] step 7/14 (2.5s, 57.5s left): failed over — wait for state failedOver',
    );
    expect(out.text()).not.toContain('\n');
    expect(out.text().startsWith('\r\u001b[2K')).toBe(true);
    progress.close();
  });

  it('keeps a failed step on screen above the redrawn line', () => {
    const out = capture();
    const progress = new ProgressDisplay(out.stream, { tty: true, now: () => 0, redrawMs: 60_000 });

    progress.stepStarted({ index: 0, total: 1, cleanup: false }, 'failed over');
    progress.stepFinished('failed', 'not reached within 60s: state is degraded (want failedOver)');
    progress.close();

    expect(out.text()).toContain(
      'step 1/1 failed: failed over — not reached within 60s: state is degraded (want failedOver)\n',
    );
  });
});
