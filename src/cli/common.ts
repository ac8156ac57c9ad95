/** What several commands share: loading the config and telling the user what reading the state noticed (on stderr). */
import { loadConfigFrom, resolveConfigSource } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { describeOwner } from '../controller/document.ts';
import type { DocumentOwner } from '../controller/document.ts';

export interface ConfigOption {
  config?: string;
}

/** Loads and validates the config from `-c`, CONNECT_FAILOVER_CONFIG or CONNECT_FAILOVER_CONFIG_YAML; throws ConfigError (exit 2). */
export async function loadCommandConfig(options: ConfigOption): Promise<Config> {
  const { config, warnings } = await loadConfigFrom(resolveConfigSource(options.config));
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  return config;
}

/**
 * The `onAdopt` of the commands that read the persisted state: the document predates owners, so this
 * config's group is taken as its owner, and a running controller records it.
 */
export function noticeAdoption(location: string, owner: DocumentOwner): void {
  process.stderr.write(
    `notice: ${location} does not say which traffic distribution group it belongs to (written by an earlier release); read as ${describeOwner(owner)}'s, which the controller records at its next start\n`,
  );
}

/**
 * How to name this config in a hint the user can paste: `-c <path>` when it came from a file (`-c` or
 * CONNECT_FAILOVER_CONFIG), `-c FILE` when from CONNECT_FAILOVER_CONFIG_YAML (there is no file to name).
 */
export function configArgument(options: ConfigOption): string {
  try {
    const source = resolveConfigSource(options.config);
    return source.kind === 'file' ? `-c ${shellWord(source.path)}` : '-c FILE';
  } catch {
    return '-c FILE';
  }
}

/** `text` as one shell word: unchanged when plain, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A hint's command line with this config's `-c` in place of the placeholder `-c FILE`. */
export function withConfig(commandLine: string, options: ConfigOption): string {
  return commandLine.replace('-c FILE', configArgument(options));
}

/** Writes a line to stdout. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
