/**
 * `--set key=value`: a variant of the config's policy. The value is written into the config document and
 * the whole document is validated again by the config loader, so a bad value fails with exactly the message
 * (and the exit code) `validate` gives for it in a file.
 */
import { parse, parseDocument } from 'yaml';
import { parseConfig } from '../config/load.ts';
import type { LoadedConfig } from '../config/load.ts';
import { UsageError } from '../errors.ts';

/** The config sections the statechart decides with (see `policyOf`); nothing else changes a replay. */
export const POLICY_SECTIONS: readonly string[] = ['signals', 'traffic', 'timing', 'failback'];

/** Keys inside those sections that only the adapters read: a variant of them would replay the same. */
const NOT_DECIDING: readonly string[] = ['traffic.shiftAgents', 'timing.driftCheck', 'timing.alarmPoll'];

/** One `--set`: a dotted key and its value, as YAML would read it (`5m`, `3`, `[a, b]`, `automatic`). */
export interface Setting {
  key: string;
  path: string[];
  /** As typed, for messages and labels. */
  text: string;
  value: unknown;
}

/** @throws UsageError when the text is not `key=value` or the key is outside the policy. */
export function parseSetting(text: string): Setting {
  const eq = text.indexOf('=');
  const key = eq < 0 ? '' : text.slice(0, eq).trim();
  const path = key.split('.');
  if (key === '' || path.some((part) => part === '')) {
    throw new UsageError(
      `--set ${JSON.stringify(text)}: expected key=value with a dotted config key, e.g. --set timing.recoverAfter=5m`,
    );
  }
  if (!POLICY_SECTIONS.includes(path[0]!)) {
    throw new UsageError(
      `--set ${key}: backtest varies only what the statechart decides with (${POLICY_SECTIONS.map((s) => (s === 'failback' ? s : `${s}.*`)).join(', ')})`,
    );
  }
  if (NOT_DECIDING.includes(key)) {
    throw new UsageError(
      `--set ${key}: the statechart does not decide with it (only the controller's adapters read it), so a variant would replay the same`,
    );
  }
  const valueText = text.slice(eq + 1).trim();
  let value: unknown;
  try {
    value = parse(valueText);
  } catch (error) {
    throw new UsageError(
      `--set ${key}: ${JSON.stringify(valueText)} is not a YAML value (${(error as Error).message})`,
      { cause: error },
    );
  }
  return { key, path, text: valueText, value };
}

/** How a variant is named in output and messages: `timing.recoverAfter=5m, failback=automatic`. */
export function describeSettings(settings: readonly Setting[]): string {
  return settings.map((s) => `${s.key}=${s.text}`).join(', ');
}

/**
 * The config text with every setting applied, validated and normalized like a config file.
 * @throws ConfigError (exit 2) listing every problem by key path, as `validate` does.
 * @throws UsageError when a key goes through something that is not a mapping in the file.
 */
export function loadVariant(
  configText: string,
  settings: readonly Setting[],
  options: { file: string; baseDir: string },
): LoadedConfig {
  const document = parseDocument(configText);
  for (const setting of settings) {
    try {
      document.setIn(setting.path, document.createNode(setting.value));
    } catch (error) {
      throw new UsageError(
        `--set ${setting.key}: ${options.file} has no mapping to set it in (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  return parseConfig(String(document), {
    file: `${options.file} with --set ${describeSettings(settings)}`,
    baseDir: options.baseDir,
  });
}
