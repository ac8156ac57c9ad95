/**
 * The game-day scenario file (YAML; JSON is YAML too): its loader (the shape is scenario-types.ts, its schema scenario-schema.ts).
 * Errors name the key path (`steps[3].waitFor.state: "failed" is not one of healthy, degraded,
 * failedOver`), like config errors. The format is documented in docs/gameday.md.
 *
 * A step is a mapping with exactly one action key (`setAlarm`, `fault`, `operator`, `waitFor`, `hold`,
 * `assert`) plus optional `name`, `when` and, for `waitFor`, `timeout`.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { describeYamlValue as show } from '../describe-value.ts';
import { ScenarioError } from './scenario-errors.ts';
import { scenarioSchema, toIssues } from './scenario-schema.ts';
import type { Scenario, ScenarioStep } from './scenario-types.ts';

/**
 * Validates scenario text (YAML or JSON).
 * @throws ScenarioError listing every problem, each with its key path (the first YAML syntax error alone).
 */
export function parseScenario(source: string, options: { file?: string } = {}): Scenario {
  const document = parseDocument(source, { prettyErrors: false });
  const syntax = document.errors[0];
  if (syntax) throw new ScenarioError([{ path: '', message: `YAML syntax error: ${syntax.message}` }], options.file);
  const value: unknown = document.toJS();
  if (value === null || value === undefined) {
    throw new ScenarioError([{ path: '', message: 'is empty; expected a mapping with name and steps' }], options.file);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ScenarioError(
      [{ path: '', message: `is ${show(value)}; expected a mapping with name and steps` }],
      options.file,
    );
  }
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) throw new ScenarioError(parsed.error.issues.flatMap(toIssues), options.file);
  const data = parsed.data;
  const withPaths = (list: 'steps' | 'cleanup', steps: ReadonlyArray<Omit<ScenarioStep, 'path'>>) =>
    steps.map((step, i) => ({ ...step, path: `${list}[${i}]` }));
  return {
    name: data.name,
    description: data.description,
    rto: data.rto && { targetMs: data.rto.target, from: data.rto.from },
    local: data.local && { config: data.local.config },
    steps: withPaths('steps', data.steps),
    cleanup: withPaths('cleanup', data.cleanup ?? []),
    file: options.file,
  };
}

/**
 * Reads and validates a scenario file.
 * @throws ScenarioError naming the file when it cannot be read or is not a valid scenario.
 */
export async function loadScenario(file: string, options: { signal?: AbortSignal } = {}): Promise<Scenario> {
  let source: string;
  try {
    source = await readFile(file, { encoding: 'utf8', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new ScenarioError([{ path: '', message: `cannot read scenario file ${file}: ${why}` }], file);
  }
  return parseScenario(source, { file });
}
