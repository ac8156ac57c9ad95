/**
 * What an operator command would do, shown before it is sent (the CLI's confirmation prompt): the split
 * now and where it would go, the Regions and their roles, the group, the signals, whether a controller
 * will apply it now or it will wait in the queue, and which gate `--force` overrides. The outcome is
 * predicted by the same statechart from the persisted state, as `explain` does; the controller decides
 * again when it applies the command, on the state it has then.
 */
import { initialTransition, transition } from 'xstate';
import { createFailoverMachine, firing, outlook, primaryKeys, restoreSnapshot } from '../../state-machines/index.ts';
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import { commandEvent } from '../controller/machine-events.ts';
import { policyOf } from '../domain/policy.ts';
import type { OperatorCommandName } from '../events/types.ts';
import { readLiveSplit } from './live-traffic.ts';
import { readStoreView } from './persisted-state.ts';
import type { ReadPersistedOptions } from './persisted-state.ts';
import { buildStatus, plainDetail } from './status.ts';
import type { StatusReport } from './status.ts';

/** A health gate an operator command must pass unless forced. */
export interface CommandGate {
  /** `replicaUnhealthy` (failover) or `primarySignals` (failback). */
  name: 'replicaUnhealthy' | 'primarySignals';
  /** What the gate refuses, in a sentence. */
  rule: string;
  /** The alarms that close it now (in ALARM); empty when it is open. */
  closedBy: string[];
  /** What else `--force` does beyond passing the gate. */
  alsoForced: string | null;
}

export interface CommandPreview {
  command: OperatorCommandName;
  force: boolean;
  /** The status now: controller liveness, split (live when Connect answered), signals, Regions, group. */
  status: StatusReport;
  /** The statechart's verdict on the persisted state, as if the command were applied now. */
  predicted: {
    accepted: boolean;
    detail: string;
    health: string;
    automation: string;
    desiredPrimaryPercent: number;
  };
  /** The gate this command passes only with `--force`; null for pause and resume. */
  gate: CommandGate | null;
}

export interface PreviewOptions extends ReadPersistedOptions {
  aws?: AwsClientSettings;
  now?: () => number;
}

/** Reads the store (and Connect, read only) and predicts the command's effect; sends nothing. */
export async function previewCommand(
  config: Config,
  request: { command: OperatorCommandName; force: boolean; by: string; reason: string },
  options: PreviewOptions = {},
): Promise<CommandPreview> {
  const now = (options.now ?? Date.now)();
  const [view, live] = await Promise.all([
    readStoreView(config, options),
    readLiveSplit(config, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.aws ? { aws: options.aws } : {}),
    }),
  ]);
  const status = buildStatus(config, view.persisted, view.persisted?.location ?? view.location, {
    lease: view.lease,
    live,
    now,
  });
  const policy = policyOf(config);
  const machine = createFailoverMachine(policy);
  const before = view.persisted
    ? restoreSnapshot(machine, view.persisted.doc.snapshot)
    : initialTransition(machine, { now })[0];
  const event = commandEvent(
    { command: request.command, reason: request.reason, requestedBy: request.by, force: request.force },
    Math.max(now, before.context.now),
  );
  const after = transition(machine, before, event)[0];
  const view2 = outlook(policy, after);
  const outcome = after.context.lastCommand;
  const signals = before.context.signals;
  const gate: CommandGate | null =
    request.command === 'failover'
      ? {
          name: 'replicaUnhealthy',
          rule: 'failover is refused while a replicaUnhealthy alarm is in ALARM (the replica may not be able to take the calls)',
          closedBy: firing(policy.signals.replicaUnhealthy, signals),
          alsoForced: null,
        }
      : request.command === 'failback'
        ? {
            name: 'primarySignals',
            rule: 'failback is refused while a primary signal (degraded or critical) is in ALARM (the primary may still be failing)',
            closedBy: firing(primaryKeys(policy), signals),
            alsoForced:
              'a forced failback against a firing primary alarm also pauses automation, so the controller does not fail over again at once',
          }
        : null;
  return {
    command: request.command,
    force: request.force,
    status,
    predicted: {
      accepted: outcome?.accepted ?? false,
      detail: plainDetail(outcome?.detail ?? 'no verdict'),
      health: view2.health,
      automation: view2.automation,
      desiredPrimaryPercent: view2.desiredPrimaryPercent,
    },
    gate,
  };
}
