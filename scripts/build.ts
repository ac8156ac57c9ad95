/**
 * Builds the runtime `bin/connect-failover.js` runs: `src/cli/main.ts` and everything it imports (the
 * commands it loads lazily included) compiled by esbuild into one CommonJS file, `dist/connect-failover.cjs`.
 * npm packages stay in node_modules and are loaded with `require()`. `npm ci` runs this (the `prepare`
 * script); so do `npm start` and the test setup when a source is newer than the build.
 *
 *   node --import tsx scripts/build.ts    (npm run build)
 *
 * `npm run bench` bundles each benchmark the same way (`buildBenchmarks`), so it measures what ships.
 *
 * Why one CommonJS file rather than tsc's file-per-module ESM output: start-up. Node imports a CommonJS
 * package from ESM by first compiling it to detect its format and lexing it for export names; for the
 * AWS SDK clients and prom-client that is about 250 ms of CPU against 110 ms through `require()`, and
 * resolving ~140 project modules one by one costs another 50–80 ms (bench/findings.md, start-up). Type
 * checking is not done here (`npm run typecheck` checks every file); esbuild only strips the types.
 * Any esbuild warning fails the build: `import.meta` (empty in CommonJS) and the like would be bugs at run time.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, formatMessages } from 'esbuild';
import type { BuildOptions } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The runtime's entry and output, relative to the repository root. */
export const RUNTIME = { entry: 'src/cli/main.ts', outfile: 'dist/connect-failover.cjs' } as const;

/** The options shared by the runtime and the benchmarks, so a benchmark measures what ships. */
export const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // The oldest Node.js the package supports (package.json engines); the image runs 24.
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'silent',
  write: false,
  banner: { js: '// Built by scripts/build.ts from src/ (npm run build); do not edit.' },
};

/** Bundles `entry` into `outfile` (both relative to `root`); the file is replaced whole, never half-written. */
export async function bundle(entry: string, outfile: string, root = ROOT): Promise<void> {
  const result = await build({ ...BUNDLE_OPTIONS, absWorkingDir: root, entryPoints: [entry], outfile });
  if (result.warnings.length > 0) {
    const text = await formatMessages(result.warnings, { kind: 'warning' });
    throw new Error(`esbuild warnings (a warning fails the build):\n${text.join('\n')}`);
  }
  for (const output of result.outputFiles ?? []) {
    assertRequirable(output.text, root);
    await mkdir(dirname(output.path), { recursive: true });
    const temporary = `${output.path}.${process.pid}.tmp`;
    await writeFile(temporary, output.contents);
    await rename(temporary, output.path);
  }
}

/**
 * Every package the bundle loads with `require()` must have a CommonJS entry: an ESM-only package (one whose
 * `exports` offer only `import`, like fauxqs) fails there at run time, and only on the path that loads it.
 * Such a package is imported with `await import('…')` in the source, which the bundle keeps as it is.
 */
function assertRequirable(code: string, root: string): void {
  const require = createRequire(join(root, 'package.json'));
  const packages = new Set(
    [...code.matchAll(/\brequire\("([^"./][^"]*)"\)/g)].map((match) => match[1]!).filter((name) => !isBuiltin(name)),
  );
  const refused = [...packages].filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (refused.length > 0) {
    throw new Error(
      `the bundle would require() ${refused.join(', ')}, which cannot be loaded that way (ESM-only, or not installed): ` +
        'import it with `await import(...)` where it is used',
    );
  }
}

export async function buildRuntime(root = ROOT): Promise<void> {
  await bundle(RUNTIME.entry, RUNTIME.outfile, root);
}

/** Where {@link buildBenchmarks} writes benchmark `name`, relative to the repository root. */
export function benchmarkBundle(name: string): string {
  return `dist/bench/${name}.cjs`;
}

/** Benchmarks `bench/<name>.ts` into dist/bench/<name>.cjs, bundled as the runtime is. */
export async function buildBenchmarks(names: readonly string[], root = ROOT): Promise<void> {
  await Promise.all(names.map((name) => bundle(`bench/${name}.ts`, benchmarkBundle(name), root)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildRuntime();
}
