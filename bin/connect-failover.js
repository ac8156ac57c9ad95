#!/usr/bin/env node
// Runs the compiled program, dist/connect-failover.cjs (`npm ci` builds it through the `prepare` script),
// with plain node: no loader, nothing written at run time but the state store and stdout.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const program = new URL('../dist/connect-failover.cjs', import.meta.url);
if (!existsSync(program)) {
  process.stderr.write(
    'connect-failover: the compiled program is missing (dist/connect-failover.cjs).\n' +
      "In a clone, `npm ci` builds it (the package's `prepare` script); after `npm ci --ignore-scripts`, or to pick up\n" +
      'edited sources, run `npm run build`. A production install builds with the development dependencies, then\n' +
      'leaves them out (deploy/README.md, "Runtime").\n',
  );
  process.exit(1);
}
const { main } = createRequire(import.meta.url)(fileURLToPath(program));
process.exitCode = await main(process.argv.slice(2));
