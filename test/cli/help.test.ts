import { execFile, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the connect-failover binary', () => {
  it('prints help with exit 0 straight from the sources', async () => {
    const { stdout } = await run(process.execPath, ['bin/connect-failover.js', '--help']);
    expect(stdout).toContain('Usage: connect-failover');
  });

  it('exits 2 on an unknown command', async () => {
    const result = await run(process.execPath, ['bin/connect-failover.js', 'frobnicate']).catch(
      (e: { code: number }) => e,
    );
    expect((result as { code: number }).code).toBe(2);
  });
});

describe('--version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, ['bin/connect-failover.js', '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });
});
