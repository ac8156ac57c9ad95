/**
 * Hostile and careless config files (issue 14, finding 6 and the smaller findings): a YAML alias bomb, a
 * number beyond what a double holds exactly, a drift check that would hammer Connect. Each is a config
 * error (exit 2, "invalid config", the key path and what is wrong), seen through the real binary.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

const exec = promisify(execFile);
const EXAMPLE = 'test/fixtures/config/contract-example.yaml';

let dir: string;
let base: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cf-hostile-config-'));
  base = (await readFile(EXAMPLE, 'utf8')).replace(/path: .*/, `path: ${join(dir, 'state.json')}`);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** `validate -c` on `text`, as a user runs it. */
async function validate(name: string, text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/connect-failover.js', 'validate', '-c', file], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function withTiming(line: string): string {
  return base.replace('timing:\n', `timing:\n  ${line}\n`);
}

/** Ten levels of ten aliases each: 10^10 nodes if expanded. */
function aliasBomb(): string {
  const levels = ['a: &l0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    levels.push(
      `${String.fromCharCode(97 + i)}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${levels.join('\n')}\n${base}`;
}

describe('a YAML alias bomb (billion laughs)', () => {
  it('is an invalid config (exit 2) naming the alias limit, refused quickly and without the raw library message', async () => {
    // Act
    const started = performance.now();
    const r = await validate('bomb.yaml', aliasBomb());
    const tookMs = performance.now() - started;

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid config');
    expect(r.stderr).toContain('(file)');
    expect(r.stderr).toContain('maxAliasCount');
    expect(r.stderr).not.toMatch(/^error:/m);
    // Generous for a loaded CI machine; expanding the bomb would take minutes and gigabytes.
    expect(tookMs).toBeLessThan(20_000);
  });

  it('ordinary aliases still load', () => {
    // Prepare
    const text = base
      .replace(/escalateAfter: 5m/, 'escalateAfter: &wait 5m')
      .replace(/recoverAfter: 10m/, 'recoverAfter: *wait');

    // Act
    const { config } = parseConfig(text);

    // Assess
    expect(config.timing.recoverAfterMs).toBe(300_000);
  });
});

describe('numbers beyond the safe integer range', () => {
  it('reports the number as written in the file, not the double it was rounded to', async () => {
    // Act
    const r = await validate('count.yaml', base.replace('count: 4', 'count: 9007199254740993'));

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timing.maxAutomaticShifts.count: 9007199254740993');
    expect(r.stderr).not.toContain('9007199254740992');
    expect(r.stderr).toMatch(/safe|exactly/);
  });

  it('reports one problem per such key, wherever it is', () => {
    // Prepare
    const text = base
      .replace('healthy: 100', 'healthy: 1e400')
      .replace('port: 9464', 'port: 123456789012345678901234567890');

    // Act
    let error: unknown;
    try {
      parseConfig(text);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.filter((i) => i.path === 'http.port')).toHaveLength(1);
    expect(issues.find((i) => i.path === 'http.port')?.message).toContain('123456789012345678901234567890');
    expect(issues.find((i) => i.path === 'traffic.healthy')?.message).toContain('1e400');
  });
});

describe('timing.driftCheck has a minimum', () => {
  it.each(['1ms', '250ms', '9999ms', '9s'])('%s is refused (exit 2) naming the key and the minimum', async (value) => {
    // Act
    const r = await validate(`drift-${value}.yaml`, withTiming(`driftCheck: ${value}`));

    // Assess
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('timing.driftCheck');
    expect(r.stderr).toContain('10s');
    expect(r.stderr).toContain('0s');
  });

  it.each([
    ['0s', 0],
    ['10s', 10_000],
    ['5m', 300_000],
  ])('%s is accepted (0s turns the check off)', (value, ms) => {
    // Act
    const { config } = parseConfig(withTiming(`driftCheck: ${value}`));

    // Assess
    expect(config.timing.driftCheckMs).toBe(ms);
  });
});
