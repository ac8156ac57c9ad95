import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.ts';

const run = promisify(execFile);
const storeModule = pathToFileURL(fileURLToPath(new URL('../../src/store/file-store.ts', import.meta.url))).href;

/**
 * One controller process: load, add one, save with the loaded version, and on a conflict start over, until
 * it has added INCREMENTS. Prints how many conflicts it met and how many stale locks it broke.
 */
const incrementer = `
const { FileStore } = await import(process.env.STORE_MODULE);
let broken = 0;
const store = new FileStore({
  path: process.env.STATE_PATH, writer: process.env.WRITER, lockTimeoutMs: 20000,
  logger: { warn: () => { broken++; } },
});
let done = 0, conflicts = 0;
while (done < Number(process.env.INCREMENTS)) {
  const current = await store.load();
  try {
    await store.save({ count: (current?.data.count ?? 0) + 1, last: process.env.WRITER }, current?.version ?? 0);
    done++;
  } catch (error) {
    if (error.name !== 'StoreConflictError') throw error;
    conflicts++;
  }
}
await store.close();
console.log(JSON.stringify({ conflicts, broken }));
`;

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'connect-failover-processes-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the file store across processes on one host', () => {
  it('loses no increment when four processes save against each other, even past a stale lock', async () => {
    // Prepare
    const statePath = join(directory, 'state.json');
    const lockPath = `${statePath}.lock`;
    const gonePid = spawnSync(process.execPath, ['-e', '']).pid;
    const staleLock = {
      pid: gonePid,
      hostname: hostname(),
      owner: 'crashed',
      processId: randomUUID(),
      lockId: randomUUID(),
      acquiredAt: '',
    };
    await writeFile(lockPath, JSON.stringify(staleLock));
    const longAgo = new Date(Date.now() - 120_000);
    await utimes(lockPath, longAgo, longAgo);
    const processes = 4;
    const increments = 25;

    // Act
    // allSettled: every child has exited before the directory is removed, even when one fails.
    const outcomes = await Promise.allSettled(
      Array.from({ length: processes }, (_, i) =>
        run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', incrementer], {
          env: {
            ...process.env,
            STORE_MODULE: storeModule,
            STATE_PATH: statePath,
            WRITER: `p${i}`,
            INCREMENTS: String(increments),
          },
        }),
      ),
    );

    // Assess
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
    expect(failures).toEqual([]);
    const reports = outcomes.map((outcome) =>
      outcome.status === 'fulfilled'
        ? (JSON.parse(outcome.value.stdout) as { conflicts: number; broken: number })
        : { conflicts: 0, broken: 0 },
    );
    const document = await new FileStore({ path: statePath, writer: 'reader' }).load();
    expect(document).toMatchObject({ version: processes * increments, data: { count: processes * increments } });
    expect(reports.reduce((sum, report) => sum + report.broken, 0)).toBe(1);
  });
});
