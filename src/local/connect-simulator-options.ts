/** Checks the options of `startConnectSimulator` before anything starts. */
import { isConnectDistributionRegion, isUuid } from '../aws/identifiers.ts';
import type { ConnectSimulatorOptions } from './connect-simulator-types.ts';
import { TDG_STATUSES } from './connect-traffic-group.ts';
import { SimulatorInputError } from './simulator-errors.ts';

/** @throws SimulatorInputError naming every unusable option at once. */
export function checkOptions(options: ConnectSimulatorOptions): void {
  const problems: string[] = [];
  if (!/^\d{12}$/.test(options.accountId)) problems.push(`accountId must be 12 digits, got '${options.accountId}'`);
  if (!isUuid(options.tdgId)) problems.push(`tdgId must be a lower-case UUID, got '${options.tdgId}'`);
  if (options.instanceId !== undefined && !isUuid(options.instanceId)) problems.push('instanceId must be a UUID');
  if (options.defaultTdgId !== undefined && !isUuid(options.defaultTdgId)) problems.push('defaultTdgId must be a UUID');
  for (const key of ['homeRegion', 'otherRegion'] as const) {
    if (!isConnectDistributionRegion(options[key])) problems.push(`${key} '${options[key]}' is not a Region name`);
  }
  if (options.homeRegion === options.otherRegion) problems.push('homeRegion and otherRegion must differ');
  for (const key of ['primaryPercent', 'agentsPrimaryPercent'] as const) {
    const value = options.initial?.[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 100 && value % 10 === 0)) {
      problems.push(`initial.${key} must be 0–100 in steps of 10, got ${value}`);
    }
  }
  if (options.initial?.status !== undefined && !TDG_STATUSES.includes(options.initial.status)) {
    problems.push(`initial.status must be one of ${TDG_STATUSES.join(', ')}`);
  }
  if (options.contactFlows !== undefined && options.contactFlows !== 'default' && options.contactFlows !== 'empty') {
    problems.push(`contactFlows must be default or empty, got ${String(options.contactFlows)}`);
  }
  const window = options.updateWindowMs;
  if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
    problems.push('updateWindowMs must be a number ≥ 0');
  }
  if (problems.length > 0) throw new SimulatorInputError(`invalid Connect simulator options: ${problems.join('; ')}`);
}
