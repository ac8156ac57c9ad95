/**
 * The built-in game day, used when no `--scenario` is given. It names alarms by role and traffic by
 * state, so it runs against any config; its fault steps run only on the local stack. docs/gameday.md
 * shows the same text.
 */
import { parseScenario } from './scenario.ts';
import type { Scenario } from './scenario-types.ts';

export const DEFAULT_SCENARIO_YAML = `name: Primary degraded, then down, then back
description: >-
  The primary Region degrades (traffic moves to traffic.degraded), then fails (a critical alarm: fail over
  to the replica) while Connect throttles the controller's calls; then the primary recovers and traffic
  fails back: by the operator's failback command with failback: manual, by itself with failback: automatic.
rto:
  target: 30s             # from the critical alarm to traffic verified on the replica
steps:
  - name: starts healthy, all traffic on the primary
    waitFor: { state: healthy, split: healthy, automation: active }
    timeout: 30s
  - name: primary degrades
    setAlarm: { signal: degraded, state: ALARM, reason: "game day: primary degraded" }
  - waitFor: { state: degraded, split: degraded, lastShift: verified }
    timeout: 60s
  - name: Connect throttles the next updates
    fault: { kind: throttle, operation: UpdateTrafficDistribution, count: 3 }
    when: { mode: local }
  - name: Connect throttles the next reads
    fault: { kind: throttle, operation: GetTrafficDistribution, count: 2 }
    when: { mode: local }
  - name: primary fails
    setAlarm: { signal: critical, state: ALARM, reason: "game day: primary down" }
  - name: failed over
    waitFor: { state: failedOver, split: failedOver, lastShift: verified }
    timeout: 60s
  - assert: { state: failedOver, split: failedOver, automation: active }
  - name: primary recovers
    setAlarm: { signal: critical, state: OK, reason: "game day: primary recovered" }
  - setAlarm: { signal: degraded, state: OK, reason: "game day: primary recovered" }
  - waitFor: { signals: { critical: OK, degraded: OK } }
    timeout: 60s
  - name: operator fails back
    operator: { command: failback, reason: "game day: primary recovered" }
    when: { failback: manual }
  - name: failed back
    waitFor: { state: healthy, split: healthy, lastShift: verified }
    timeout: 15m           # with failback: automatic, recoverAfter passes first
  - assert: { state: healthy, split: healthy, automation: active }
cleanup:
  - fault: { kind: clear }
    when: { mode: local }
  - setAlarm: { signal: critical, state: OK, reason: "game day: cleanup" }
  - setAlarm: { signal: degraded, state: OK, reason: "game day: cleanup" }
`;

/** The built-in scenario, parsed. */
export function defaultScenario(): Scenario {
  return parseScenario(DEFAULT_SCENARIO_YAML);
}
