/** The statechart's policy as a config states it: the one translation, shared by every use case. */
import type { FailoverPolicy } from '../../state-machines/index.ts';
import type { Config } from '../config/types.ts';

export function policyOf(config: Pick<Config, 'signals' | 'traffic' | 'timing' | 'failback'>): FailoverPolicy {
  return { signals: config.signals, traffic: config.traffic, timing: config.timing, failback: config.failback };
}
