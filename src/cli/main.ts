import { Command, CommanderError } from 'commander';
import { ConfigError, ConnectFailoverError, UsageError } from '../errors.ts';

/** Exit codes of the contract: 0 success; 1 runtime failure; 2 usage or config error. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Builds the command tree. Each command lives in its own module and is loaded lazily, so `--help` is quick. */
export function buildProgram(): Command {
  const program = new Command('connect-failover')
    .description('Automated region failover for Amazon Connect Global Resiliency')
    .exitOverride()
    .showHelpAfterError();
  return program;
}

/** Runs the CLI and returns the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  const message = error instanceof ConnectFailoverError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  return EXIT.failure;
}
