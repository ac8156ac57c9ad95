/** `failback --now` through the real binary: the command on the queue asks to skip the failback steps. */
import { afterEach, describe, expect, it } from 'vitest';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';

let ps: ProcessStack | undefined;
afterEach(async () => {
  await ps?.close();
  ps = undefined;
});

describe('failback --now', () => {
  it('sends a failback command that skips the remaining steps; without it, the command does not', async () => {
    ps = await startProcessStack();

    const now = await ps.cli(['failback', '--reason', 'change window closing', '--now', '--yes', '--no-wait']);
    const staged = await ps.cli(['failback', '--reason', 'staged return', '--yes', '--no-wait']);

    expect([now.code, staged.code]).toEqual([0, 0]);
    const bodies = (await ps.takeAllMessages()).map(
      (m) => JSON.parse(m.body) as { command: string; reason: string; now?: boolean },
    );
    expect(bodies.map((b) => [b.command, b.reason, b.now])).toEqual([
      ['failback', 'change window closing', true],
      ['failback', 'staged return', undefined],
    ]);
  });
});
