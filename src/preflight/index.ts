/** Preflight: can a failover work right now? */
export { runPreflight, PREFLIGHT_CHECK_TIMEOUT_MS } from './run-preflight.ts';
export type { PreflightOptions } from './run-preflight.ts';
export { preflightAtStart } from './at-start.ts';
export type { PreflightAtStartOptions, PreflightLogger } from './at-start.ts';
export { renderPreflight } from './render.ts';
export type { CheckGroup, CheckResult, CheckStatus, PreflightReport } from './types.ts';
