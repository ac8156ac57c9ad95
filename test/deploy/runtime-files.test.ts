/**
 * The container and service files, checked for the directives that make them work as written. No Docker
 * engine runs here, so the Dockerfile is read, not built (test/deploy/compiled-runtime.test.ts runs what
 * the image runs, the way it runs it); the systemd unit is also given to `systemd-analyze verify` where
 * that program exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RUNTIME_NODE_OPTIONS } from '../../bench/lib/runtime-flags.ts';
import { DEFAULTS } from '../../src/config/schema.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STATE_DIR = '/var/lib/connect-failover';

interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

/** Dockerfile instructions with continuation lines joined and comments dropped; `stage` counts FROMs from 0. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  let stage = -1;
  return logical.map((line) => {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') stage += 1;
    return { keyword: keyword.toUpperCase(), args, stage };
  });
}

/** A systemd unit as section → key → values (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const [key, ...rest] = line.split('=');
    const values = section!.get(key!) ?? [];
    values.push(rest.join('='));
    section!.set(key!, values);
  }
  return sections;
}

describe('deploy/Dockerfile', async () => {
  const text = await readFile(join(REPO, 'deploy', 'Dockerfile'), 'utf8');
  const instructions = parseDockerfile(text);
  const lastStage = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === lastStage);
  const finalOf = (keyword: string) => final.filter((i) => i.keyword === keyword);
  const args = new Map(
    instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=') as [string, string]),
  );

  it('builds in stages, every one on a supported Node.js LTS (22 or 24; 20 reached end of life)', () => {
    const froms = instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => i.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_m, name: string) => args.get(name) ?? ''));
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const image of froms) expect(image).toMatch(/^node:(22|24)(\.\d+)*-[a-z]+-slim$/);
  });

  it('compiles in a build stage and ships dist/ with production dependencies only', () => {
    const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs).toContain('npm run build');
    expect(runs.some((run) => run.startsWith('npm ci --omit=dev'))).toBe(true);
    const copies = finalOf('COPY').map((i) => i.args);
    expect(copies).toContain('--from=production-dependencies /build/node_modules ./node_modules');
    expect(copies).toContain('--from=build /build/dist ./dist');
    expect(copies).toEqual(expect.arrayContaining(['package.json ./', 'bin ./bin']));
    expect(finalOf('COPY').some((i) => /\bsrc\b/.test(i.args) && !i.args.startsWith('--from'))).toBe(false);
  });

  it('copies only files that exist and that the build context lets in', async () => {
    const ignore = await readFile(join(REPO, 'deploy', 'Dockerfile.dockerignore'), 'utf8');
    const allowed = ignore
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/\*\*$/, ''));
    const sources = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources).toContain('package.json');
    for (const source of sources) {
      expect(existsSync(join(REPO, source)), source).toBe(true);
      expect(allowed, source).toContain(source);
    }
  });

  it('runs as an unprivileged numeric user that owns the state directory, declared as a volume', () => {
    const [user] = finalOf('USER')
      .map((i) => i.args)
      .slice(-1);
    expect(user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    const setup = finalOf('RUN')
      .map((i) => i.args)
      .join(' && ');
    expect(setup).toContain(`mkdir -p ${STATE_DIR}`);
    expect(setup).toContain(`chown ${user} ${STATE_DIR}`);
    expect(finalOf('VOLUME').map((i) => i.args)).toEqual([`["${STATE_DIR}"]`]);
  });

  it('exposes the metrics port and checks health with node, not curl', () => {
    expect(finalOf('EXPOSE').map((i) => i.args)).toEqual([String(DEFAULTS.http.port)]);
    const [healthcheck] = finalOf('HEALTHCHECK');
    expect(healthcheck?.args).toMatch(/CMD \["node", "bin\/healthcheck\.js"\]$/);
    expect(existsSync(join(REPO, 'bin', 'healthcheck.js'))).toBe(true);
    expect(instructions.map((i) => i.args).join('\n')).not.toMatch(/\b(curl|wget)\b/);
  });

  it('starts the compiled program with plain node (no tsx, no loader), `run` by default, stopped by SIGTERM', () => {
    expect(finalOf('ENTRYPOINT').map((i) => i.args)).toEqual(['["node", "bin/connect-failover.js"]']);
    expect(finalOf('CMD').map((i) => i.args)).toEqual(['["run"]']);
    expect(finalOf('STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
    expect(final.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b|--import|--loader/);
  });

  it('leaves the config to the operator: no config path baked in (so CONNECT_FAILOVER_CONFIG_YAML can be used)', () => {
    expect(finalOf('ENV').map((i) => i.args.split('=')[0])).toEqual(['NODE_ENV', 'NODE_OPTIONS']);
  });

  it('runs node with the V8 limits the memory benchmark measures', () => {
    expect(finalOf('ENV').map((i) => i.args)).toContain(`NODE_OPTIONS="${RUNTIME_NODE_OPTIONS.join(' ')}"`);
  });
});

describe('deploy/connect-failover.service', async () => {
  const path = join(REPO, 'deploy', 'connect-failover.service');
  const text = await readFile(path, 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service')!;
  const one = (key: string) => {
    const values = service.get(key) ?? [];
    expect(values, key).toHaveLength(1);
    return values[0]!;
  };

  it('runs node with the V8 limits the memory benchmark measures', () => {
    expect(service.get('Environment')).toContain(`"NODE_OPTIONS=${RUNTIME_NODE_OPTIONS.join(' ')}"`);
  });

  it('runs the compiled program with plain node as an unprivileged user', () => {
    expect(one('ExecStart')).toBe('/usr/bin/node /opt/connect-failover/bin/connect-failover.js run');
    expect(one('User')).not.toMatch(/^(root|0)$/);
    expect([...service.values()].flat().join('\n')).not.toMatch(/\btsx\b|--import|--loader/);
  });

  it('does not restart after a usage or config error (exit 2), and does after anything else', () => {
    expect(one('Restart')).toBe('always');
    expect(one('RestartPreventExitStatus').split(/\s+/)).toContain('2');
  });

  it('sandboxes the service with one writable place: the state directory systemd creates and hands to the user', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('PrivateTmp')).toBe('true');
    expect(one('NoNewPrivileges')).toBe('true');
    expect(one('StateDirectory')).toBe('connect-failover');
    expect(service.has('ReadWritePaths')).toBe(false);
    expect(one('WorkingDirectory')).toBe(STATE_DIR);
  });

  it('documents a store path inside the state directory (the default, beside the config in /etc, is read-only there)', () => {
    expect(service.get('Environment')).toContain('CONNECT_FAILOVER_CONFIG=/etc/connect-failover/config.yaml');
    expect(text).toContain(`store: { type: file, path: ${STATE_DIR}/state.json }`);
  });

  it.runIf(spawnSync('systemd-analyze', ['--version']).status === 0)(
    'passes systemd-analyze verify without a warning',
    async () => {
      // Prepare: node where this machine has it (the unit names /usr/bin/node, as Debian and NodeSource install it).
      const dir = await mkdtemp(join(tmpdir(), 'cf-unit-'));
      const copy = join(dir, 'connect-failover.service');
      await writeFile(copy, text.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));

      // Act
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      await rm(dir, { recursive: true, force: true });

      // Assess
      expect({ status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({
        status: 0,
        output: '',
      });
    },
  );
});
