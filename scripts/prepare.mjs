// `npm ci`'s `prepare` step: builds dist/ (scripts/build.ts), so `npx connect-failover` works right after
// the install. An install without the development dependencies (`npm ci --omit=dev`) has no build tools:
// it keeps a dist/ that is already there, and otherwise fails saying how to get one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function installed(name) {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

if (installed('tsx') && installed('esbuild')) {
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  process.exit(build.status ?? 1);
}
if (existsSync(new URL('../dist/connect-failover.cjs', import.meta.url))) {
  process.stderr.write(
    'connect-failover: no build tools in this install (--omit=dev); keeping the dist/ already built\n',
  );
  process.exit(0);
}
process.stderr.write(
  'connect-failover: cannot build dist/ without the development dependencies (this install left them out).\n' +
    'Install with them and build (`npm ci`), then drop them (`npm prune --omit=dev`), as deploy/Dockerfile does.\n',
);
process.exit(1);
