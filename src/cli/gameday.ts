import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { resolveConfigPath } from '../config/load.ts';
import type { Config } from '../config/types.ts';
import { signalRefs } from '../domain/signals.ts';
import { UsageError } from '../errors.ts';
import { defaultScenario } from '../gameday/default-scenario.ts';
import { configSummary, scenarioSummary, startLocalSession } from '../gameday/local-session.ts';
import type { LocalSession } from '../gameday/local-session.ts';
import { ProgressDisplay } from '../gameday/progress.ts';
import { newRecording } from '../gameday/recording.ts';
import type { Recording } from '../gameday/recording.ts';
import { DEFAULT_REPORT_DIR, writeReport } from '../gameday/report-files.ts';
import type { WrittenReport } from '../gameday/report-files.ts';
import { duration, passed } from '../gameday/report-format.ts';
import { legsOf } from '../gameday/analysis.ts';
import { collectRunMetadata } from '../gameday/run-metadata.ts';
import { runScenario } from '../gameday/runner.ts';
import { checkScenario } from '../gameday/scenario-check.ts';
import { GameDayRefusedError } from '../gameday/scenario-errors.ts';
import { loadScenario } from '../gameday/scenario.ts';
import type { Scenario } from '../gameday/scenario-types.ts';
import { AwsTarget } from '../gameday/aws-target.ts';
import type { GameDayTarget } from '../gameday/game-day-target.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';

export interface GameDayOptions extends ConfigOption {
  local?: boolean;
  scenario?: string;
  /** Default `./gameday-report`. */
  out?: string;
  yes?: boolean;
}

/** Where the command talks to the user; the process's streams by default (tests pass their own). */
export interface GameDayIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * `gameday [--local | -c FILE] [--scenario FILE] [--out DIR] [--yes]`: runs a scenario and writes the
 * report. `--local` starts the embedded stack and runs the real controller in this process; `-c FILE`
 * drives the user's running controller on AWS (after confirmation). Returns 0 when every check passed,
 * 1 otherwise; usage problems throw UsageError (exit 2) before anything is called.
 */
