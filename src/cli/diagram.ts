import { createFailoverMachine, toMermaid } from '../../state-machines/index.ts';
import type { FailoverPolicy } from '../../state-machines/index.ts';
import { print } from './common.ts';

/** The structure does not depend on the policy's values; any valid policy draws the same chart. */
const DRAWING_POLICY: FailoverPolicy = {
  signals: { degraded: ['degraded'], critical: ['critical'], replicaUnhealthy: ['replicaUnhealthy'] },
  traffic: { healthy: 100, degraded: 50, failedOver: 0 },
  timing: { escalateAfterMs: 1, recoverAfterMs: 1, cooldownMs: 0, maxAutomaticShifts: { count: 2, perMs: 1 } },
  failback: 'manual',
};

export function diagramText(): string {
  return toMermaid(createFailoverMachine(DRAWING_POLICY));
}

/** `diagram`: the statechart as Mermaid, generated from the machine definition. */
export function diagramCommand(): void {
  print(diagramText());
}
