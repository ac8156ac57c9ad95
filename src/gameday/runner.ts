/**
 * Runs a scenario's steps against a target, in order, recording what it did and saw. A `waitFor` that
 * misses its deadline or a step that throws ends the steps (the rest are skipped: the world is not as the
 * scenario expects, and on AWS acting on regardless would be reckless); the `cleanup` steps then run
 * anyway. A failed `assert` is recorded and the steps go on. Meanwhile an observer samples the
 * controller's state and the split, recording each change for the timeline.
 */
import { systemClock } from '../clock.ts';
import type { Clock } from '../clock.ts';
import type { HistoryEntry } from '../controller/document.ts';
import { signalRefs } from '../domain/signals.ts';
import { rtoCheck } from './analysis.ts';
import { evaluate } from './conditions.ts';
import type { Observation } from './conditions.ts';
import type { Check, Recording, Sample, StepRecord, StepStatus } from './recording.ts';
import { alarmsOf, applies } from './scenario-check.ts';
import { describeAction, describeFault, describeStep } from './scenario-describe.ts';
import type { Scenario, ScenarioStep } from './scenario-types.ts';
import type { GameDayTarget } from './game-day-target.ts';

/** What the runner tells a progress display. */
export interface ProgressListener {
  stepStarted(position: { index: number; total: number; cleanup: boolean }, label: string): void;
  /** While a step waits: what for, and until when (epoch ms). */
  waiting(what: string, deadline: number | undefined): void;
  stepFinished(status: StepStatus, detail: string | undefined): void;
}

export interface RunScenarioOptions {
  scenario: Scenario;
  target: GameDayTarget;
  /** Filled in as the run goes (the local session adds the controller's inside view to the same object). */
  recording: Recording;
  /** Aborts the steps (the cleanup steps still run, under their own deadline). */
  signal: AbortSignal;
  progress?: ProgressListener;
  /** Default the system clock. */
  clock?: Clock;
  /** Longest the cleanup steps may take altogether; default 2 minutes. */
  cleanupDeadlineMs?: number;
}

const quiet: ProgressListener = { stepStarted() {}, waiting() {}, stepFinished() {} };

/** Runs the scenario; resolves with the completed recording (checks included, RTO last). */
export async function runScenario(options: RunScenarioOptions): Promise<Recording> {
  const { scenario, target, recording, signal } = options;
  const clock = options.clock ?? systemClock;
  const progress = options.progress ?? quiet;
  const observer = new Observer(target, recording, clock);
  const stopObserving = new AbortController();

  await recordInitialAlarms(target, recording, clock, signal);
  const observing = observer.loop(stopObserving.signal);
  try {
    const steps = scenario.steps;
    let halted: string | undefined;
    for (const [index, step] of steps.entries()) {
      const position = { index, total: steps.length, cleanup: false };
      if (halted !== undefined || signal.aborted) {
        recording.steps.push(skipped(step, halted ?? 'the game day was stopped'));
        continue;
      }
      const outcome = await runStep(step, position, { ...options, clock, progress, observer, signal });
      if (outcome === 'halt') halted = `skipped: ${step.path} (${describeStep(step)}) failed`;
    }
    const cleanupAbort = new AbortController();
    const timer = setTimeout(
      () => cleanupAbort.abort(new Error('cleanup deadline passed')),
      options.cleanupDeadlineMs ?? 120_000,
    );
    try {
      for (const [index, step] of scenario.cleanup.entries()) {
        if (cleanupAbort.signal.aborted) {
          recording.steps.push(skipped(step, 'the cleanup deadline passed'));
          continue;
        }
        await runStep(
          step,
          { index, total: scenario.cleanup.length, cleanup: true },
          { ...options, clock, progress, observer, signal: cleanupAbort.signal },
        );
      }
    } finally {
      clearTimeout(timer);
    }
    await observer.observe(new AbortController().signal);
  } finally {
    stopObserving.abort();
    await observing;
  }
  if (target.mode === 'aws') await readControllerHistory(target, recording, clock);
  recording.endedAt = clock.now();
  const rto = rtoCheck(recording);
  if (rto) recording.checks.push(rto);
  return recording;
}

interface StepContext extends RunScenarioOptions {
  clock: Clock;
  progress: ProgressListener;
  observer: Observer;
}

