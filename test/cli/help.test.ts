import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the connect-failover binary', () => {
  it('prints help with exit 0 straight from the sources', async () => {
    const { stdout } = await run(process.execPath, ['bin/connect-failover.js', '--help']);
    expect(stdout).toContain('Usage: connect-failover');
  });

  it('exits 2 on an unknown command', async () => {
    const result = await run(process.execPath, ['bin/connect-failover.js', 'frobnicate']).catch((e: { code: number }) => e);
    expect((result as { code: number }).code).toBe(2);
  });
});
