/**
 * The embedded local stack set up for a benchmark: the environment pointed at it (the controller's AWS
 * clients read it), a temp directory for state files, and configs in the file's shape parsed by the
 * real config loader.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack, LocalStackOptions } from '../../src/local/local-stack.ts';

export interface BenchStack {
  stack: LocalStack;
  dir: string;
  /** Writes `config-<n>.json` (file store in `dir` unless overridden) and returns its path and parsed form. */
  config(overrides?: Record<string, unknown>): Promise<{ path: string; config: Config }>;
  close(): Promise<void>;
}

/** Timings that never fire during a benchmark, and a shift limit a benchmark cannot reach. */
export const QUIET_TIMING = {
  escalateAfter: '1h',
  recoverAfter: '1h',
  cooldown: '0s',
  maxAutomaticShifts: { count: 100_000, per: '1h' },
};

export async function startBenchStack(options: LocalStackOptions = {}): Promise<BenchStack> {
  const stack = await startLocalStack(options);
  Object.assign(process.env, stack.env);
  const dir = await mkdtemp(join(tmpdir(), 'cf-bench-'));
  let configs = 0;
  return {
    stack,
    dir,
    async config(overrides = {}) {
      configs += 1;
      const path = join(dir, `config-${configs}.json`);
      const raw = stack.config({
        timing: QUIET_TIMING,
        store: { type: 'file', path: join(dir, `state-${configs}.json`) },
        ...overrides,
      });
      const text = JSON.stringify(raw, null, 2);
      await writeFile(path, text);
      return { path, config: parseConfig(text, { file: path, baseDir: dir }).config };
    },
    async close() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
