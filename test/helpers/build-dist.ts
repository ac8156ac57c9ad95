/**
 * Vitest global setup. The in-process tests import the `.ts` sources; the tests that start the CLI as a
 * child process (`node bin/connect-failover.js …`) run the compiled dist/connect-failover.cjs, as operators
 * do. So it is rebuilt (scripts/build.ts, well under a second) whenever a source or a build setting is
 * newer than it, and those tests never run a stale build of code the in-process tests just checked.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, RUNTIME, buildRuntime } from '../../scripts/build.ts';

/** What the build reads. */
const INPUTS = ['src', 'state-machines', 'scripts/build.ts', 'tsconfig.json', 'package.json'];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when the build is missing or older than any input. */
export function distIsStale(): boolean {
  let built: number;
  try {
    built = statSync(join(ROOT, RUNTIME.outfile)).mtimeMs;
  } catch {
    return true;
  }
  return INPUTS.some((input) => newestMtime(join(ROOT, input)) > built);
}

/**
 * Builds when stale. A failure (a source that does not parse) is reported and the run goes on: the tests of
 * the broken source fail on their own, and the others still run.
 */
export default async function setup(): Promise<void> {
  if (!distIsStale()) return;
  try {
    await buildRuntime();
  } catch (error) {
    process.stderr.write(
      `warning: building ${RUNTIME.outfile} for the tests that start the CLI failed; they may fail too:\n${String(error)}\n`,
    );
  }
}
