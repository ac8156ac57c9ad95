/**
 * A dead lease holder (issue 14, finding 8): a controller that dies without releasing its lease (SIGKILL,
 * or an exit on ENOSPC) must not be named as the running controller until the lease's TTL passes.
 * `status` and `acquireLease` apply one liveness rule: a holder on this host whose pid is gone holds nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/store/file-store.ts';
import type { LeaseRecord } from '../../src/store/lease.ts';
import { encodeLeaseFile } from '../../src/store/state-file-format.ts';
import { eventually } from '../helpers/eventually.ts';
import { leaseRecord } from '../helpers/lease-record.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('status after the lease holder died', () => {
  let ps: ProcessStack | undefined;
  afterEach(async () => {
    await ps?.close();
    ps = undefined;
  });

  it('does not name a SIGKILLed controller as the running one while its lease is unexpired', async () => {
    // Prepare: a running controller holds the lease; status names it.
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    const holder = `${hostname()}:${controller.pid}`;
    const live = await ps.cli(['status', '--json']);
    expect((JSON.parse(live.stdout) as { leader: string | null }).leader).toBe(holder);

    // Act: it dies without releasing the lease (30 s TTL, far from lapsing).
    await controller.kill();
    const json = await ps.cli(['status', '--json']);
    const text = await ps.cli(['status']);

    // Assess
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { leader: string | null }).leader).toBeNull();
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain(`${holder} (holds the lease)`);
    expect(text.stdout).toMatch(/controller\s+NOT RUNNING/);
  });

  it('names a live controller again once a new one takes over', async () => {
    // Prepare
    ps = await startProcessStack();
    const first = ps.spawnController();
    await first.ready();
    await first.kill();

    // Act: the restarted controller takes the dead holder's lease at once (acquireLease's rule).
    const second = ps.spawnController();
    await second.ready();

    // Assess
    const stack = ps;
    const expected = `${hostname()}:${second.pid}`;
    const leader = await eventually(
      async () => {
        const { leader } = JSON.parse((await stack.cli(['status', '--json'])).stdout) as { leader: string | null };
        return leader === expected ? leader : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'status to name the new controller' },
    );
    expect(leader).toBe(expected);
  });
});

describe('FileStore.readLease and acquireLease agree on who holds the lease', () => {
  let directory: string;
  let statePath: string;
  const stores: FileStore[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cf-dead-lease-'));
    statePath = join(directory, 'state.json');
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await rm(directory, { recursive: true, force: true });
  });

  function open(writer: string): FileStore {
    const store = new FileStore({ path: statePath, writer });
    stores.push(store);
    return store;
  }

  async function placeLease(record: Pick<LeaseRecord, 'holder' | 'host' | 'pid'>): Promise<void> {
    await writeFile(`${statePath}.lease`, encodeLeaseFile(leaseRecord(record)));
  }

  it.each([
    ['a pid on this host that has exited', () => ({ holder: 'dead', host: hostname(), pid: deadPid() }), false],
    ['a pid on this host that runs', () => ({ holder: 'alive', host: hostname(), pid: process.ppid }), true],
    [
      'a pid on another host (cannot be checked)',
      () => ({ holder: 'remote', host: `not-${hostname()}`, pid: deadPid() }),
      true,
    ],
    ['a holder that recorded no pid (cannot be checked)', () => ({ holder: 'unknown' }), true],
  ])('an unexpired lease held by %s', async (_case, holderOf, held) => {
    // Prepare
    const holder = holderOf();
    await placeLease(holder);

    // Act
    const seen = await open('status-reader').readLease();
    const claim = await open('claimant').acquireLease(30_000);

    // Assess: readLease names the holder (as not released) exactly when acquireLease would leave the lease to it.
    expect(seen?.holder).toBe(holder.holder);
    expect(seen?.released).toBe(!held);
    expect(claim.held).toBe(!held);
  });
});
