/**
 * Hostile operator input (issue 14, finding 9): text with terminal escape sequences, bidirectional-text
 * overrides, C0/C1 control characters and line breaks, aimed at whoever reads `status` and `history`.
 * Our CLI refuses it at the door (exit 2, naming the option, the position and the code point); a message
 * that reaches the queue some other way (anyone with sqs:SendMessage) is applied and recorded as sent,
 * and every output shows it escaped. Everything runs through the real binary against the local stack.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/controller/document.ts';
import { eventually } from '../helpers/eventually.ts';
import { startProcessStack } from '../helpers/process-harness.ts';
import type { ProcessStack } from '../helpers/process-harness.ts';

/** Characters no line of human-readable output may carry raw (line breaks between lines aside). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Clears the screen, homes the cursor, reverses the rest of the line, forges a second line, sets red with a C1 CSI. */
const HOSTILE_REASON = 'maintenance\u001b[2J\u001b[H\u202eCLEARED\nforged line\u009b31m';
const HOSTILE_REASON_SHOWN = 'maintenance\\x1b[2J\\x1b[H\\u202eCLEARED\\nforged line\\x9b31m';
/** Sets the window title (OSC ... BEL) and hides part of the name behind an isolate. */
const HOSTILE_BY = 'mallory\u001b]0;owned\u0007@\u2067host\u2069';
const HOSTILE_BY_SHOWN = 'mallory\\x1b]0;owned\\x07@\\u2067host\\u2069';

/** Lines of `text` that carry a character a terminal would act on; empty when the output is safe. */
function unsafeLines(text: string): string[] {
  return text.split('\n').filter((line) => UNSAFE.test(line));
}

function operatorBody(command: 'failover' | 'pause', reason: string, requestedBy: string): string {
  return JSON.stringify({
    type: 'connect-failover.operator-command',
    version: 1,
    id: randomUUID(),
    command,
    reason,
    force: false,
    requestedBy,
    requestedAt: new Date().toISOString(),
  });
}