export async function gamedayCommand(
  options: GameDayOptions,
  io: GameDayIo = { stdin: process.stdin, stderr: process.stderr },
): Promise<number> {
  const mode = chooseMode(options);
  const scenario = options.scenario ? await loadScenario(options.scenario) : defaultScenario();
  const outDir = options.out ?? DEFAULT_REPORT_DIR;
  const progress = new ProgressDisplay(io.stderr);
  const stop = new AbortController();
  const onSignal = (name: string) => {
    if (stop.signal.aborted) {
      process.stderr.write(`\n${name} again: exiting without cleanup\n`);
      process.exit(1);
    }
    process.stderr.write(`\n${name}: stopping the game day (cleanup steps still run; ${name} again to exit at once)\n`);
    stop.abort(new Error(`received ${name}`));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  let session: LocalSession | undefined;
  let target: GameDayTarget | undefined;
  try {
    let recording: Recording;
    if (mode.kind === 'local') {
      // Everything in this process talks to the local stack: the SDK's Node-version notice is noise here.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      progress.note('starting the local stack and the controller');
      session = await startLocalSession({ scenario });
      checkScenario(scenario, session.config, 'local');
      target = session.target;
      recording = session.recording;
    } else {
      const config = await loadCommandConfig({ config: mode.configFile });
      checkScenario(scenario, config, 'aws');
      await confirm(scenario, config, options, io);
      target = new AwsTarget({ config });
      recording = newRecording({
        scenario: scenarioSummary(scenario),
        mode: 'aws',
        config: configSummary(config),
        insideView: false,
        startedAt: Date.now(),
      });
    }
    recording.metadata = await collectRunMetadata(target.config, scenario);
    await runScenario({ scenario, target, recording, signal: stop.signal, progress });
    progress.note('writing the report');
    if (session) {
      await mkdir(outDir, { recursive: true });
      await session.stop({ copyStateTo: join(outDir, 'controller-state.json') });
    } else {
      await target.close();
    }
    const report = await writeReport(outDir, recording, session ? { logLines: session.logLines } : {});
    session = undefined;
    target = undefined;
    progress.close();
    print(summary(recording, report));
    return passed(recording) ? 0 : 1;
  } finally {
    progress.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    if (session) await session.stop().catch(() => undefined);
    else await target?.close().catch(() => undefined);
  }
}

type Mode = { kind: 'local' } | { kind: 'aws'; configFile: string };

function chooseMode(options: GameDayOptions): Mode {
  if (options.local && options.config)
    throw new UsageError('gameday: give either --local (the embedded stack) or -c FILE (against AWS), not both');
  if (options.local) return { kind: 'local' };
  try {
    return { kind: 'aws', configFile: resolveConfigPath(options.config) };
  } catch {
    throw new UsageError(
      'gameday: pass --local to run on the embedded local stack, or -c FILE to run against AWS with your running controller',
    );
  }
}

/** Against AWS a game day moves live traffic: ask on a TTY, refuse without one unless --yes. */
async function confirm(scenario: Scenario, config: Config, options: GameDayOptions, io: GameDayIo): Promise<void> {
  if (options.yes) return;
  if (!io.stdin.isTTY) {
    throw new GameDayRefusedError(
      'gameday against AWS moves live traffic and needs confirmation, but there is no terminal to ask on; pass --yes to run anyway',
    );
  }
  const alarms = signalRefs(config.signals, config.regions).map((r) => `${r.name} (${r.region})`);
  const commands = [
    ...new Set(
      [...scenario.steps, ...scenario.cleanup].flatMap((s) => (s.action.kind === 'operator' ? [s.action.command] : [])),
    ),
  ];
  io.stderr.write(
    [
      `Game day "${scenario.name}" against AWS:`,
      `  - sets CloudWatch alarm states with SetAlarmState: ${alarms.join(', ')}`,
      commands.length ? `  - sends operator commands through ${config.queue.url}: ${commands.join(', ')}` : undefined,
      `  - your running controller will move live traffic of ${config.trafficDistributionGroup.arn ?? config.trafficDistributionGroup.id}`,
      '',
    ]
      .filter((l) => l !== undefined)
      .join('\n'),
  );
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question('Type "yes" to run it: ');
    if (answer.trim().toLowerCase() !== 'yes') throw new GameDayRefusedError('gameday cancelled: not confirmed');
  } finally {
    rl.close();
  }
}

function summary(recording: Recording, report: WrittenReport): string {
  const ok = passed(recording);
  const lines = [
    `Game day "${recording.scenario.name}": ${ok ? 'PASSED' : 'FAILED'} (${recording.checks.filter((c) => c.passed).length}/${recording.checks.length} checks passed)`,
  ];
  // What failed first: it is what the person running the game day has to act on.
  for (const check of recording.checks.filter((c) => !c.passed))
    lines.push(`  FAILED ${check.step ?? check.kind}: ${check.description}: ${check.detail}`);
  for (const step of recording.steps.filter((s) => s.status === 'error'))
    lines.push(`  ERROR ${step.path} ${step.label}: ${step.detail ?? ''}`);
  const rto = report.analysis.rto;
  lines.push(
    `  RTO: ${rto.measuredMs === undefined ? `not measured (${rto.detail})` : `${duration(rto.measuredMs)}${rto.targetMs === undefined ? '' : ` (target ${duration(rto.targetMs)})`}`}`,
  );
  for (const shift of report.analysis.shifts) {
    const legs = legsOf(shift)
      .filter((l) => l.ms !== undefined)
      .map((l) => `${l.label.replace(/^(alarm change|command sent)/, 'cause')} ${duration(l.ms)}`);
    lines.push(`  shift ${shift.number} ${shift.from} → ${shift.to}: ${legs.join(', ') || 'no timings'}`);
  }
  const unexpected = report.analysis.unexpectedApiErrors.length;
  const injected = report.analysis.apiErrors.length - unexpected;
  if (recording.insideView)
    lines.push(`  Connect errors: ${unexpected} unexpected, ${injected} expected from injected faults`);
  lines.push(
    `Report: ${report.html}`,
    `        ${report.markdown}`,
    `Runs:   ${report.runs} (every game day written to this directory, oldest first)`,
  );
  return lines.join('\n');
}
