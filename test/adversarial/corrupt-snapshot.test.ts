/**
 * A state file whose header is fine but whose `data` is not: each field broken on its own must be refused
 * with an error that names the field and what to do, never restored into a controller that crashes with a
 * raw TypeError (`snapshot: {}`), cannot record history (`history: "x"`) or runs on NaN time
 * (`context.now: "soon"`).
 */
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/types.ts';
import { readDocument } from '../../src/controller/document.ts';
import { StoreCorruptError } from '../../src/errors.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';
import { exampleConfig, loggedError, runCli, validDocument } from './fixtures.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Corruption {
  name: string;
  breakIt(doc: Doc): void;
  /** What the error must say: the field's path and what was found there. */
  says: string;
}

const CRITICAL = 'connect-primary-outage';

const corruptions: Corruption[] = [
  { name: 'snapshot is an empty object', breakIt: (d) => (d.snapshot = {}), says: 'data.snapshot.value: expected' },
  { name: 'snapshot is missing', breakIt: (d) => delete d.snapshot, says: 'data.snapshot: expected' },
  {
    name: 'an unknown health value',
    breakIt: (d) => (d.snapshot.value.health = 'sideways'),
    says: 'data.snapshot.value.health: expected one of healthy, degraded, failedOver, failingBack, found "sideways"',
  },
  {
    name: 'an unknown automation value',
    breakIt: (d) => (d.snapshot.value.automation = 'maybe'),
    says: 'data.snapshot.value.automation: expected one of active, paused, suspended, found "maybe"',
  },
  {
    name: 'a snapshot of a stopped actor',
    breakIt: (d) => (d.snapshot.status = 'stopped'),
    says: 'data.snapshot.status: expected "active", found "stopped"',
  },
  {
    name: 'a child actor the statechart never invokes',
    breakIt: (d) => (d.snapshot.children = { x: { src: 'x' } }),
    says: 'data.snapshot.children: expected no child actors',
  },
  {
    name: 'context.now is not a time',
    breakIt: (d) => (d.snapshot.context.now = 'soon'),
    says: 'data.snapshot.context.now: expected a time in epoch ms, found "soon"',
  },
  {
    name: 'context.since is null',
    breakIt: (d) => (d.snapshot.context.since = null),
    says: 'data.snapshot.context.since: expected a time in epoch ms, found null',
  },
  {
    name: 'context.okSince is text',
    breakIt: (d) => (d.snapshot.context.okSince = 'x'),
    says: 'data.snapshot.context.okSince: expected null or a time in epoch ms, found "x"',
  },
  {
    name: 'context.lastShiftAt is negative',
    breakIt: (d) => (d.snapshot.context.lastShiftAt = -5),
    says: 'data.snapshot.context.lastShiftAt: expected null or a time in epoch ms, found -5',
  },
  {
    name: 'an automatic shift time is text',
    breakIt: (d) => (d.snapshot.context.automaticShifts = [1, 'x']),
    says: 'data.snapshot.context.automaticShifts[1]: expected a time in epoch ms, found "x"',
  },
  {
    name: 'context.signals is a list',
    breakIt: (d) => (d.snapshot.context.signals = []),
    says: 'data.snapshot.context.signals: expected',
  },
  {
    name: 'an alarm value CloudWatch never has',
    breakIt: (d) => (d.snapshot.context.signals[CRITICAL].value = 'RED'),
    says: `data.snapshot.context.signals["${CRITICAL}"].value: expected one of OK, ALARM, INSUFFICIENT_DATA, found "RED"`,
  },
  {
    name: 'an alarm reading without its time',
    breakIt: (d) => delete d.snapshot.context.signals[CRITICAL].at,
    says: `data.snapshot.context.signals["${CRITICAL}"].at: expected a time in epoch ms, found nothing`,
  },
  {
    name: 'context.operatorHold is text',
    breakIt: (d) => (d.snapshot.context.operatorHold = 'yes'),
    says: 'data.snapshot.context.operatorHold: expected true or false, found "yes"',
  },
  {
    name: 'context.automationReason is a number',
    breakIt: (d) => (d.snapshot.context.automationReason = 7),
    says: 'data.snapshot.context.automationReason: expected null or a string, found 7',
  },
  {
    name: 'context.decisions is text',
    breakIt: (d) => (d.snapshot.context.decisions = 'none'),
    says: 'data.snapshot.context.decisions: expected a list of decisions, found "none"',
  },
  {
    name: 'a decision in an unknown region',
    breakIt: (d) => (d.snapshot.context.decisions[0].region = 'weather'),
    says: 'data.snapshot.context.decisions[0].region: expected one of health, automation, found "weather"',
  },
  {
    name: 'context.seq is not a whole number',
    breakIt: (d) => (d.snapshot.context.seq = 1.5),
    says: 'data.snapshot.context.seq: expected a whole number >= 0, found 1.5',
  },
  {
    name: 'context.lastCommand is text',
    breakIt: (d) => (d.snapshot.context.lastCommand = 'pause'),
    says: 'data.snapshot.context.lastCommand: expected null or the last operator command, found "pause"',
  },
  {
    name: 'context.lastCommand names no known command',
    breakIt: (d) => (d.snapshot.context.lastCommand.command = 'reboot'),
    says: 'data.snapshot.context.lastCommand.command: expected one of failover, failback, pause, resume, found "reboot"',
  },
  {
    name: 'history is text',
    breakIt: (d) => (d.history = 'x'),
    says: 'data.history: expected a list of history entries, found "x"',
  },
  {
    name: 'a history entry of an unknown kind',
    breakIt: (d) => (d.history[0].kind = 'party'),
    says: 'data.history[0].kind: expected one of transition, command, shift, drift, blocked, startup, disputed, unconfirmed, forged, found "party"',
  },
  {
    name: 'a history entry time that is not a time',
    breakIt: (d) => (d.history[1].at = 'yesterday'),
    says: 'data.history[1].at: expected an ISO 8601 time, found "yesterday"',
  },
  {
    name: 'a history entry without a reason',
    breakIt: (d) => delete d.history[2].reason,
    says: 'data.history[2].reason: expected a string, found nothing',
  },
  {
    name: 'commandIds is text',
    breakIt: (d) => (d.commandIds = 'cmd-1'),
    says: 'data.commandIds: expected a list of command ids, found "cmd-1"',
  },
  {
    name: 'a command id is a number',
    breakIt: (d) => (d.commandIds = [42]),
    says: 'data.commandIds[0]: expected a string, found 42',
  },
  { name: 'shift is text', breakIt: (d) => (d.shift = 'x'), says: 'data.shift: expected a shift record, found "x"' },
  {
    name: 'a shift status nobody writes',
    breakIt: (d) => (d.shift.status = 'done'),
    says: 'data.shift.status: expected one of pending, verified, failed, dryRun, found "done"',
  },
  {
    name: 'a shift target above 100%',
    breakIt: (d) => (d.shift.targetPrimaryPercent = 150),
    says: 'data.shift.targetPrimaryPercent: expected a percent from 0 to 100, found 150',
  },
  {
    name: 'actual is a number',
    breakIt: (d) => (d.actual = 7),
    says: 'data.actual: expected the split last read from Connect, found 7',
  },
  {
    name: 'the owner is text',
    breakIt: (d) => (d.owner = 'me'),
    says: 'data.owner: expected the traffic distribution group and Regions the document belongs to, found "me"',
  },
];