describe('the CLI refuses control characters at the door', () => {
  let ps: ProcessStack;
  beforeAll(async () => {
    ps = await startProcessStack();
  });
  afterAll(async () => ps.close());

  it.each([
    ['--reason', 'an escape sequence', 'ok\u001b[2J', 3, 'U+001B'],
    ['--reason', 'a right-to-left override', 'fine\u202eenif', 5, 'U+202E'],
    ['--reason', 'a C1 control', 'x\u009b31m', 2, 'U+009B'],
    ['--reason', 'a line break', 'first\nsecond', 6, 'U+000A'],
    ['--reason', 'a bidi isolate', '\u2066x', 1, 'U+2066'],
    ['--by', 'a window-title escape', 'eve\u001b]0;t\u0007', 4, 'U+001B'],
    ['--by', 'a line break', 'eve\nroot', 4, 'U+000A'],
  ])(
    '%s with %s: exit 2, naming the option, the position and the code point; nothing is sent',
    async (option, _what, value, position, codePoint) => {
      // Prepare
      // --yes: without it a run without a terminal is refused with exit 2 too, which would hide a missing check.
      const args =
        option === '--reason'
          ? ['pause', '--yes', '--reason', value]
          : ['pause', '--yes', '--reason', 'maintenance', '--by', value];

      // Act
      const r = await ps.cli(args);

      // Assess
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(option);
      expect(r.stderr).toContain(`character ${position}`);
      expect(r.stderr).toContain(codePoint);
      expect(unsafeLines(r.stderr)).toEqual([]);
      expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
    },
  );

  it('an over-long --reason or --by is a usage error (exit 2) naming the limit; nothing is sent', async () => {
    // Act
    const longReason = await ps.cli(['pause', '--yes', '--reason', 'x'.repeat(1025)]);
    const longBy = await ps.cli(['pause', '--yes', '--reason', 'maintenance', '--by', 'y'.repeat(257)]);
    const blankBy = await ps.cli(['pause', '--yes', '--reason', 'maintenance', '--by', '  ']);

    // Assess
    expect(longReason.code).toBe(2);
    expect(longReason.stderr).toMatch(/--reason.*1025 characters.*at most 1024/);
    expect(longBy.code).toBe(2);
    expect(longBy.stderr).toMatch(/--by.*257 characters.*at most 256/);
    expect(blankBy.code).toBe(2);
    expect(blankBy.stderr).toContain('--by');
    expect(await ps.queueCounts()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('ordinary text, accents and other scripts included, is sent (so the checks above could see a send)', async () => {
    // Act (no emoji: fauxqs, unlike SQS, refuses characters beyond U+FFFD in a body; --no-wait: no controller runs here)
    const r = await ps.cli([
      'pause',
      '--yes',
      '--no-wait',
      '--reason',
      'Région dégradée — maintenance 東京',
      '--by',
      'zoë@example',
    ]);

    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(await ps.queueCounts()).toEqual({ visible: 1, inFlight: 0 });
    const [sent] = await ps.takeAllMessages();
    expect(JSON.parse(sent?.body ?? '{}')).toMatchObject({
      reason: 'Région dégradée — maintenance 東京',
      requestedBy: 'zoë@example',
    });
  });
});

describe('hostile text that reached the queue without our CLI', () => {
  let ps: ProcessStack;
  beforeAll(async () => {
    // Prepare: a running controller applies a failover and a pause whose reason and sender are hostile.
    ps = await startProcessStack();
    const controller = ps.spawnController();
    await controller.ready();
    for (const body of [
      operatorBody('failover', HOSTILE_REASON, HOSTILE_BY),
      operatorBody('pause', HOSTILE_REASON, HOSTILE_BY),
    ]) {
      await ps.stack.sqs.send(new SendMessageCommand({ QueueUrl: ps.stack.queueUrl, MessageBody: body }));
    }
    await eventually(
      async () => {
        const doc = await ps.readDocument();
        const commands = (doc?.history ?? []).filter((e) => e.kind === 'command' && e.by === HOSTILE_BY);
        return commands.length === 2 && doc?.shift?.status === 'verified';
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'both hostile commands applied and persisted' },
    );
    // Stopped, so the history the commands below read is the one the assertions count.
    expect((await controller.stop()).code).toBe(0);
  }, 60_000);
  afterAll(async () => ps?.close());

  it('is recorded exactly as sent (the audit keeps what arrived)', async () => {
    // Act
    const doc = await ps.readDocument();

    // Assess
    const commands = (doc?.history ?? []).filter((e) => e.kind === 'command');
    expect(commands.map((e) => [e.reason, e.by])).toContainEqual([HOSTILE_REASON, HOSTILE_BY]);
  });

  it('status shows it escaped, on one line, with nothing a terminal would act on', async () => {
    // Act
    const r = await ps.cli(['status']);

    // Assess
    expect(r.code).toBe(0);
    expect(unsafeLines(r.stdout)).toEqual([]);
    expect(r.stdout).toContain(`operator failover: ${HOSTILE_REASON_SHOWN}`);
    expect(r.stdout).toContain(`${HOSTILE_REASON_SHOWN} (by ${HOSTILE_BY_SHOWN})`);
    expect(r.stdout).not.toContain('forged line\n');
  });

  it('history shows it escaped, each entry on its own line', async () => {
    // Act
    const r = await ps.cli(['history']);
    const doc = await ps.readDocument();

    // Assess
    expect(r.code).toBe(0);
    expect(unsafeLines(r.stdout)).toEqual([]);
    expect(r.stdout).toContain(`${HOSTILE_REASON_SHOWN} (by ${HOSTILE_BY_SHOWN}`);
    // One header line and one line per entry: the forged line break made no line of its own.
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1 + Math.min(50, doc?.history.length ?? 0));
  });

  it('status --json and history --json carry it JSON-escaped and give back the exact text', async () => {
    // Act
    const status = await ps.cli(['status', '--json']);
    const history = await ps.cli(['history', '--json']);

    // Assess
    expect(status.code).toBe(0);
    expect(history.code).toBe(0);
    expect(unsafeLines(status.stdout)).toEqual([]);
    expect(unsafeLines(history.stdout)).toEqual([]);
    const report = JSON.parse(status.stdout) as { reason: string; automationReason: string };
    expect(report.reason).toBe(`operator failover: ${HOSTILE_REASON}`);
    expect(report.automationReason).toBe(`${HOSTILE_REASON} (by ${HOSTILE_BY})`);
    const entries = JSON.parse(history.stdout) as HistoryEntry[];
    expect(entries.filter((e) => e.kind === 'command').map((e) => [e.reason, e.by])).toContainEqual([
      HOSTILE_REASON,
      HOSTILE_BY,
    ]);
  });

  it('explain prints a hostile command JSON-escaped, and a hostile malformed one with an escaped error', async () => {
    // Prepare
    const good = join(ps.dir, 'hostile-command.json');
    const bad = join(ps.dir, 'hostile-malformed.json');
    await writeFile(good, operatorBody('pause', HOSTILE_REASON, HOSTILE_BY));
    await writeFile(
      bad,
      operatorBody('pause', HOSTILE_REASON, HOSTILE_BY).replace(/"id":"[^"]+"/, '"id":"\u202e\u009b2J"'),
    );

    // Act
    const explained = await ps.cli(['explain', '--json', good]);
    const refused = await ps.cli(['explain', bad]);

    // Assess
    expect(explained.code).toBe(0);
    expect(unsafeLines(explained.stdout)).toEqual([]);
    expect((JSON.parse(explained.stdout) as { event: { reason: string } }).event.reason).toBe(HOSTILE_REASON);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('id');
    expect(unsafeLines(refused.stderr)).toEqual([]);
  });
});
