/**
 * Start-up: process start to ready. Spawns `node bin/connect-failover.js run -c FILE` (the package's
 * `bin`, which runs the compiled dist/connect-failover.cjs) with the local stack's environment, and times
 * from just before the spawn until the pino line `controller running` (logged right before the first
 * receive) appears on stdout. Each start gets a fresh config and state file; the process is then stopped
 * with SIGTERM. Also timed: `controller starting` (modules loaded, config read, store opened, lease taken),
 * and a bare `node -e 0` as the floor of any Node process here.
 *
 * Comparison (with `tsx: 1`, the default): the same CLI from its TypeScript sources through tsx, as `bin`
 * ran it before there was a build step, so each run shows what the compiled runtime saves.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCliIfMain } from './lib/cli.ts';
import { mdTable } from './lib/markdown.ts';
import { repoRoot } from './lib/paths.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { startBenchStack } from './lib/stack.ts';
import { median, round, summarize } from './lib/stats.ts';

export type StartupOptions = {
  /** Timed starts. Default 7. */
  starts: number;
  /** 1: also time the CLI from its sources through tsx (the comparison); 0: skip it. Default 1. */
  tsx: number;
};

export const STARTUP_DEFAULTS: StartupOptions = { starts: 7, tsx: 1 };

const ROOT = repoRoot();
const BIN = join(ROOT, 'bin', 'connect-failover.js');

interface Start {
  /** ms from spawn to the first log line, `controller starting` and `controller running`. */
  firstLine: number;
  starting: number;
  running: number;
  /** ms from SIGTERM to the exit. */
  stop: number;
}

/** One run: `starts` timed starts of the CLI, and of the tsx comparison (defaults: {@link STARTUP_DEFAULTS}). */
export async function runStartup(options: Partial<StartupOptions> = {}): Promise<BenchResult> {
  const { starts, tsx } = { ...STARTUP_DEFAULTS, ...options };
  const bench = await startBenchStack();
  try {
    const env = { ...process.env, ...bench.stack.env, LOG_LEVEL: 'info' };
    const bare: number[] = [];
    for (let i = 0; i < starts; i++) bare.push(await timeBareNode());
    const runs: Start[] = [];
    for (let i = 0; i < starts; i++) {
      const { path } = await bench.config();
      runs.push(await timeStart([BIN], path, env));
    }
    const running = runs.map((r) => r.running);
    const spread = (values: number[]) => ({
      low: Math.min(...values),
      high: Math.max(...values),
      over: `${values.length} starts`,
    });
    const tsxRuns: Start[] = [];
    if (tsx) {
      const cli = await sourceEntry(bench.dir);
      for (let i = 0; i < starts; i++) {
        const { path } = await bench.config();
        tsxRuns.push(await timeStart(['--import', 'tsx', cli], path, env));
      }
    }
    return {
      name: 'startup',
      figures: [
        {
          key: 'startup.ready',
          label: 'Start-up: spawn → `controller running` (first receive), median',
          value: round(median(running)),
          unit: 'ms',
          target: { op: '<=', value: 500 },
          spread: spread(running),
        },
        {
          key: 'startup.starting',
          label: 'of which spawn → `controller starting` (modules, config, store, lease)',
          value: round(median(runs.map((r) => r.starting))),
          unit: 'ms',
          spread: spread(runs.map((r) => r.starting)),
        },
        {
          key: 'startup.node',
          label: 'Floor: spawn → exit of `node -e 0`, median',
          value: round(median(bare)),
          unit: 'ms',
          spread: spread(bare),
        },
        ...(tsx
          ? [
              {
                key: 'startup.tsx',
                label:
                  'Comparison: the sources through tsx (as `bin` ran before the build step): spawn → `controller running`, median',
                value: round(median(tsxRuns.map((r) => r.running))),
                unit: 'ms',
                spread: spread(tsxRuns.map((r) => r.running)),
              },
            ]
          : []),
      ],
      details: {
        starts,
        ready: Object.fromEntries(Object.entries(summarize(running)).map(([k, v]) => [k, round(v)])),
        eachStart: runs.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
        bareNode: bare.map((b) => round(b)),
        eachTsxStart: tsxRuns.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]))),
      },
    };
  } finally {
    await bench.close();
  }
}

/** An entry that runs src/cli/main.ts as the old `bin` did (through tsx), written into `dir`; returns its path. */
export async function sourceEntry(dir: string): Promise<string> {
  const entry = join(dir, 'entry-sources.mjs');
  await writeFile(
    entry,
    `const { main } = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))});\nprocess.exitCode = await main(process.argv.slice(2));\n`,
  );
  return entry;
}

async function timeBareNode(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  return performance.now() - t0;
}

/** One start: spawn, read pino lines until `controller running`, then SIGTERM and wait for the exit. */
async function timeStart(script: string[], configPath: string, env: NodeJS.ProcessEnv): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...script, 'run', '-c', configPath], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const seen: Partial<Start> = {};
  let stopAt: number;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "controller running" within 30 s; stderr: ${stderr.slice(-2000)}`)),
        30_000,
      );
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        const now = performance.now() - t0;
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          let msg: unknown;
          try {
            msg = (JSON.parse(line) as { msg?: unknown }).msg;
          } catch {
            continue;
          }
          seen.firstLine ??= now;
          if (msg === 'controller starting') seen.starting ??= now;
          if (msg === 'controller running') {
            seen.running = now;
            clearTimeout(timer);
            resolve();
          }
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the controller exited (${code}) before it was running; stderr: ${stderr.slice(-2000)}`));
      });
    });
  } finally {
    stopAt = performance.now();
    child.kill('SIGTERM');
    const stopped = await Promise.race([
      exited,
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000)),
    ]);
    if (stopped === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
  }
  return {
    firstLine: seen.firstLine ?? Number.NaN,
    starting: seen.starting ?? Number.NaN,
    running: seen.running!,
    stop: performance.now() - stopAt,
  };
}

export const startup: Benchmark<StartupOptions> = {
  name: 'startup',
  title: 'Start-up to ready',
  method:
    "`node bin/connect-failover.js run -c FILE` (the compiled dist/connect-failover.cjs, plain node) spawned with the local stack's " +
    'environment (fresh config and state file each time, log level info), timed from just before the spawn to the pino line ' +
    '`controller running` on stdout (logged right before the first receive), then stopped with SIGTERM. Median of 7. Also: spawn → ' +
    '`controller starting` (modules loaded, config read, store opened, lease taken); the floor, `node -e 0`; and, for comparison, the ' +
    'same CLI from its TypeScript sources through tsx, as `bin` ran it before the build step.',
  defaults: STARTUP_DEFAULTS,
  runs: 1,
  run: runStartup,
  details: (results) => {
    const r = results[results.length - 1]!;
    const rows = (label: string, starts: Array<Record<string, number>> | undefined) =>
      (starts ?? []).map((s, i) => [`${label} ${i + 1}`, s['starting'] ?? '', s['running'] ?? '', s['stop'] ?? '']);
    return mdTable(
      ['start', 'ms to `controller starting`', 'ms to `controller running`', 'ms SIGTERM → exit'],
      [
        ...rows('compiled (bin)', r.details['eachStart'] as Array<Record<string, number>>),
        ...rows('sources through tsx', r.details['eachTsxStart'] as Array<Record<string, number>>),
      ],
    );
  },
};

runCliIfMain(startup);
