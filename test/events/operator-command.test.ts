import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedMessageError } from '../../src/errors.ts';
import { encodeOperatorCommand, normalizeMessage } from '../../src/events/normalize.ts';
import { MAX_REASON_LENGTH, OPERATOR_COMMAND_NAMES } from '../../src/events/operator-command.ts';
import type { OperatorCommand } from '../../src/events/types.ts';

type CommandFields = Omit<OperatorCommand, 'kind' | 'shape'>;

const FAILOVER: CommandFields = {
  id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
  command: 'failover',
  reason: 'Primary Region degraded per AWS Health; failing over ahead of the alarms',
  force: true,
  now: false,
  requestedBy: 'alice@example.com',
  requestedAt: Date.UTC(2026, 10, 28, 17, 10),
};

describe('encodeOperatorCommand', () => {
  it('writes now only on a failback that skips the steps, so older controllers read every other command', () => {
    // Act
    const stepped = JSON.parse(encodeOperatorCommand({ ...FAILOVER, command: 'failback', force: false })) as Record<
      string,
      unknown
    >;
    const immediate = JSON.parse(
      encodeOperatorCommand({ ...FAILOVER, command: 'failback', force: false, now: true }),
    ) as Record<string, unknown>;

    // Assess
    expect(stepped).not.toHaveProperty('now');
    expect(immediate).toMatchObject({ command: 'failback', now: true });
    expect(normalizeMessage(JSON.stringify(immediate))).toMatchObject({
      kind: 'operator',
      command: 'failback',
      now: true,
    });
  });

  it('reads a missing now as false and refuses one that is not true or false', () => {
    // Prepare
    const body = JSON.parse(encodeOperatorCommand({ ...FAILOVER, command: 'failback' })) as Record<string, unknown>;

    // Act
    const absent = normalizeMessage(JSON.stringify(body));
    const act = () => normalizeMessage(JSON.stringify({ ...body, now: 'yes' }));

    // Assess
    expect(absent).toMatchObject({ now: false });
    expect(act).toThrow(MalformedMessageError);
    expect(act).toThrow('now: expected true or false');
  });

  it('writes the documented version-1 format, fields in order, requestedAt in UTC', () => {
    // Act
    const body = encodeOperatorCommand(FAILOVER);

    // Assess
    expect(body).toBe(
      '{"type":"connect-failover.operator-command","version":1,"id":"1b4e28ba-2fa1-41d2-883f-0016d3cca427",' +
        '"command":"failover","reason":"Primary Region degraded per AWS Health; failing over ahead of the alarms",' +
        '"force":true,"requestedBy":"alice@example.com","requestedAt":"2026-11-28T17:10:00.000Z"}',
    );
  });

  it.each(OPERATOR_COMMAND_NAMES)('round-trips a %s command through normalizeMessage', (command) => {
    // Prepare
    const fields: CommandFields = { ...FAILOVER, command, force: command === 'failover' || command === 'failback' };

    // Act
    const event = normalizeMessage(encodeOperatorCommand(fields));

    // Assess
    expect(event).toEqual({ kind: 'operator', shape: 'operator-command', ...fields });
  });

  it('round-trips any valid command', () => {
    const commandArb = fc
      .record({
        id: fc.uuid(),
        command: fc.constantFrom(...OPERATOR_COMMAND_NAMES),
        reason: fc.string({ unit: 'binary', minLength: 1, maxLength: MAX_REASON_LENGTH }),
        force: fc.boolean(),
        now: fc.boolean(),
        requestedBy: fc.string({ minLength: 1, maxLength: 64 }),
        requestedAt: fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }),
      })
      .filter((c) => c.reason.trim() !== '' && c.reason.length <= MAX_REASON_LENGTH && c.requestedBy.trim() !== '')
      .map((c) => ({
        ...c,
        force: c.force && (c.command === 'failover' || c.command === 'failback'),
        now: c.now && c.command === 'failback',
      }));

    fc.assert(
      fc.property(commandArb, (fields) => {
        // Act
        const event = normalizeMessage(encodeOperatorCommand(fields));

        // Assess
        expect(event).toEqual({ kind: 'operator', shape: 'operator-command', ...fields });
      }),
    );
  });

  it.each<[string, Partial<CommandFields>, string, string]>([
    ['an empty reason', { reason: '' }, 'reason', 'must not be empty'],
    ['a reason over 1024 characters', { reason: 'r'.repeat(1025) }, 'reason', 'at most 1024'],
    ['force on resume', { command: 'resume', force: true }, 'force', 'applies only to failover and failback'],
    ['now on failover', { command: 'failover', now: true }, 'now', 'applies only to failback'],
    ['an id that is not a UUID', { id: 'cmd-42' }, 'id', 'is not a UUID'],
    ['an empty requestedBy', { requestedBy: ' ' }, 'requestedBy', 'must not be empty'],
    [
      'a requestedAt that is not a time',
      { requestedAt: Number.NaN },
      'requestedAt',
      'is not a time in epoch milliseconds',
    ],
    [
      'a requestedAt past the end of dates',
      { requestedAt: 8.64e15 + 1 },
      'requestedAt',
      'is not a time in epoch milliseconds',
    ],
  ])('refuses to encode %s, which the controller would refuse', (_what, change, path, fragment) => {
    // Act
    const act = () => encodeOperatorCommand({ ...FAILOVER, ...change });

    // Assess
    expect(act).toThrow(MalformedMessageError);
    expect(act).toThrow(`${path}: `);
    expect(act).toThrow(fragment);
  });
});
