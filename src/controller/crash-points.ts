/**
 * Deliberate crash points for failure testing: with `CONNECT_FAILOVER_CRASH_AT=<point>` in the environment
 * the process kills itself with SIGKILL the first time it reaches that point, so tests can prove that a
 * restart converges from the worst moments (after a receive, after a persist, mid-shift). Unset in
 * production; reaching a point costs one comparison.
 */
export type CrashPoint = 'after-receive' | 'after-persist' | 'after-update';

const armed = process.env.CONNECT_FAILOVER_CRASH_AT as CrashPoint | undefined;

export function crashPoint(point: CrashPoint): void {
  if (armed === point) process.kill(process.pid, 'SIGKILL');
}
