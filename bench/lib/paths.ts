/**
 * Where the repository is, for a benchmark run from its source (`bench/`, through tsx or vitest) or from
 * its bundle (`dist/bench/`): in a bundle `import.meta.url` is empty, so the root is found by walking up
 * from the script (then from the working directory) to the package.json of connect-failover.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const PACKAGE = 'connect-failover';

function findRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE) return dir;
      } catch {
        // not ours: keep walking
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository root (the directory of connect-failover's package.json). */
export function repoRoot(): string {
  const root = (process.argv[1] ? findRoot(dirname(process.argv[1])) : undefined) ?? findRoot(process.cwd());
  if (!root)
    throw new Error(`cannot find the ${PACKAGE} repository above ${process.argv[1] ?? ''} or ${process.cwd()}`);
  return root;
}
