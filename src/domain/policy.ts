/** The statechart's policy as a config states it: the one translation, shared by every use case. */
import type { FailoverPolicy } from '../../state-machines/index.ts';

/**
 * The four settings the statechart decides with, taken from a config (or anything shaped like one).
 * Typed by the statechart's own policy, not the config, so the domain imports nothing above it.
 */
export function policyOf(config: FailoverPolicy): FailoverPolicy {
  return { signals: config.signals, traffic: config.traffic, timing: config.timing, failback: config.failback };
}
