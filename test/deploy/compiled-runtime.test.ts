/**
 * The program as it ships, the way the container image and the systemd unit run it: the compiled
 * dist/connect-failover.cjs and bin/ copied into a directory nobody may write, with only the production
 * dependencies (the packages the lock file does not mark `dev`), started as an unprivileged user (`nobody`
 * when the tests run as root, as CI does; else this user) with a read-only TMPDIR and HOME. Only the state directory is writable. It
 * must validate, run against the local stack (in this process), answer the health check and stop cleanly,
 * writing nothing but its state; `local` must say what to install.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RUNTIME_NODE_OPTIONS } from '../../bench/lib/runtime-flags.ts';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack } from '../../src/local/local-stack.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const NOBODY = 65534;
/** Root ignores file modes: the program then runs as `nobody`, for whom the modes hold. */
const AS_ROOT = process.getuid?.() === 0;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every top-level package the lock file does not mark `dev`: what `npm ci --omit=dev` installs. */
async function productionPackages(): Promise<string[]> {
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(
      ([path, entry]) =>
        path.startsWith('node_modules/') && !path.slice('node_modules/'.length).includes('node_modules/') && !entry.dev,
    )
    .map(([path]) => path.slice('node_modules/'.length));
}

/** A listing of every file under `dir` with its size and modification time, to see that nothing was written. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const stat = await lstat(path);
    out.push(`${path} ${stat.size} ${stat.mtimeMs}`);
  }
  return out.sort();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the compiled program from a read-only copy with production dependencies only', () => {
  let root: string;
  let app: string;
  let stateDir: string;
  let configPath: string;
  let stack: LocalStack;
  let port: number;
  let readOnly: string[];
  let before: string[][];

  /** Runs `node <script> …` from the copy as the unprivileged user, with a read-only TMPDIR and HOME. */
  function start(script: string, args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [resolve(app, script), ...args], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TMPDIR: join(root, 'tmp'),
        HOME: join(root, 'home'),
        // As the image and the unit set it.
        NODE_OPTIONS: RUNTIME_NODE_OPTIONS.join(' '),
        ...stack.env,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(AS_ROOT ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<Result>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    return { child, done, stdout: () => stdout };
  }

  const run = (script: string, args: string[], env?: Record<string, string>) => start(script, args, env).done;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cf-runtime-'));
    app = join(root, 'app');
    stateDir = join(root, 'state');
    for (const dir of [
      app,
      stateDir,
      join(root, 'etc'),
      join(root, 'tmp'),
      join(root, 'home'),
      join(app, 'node_modules'),
    ])
      await mkdir(dir, { recursive: true });
    await mkdir(join(app, 'dist'));
    await cp(join(REPO, 'dist', 'connect-failover.cjs'), join(app, 'dist', 'connect-failover.cjs'));
    await cp(join(REPO, 'bin'), join(app, 'bin'), { recursive: true });
    await cp(join(REPO, 'package.json'), join(app, 'package.json'));
    for (const name of await productionPackages()) {
      const target = join(REPO, 'node_modules', name);
      if (!(await lstat(target).catch(() => undefined))) continue;
      await mkdir(dirname(join(app, 'node_modules', name)), { recursive: true });
      await symlink(target, join(app, 'node_modules', name));
    }

    stack = await startLocalStack();
    port = await freePort();
    configPath = join(root, 'etc', 'config.yaml');
    await writeFile(
      configPath,
      stringify(
        stack.config({
          store: { type: 'file', path: join(stateDir, 'state.json') },
          http: { host: '127.0.0.1', port },
        }),
      ),
    );

    readOnly = [app, join(root, 'etc'), join(root, 'tmp'), join(root, 'home')];
    await chmod(root, 0o755);
    for (const dir of readOnly) {
      for (const entry of [dir, ...(await readdir(dir, { recursive: true })).map((name) => join(dir, name))]) {
        const stat = await lstat(entry);
        if (!stat.isSymbolicLink()) await chmod(entry, stat.isDirectory() ? 0o555 : 0o444);
      }
    }
    if (AS_ROOT) await chown(stateDir, NOBODY, NOBODY);
    await chmod(stateDir, 0o700);
    before = await Promise.all(readOnly.map(listing));
  });

  afterAll(async () => {
    await stack?.stop();
    if (root) {
      await chmod(root, 0o755);
      for (const dir of readOnly ?? []) await chmod(dir, 0o755).catch(() => undefined);
      await rm(root, { recursive: true, force: true, maxRetries: 3 }).catch(async () => {
        // Read-only directories inside: make them writable again, then remove.
        for (const entry of await readdir(root, { recursive: true })) {
          const path = join(root, entry);
          if (!(await lstat(path)).isSymbolicLink()) await chmod(path, 0o755).catch(() => undefined);
        }
        await rm(root, { recursive: true, force: true });
      });
    }
  });

  it('installs none of the development tools (no emulator, no TypeScript, no tsx)', async () => {
    const installed = await readdir(join(app, 'node_modules'));
    expect(installed).not.toContain('fauxqs');
    expect(installed).not.toContain('typescript');
    expect(installed).not.toContain('tsx');
    expect(installed).toContain('pino');
  });

  it('prints its help', async () => {
    const { code, stdout } = await run('bin/connect-failover.js', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: connect-failover');
  });

  it('validates the config file', async () => {
    const { code, stdout, stderr } = await run('bin/connect-failover.js', ['validate', '-c', configPath]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(stack.queueUrl);
  });

  it('validates the config given as text in CONNECT_FAILOVER_CONFIG_YAML, with the errors of a file', async () => {
    // Prepare
    const text = await readFile(configPath, 'utf8');

    // Act
    const good = await run('bin/connect-failover.js', ['validate'], { CONNECT_FAILOVER_CONFIG_YAML: text });
    const bad = await run('bin/connect-failover.js', ['validate'], {
      CONNECT_FAILOVER_CONFIG_YAML: `${text}\ndryRun: maybe\n`,
    });

    // Assess
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(stack.queueUrl);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid config in CONNECT_FAILOVER_CONFIG_YAML');
    expect(bad.stderr).toContain('dryRun');
  });

  it('runs against the local stack, answers the health check, stops on SIGTERM, and writes nothing but its state', async () => {
    // Act
    const controller = start('bin/connect-failover.js', ['run', '-c', configPath], { LOG_LEVEL: 'info' });
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (controller.stdout().includes('"msg":"controller running"')) resolve();
      };
      controller.child.stdout.on('data', check);
      void controller.done.then((result) =>
        reject(new Error(`the controller exited (${result.code}) before running: ${result.stderr}`)),
      );
      check();
    });
    const health = await run('bin/healthcheck.js', [`http://127.0.0.1:${port}/healthz`]);
    controller.child.kill('SIGTERM');
    const result = await controller.done;

    // Assess
    expect(health.code).toBe(0);
    // On failure, the controller's errors say why it did not stop cleanly.
    const errors = result.stdout.split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(result.code, errors.join('\n')).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('"msg":"controller stopped"');
    expect(await readdir(stateDir)).toContain('state.json');
    expect(await Promise.all(readOnly.map(listing))).toEqual(before);
  });

  it('fails the health check when nothing answers', async () => {
    const { code, stdout } = await run('bin/healthcheck.js', [`http://127.0.0.1:${await freePort()}/healthz`]);
    expect(code).toBe(1);
    expect(stdout).toContain('unhealthy');
  });

  it('says what to install when asked for the local stack', async () => {
    const { code, stderr } = await run('bin/connect-failover.js', [
      'local',
      '--config-out',
      join(stateDir, 'local.yaml'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'the local stack needs the SQS emulator fauxqs, a development dependency that this install left out',
    );
  });

  it('says how to build when dist/ is missing', async () => {
    // Prepare: a copy of the launcher alone, beside no dist/.
    const lone = join(stateDir, 'lone');
    await mkdir(join(lone, 'bin'), { recursive: true });
    await cp(join(REPO, 'bin', 'connect-failover.js'), join(lone, 'bin', 'connect-failover.js'));
    await cp(join(REPO, 'package.json'), join(lone, 'package.json'));
    if (AS_ROOT) for (const path of [lone, join(lone, 'bin')]) await chown(path, NOBODY, NOBODY);

    // Act
    const { code, stderr } = await run(join(lone, 'bin', 'connect-failover.js'), ['--help']);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('the compiled program is missing (dist/connect-failover.cjs)');
    expect(stderr).toContain('npm run build');
  });
});
