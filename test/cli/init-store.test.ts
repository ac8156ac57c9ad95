/**
 * `init-store` and a `run` whose table is missing, as a user runs them: the CLI as a child process, pointed
 * at dynalite (started here) through AWS_ENDPOINT_URL_DYNAMODB, the contract's way to reach an emulator.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DYNALITE_CREDENTIALS, startDynalite } from '../helpers/dynalite-server.ts';
import type { RunningDynalite } from '../helpers/dynalite-server.ts';

const exec = promisify(execFile);
const EXAMPLE = 'test/fixtures/config/contract-example.yaml';

let dynamo: RunningDynalite;
let dir: string;

/** Runs the CLI as a user would, with the SDK pointed at dynalite by the environment alone. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    NO_COLOR: '1',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: DYNALITE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DYNALITE_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  try {
    const { stdout, stderr } = await exec(process.execPath, ['bin/connect-failover.js', ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The contract's example config with `store` replaced. */
async function configWith(name: string, store: string): Promise<string> {
  const path = join(dir, name);
  const text = (await readFile(EXAMPLE, 'utf8')).replace(/^store:\n(?: {2}.*\n)+/m, `store:\n${store}`);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dynamo = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), 'cf-init-store-'));
});
afterAll(async () => {
  await dynamo.close();
  await rm(dir, { recursive: true, force: true });
});

describe('init-store', () => {
  it('creates the table on the first run and says it exists and is usable on the second, exiting 0 both times', async () => {
    // Prepare
    const config = await configWith('dynamodb.yaml', '  type: dynamodb\n  table: cf-init-store\n  region: us-west-2\n');

    // Act
    const first = await cli(['init-store', '-c', config]);
    const second = await cli(['init-store', '-c', config]);
    const table = (await dynamo.client.send(new DescribeTableCommand({ TableName: 'cf-init-store' }))).Table;

    // Assess
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(
      'created DynamoDB table cf-init-store in us-west-2 (partition key pk (string), on-demand)',
    );
    // dynalite has no point-in-time recovery API: said, not failed.
    expect(first.stderr).toContain('warning: this endpoint does not offer point-in-time recovery');
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain('DynamoDB table cf-init-store in us-west-2 already exists and is usable');
    expect(table).toMatchObject({ TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
  });

  it('says a file store has nothing to create, and creates its directory', async () => {
    // Prepare
    const statePath = join(dir, 'not-yet', 'state.json');
    const config = await configWith('file.yaml', `  type: file\n  path: ${statePath}\n`);

    // Act
    const result = await cli(['init-store', '-c', config]);

    // Assess
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain(`file store ${statePath}: nothing to create`);
    expect((await stat(join(dir, 'not-yet'))).isDirectory()).toBe(true);
  });
});

describe('run with a DynamoDB store', () => {
  it('exits 2 when the table does not exist, naming init-store', async () => {
    // Prepare
    const config = await configWith('missing.yaml', '  type: dynamodb\n  table: cf-never-created\n');

    // Act
    const result = await cli(['run', '-c', config]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('store.table: DynamoDB table "cf-never-created" does not exist in us-west-2');
    expect(result.stderr).toContain('connect-failover init-store -c FILE');
  });
});