async function runStep(
  step: ScenarioStep,
  position: { index: number; total: number; cleanup: boolean },
  ctx: StepContext,
): Promise<'ok' | 'halt'> {
  const { target, recording, progress, clock } = ctx;
  const record: StepRecord = {
    path: step.path,
    label: describeStep(step),
    action: describeAction(step.action),
    startedAt: undefined,
    endedAt: undefined,
    status: 'done',
  };
  recording.steps.push(record);
  if (!applies(step, target.config, target.mode)) {
    record.status = 'skipped';
    record.detail = `when ${JSON.stringify(step.when)} does not match (failback: ${target.config.failback}, mode: ${target.mode})`;
    return 'ok';
  }
  record.startedAt = clock.now();
  progress.stepStarted(position, record.label);
  let result: 'ok' | 'halt' = 'ok';
  try {
    const outcome = await act(step, ctx);
    record.status = outcome.status;
    record.detail = outcome.detail;
    if (outcome.status === 'failed' && step.action.kind === 'waitFor') result = 'halt';
  } catch (error) {
    record.status = 'error';
    record.detail = ctx.signal.aborted
      ? `stopped: ${String((ctx.signal.reason as Error | undefined)?.message ?? ctx.signal.reason)}`
      : errorText(error);
    result = 'halt';
  }
  record.endedAt = clock.now();
  progress.stepFinished(record.status, record.detail);
  return result;
}

async function act(step: ScenarioStep, ctx: StepContext): Promise<{ status: StepStatus; detail?: string }> {
  const { target, recording, clock, signal, observer, progress } = ctx;
  const action = step.action;
  const label = describeStep(step);
  switch (action.kind) {
    case 'setAlarm': {
      const refs = alarmsOf(action, target.config);
      for (const ref of refs) {
        const at = clock.now();
        await target.setAlarm(ref, action.state, action.reason, signal);
        recording.alarmChanges.push({ at, alarm: ref.key, state: action.state, step: step.path });
      }
      return {
        status: 'done',
        detail: `SetAlarmState ${refs.map((r) => `${r.name} (${r.region})`).join(', ')} → ${action.state}`,
      };
    }
    case 'fault': {
      target.injectFault(action.fault);
      const description = describeFault(action.fault);
      recording.faults.push({ at: clock.now(), description, step: step.path, fault: action.fault });
      return { status: 'done', detail: description };
    }
    case 'operator': {
      const at = clock.now();
      const id = await target.sendCommand(action.command, action.reason, action.force, signal);
      recording.commands.push({ at, command: action.command, reason: action.reason, id, step: step.path });
      return { status: 'done', detail: `sent through the queue (command ${id})` };
    }
    case 'hold': {
      progress.waiting(`holding for ${seconds(action.ms)}`, clock.now() + action.ms);
      await clock.sleep(action.ms, signal);
      return { status: 'done' };
    }
    case 'assert': {
      const seen = await observer.observe(signal);
      const verdict = evaluate(action.condition, seen, target.config);
      const detail = verdict.passed
        ? `seen: ${verdict.seen}`
        : `${verdict.mismatches.join('; ')} (seen: ${verdict.seen})`;
      recording.checks.push(check('assert', step, label, verdict.passed, detail));
      return { status: verdict.passed ? 'passed' : 'failed', detail };
    }
    case 'waitFor': {
      const started = clock.now();
      const deadline = started + action.timeoutMs;
      progress.waiting(describeAction(action), deadline);
      for (;;) {
        const seen = await observer.observe(signal);
        const verdict = evaluate(action.condition, seen, target.config);
        if (verdict.passed) {
          const detail = `reached after ${seconds(seen.at - started)} (seen: ${verdict.seen})`;
          recording.checks.push(check('wait', step, `${label} within ${seconds(action.timeoutMs)}`, true, detail));
          return { status: 'passed', detail };
        }
        if (clock.now() >= deadline) {
          const detail = `not reached within ${seconds(action.timeoutMs)}: ${verdict.mismatches.join('; ')}`;
          recording.checks.push(check('wait', step, `${label} within ${seconds(action.timeoutMs)}`, false, detail));
          return { status: 'failed', detail };
        }
        await clock.sleep(Math.min(target.observeEveryMs, Math.max(0, deadline - clock.now())), signal);
      }
    }
  }
}

/**
 * Reads the controller's state and the split, one reading at a time (concurrent callers share it), and
 * records a sample whenever something changed.
 */
class Observer {
  #inFlight: Promise<Observation> | undefined;
  #lastErrors = new Map<string, string>();

  constructor(
    private readonly target: GameDayTarget,
    private readonly recording: Recording,
    private readonly clock: Clock,
  ) {}

