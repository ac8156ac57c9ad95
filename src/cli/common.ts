/** What several commands share: loading the config (warnings to stderr) and reading the persisted state. */
import { loadConfig, resolveConfigPath } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { describeOwner, readDocument } from '../controller/document.ts';
import type { ControllerDocument, DocumentOwner } from '../controller/document.ts';
import { openStore } from '../store/open-store.ts';

export interface ConfigOption {
  config?: string;
}

/** Loads and validates the config named by `-c` or CONNECT_FAILOVER_CONFIG; throws ConfigError (exit 2). */
export async function loadCommandConfig(options: ConfigOption): Promise<Config> {
  const { config, warnings } = await loadConfig(resolveConfigPath(options.config));
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  return config;
}

/** The controller's persisted document, or undefined when it never ran with this store. */
export interface Persisted {
  doc: ControllerDocument;
  updatedAt: string;
  location: string;
  /** The controller holding the lease now (the one acting), if any. */
  leader?: { holder: string; expiresAt: string } | undefined;
}

export async function readPersisted(config: Config): Promise<Persisted | undefined> {
  const store = openStore(config.store);
  try {
    const stored = await store.load();
    if (!stored) return undefined;
    const lease = await store.readLease();
    return {
      // Another group's state is refused (StoreOwnerError, exit 2): shown beside this config's signals it would mislead.
      doc: readDocument(stored.data, store.describe(), { config, onAdopt: (owner) => process.stderr.write(adoptionNotice(store.describe(), owner)) }),
      updatedAt: stored.updatedAt,
      location: store.describe(),
      leader: lease ? { holder: lease.holder, expiresAt: lease.expiresAt } : undefined,
    };
  } finally {
    await store.close();
  }
}

/** The document predates owners: this config's group is taken as its owner, and a running controller records it. */
function adoptionNotice(location: string, owner: DocumentOwner): string {
  return `notice: ${location} does not say which traffic distribution group it belongs to (written by an earlier release); read as ${describeOwner(owner)}'s, which the controller records at its next start\n`;
}

/** Writes a line to stdout. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
