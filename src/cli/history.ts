import type { HistoryEntry } from '../controller/document.ts';
import { loadCommandConfig, print, readPersisted } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printableJson, printableStrings } from './printable.ts';
import { table } from './render.ts';

/** `history -c FILE [--json] [--limit N]`: the decision log, newest last. */
export async function historyCommand(options: ConfigOption & { json?: boolean; limit?: number }): Promise<void> {
  const config = await loadCommandConfig(options);
  const persisted = await readPersisted(config);
  const entries = (persisted?.doc.history ?? []).slice(-(options.limit ?? 50));
  if (options.json) {
    print(printableJson(entries));
    return;
  }
  if (entries.length === 0) {
    print('no history yet');
    return;
  }
  print(table([['time', 'kind', 'change', 'reason'], ...entries.map(row)]));
}

/** One entry as a line; its reason and sender may come from anyone who can send to the queue, so all is escaped. */
function row(entry: HistoryEntry): string[] {
  const e = printableStrings(entry);
  const change =
    e.from && e.to
      ? `${e.region ? `${e.region}: ` : ''}${e.from} -> ${e.to}`
      : e.kind === 'shift'
        ? `${e.outcome ?? ''} ${e.primaryPercent ?? '?'}% primary`
        : (e.outcome ?? e.to ?? '');
  const who = e.by ? ` (by ${e.by}${e.sender ? `, sent by ${e.sender}` : ''})` : '';
  const alarms = e.alarms && e.alarms.length > 0 ? ` [${e.alarms.join(', ')}]` : '';
  return [e.at, e.kind, change, `${e.reason}${alarms}${who}`];
}