  observe(signal: AbortSignal): Promise<Observation> {
    this.#inFlight ??= this.#read(signal).finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.observe(signal).catch(() => undefined);
      await this.clock.sleep(this.target.observeEveryMs, signal).catch(() => undefined);
    }
  }

  async #read(signal: AbortSignal): Promise<Observation> {
    const [status, split] = await Promise.all([
      this.target.readStatus(signal).catch((error: unknown) => this.#failed('controller state (store)', error)),
      this.target.readSplit(signal).catch((error: unknown) => this.#failed('split (GetTrafficDistribution)', error)),
    ]);
    const at = this.clock.now();
    const sample: Sample = {
      at,
      health: status?.state,
      automation: status?.automation,
      desiredPrimaryPercent: status?.desiredPrimaryPercent,
      actualPrimaryPercent: split?.primaryPercent,
      tdgStatus: split?.tdgStatus,
      lastShift: status?.lastShift ? `${status.lastShift.primaryPercent}% ${status.lastShift.outcome}` : undefined,
    };
    const last = this.recording.samples.at(-1);
    if (!last || (Object.keys(sample) as Array<keyof Sample>).some((k) => k !== 'at' && sample[k] !== last[k]))
      this.recording.samples.push(sample);
    return { at, status, split };
  }

  #failed(what: string, error: unknown): undefined {
    const message = errorText(error);
    // The same failure on every poll is one entry, not hundreds.
    if (this.#lastErrors.get(what) !== message)
      this.recording.observerErrors.push({ at: this.clock.now(), what, message });
    this.#lastErrors.set(what, message);
    return undefined;
  }
}

async function recordInitialAlarms(
  target: GameDayTarget,
  recording: Recording,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  const refs = signalRefs(target.config.signals, target.config.regions);
  const readings = await target.readAlarms(signal).catch((error: unknown) => {
    recording.observerErrors.push({ at: clock.now(), what: 'alarms (DescribeAlarms)', message: errorText(error) });
    return [];
  });
  recording.alarms = refs.map((ref) => ({
    key: ref.key,
    name: ref.name,
    role: ref.role,
    region: ref.region,
    initial: readings.find((r) => r.key === ref.key)?.value,
  }));
}

/** Against AWS the controller runs elsewhere: its decisions and shift outcomes come from its history. */
async function readControllerHistory(target: GameDayTarget, recording: Recording, clock: Clock): Promise<void> {
  let history: HistoryEntry[];
  try {
    history = await target.readHistory(new AbortController().signal);
  } catch (error) {
    recording.observerErrors.push({ at: clock.now(), what: 'controller history (store)', message: errorText(error) });
    return;
  }
  for (const entry of history) {
    const at = Date.parse(entry.at);
    if (!(at >= recording.startedAt)) continue;
    if (entry.kind === 'transition' && entry.region && entry.from && entry.to) {
      recording.decisions.push({
        at,
        region: entry.region,
        from: entry.from,
        to: entry.to,
        reason: entry.reason,
        trigger: entry.trigger ?? 'automatic',
        alarms: entry.alarms ?? [],
        ...(entry.by ? { by: entry.by } : {}),
        ...(entry.primaryPercent === undefined ? {} : { primaryPercent: entry.primaryPercent }),
      });
    } else if (
      entry.kind === 'shift' &&
      entry.primaryPercent !== undefined &&
      (entry.outcome === 'verified' || entry.outcome === 'failed')
    ) {
      recording.shiftOutcomes.push({
        at,
        kind: entry.outcome,
        targetPrimaryPercent: entry.primaryPercent,
        ...(entry.outcome === 'failed' ? { error: entry.reason } : {}),
      });
    } else if (entry.kind === 'command') {
      recording.receipts.push({
        at,
        kind: 'command',
        subject: entry.outcome?.split(' ')[0] ?? 'command',
        outcome: entry.outcome ?? '',
      });
    }
  }
}

function check(kind: Check['kind'], step: ScenarioStep, description: string, passed: boolean, detail: string): Check {
  return { kind, step: step.path, description, passed, detail };
}

function skipped(step: ScenarioStep, why: string): StepRecord {
  return {
    path: step.path,
    label: describeStep(step),
    action: describeAction(step.action),
    startedAt: undefined,
    endedAt: undefined,
    status: 'skipped',
    detail: why,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { name?: string }).name;
    return code && code !== 'Error' && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
