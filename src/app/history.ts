/** The `history` use case: the controller's decision log from the persisted state, oldest first. */
import type { Config } from '../config/types.ts';
import type { HistoryEntry } from '../controller/document.ts';
import { readPersisted } from './persisted-state.ts';
import type { ReadPersistedOptions } from './persisted-state.ts';

export type { HistoryEntry } from '../controller/document.ts';

export interface ReadHistoryOptions extends ReadPersistedOptions {
  /** Only the newest this many entries. Default: all the store keeps (see `HISTORY_LIMIT`). */
  limit?: number;
}

/** The decision log, oldest first; empty when the controller never ran with this store. */
export async function readHistory(config: Config, options: ReadHistoryOptions = {}): Promise<HistoryEntry[]> {
  const history = (await readPersisted(config, options))?.doc.history ?? [];
  return options.limit === undefined ? history : history.slice(-options.limit);
}