describe('a corrupt controller document is refused, naming the field', () => {
  let config: Config;
  beforeAll(async () => {
    config = await exampleConfig();
  });

  it('accepts the document as the controller writes it', () => {
    // Prepare
    const doc = validDocument(config);

    // Act
    const read = readDocument(doc, 'file /x/state.json', { config });

    // Assess
    expect(read.history).toHaveLength(3);
    expect(read.commandIds).toEqual(['cmd-1']);
    expect(read.snapshot).toEqual(doc.snapshot);
  });

  it('reads a document without commandIds, history, shift or actual with empty ones', () => {
    // Prepare
    const doc: Doc = validDocument(config);
    delete doc.commandIds;
    delete doc.history;
    delete doc.shift;
    delete doc.actual;

    // Act
    const read = readDocument(doc, 'file /x/state.json', { config });

    // Assess
    expect({ commandIds: read.commandIds, history: read.history, shift: read.shift, actual: read.actual }).toEqual({
      commandIds: [],
      history: [],
      shift: undefined,
      actual: undefined,
    });
  });

  it.each(corruptions)('$name', ({ breakIt, says }) => {
    // Prepare
    const doc: Doc = validDocument(config);
    breakIt(doc);

    // Act
    const read = () => readDocument(doc, 'file /x/state.json', { config });

    // Assess
    expect(read).toThrow(StoreCorruptError);
    expect(read).toThrow(says);
    expect(read).toThrow(/^file \/x\/state\.json: .* move the file away/s);
  });
});

