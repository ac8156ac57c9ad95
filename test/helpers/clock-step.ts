/**
 * Wall-clock steps for child processes: each stepper owns an offset file that `clock-step-preload.mjs`
 * reads in the child; `env` is what to spawn the child with, `step` moves its wall clock.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PRELOAD = new URL('./clock-step-preload.mjs', import.meta.url).href;

export interface ClockStepper {
  /** Environment for the child: `NODE_OPTIONS` with the preload (after whatever this process has). */
  env: Record<string, string>;
  /** Sets the child's wall clock to real time + `offsetMs` (it reads the file within 20 ms of its next `Date`). */
  step(offsetMs: number): Promise<void>;
}

export async function clockStepper(dir: string, name: string): Promise<ClockStepper> {
  const file = join(dir, `${name}.clock-offset`);
  await writeFile(file, '0');
  const url = `${PRELOAD}?offsetFile=${encodeURIComponent(file)}`;
  // A file URL has no spaces, so NODE_OPTIONS keeps it as one argument.
  const nodeOptions = [process.env.NODE_OPTIONS, `--import ${url}`].filter(Boolean).join(' ');
  return {
    env: { NODE_OPTIONS: nodeOptions },
    step: (offsetMs) => writeFile(file, String(offsetMs)),
  };
}

/** `x-amz-date` (`20261201T101500Z`) as epoch milliseconds. */
export function amzDateMs(amzDate: string | undefined): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate ?? '');
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}
