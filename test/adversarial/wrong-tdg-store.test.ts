/**
 * Two configs for two traffic distribution groups on one store path (the default path makes this easy).
 * The second must be refused as a config error naming both groups and the fix, by `run` before it waits
 * for the lease, by `status` and `history`, and by `preflight`'s store check; never used as its own state.
 * A document written before documents named their group is adopted by the controller of this config.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import { readDocument } from '../../src/controller/document.ts';
import { ConfigError } from '../../src/errors.ts';
import type { PreflightReport } from '../../src/preflight/index.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { eventually } from '../helpers/eventually.ts';
import { logMatching, startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';
import { exampleConfig, runCli, validDocument } from './fixtures.ts';

const OTHER_TDG = `arn:aws:connect:us-east-1:111122223333:traffic-distribution-group/${randomUUID()}`;

describe('a document belongs to one traffic distribution group and its Regions', () => {
  let config: Config;
  beforeAll(async () => {
    config = await exampleConfig();
  });

  it('is refused for a config of another group, as a config error naming both and the fix', () => {
    // Prepare
    const doc = validDocument(config);
    const other: Config = {
      ...config,
      trafficDistributionGroup: { id: OTHER_TDG.split('/')[1]!, arn: OTHER_TDG, region: 'us-east-1' },
    };

    // Act
    const read = () => readDocument(doc, 'file /x/state.json', { config: other });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(config.trafficDistributionGroup.arn!);
    expect(read).toThrow(OTHER_TDG);
    expect(read).toThrow(/store\.path/);
  });

  it('is refused for a config with other Regions', () => {
    // Prepare
    const doc = validDocument(config);
    const other: Config = { ...config, regions: { primary: 'us-east-1', replica: 'eu-west-2' } };

    // Act
    const read = () => readDocument(doc, 'file /x/state.json', { config: other });

    // Assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/replica us-west-2.*replica eu-west-2/s);
  });

  it('is accepted when the config names the same group by its bare id, and the other way round', () => {
    // Prepare
    const byId: Config = {
      ...config,
      trafficDistributionGroup: { ...config.trafficDistributionGroup, arn: undefined, region: undefined },
    };

    // Act
    const readById = readDocument(validDocument(config), 'file /x/state.json', { config: byId });
    const readByArn = readDocument(validDocument(byId), 'file /x/state.json', { config });

    // Assess: the ARN, once known, is what the document keeps.
    expect(readById.owner?.trafficDistributionGroup).toBe(config.trafficDistributionGroup.arn);
    expect(readByArn.owner?.trafficDistributionGroup).toBe(config.trafficDistributionGroup.arn);
  });

  it('adopts a document that names no group, telling the caller', () => {
    // Prepare
    const doc = validDocument(config);
    delete doc.owner;
    const adopted: unknown[] = [];

    // Act
    const read = readDocument(doc, 'file /x/state.json', { config, onAdopt: (owner) => adopted.push(owner) });

    // Assess
    expect(read.owner).toEqual({
      trafficDistributionGroup: config.trafficDistributionGroup.arn,
      regions: config.regions,
    });
    expect(adopted).toEqual([read.owner]);
  });
});

describe("the CLI with another group's state file", () => {
  let ps: ProcessStack | undefined;
  afterEach(async () => {
    await ps?.close();
    ps = undefined;
  });

  /** A config like the stack's own but for another group, on the same store path. */
  async function otherGroupConfig(stack: ProcessStack, overrides: Record<string, unknown>): Promise<string> {
    const raw = YAML.parse(await readFile(stack.configPath, 'utf8')) as Record<string, unknown>;
    const path = join(stack.dir, `other-${randomUUID()}.yaml`);
    await writeFile(path, YAML.stringify({ ...raw, ...overrides }));
    return path;
  }

  it('refuses the second group in run (at once, not as a standby), status, history and preflight', async () => {
    // Prepare: group A's controller runs and holds the lease on the shared store.
    ps = await startProcessStack();
    const a = ps.spawnController();
    await a.ready();
    const b = await otherGroupConfig(ps, { trafficDistributionGroup: OTHER_TDG });
    const ownArn = ps.config.trafficDistributionGroup.arn!;

    // Act
    const run = await runCli(['run', '-c', b], { env: ps.env, timeoutMs: 15_000 });
    const status = await runCli(['status', '-c', b, '--json'], { env: ps.env });
    const history = await runCli(['history', '-c', b], { env: ps.env });
    const preflight = await runCli(['preflight', '-c', b, '--json'], { env: ps.env });

    // Assess
    expect({ timedOut: run.timedOut, code: run.code }).toEqual({ timedOut: false, code: 2 });
    expect(run.stdout).not.toContain('standby');
    for (const result of [run, status, history]) {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(ownArn);
      expect(result.stderr).toContain(OTHER_TDG);
      expect(result.stderr).toContain('store.path');
    }
    expect(status.stdout).toBe('');
    expect(preflight.code).toBe(1);
    const store = (JSON.parse(preflight.stdout) as PreflightReport).checks.find((c) => c.id === 'store');
    expect(store).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(ownArn),
      fix: expect.stringContaining('store.path'),
    });
    expect(store?.detail).toContain(OTHER_TDG);
    // Group A's controller is untouched by all this.
    expect(a.logs.some(logMatching('controller failed'))).toBe(false);
    expect((await ps.cli(['status', '--json'])).code).toBe(0);
  });

  it("refuses a config whose Regions differ from the document's", async () => {
    // Prepare: A ran once and stopped.
    ps = await startProcessStack();
    const a = ps.spawnController();
    await a.ready();
    await a.stop();
    const b = await otherGroupConfig(ps, { regions: { primary: 'us-east-1', replica: 'eu-west-2' } });

    // Act
    const status = await runCli(['status', '-c', b], { env: ps.env });

    // Assess
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/replica us-west-2.*replica eu-west-2/s);
  });

  it('adopts a state file written before documents named their group: status reads it, run records the group', async () => {
    // Prepare: a document as an earlier release saved it, without the owner field.
    ps = await startProcessStack();
    const legacy = validDocument(ps.config);
    delete legacy.owner;
    const store = new FileStore({ path: ps.statePath, writer: 'earlier-release' });
    await store.save(legacy, 0);
    await store.close();

    // Act
    const status = await runCli(['status', '-c', ps.configPath, '--json'], { env: ps.env });
    const preflight = await runCli(['preflight', '-c', ps.configPath, '--json'], { env: ps.env });
    const controller = ps.spawnController();
    await controller.ready();
    const stack = ps;

    // Assess
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'failedOver', automation: 'paused' });
    expect(status.stderr).toContain('does not say which traffic distribution group it belongs to');
    const storeCheck = (JSON.parse(preflight.stdout) as PreflightReport).checks.find((c) => c.id === 'store');
    expect(storeCheck).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(stack.config.trafficDistributionGroup.arn!),
    });
    await controller.waitForLog(
      logMatching('state document names no traffic distribution group; adopting it for this one'),
    );
    const saved = await eventually(async () => (await stack.readDocument())?.owner, { what: 'the owner to be saved' });
    expect(saved).toEqual({
      trafficDistributionGroup: stack.config.trafficDistributionGroup.arn,
      regions: stack.config.regions,
    });
    expect((await controller.stop()).code).toBe(0);
  });
});