describe('the CLI with a corrupt state file', () => {
  let ps: ProcessStack;
  beforeAll(async () => {
    ps = await startProcessStack();
  });
  afterAll(async () => ps?.close());

  /** Saves `config`'s valid document, broken by `breakIt`, as the store's document. */
  async function storeBroken(breakIt: (doc: Doc) => void): Promise<string> {
    const doc: Doc = validDocument(ps.config);
    breakIt(doc);
    await rm(ps.statePath, { force: true });
    const store = new FileStore({ path: ps.statePath, writer: 'test' });
    await store.save(doc, 0);
    await store.close();
    return readFile(ps.statePath, 'utf8');
  }

  it.each([
    { name: 'snapshot: {}', breakIt: (d: Doc) => (d.snapshot = {}), says: 'data.snapshot.value: expected' },
    {
      name: 'context.now: "soon"',
      breakIt: (d: Doc) => (d.snapshot.context.now = 'soon'),
      says: 'data.snapshot.context.now: expected a time in epoch ms, found "soon"',
    },
    {
      name: 'history: "x"',
      breakIt: (d: Doc) => (d.history = 'x'),
      says: 'data.history: expected a list of history entries, found "x"',
    },
  ])('run exits 1 at once naming the field ($name) and leaves the file as it was', async ({ breakIt, says }) => {
    // Prepare
    const before = await storeBroken(breakIt);

    // Act
    const result = await runCli(['run', '-c', ps.configPath], { env: ps.env, timeoutMs: 20_000 });

    // Assess
    expect({ timedOut: result.timedOut, code: result.code }).toEqual({ timedOut: false, code: 1 });
    expect(loggedError(result.stdout, 'controller failed')).toContain(says);
    expect(await readFile(ps.statePath, 'utf8')).toBe(before);
  });

  it.each([
    {
      command: 'status',
      breakIt: (d: Doc) => (d.snapshot.value.health = 'sideways'),
      says: 'data.snapshot.value.health: expected one of healthy, degraded, failedOver, failingBack, found "sideways"',
    },
    {
      command: 'history',
      breakIt: (d: Doc) => (d.history = 'x'),
      says: 'data.history: expected a list of history entries, found "x"',
    },
  ])('$command exits 1 naming the field', async ({ command, breakIt, says }) => {
    // Prepare
    await storeBroken(breakIt);

    // Act
    const result = await runCli([command, '-c', ps.configPath], { env: ps.env });

    // Assess
    expect({ timedOut: result.timedOut, code: result.code }).toEqual({ timedOut: false, code: 1 });
    expect(result.stderr).toContain(says);
    expect(result.stderr).not.toMatch(/TypeError|is not a function/);
  });
});
