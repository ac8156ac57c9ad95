/**
 * A game day's world on the embedded local stack: the stack itself, the real controller running in this
 * process with fast timings and a store in a temporary directory, and the controller's inside view
 * (decisions, shift outcomes, Connect calls, queue receipts, warnings) recorded through `runController`'s
 * hooks and its logs.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { runController } from '../app/run-controller.ts';
import { ConfigError } from '../errors.ts';
import { startLocalStack } from '../local/local-stack.ts';
import type { LocalStack } from '../local/local-stack.ts';
import { createLogger } from '../observability/logger.ts';
import { newRecording } from './recording.ts';
import type { Recording } from './recording.ts';
import { ScenarioError } from './scenario-errors.ts';
import type { Scenario } from './scenario-types.ts';
import type { GameDayTarget } from './game-day-target.ts';
import { LocalTarget } from './local-target.ts';

/** Timings of the local controller, so a whole game day takes seconds: scenarios may override them in `local.config`. */
// alarmPoll 0s: alarms are read at start-up only, so every shift of a game day is timed from its event.
export const LOCAL_TIMING = {
  escalateAfter: '2s',
  recoverAfter: '2s',
  cooldown: '0s',
  maxAutomaticShifts: { count: 10, per: '1h' },
  alarmPoll: '0s',
} as const;

export interface LocalSession {
  stack: LocalStack;
  config: Config;
  target: GameDayTarget;
  recording: Recording;
  /** Every controller log line (pino JSON), for `controller.log` beside the report. */
  logLines: string[];
  /**
   * Stops the controller (cleanly), then the stack; removes the temporary store.
   * Idempotent: later calls return the first call's promise.
   * @param options.copyStateTo also keeps the controller's state file there.
   */
  stop(options?: { copyStateTo?: string }): Promise<void>;
}

export interface LocalSessionOptions {
  scenario: Scenario;
  /** Default `Date.now`. */
  now?: () => number;
}

/**
 * Starts the stack and the controller; resolves once the controller receives from the queue.
 * @throws ScenarioError when the scenario's `local.config` makes an invalid config (paths under `local.config`).
 */
