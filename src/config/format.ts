/**
 * The normalized config written back as a config file, so `validate` can show what it understood.
 */
import { Document, isMap } from 'yaml';
import { formatDuration } from './duration.ts';
import type { Config } from './types.ts';

/**
 * Writes `config` as YAML in the config file's own shape, with every default filled in: durations as
 * `5m`-style strings, the TDG as its ARN (or id when only the id is known), the queue Region when known
 * (given or derived from the URL), the store path absolute. `http` is left out when it is off.
 * Parsing the output gives the same `Config` back.
 */
export function formatConfig(config: Config): string {
  const { timing, store } = config;
  const file = {
    trafficDistributionGroup: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id,
    regions:
      config.replicaInstance === undefined
        ? config.regions
        : { ...config.regions, replicaInstance: config.replicaInstance.arn ?? config.replicaInstance.id },
    queue: {
      url: config.queue.url,
      ...(config.queue.region === undefined ? {} : { region: config.queue.region }),
      ...(config.queue.alarmSenders === undefined ? {} : { alarmSenders: config.queue.alarmSenders }),
    },
    signals: config.signals,
    traffic: config.traffic,
    timing: {
      escalateAfter: formatDuration(timing.escalateAfterMs),
      recoverAfter: formatDuration(timing.recoverAfterMs),
      cooldown: formatDuration(timing.cooldownMs),
      maxAutomaticShifts: {
        count: timing.maxAutomaticShifts.count,
        per: formatDuration(timing.maxAutomaticShifts.perMs),
      },
      driftCheck: formatDuration(timing.driftCheckMs),
      failbackStepHold: formatDuration(timing.failbackStepHoldMs),
    },
    failback: config.failback,
    // The item key is derived from trafficDistributionGroup, not configured: left out.
    store:
      store.type === 'dynamodb'
        ? {
            type: store.type,
            table: store.table,
            region: store.region,
            leaseDuration: formatDuration(store.leaseDurationMs),
          }
        : store,
    ...(config.http === undefined ? {} : { http: config.http }),
    dryRun: config.dryRun,
  };
  const document = new Document(file);
  const shifts = document.getIn(['timing', 'maxAutomaticShifts'], true);
  if (isMap(shifts)) shifts.flow = true;
  // No folding: alarm names may contain spaces, and a folded name is harder to compare with the console.
  return document.toString({ lineWidth: 0 });
}
