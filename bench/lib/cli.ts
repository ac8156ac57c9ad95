/**
 * Lets every benchmark module run on its own: `node --import tsx bench/X.ts [--json] [--<option> N]`, or
 * its bundle `node dist/bench/X.cjs …` (what `npm run bench` runs: `node --import tsx scripts/build.ts --bench` builds them).
 * With `--json` the result is one JSON line on stdout (run-all reads it); otherwise a readable list.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeTarget, meets } from './report.ts';
import type { Benchmark } from './report.ts';

// The SDK's Node-version notice would otherwise interleave with every benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** True when the module at `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(script).href === moduleUrl;
}

/**
 * True when node was started with the benchmark `name` itself: `bench/<name>.ts` (through tsx) or its
 * bundle `dist/bench/<name>.cjs` (`npm run bench`). By name, because in a bundle every module shares the
 * bundle's `import.meta.url` (empty in CommonJS), and a benchmark importing another must not run it too.
 */
export function isBenchmarkMain(name: string): boolean {
  const script = process.argv[1];
  return script !== undefined && basename(script).replace(/\.(ts|js|cjs|mjs)$/, '') === name;
}

/** {@link runCli} when `benchmark` is the script node was started with; a failure sets exit code 1. */
export function runCliIfMain<O extends Record<string, number | string>>(benchmark: Benchmark<O>): void {
  if (!isBenchmarkMain(benchmark.name)) return;
  runCli(benchmark).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

/**
 * Parses `--<name> <value>` for each option in `defaults` (numbers where the default is one; plus `--json`), runs the benchmark,
 * prints the result and exits non-zero only when the benchmark itself failed (never for a missed target).
 */
export async function runCli<O extends Record<string, number | string>>(benchmark: Benchmark<O>): Promise<void> {
  const { defaults } = benchmark;
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      ...Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' as const }])),
    },
  });
  const options = { ...defaults };
  for (const key of Object.keys(defaults) as Array<keyof O & string>) {
    const raw = (values as Record<string, unknown>)[key];
    if (typeof raw !== 'string') continue;
    if (typeof defaults[key] === 'string') {
      (options as Record<string, number | string>)[key] = raw;
      continue;
    }
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new RangeError(`--${key} must be a number, got ${raw}`);
    (options as Record<string, number | string>)[key] = n;
  }
  const result = await benchmark.run(options);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(`# ${result.name}`);
  for (const f of result.figures) {
    const judged = f.target
      ? `  (target ${describeTarget(f.target, f.unit)}: ${meets(f.value, f.target) ? 'met' : 'MISSED'})`
      : '';
    console.log(`${f.label}: ${f.value} ${f.unit}${judged}`);
  }
  console.log(benchmark.details ? benchmark.details([result]) : JSON.stringify(result.details, null, 2));
}
