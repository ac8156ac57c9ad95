/**
 * CPU profiles of single phases of a benchmark (e.g. only the controller's drain, not the queue filling
 * before it), written when `BENCH_PROFILE_DIR` is set; read them with bench/profile-summary.ts.
 * `node --cpu-prof` profiles the whole process instead.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/** Runs `work`, profiling it into `$BENCH_PROFILE_DIR/<name>.cpuprofile` when that variable is set. */
export async function profilePhase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env['BENCH_PROFILE_DIR'];
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  }
}
