/**
 * Checks a well-formed scenario against the config it will run with, before anything is called:
 * alarms must be configured signals, faults need the local stack, shift assertions need a controller that
 * shifts (not `dryRun`), `rto.from` must name a step.
 */
import type { Config } from '../config/types.ts';
import { SIGNAL_ROLES, signalRefs } from '../domain/signals.ts';
import type { SignalRef, SignalRole } from '../domain/signals.ts';
import { GameDayRefusedError } from './scenario-errors.ts';
import type { ScenarioIssue } from './scenario-errors.ts';
import type { Condition, Scenario, ScenarioStep } from './scenario-types.ts';

export type GameDayMode = 'local' | 'aws';

/** The configured alarms a `setAlarm` step sets: one by name or ARN, or every alarm of a role. */
export function alarmsOf(
  step: { alarm: string | undefined; signal: SignalRole | undefined },
  config: Config,
): SignalRef[] {
  const refs = signalRefs(config.signals, config.regions);
  if (step.signal) return refs.filter((r) => r.role === step.signal);
  return refs.filter((r) => r.key === step.alarm || r.name === step.alarm);
}

/** The signal keys a condition's `signals` entry means: an alarm (by name or ARN), else every alarm of a role. */
export function signalKeysOf(entry: string, config: Config): string[] {
  const refs = signalRefs(config.signals, config.regions);
  const named = refs.filter((r) => r.key === entry || r.name === entry);
  if (named.length > 0) return named.map((r) => r.key);
  return refs.filter((r) => r.role === entry).map((r) => r.key);
}

/** A fault's Region: `primary`, `replica`, or one of the config's two Region codes; undefined otherwise. */
export function regionOf(text: string, config: Config): string | undefined {
  if (text === 'primary' || text === 'replica') return config.regions[text];
  return text === config.regions.primary || text === config.regions.replica ? text : undefined;
}

/** The steps that run in this mode with this config (their `when` matches). */
export function applies(step: ScenarioStep, config: Config, mode: GameDayMode): boolean {
  if (step.when?.failback && step.when.failback !== config.failback) return false;
  if (step.when?.mode && step.when.mode !== mode) return false;
  return true;
}

/** True when a condition needs traffic to actually move (or the scenario measures a recovery time). */
export function assertsShifts(scenario: Scenario): boolean {
  const shifting = (c: Condition) =>
    c.primaryPercent !== undefined || c.split !== undefined || c.lastShift === 'verified';
  return (
    scenario.rto !== undefined ||
    [...scenario.steps, ...scenario.cleanup].some(
      (s) => (s.action.kind === 'waitFor' || s.action.kind === 'assert') && shifting(s.action.condition),
    )
  );
}

/**
 * Refuses a scenario that cannot or must not run with this config in this mode.
 * @throws GameDayRefusedError listing every problem with its step's path.
 */
export function checkScenario(scenario: Scenario, config: Config, mode: GameDayMode): void {
  const issues: ScenarioIssue[] = [];
  const known = signalRefs(config.signals, config.regions).map((r) => r.key);
  const all = [...scenario.steps, ...scenario.cleanup];
  for (const step of all) {
    const { action, path } = step;
    if (action.kind === 'setAlarm') {
      if (alarmsOf(action, config).length === 0) {
        issues.push(
          action.signal
            ? { path: `${path}.setAlarm.signal`, message: `signals.${action.signal} is empty in the config` }
            : {
                path: `${path}.setAlarm.alarm`,
                message: `${JSON.stringify(action.alarm)} is not one of the config's signals (${known.join(', ')})`,
              },
        );
      }
    }
    if (action.kind === 'fault') {
      if (mode === 'aws' && applies(step, config, mode)) {
        issues.push({
          path: `${path}.fault`,
          message:
            'fault injection works only on the local stack (--local); against AWS, remove the step or give it when: { mode: local }',
        });
      }
      const fault = action.fault;
      const region = 'region' in fault ? fault.region : undefined;
      if (region !== undefined && regionOf(region, config) === undefined) {
        issues.push({
          path: `${path}.fault.region`,
          message: `${JSON.stringify(region)} is neither primary, replica, ${config.regions.primary} nor ${config.regions.replica}`,
        });
      }
    }
    if (action.kind === 'waitFor' || action.kind === 'assert') {
      for (const entry of Object.keys(action.condition.signals ?? {})) {
        if (signalKeysOf(entry, config).length === 0) {
          issues.push({
            path: `${path}.${action.kind}.signals.${entry}`,
            message: `is neither one of the config's signals (${known.join(', ')}) nor a role with alarms (${SIGNAL_ROLES.join(', ')})`,
          });
        }
      }
    }
  }
  if (scenario.rto?.from !== undefined && !all.some((s) => s.name === scenario.rto?.from)) {
    issues.push({ path: 'rto.from', message: `${JSON.stringify(scenario.rto.from)} is not the name of any step` });
  }
  if (config.dryRun && assertsShifts(scenario)) {
    issues.push({
      path: '',
      message:
        'the config has dryRun: true, so the controller never shifts, but this scenario asserts shifts (primaryPercent, split, lastShift: verified or rto)',
    });
  }
  if (issues.length > 0)
    throw new GameDayRefusedError(
      `scenario "${scenario.name}" cannot run ${mode === 'local' ? 'on the local stack' : 'against AWS'} with this config`,
      issues,
    );
}