export async function startLocalSession(options: LocalSessionOptions): Promise<LocalSession> {
  const now = options.now ?? Date.now;
  const stack = await startLocalStack();
  let dir: string | undefined;
  const cleanup = async () => {
    await stack.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
  try {
    dir = await mkdtemp(join(tmpdir(), 'connect-failover-gameday-'));
    const config = localConfig(stack, dir, options.scenario);
    const recording = newRecording({
      scenario: scenarioSummary(options.scenario),
      mode: 'local',
      config: configSummary(config),
      insideView: true,
      startedAt: now(),
    });
    const logLines: string[] = [];
    const commandsTaken: number[] = [];
    const logger = createLogger({ level: 'debug', destination: logSink(logLines, recording, commandsTaken) });
    const abort = new AbortController();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const done = runController({
      config,
      logger,
      signal: abort.signal,
      waitTimeSeconds: 1,
      aws: stack.clientSettings,
      hooks: {
        ready: () => ready(),
        // The command's log line comes after its decision; the receipt time is when it was classified.
        message: (outcome) => {
          if (outcome === 'command') commandsTaken.push(now());
        },
        decision: (d) =>
          recording.decisions.push({
            at: d.at,
            region: d.region,
            from: d.from,
            to: d.to,
            reason: d.reason,
            trigger: d.trigger,
            alarms: [...d.alarms],
            ...(d.by ? { by: d.by } : {}),
            ...(d.primaryPercent === undefined ? {} : { primaryPercent: d.primaryPercent }),
          }),
        shift: (outcome) =>
          recording.shiftOutcomes.push({
            at: outcome.kind === 'verified' ? outcome.result.verifiedAt : now(),
            kind: outcome.kind,
            targetPrimaryPercent: outcome.target.primaryPercent,
            ...('attempt' in outcome ? { attempt: outcome.attempt } : {}),
            ...(outcome.kind === 'failed' ? { error: outcome.error.message } : {}),
          }),
        connectCall: (call) => recording.connectCalls.push(call),
      },
    });
    const started = await Promise.race([isReady.then(() => true), done.then(() => false)]);
    if (!started) throw new Error('the local controller stopped before it was ready; see its log');
    const target = new LocalTarget({ config, simulator: stack.connect, sqs: stack.sqs, aws: stack.clientSettings });
    let stopping: Promise<void> | undefined;
    const stop = async (stopOptions: { copyStateTo?: string }) => {
      abort.abort(new Error('game day over'));
      await done.catch(() => undefined);
      await target.close();
      if (stopOptions.copyStateTo && config.store.type === 'file') {
        await copyFile(config.store.path, stopOptions.copyStateTo).catch(() => undefined);
      }
      await cleanup();
    };
    return {
      stack,
      config,
      target,
      recording,
      logLines,
      stop: (stopOptions = {}) => (stopping ??= stop(stopOptions)),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** The local stack's config with fast timings and a temporary store, then the scenario's `local.config` over it. */
function localConfig(stack: LocalStack, dir: string, scenario: Scenario): Config {
  const base = stack.config({ timing: LOCAL_TIMING, store: { type: 'file', path: join(dir, 'state.json') } });
  const raw = mergeSections(base, scenario.local?.config ?? {});
  try {
    return parseConfig(JSON.stringify(raw), { file: 'the local config', baseDir: dir }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ScenarioError(
      error.issues.map((i) => ({ path: i.path ? `local.config.${i.path}` : 'local.config', message: i.message })),
      scenario.file,
    );
  }
}

/** Top-level merge, one level deep for sections (`timing: { cooldown: 5s }` keeps the other timings). */
export function mergeSections(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? { ...current, ...value } : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function scenarioSummary(scenario: Scenario): Recording['scenario'] {
  return {
    name: scenario.name,
    description: scenario.description,
    file: scenario.file,
    rtoTargetMs: scenario.rto?.targetMs,
    rtoFrom: scenario.rto?.from,
  };
}

export function configSummary(config: Config): Recording['config'] {
  return {
    tdg: config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id,
    regions: { ...config.regions },
    traffic: {
      healthy: config.traffic.healthy,
      degraded: config.traffic.degraded,
      failedOver: config.traffic.failedOver,
    },
    timing: {
      escalateAfterMs: config.timing.escalateAfterMs,
      recoverAfterMs: config.timing.recoverAfterMs,
      cooldownMs: config.timing.cooldownMs,
    },
    failback: config.failback,
    dryRun: config.dryRun,
  };
}

/** Reads the controller's pino lines: queue receipts and warnings go into the recording, every line into `lines`. */
function logSink(lines: string[], recording: Recording, commandsTaken: readonly number[]): Writable {
  let partial = '';
  return new Writable({
    write(chunk, _encoding, done) {
      const text = partial + String(chunk);
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts.filter(Boolean)) {
        lines.push(line);
        noteLogLine(line, recording, commandsTaken);
      }
      done();
    },
  });
}

function noteLogLine(line: string, recording: Recording, commandsTaken: readonly number[]): void {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const at = Date.parse(String(entry.time));
  if (entry.msg === 'alarm state change') {
    recording.receipts.push({
      at,
      kind: 'alarm',
      subject: String(entry.alarm),
      state: String(entry.state),
      outcome: String(entry.outcome),
    });
  } else if (entry.msg === 'operator command') {
    const taken = commandsTaken.filter((t) => t <= at).at(-1) ?? at;
    recording.receipts.push({
      at: taken,
      kind: 'command',
      subject: String(entry.command),
      outcome: `${String(entry.outcome)}: ${String(entry.detail ?? '')}`,
    });
  }
  if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') {
    const { level, time: _time, msg, service: _service, pid: _pid, hostname: _hostname, ...rest } = entry;
    recording.logs.push({ at, level: String(level), msg: String(msg), detail: JSON.stringify(rest) });
  }
}
