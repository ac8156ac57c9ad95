/** How scenario steps read in progress lines and reports. */
import type { Condition, FaultSpec, ScenarioStep, StepAction } from './scenario-types.ts';

/** How a step reads in progress lines and reports: its name, else what it does. */
export function describeStep(step: ScenarioStep): string {
  return step.name ?? describeAction(step.action);
}

export function describeAction(action: StepAction): string {
  switch (action.kind) {
    case 'setAlarm':
      return `set ${action.alarm ?? `every ${action.signal} alarm`} to ${action.state}`;
    case 'fault':
      return `inject fault: ${describeFault(action.fault)}`;
    case 'operator':
      return `operator ${action.command}${action.force ? ' --force' : ''}`;
    case 'waitFor':
      return `wait for ${describeCondition(action.condition)}`;
    case 'hold':
      return `hold ${Math.round(action.ms / 100) / 10}s`;
    case 'assert':
      return `assert ${describeCondition(action.condition)}`;
  }
}

export function describeFault(fault: FaultSpec): string {
  switch (fault.kind) {
    case 'regionDown':
      return `Region ${fault.region} down`;
    case 'regionUp':
      return `Region ${fault.region} back up`;
    case 'clear':
      return 'clear every fault';
    case 'random':
      return `random faults (seed ${fault.seed}: ${Object.entries(fault.rates)
        .map(([k, p]) => `${k} ${p}`)
        .join(', ')})`;
    default:
      return `${fault.count}× ${fault.kind} on ${fault.operation}${fault.region ? ` in ${fault.region}` : ''}`;
  }
}

export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  if (c.state) parts.push(`state ${c.state}`);
  if (c.automation) parts.push(`automation ${c.automation}`);
  if (c.primaryPercent !== undefined) parts.push(`split ${c.primaryPercent}% primary`);
  if (c.split) parts.push(`split at traffic.${c.split}`);
  if (c.lastShift) parts.push(`last shift ${c.lastShift}`);
  for (const [alarm, value] of Object.entries(c.signals ?? {})) parts.push(`${alarm} ${value}`);
  return parts.join(', ');
}
