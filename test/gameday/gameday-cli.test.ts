import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gamedayCommand } from '../../src/cli/gameday.ts';
import type { GameDayOptions } from '../../src/cli/gameday.ts';
import { UsageError } from '../../src/errors.ts';
import { GameDayRefusedError } from '../../src/gameday/scenario-errors.ts';
import { checkHtml } from './html-check.ts';

const run = promisify(execFile);
const CONTRACT_EXAMPLE = readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-gameday-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/connect-failover.js', ...args], {
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the command in-process against AWS settings that are never reached: every case here refuses first. */
async function refusedAgainstAws(
  config: string,
  options: Partial<GameDayOptions>,
  scenario?: string,
): Promise<unknown> {
  const configFile = join(dir, 'config.yaml');
  await writeFile(configFile, config);
  let scenarioFile: string | undefined;
  if (scenario) {
    scenarioFile = join(dir, 'scenario.yaml');
    await writeFile(scenarioFile, scenario);
  }
  const notATerminal = Object.assign(new PassThrough(), { isTTY: false });
  return gamedayCommand(
    { config: configFile, out: join(dir, 'out'), ...(scenarioFile ? { scenario: scenarioFile } : {}), ...options },
    { stdin: notATerminal, stderr: new PassThrough() },
  ).catch((error: unknown) => error);
}

describe('the gameday command', () => {
  it('exits 1 when an assertion fails, prints why, and still writes the report', async () => {
    const scenario = join(dir, 'fails.yaml');
    await writeFile(scenario, 'name: wrong on purpose\nsteps:\n  - assert: { state: failedOver }\n');
    const out = join(dir, 'report');

    const result = await cli(['gameday', '--local', '--scenario', scenario, '--out', out]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Game day "wrong on purpose": FAILED (0/1 checks passed)');
    expect(result.stdout).toContain('FAILED steps[0]: assert state failedOver: state is healthy (want failedOver)');
    expect(result.stdout).toContain(`Report: ${join(out, 'report.html')}`);
    expect(result.stderr).toContain('step 1/1: assert state failedOver');
    expect(checkHtml(await readFile(join(out, 'report.html'), 'utf8')).problems).toEqual([]);
  });

  it('exits 2 on a malformed scenario, naming the key path, before starting anything', async () => {
    const scenario = join(dir, 'bad.yaml');
    await writeFile(scenario, 'name: typo\nsteps:\n  - waitFor: { state: failed }\n');

    const result = await cli(['gameday', '--local', '--scenario', scenario, '--out', join(dir, 'out')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `invalid scenario in ${scenario} (1 problem):\n  steps[0].waitFor.state: "failed" is not one of healthy, degraded, failedOver`,
    );
    expect(result.stderr).not.toContain('starting the local stack');
  });

  it('wants exactly one of --local and -c', async () => {
    await expect(gamedayCommand({ local: true, config: 'x.yaml' })).rejects.toThrow(UsageError);
    const saved = process.env.CONNECT_FAILOVER_CONFIG;
    delete process.env.CONNECT_FAILOVER_CONFIG;
    try {
      await expect(gamedayCommand({})).rejects.toThrow(
        'gameday: pass --local to run on the embedded local stack, or -c FILE to run against AWS',
      );
    } finally {
      if (saved !== undefined) process.env.CONNECT_FAILOVER_CONFIG = saved;
    }
  });

  it('against AWS refuses to run without a terminal to confirm on, unless --yes', async () => {
    const error = await refusedAgainstAws(CONTRACT_EXAMPLE, {});

    expect(error).toBeInstanceOf(GameDayRefusedError);
    expect((error as Error).message).toContain('there is no terminal to ask on; pass --yes');
  });

  it('against AWS refuses fault injection, even with --yes', async () => {
    const error = await refusedAgainstAws(
      CONTRACT_EXAMPLE,
      { yes: true },
      'name: chaos\nsteps:\n  - fault: { kind: regionDown, region: primary }\n',
    );

    expect(error).toBeInstanceOf(GameDayRefusedError);
    expect((error as Error).message).toContain(
      'steps[0].fault: fault injection works only on the local stack (--local)',
    );
  });

  it('against AWS refuses a dry-run config when the scenario asserts shifts', async () => {
    const error = await refusedAgainstAws(CONTRACT_EXAMPLE.replace('dryRun: false', 'dryRun: true'), { yes: true });

    expect(error).toBeInstanceOf(GameDayRefusedError);
    expect((error as Error).message).toContain('the config has dryRun: true');
  });
});
