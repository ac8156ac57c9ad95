import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, ConnectFailoverError, MalformedMessageError, UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { printableLines } from './printable.ts';

/** Exit codes of the contract: 0 success; 1 runtime failure; 2 usage or config error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const configOption = () => new Option('-c, --config <file>', 'config file (default: $CONNECT_FAILOVER_CONFIG)');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1`);
  return n;
}

/** Builds the command tree. Each command lives in its own module, loaded only when it runs. */
export function buildProgram(result: { code: number }): Command {
  const program = new Command('connect-failover')
    .description('Automated Region failover for Amazon Connect Global Resiliency')
    .version(VERSION, '-V, --version', 'print the version')
    .exitOverride()
    .showHelpAfterError()
    // Commander quotes what was typed (an unknown option, a bad value): escaped like every other output.
    .configureOutput({ writeErr: (s) => process.stderr.write(printableLines(s)) });

  program
    .command('run')
    .description('run the controller until SIGTERM or SIGINT')
    .addOption(configOption())
    .option('--dry-run', 'decide and log, never call UpdateTrafficDistribution')
    .option('--pretty', 'human-readable logs instead of JSON lines')
    .action(async (opts) => {
      const { runCommand } = await import('./run.ts');
      result.code = await runCommand(opts);
    });

  program
    .command('validate')
    .description('check the config and print what was understood (exit 2 with every problem)')
    .addOption(configOption())
    .action(async (opts) => (await import('./validate.ts')).validateCommand(opts));

  program
    .command('status')
    .description('state, automation mode, desired and actual traffic, signals, last shift')
    .addOption(configOption())
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./status.ts')).statusCommand(opts));

  program
    .command('history')
    .description('the decision log: transitions, commands and shifts with time, reason and alarms')
    .addOption(configOption())
    .option('--json', 'machine-readable output')
    .option('--limit <n>', 'newest N entries (default 50)', positiveInt)
    .option('--since <when>', 'entries from then on: a duration back from now (30m, 12h, 7d) or an ISO 8601 time')
    .action(async (opts) => (await import('./history.ts')).historyCommand(opts));

  for (const [name, description] of [
    ['failover', 'operator: move traffic to the replica now'],
    ['failback', 'operator: move traffic back to the primary now'],
    ['pause', 'operator: stop automatic shifts (signals are still tracked)'],
    ['resume', 'operator: restart automatic shifts and re-evaluate at once'],
  ] as const) {
    const cmd = program
      .command(name)
      .description(description)
      .addOption(configOption())
      .requiredOption('--reason <text>', 'why (recorded in the history)')
      .option('--by <name>', 'who (default: user@host)')
      .option('-y, --yes', 'send without asking for confirmation (needed without a terminal, e.g. in scripts)')
      .option('--no-wait', 'send and return at once instead of waiting for the outcome')
      .option('--timeout <duration>', 'how long to wait for the outcome, e.g. 90s or 5m', '2m');
    if (name === 'failover')
      cmd.option('--force', 'override the replicaUnhealthy gate: fail over even while a replica alarm is in ALARM');
    if (name === 'failback') {
      cmd.option(
        '--force',
        'override the primary-signals gate: fail back even while a primary alarm is in ALARM (also pauses automation)',
      );
      cmd.option('--now', 'straight back to healthy, skipping the remaining traffic.failbackSteps');
    }
    cmd.action(async (opts) => {
      const { operatorCommand } = await import('./operator.ts');
      result.code = await operatorCommand(name, opts);
    });
  }

  program
    .command('explain')
    .description('parse one queue message body and show what the controller would do with it')
    .argument('[message-file]', 'file with the message body, or - for standard input')
    .addOption(configOption())
    .option('--json', 'machine-readable output (times as epoch milliseconds, as the statechart keeps them)')
    .action(async (file, opts) => (await import('./explain.ts')).explainCommand(file, opts));

  program
    .command('preflight')
    .description(
      'check that a failover could work now: queue and DLQ, TDG by ARN from both Regions, alarms, store (exit 1 on any failure)',
    )
    .addOption(configOption())
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { preflightCommand } = await import('./preflight.ts');
      result.code = await preflightCommand(opts);
    });

  program
    .command('local')
    .description(
      'start the embedded local stack (SQS emulator, Connect and CloudWatch simulators) and print the environment that points SDKs at it',
    )
    .option(
      '--config-out <file>',
      'where to write a config for a controller on the stack',
      './connect-failover-local.yaml',
    )
    .action(async (opts) => {
      const { localCommand } = await import('./local.ts');
      result.code = await localCommand(opts);
    });

  program
    .command('gameday')
    .description(
      'run a game day, locally on the embedded stack or against AWS, and write a report (exit 1 when a check fails)',
    )
    .option('--local', 'on the embedded local stack, with the controller in this process')
    .addOption(configOption())
    .option('--scenario <file>', 'scenario file (default: the built-in scenario, see docs/gameday.md)')
    .option('--out <dir>', 'report directory', './gameday-report')
    .option('--yes', 'against AWS: run without asking for confirmation')
    .action(async (opts) => {
      const { gamedayCommand } = await import('./gameday.ts');
      result.code = await gamedayCommand(opts);
    });

  program
    .command('backtest')
    .description(
      "replay recorded alarm history through this config's policy and print what the controller would have done (never calls Connect)",
    )
    .addOption(configOption())
    .option('--history <file>', 'the JSON of aws cloudwatch describe-alarm-history, or - for standard input')
    .option('--from-cloudwatch', "fetch every signal's history with DescribeAlarmHistory, in the alarm's Region")
    .option(
      '--since <when>',
      'with --from-cloudwatch: start of the window, e.g. 30d (the default), 12h, or an ISO 8601 time',
    )
    .option(
      '--until <when>',
      'end of the window (default: now with --from-cloudwatch; with a file, when nothing more is due)',
    )
    .option(
      '--set <key=value>',
      'compare a variant of the policy side by side, e.g. timing.recoverAfter=5m (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      '--operator-after <duration>',
      'assume an operator fails back and resumes once every primary signal has been OK this long (default: timing.recoverAfter)',
    )
    .option('--no-operator', 'assume nobody acts: a manual failback or a suspension lasts to the end of the window')
    .option('--json', 'machine-readable output')
    .action(async (opts) => (await import('./backtest.ts')).backtestCommand(opts));

  program
    .command('init-store')
    .description(
      'create the configured store if missing (DynamoDB: the table, on-demand, point-in-time recovery on); idempotent',
    )
    .addOption(configOption())
    .action(async (opts) => {
      const { initStoreCommand } = await import('./init-store.ts');
      result.code = await initStoreCommand(opts);
    });

  program
    .command('diagram')
    .description('print the statechart as Mermaid')
    .action(async () => (await import('./diagram.ts')).diagramCommand());

  return program;
}

/** Runs the CLI and returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(result);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (error) {
    return exitCodeFor(error);
  }
}

/** Error messages quote config files, queue messages and SDK answers: escaped before they reach a terminal. */
function writeError(text: string): void {
  process.stderr.write(`${printableLines(text)}\n`);
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    writeError(error.message);
    return EXIT.usage;
  }
  if (error instanceof MalformedMessageError) {
    writeError(`malformed message: ${error.message}`);
    return EXIT.failure;
  }
  const message = error instanceof ConnectFailoverError || error instanceof Error ? error.message : String(error);
  writeError(`error: ${message}`);
  return EXIT.failure;
}
