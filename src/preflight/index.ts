/** Preflight: can a failover work right now? The checks return data (a `PreflightReport`); the CLI renders it. */
export { runPreflight, PREFLIGHT_CHECK_TIMEOUT_MS, PREFLIGHT_REPLICA_TIMEOUT_MS } from './run-preflight.ts';
export type { PreflightOptions } from './run-preflight.ts';
export { preflightAtStart } from './at-start.ts';
export type { PreflightAtStartOptions, PreflightLogger } from './at-start.ts';
export type { CheckGroup, CheckResult, CheckStatus, PreflightReport } from './types.ts';
