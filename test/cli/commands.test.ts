import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagramText } from '../../src/cli/diagram.ts';

const exec = promisify(execFile);
const EXAMPLE = 'test/fixtures/config/contract-example.yaml';

/** Runs the CLI as a user would; returns exit code and output instead of throwing. */
async function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = exec(process.execPath, ['bin/connect-failover.js', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-cli-'));
  config = join(dir, 'config.yaml');
  const text = (await readFile(EXAMPLE, 'utf8')).replace(/path: .*/, `path: ${join(dir, 'state.json')}`);
  await writeFile(config, text);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('validate', () => {
  it('prints the normalized config and exits 0', async () => {
    const r = await cli(['validate', '-c', config]);

    expect(r.code).toBe(0);
    expect(r.stdout).toContain('escalateAfter: 5m');
    expect(r.stdout).toContain(join(dir, 'state.json'));
  });

  it('exits 2 and names every problem with its key path, calling nothing', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      (await readFile(config, 'utf8'))
        .replace('cooldown: 2m', 'cooldown: 2 minutes')
        .replace('degraded: 50', 'degraded: 55'),
    );

    const r = await cli(['validate', '-c', bad]);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timing.cooldown: "2 minutes" is not a duration like 90s or 2m');
    expect(r.stderr).toContain('traffic.degraded');
  });

  it('says how to give a config when neither -c nor CONNECT_FAILOVER_CONFIG is set', async () => {
    const missing = await cli(['validate']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/-c FILE|CONNECT_FAILOVER_CONFIG/);
  });
});

describe('explain', () => {
  it('shows the normalized event and the decision from a fresh controller', async () => {
    const body = await readFile('test/fixtures/messages/eventbridge-metric-alarm.json', 'utf8');

    const r = await cli(['explain', '-c', config, '--json', '-'], body);

    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      event: { alarm: { region: string } };
      after: { health: string };
      decisions: Array<{ to: string }>;
    };
    expect(out.event.alarm.region).toBe('us-east-1');
    expect(out.after.health).toBe('failedOver');
    expect(out.decisions[0]?.to).toBe('failedOver');
  });

  it('prints for a person by default: ISO 8601 times and the decision in words', async () => {
    const body = await readFile('test/fixtures/messages/eventbridge-metric-alarm.json', 'utf8');

    const r = await cli(['explain', '-c', config, '-'], body);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^message: {2}eventbridge alarm state change: .+ is ALARM since \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/m,
    );
    expect(r.stdout).toMatch(/^decides: {2}failover: healthy → failedOver \(critical alarm in ALARM: .+\)$/m);
    expect(r.stdout).not.toMatch(/\b1\d{12}\b/);
  });

  it('exits non-zero with the reason for a malformed body', async () => {
    const r = await cli(['explain', '-c', config, '-'], '{"Type":"SubscriptionConfirmation"}');

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('malformed message');
  });
});

describe('diagram', () => {
  it('prints Mermaid generated from the machine, and the README embeds the current one', async () => {
    const r = await cli(['diagram']);
    const readme = await readFile('README.md', 'utf8');

    expect(r.stdout.trim()).toBe(diagramText().trim());
    expect(readme, 'README diagram is stale: paste the output of `connect-failover diagram`').toContain(
      diagramText().trim(),
    );
  });
});
