/**
 * Waiting for an operator command's outcome, judged from the store alone: documents written as the
 * controller writes them (a real FileStore), each case one shape of history and shift record.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awaitCommandOutcome } from '../../src/app/await-command.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { appendHistory, emptyDocument } from '../../src/controller/document.ts';
import type { HistoryEntry, ShiftRecord } from '../../src/controller/document.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { createFailoverMachine } from '../../state-machines/index.ts';

const CONTRACT_EXAMPLE = readFileSync(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');
const T = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

let dir: string;
let config: Config;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'app-await-'));
  config = parseConfig(CONTRACT_EXAMPLE, { file: join(dir, 'config.yaml'), baseDir: dir }).config;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const command = (overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
  at: iso(T),
  kind: 'command',
  reason: 'INC-1',
  by: 'alice',
  commandId: ID,
  command: 'failover',
  force: false,
  requestedAt: iso(T - 300),
  accepted: true,
  detail: 'healthy -> failedOver',
  outcome: 'failover accepted: healthy -> failedOver',
  ...overrides,
});
const transition = (at: number, from: string, to: string, primaryPercent: number): HistoryEntry => ({
  at: iso(at),
  kind: 'transition',
  region: 'health',
  from,
  to,
  reason: `to ${to}`,
  trigger: 'operator',
  primaryPercent,
});
const shift = (overrides: Partial<ShiftRecord>): ShiftRecord => ({
  targetPrimaryPercent: 0,
  decidedSeq: 1,
  decidedAt: iso(T + 1),
  status: 'pending',
  attempts: 1,
  writes: 0,
  lastError: undefined,
  updatedAt: iso(T + 1),
  nextAttemptAt: undefined,
  verifiedAt: undefined,
  ...overrides,
});

/** Saves a document whose state is failed over (a critical alarm), with this history and shift record. */
async function save(history: HistoryEntry[], record: ShiftRecord | undefined): Promise<void> {
  const actor = createActor(createFailoverMachine(policyOf(config)), { input: { now: T - 1000 } }).start();
  actor.send({ type: 'alarm.changed', alarm: config.signals.critical[0]!, value: 'ALARM', at: T - 2000, now: T });
  const doc = emptyDocument(actor.getPersistedSnapshot(), config);
  for (const entry of history) appendHistory(doc, entry);
  doc.shift = record;
  const store = new FileStore({ path: config.store.type === 'file' ? config.store.path : '', writer: 'test' });
  try {
    await store.save(JSON.parse(JSON.stringify(doc)), 0);
  } finally {
    await store.close();
  }
}

describe('waiting for an operator command', () => {
  it('is done when the shift its decision started is verified after the decision', async () => {
    // Prepare
    await save(
      [command(), transition(T, 'healthy', 'failedOver', 0)],
      shift({ status: 'verified', verifiedAt: iso(T + 900), updatedAt: iso(T + 900) }),
    );

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 1000, pollMs: 10 });

    // Assess
    expect(outcome).toMatchObject({ kind: 'applied', targetPrimaryPercent: 0 });
    expect(outcome.message).toBe(
      `failover applied at ${iso(T)}: healthy -> failedOver; traffic verified at 0% to us-east-1 (primary), 100% to us-west-2 (replica) (${iso(T + 900)})`,
    );
  });

  it('says a refusal once, in plain words', async () => {
    // Prepare
    const detail = 'refused: replica unhealthy (connect-replica-outage in ALARM); use --force to fail over anyway';
    await save([command({ accepted: false, detail, outcome: `failover refused: ${detail}` })], undefined);

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 1000, pollMs: 10 });

    // Assess
    expect(outcome.kind).toBe('refused');
    expect(outcome.message).toBe(
      `failover REFUSED by the controller at ${iso(T)}: replica unhealthy (connect-replica-outage in ALARM); use --force to fail over anyway`,
    );
  });

  it('reports a failed shift with its error and that the controller retries', async () => {
    // Prepare
    await save(
      [command(), transition(T, 'healthy', 'failedOver', 0)],
      shift({
        status: 'failed',
        lastError: 'AccessDeniedException (HTTP 403): no',
        nextAttemptAt: iso(T + 5000),
        updatedAt: iso(T + 800),
      }),
    );

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 1000, pollMs: 10 });

    // Assess
    expect(outcome.kind).toBe('shiftFailed');
    expect(outcome.message).toContain(
      'but the shift to 0% to us-east-1 (primary), 100% to us-west-2 (replica) FAILED: AccessDeniedException (HTTP 403): no; the controller retries at',
    );
  });

  it('does not take a shift verified before the decision for this command’s', async () => {
    // Prepare: the record's target is the command's, but it was verified before the command was applied.
    await save(
      [command(), transition(T, 'healthy', 'failedOver', 0)],
      shift({ status: 'verified', decidedAt: iso(T - 60_000), verifiedAt: iso(T - 59_000) }),
    );

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 100, pollMs: 10 });

    // Assess
    expect(outcome.kind).toBe('timeout');
    expect(outcome.message).toMatch(
      /^no outcome within 100ms: applied at .*, but the shift to 0% to us-east-1 \(primary\), 100% to us-west-2 \(replica\) is not verified yet; the controller keeps at it$/,
    );
  });

  it('reports a failback undone by a later decision before it was verified', async () => {
    // Prepare
    const failback = command({
      command: 'failback',
      detail: 'failedOver -> healthy',
      outcome: 'failback accepted: failedOver -> healthy',
    });
    const again = {
      ...transition(T + 50, 'healthy', 'failedOver', 0),
      trigger: 'automatic' as const,
      reason: 'critical alarm in ALARM',
    };
    await save(
      [failback, transition(T, 'failedOver', 'healthy', 100), again],
      shift({ targetPrimaryPercent: 0, decidedAt: iso(T + 50) }),
    );

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 1000, pollMs: 10 });

    // Assess
    expect(outcome.kind).toBe('superseded');
    expect(outcome.message).toContain(
      'a later decision moved traffic the other way (healthy -> failedOver): critical alarm in ALARM',
    );
  });

  it('is done at once when the command changed no state (already failed over)', async () => {
    // Prepare
    await save(
      [command({ detail: 'already failed over; automatic failback now held until failback' })],
      shift({ status: 'verified', verifiedAt: iso(T - 1000) }),
    );

    // Act
    const outcome = await awaitCommandOutcome(config, ID, { timeoutMs: 1000, pollMs: 10 });

    // Assess
    expect(outcome.kind).toBe('applied');
  });

  it('times out saying no controller runs when the command was never applied and no lease was ever taken', async () => {
    // Prepare
    await save([], undefined);
    const seen: string[] = [];

    // Act
    const outcome = await awaitCommandOutcome(config, ID, {
      timeoutMs: 60,
      pollMs: 10,
      onProgress: (p) => seen.push(p.phase),
    });

    // Assess
    expect(outcome.kind).toBe('timeout');
    expect(outcome.message).toBe(
      'no outcome within 60ms: no controller is running (no controller has ever taken the lease of this store); the command waits in the queue and applies when a controller starts',
    );
    expect(seen[0]).toBe('queued');
  });
});
