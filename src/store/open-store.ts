/** Builds the configured store. The only place that knows which store types exist. */
import { hostname } from 'node:os';
import type { StoreConfig } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { FileStore } from './file-store.ts';
import type { StateStore } from './store.ts';

/** A writer name unique per process, so store and lease records say who wrote them. */
export function defaultWriter(): string {
  return `${hostname()}:${process.pid}`;
}

export function openStore(config: StoreConfig, writer = defaultWriter()): StateStore {
  if (config.type === 'file') return new FileStore({ path: config.path, writer });
  throw new ConfigError([
    { path: 'store.type', message: 'dynamodb is not available in this release yet; use type: file (one controller per state file)' },
  ]);
}
