/**
 * Test-only preload that steps a process's wall clock, as NTP or an operator would:
 * `NODE_OPTIONS=--import <this file's URL>?offsetFile=<path>`. `Date` (and `Date.now`) read the real time
 * plus the milliseconds written in that file, re-read at most every 20 ms of the monotonic clock, so the
 * test steps the clock by rewriting the file. `performance.now()`, `process.hrtime` and timers are left
 * alone: they are the monotonic clock, which a wall-clock step does not move. The path comes in the
 * import URL rather than the environment, so nothing about the program itself is steered.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const offsetFile = new URL(import.meta.url).searchParams.get('offsetFile');
if (!offsetFile) throw new Error('clock-step-preload: import it as <file URL>?offsetFile=<path>');

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
let offsetMs = 0;
let readAt = Number.NEGATIVE_INFINITY;

function offset() {
  const mono = performance.now();
  if (mono - readAt >= 20) {
    readAt = mono;
    try {
      const value = Number(readFileSync(offsetFile, 'utf8').trim());
      if (Number.isFinite(value)) offsetMs = value;
    } catch {
      // Not written yet, or being rewritten: keep the last offset.
    }
  }
  return offsetMs;
}

const now = () => realNow() + offset();

globalThis.Date = new Proxy(RealDate, {
  // `new Date()` is now; any other form names its time and is left as it is.
  construct: (target, args, newTarget) => Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
  // `Date()` called as a function returns the current time as a string.
  apply: () => new RealDate(now()).toString(),
  get: (target, key, receiver) => (key === 'now' ? now : Reflect.get(target, key, receiver)),
});
