/** The game day's errors. Both are usage errors (exit 2): nothing was run, and the user must change an input. */
import { UsageError } from '../errors.ts';

/** One problem in a scenario file: where it is (`steps[3].waitFor.state`) and what is wrong there. */
export interface ScenarioIssue {
  /** Dotted key path, e.g. `steps[3].waitFor.state`; empty for the whole file. */
  path: string;
  message: string;
}

/** The scenario file cannot be read or does not have the documented shape. Lists every problem at once. */
export class ScenarioError extends UsageError {
  readonly issues: readonly ScenarioIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ScenarioIssue[], file?: string, heading = 'invalid scenario') {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`);
    super(`${heading}${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
    this.file = file;
  }
}

/**
 * The scenario is well formed but must not run here: fault injection against AWS, shift assertions with
 * `dryRun: true`, alarms the config does not name, no confirmation. Nothing has been called yet.
 */
export class GameDayRefusedError extends UsageError {
  readonly issues: readonly ScenarioIssue[];

  constructor(message: string, issues: readonly ScenarioIssue[] = []) {
    const lines = issues.map((i) => `  ${i.path || '(scenario)'}: ${i.message}`);
    super(lines.length === 0 ? message : `${message}:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}
