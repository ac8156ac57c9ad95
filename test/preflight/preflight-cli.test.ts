import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack } from '../../src/local/local-stack.ts';
import type { PreflightReport } from '../../src/preflight/index.ts';

const BIN = fileURLToPath(new URL('../../bin/connect-failover.js', import.meta.url));

let stack: LocalStack;
let dir: string;

beforeEach(async () => {
  stack = await startLocalStack({ updateWindowMs: 0 });
  dir = await mkdtemp(join(tmpdir(), 'cf-preflight-cli-'));
});
afterEach(async () => {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the real CLI as a child process (asynchronously: the local stack serves from this process). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...stack.env, NO_COLOR: '' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

async function writeConfig(overrides: Record<string, unknown> = {}): Promise<string> {
  const file = join(dir, 'config.yaml');
  await writeFile(
    file,
    YAML.stringify(stack.config({ store: { type: 'file', path: join(dir, 'state.json') }, ...overrides })),
  );
  return file;
}

describe('connect-failover preflight', () => {
  it('exits 0 and prints an aligned table without colour codes when nothing fails', async () => {
    // Prepare
    const file = await writeConfig();

    // Act
    const result = await cli(['preflight', '-c', file]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('\u001b[');
    const rows = result.stdout.split('\n').filter((line) => line.startsWith('pass'));
    expect(rows).toHaveLength(14);
    // Columns are separated by at least two spaces; every row's third column starts at the same offset.
    const detailStarts = new Set(rows.map((row) => row.indexOf(row.split(/ {2,}/)[2]!)));
    expect(detailStarts.size).toBe(1);
    expect(result.stdout).toMatch(/14 passed, 0 warnings, 0 failed: ready/);
    // The local stack's replica instance holds the default flows, which name only us-west-2 resources.
    expect(rows.find((row) => row.includes('replica flows stay in the replica'))).toMatch(
      /2 flows and 1 module of .* none refers to us-east-1/,
    );
  });

  it('exits 1 naming the flow and the block when a replica flow calls a Lambda function in the primary Region', async () => {
    // Prepare: the replica's default flows, plus one exported from the primary unchanged.
    const replica = stack.regions.replica;
    const flows = stack.connect.contactFlows.snapshot(replica)!;
    const billing = await readFile(
      new URL('../fixtures/contact-flows/billing-primary-lambda.json', import.meta.url),
      'utf8',
    );
    stack.connect.contactFlows.load(replica, {
      ...flows,
      flows: [...flows.flows, { name: 'Billing', content: billing }],
    });
    const file = await writeConfig();

    // Act
    const result = await cli(['preflight', '-c', file]);

    // Assess
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const failing = lines.filter((line) => line.startsWith('FAIL'));
    expect(failing).toHaveLength(2);
    expect(failing[1]).toMatch(
      /^FAIL +flow "Billing": InvokeLambdaFunction +block Fetch balance calls Lambda function arn:aws:lambda:us-east-1:111122223333:function:billing-balance \(LambdaFunctionARN\) in the primary Region us-east-1$/,
    );
    expect(lines[lines.indexOf(failing[1]!) + 1]).toContain(
      'fix: use arn:aws:lambda:us-west-2:111122223333:function:billing-balance',
    );
    expect(result.stdout).toMatch(/13 passed, 0 warnings, 2 failed: a failover may not work/);
    expect(stack.connect.requests.filter((r) => r.operation === 'DescribeContactFlow').map((r) => r.region)).toEqual([
      replica,
      replica,
      replica,
    ]);
  });

  it('exits 1 with --json naming the failing check and its fix', async () => {
    // Prepare
    const file = await writeConfig({ signals: { ...stack.alarms, degraded: ['connect-primary-elevated-erors'] } });

    // Act
    const result = await cli(['preflight', '-c', file, '--json']);

    // Assess
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report.ok).toBe(false);
    expect(report.summary.fail).toBe(1);
    expect(report.checks.find((c) => c.status === 'fail')).toMatchObject({
      id: 'alarm:connect-primary-elevated-erors',
      fix: expect.stringContaining('spelling'),
    });
  });

  it('exits 2 for a config error and calls nothing on AWS', async () => {
    // Prepare
    const file = await writeConfig({ timing: { cooldown: '2 minutes' } });

    // Act
    const result = await cli(['preflight', '-c', file]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('timing.cooldown');
    expect(stack.connect.requests).toHaveLength(0);
    expect(stack.cloudwatch.calls).toHaveLength(0);
  });
});
