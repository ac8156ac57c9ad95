import { readHistory } from '../app/history.ts';
import type { HistoryEntry } from '../app/history.ts';
import { plainDetail } from '../app/status.ts';
import { loadCommandConfig, noticeAdoption, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printableJson, printableStrings } from './printable.ts';
import { table } from './render.ts';
import { pointInTime } from './time-args.ts';

export interface HistoryOptions extends ConfigOption {
  json?: boolean;
  limit?: number;
  /** `--since`: a duration back from now (`30m`, `12h`, `7d`) or an ISO 8601 time. */
  since?: string;
}

/** `history -c FILE [--json] [--limit N] [--since WHEN]`: the decision log, newest last. */
export async function historyCommand(options: HistoryOptions): Promise<void> {
  // Parsed before anything is read: a bad --since is a usage error (exit 2), not a runtime one.
  const since = options.since === undefined ? undefined : pointInTime(options.since, Date.now(), '--since');
  const config = await loadCommandConfig(options);
  const all = await readHistory(config, { onAdopt: noticeAdoption });
  const recent = since === undefined ? all : all.filter((e) => Date.parse(e.at) >= since);
  const entries = recent.slice(-(options.limit ?? 50));
  if (options.json) {
    print(printableJson(entries));
    return;
  }
  if (entries.length === 0) {
    print(
      all.length === 0
        ? 'no history yet'
        : `nothing since ${new Date(since ?? 0).toISOString()} (${all.length} older entries; the newest at ${all.at(-1)?.at ?? '?'})`,
    );
    return;
  }
  print(table([['time', 'kind', 'what', 'why and who'], ...entries.map(row)]));
}

/** One entry as a line; its reason and sender may come from anyone who can send to the queue, so all is escaped. */
function row(entry: HistoryEntry): string[] {
  const e = printableStrings(entry);
  const alarms = e.alarms && e.alarms.length > 0 ? ` [${e.alarms.join(', ')}]` : '';
  const who = e.by ? ` (by ${e.by}${e.sender ? `, sent by ${e.sender}` : ''})` : '';
  switch (e.kind) {
    case 'command':
      return [e.at, 'command', commandWhat(e), `${e.reason}${who}; ${commandTimes(e)}`];
    case 'transition': {
      const trigger = e.trigger === 'hand' ? 'by hand' : (e.trigger ?? 'automatic');
      const percent = e.primaryPercent === undefined ? '' : ` (${e.primaryPercent}% primary)`;
      return [
        e.at,
        `transition, ${trigger}`,
        `${e.region ? `${e.region}: ` : ''}${e.from ?? '?'} -> ${e.to ?? '?'}${percent}`,
        `${e.reason}${alarms}${who}`,
      ];
    }
    case 'shift':
      return [e.at, 'shift', `${e.outcome ?? ''} ${e.primaryPercent ?? '?'}% primary`.trim(), shiftWhy(e)];
    default:
      return [
        e.at,
        e.kind,
        e.from && e.to
          ? `${e.from} -> ${e.to}`
          : e.primaryPercent !== undefined
            ? `${e.primaryPercent}% primary`
            : (e.outcome ?? e.to ?? ''),
        `${e.reason}${alarms}${who}`,
      ];
  }
}

/** `failover --force accepted: healthy -> failedOver`, or `failover REFUSED: replica unhealthy (…)`: each word once. */
function commandWhat(e: HistoryEntry): string {
  const name = `${e.command ?? e.outcome?.split(' ')[0] ?? 'command'}${e.force ? ' --force' : ''}`;
  const accepted = e.accepted ?? !/ refused:/.test(e.outcome ?? '');
  const detail = plainDetail(e.detail ?? e.outcome?.replace(/^\S+ (accepted|refused): /, '') ?? '');
  return `${name} ${accepted ? 'accepted' : 'REFUSED'}${detail ? `: ${detail}` : ''}`;
}

/** The command's id and when it was asked for and applied (the row's time is when it was applied). */
function commandTimes(e: HistoryEntry): string {
  const requested = e.requestedAt ? `requested ${e.requestedAt}, ` : '';
  const lag = e.requestedAt ? Date.parse(e.at) - Date.parse(e.requestedAt) : Number.NaN;
  const after =
    Number.isFinite(lag) && lag >= 0 ? ` (${lag < 1000 ? `${lag} ms` : `${(lag / 1000).toFixed(1)} s`} later)` : '';
  return `${requested}applied ${e.at}${after}${e.commandId ? `; id ${e.commandId}` : ''}`;
}

/** The shifter's outcome in words: `verified via us-west-2`, `alreadyInPlace via no write` read badly. */
function shiftWhy(e: HistoryEntry): string {
  const match = /^(verified|alreadyInPlace) via (.+)$/.exec(e.reason);
  if (!match) return e.reason;
  if (match[1] === 'alreadyInPlace') return 'split already in place, nothing written';
  return match[2] === 'no write' ? 'verified, nothing written' : `written through ${match[2]}'s API, then verified`;
}
