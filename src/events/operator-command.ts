import type { OperatorCommand, OperatorCommandName } from './types.ts';
import { MalformedMessageError } from '../errors.ts';
import type { JsonObject } from './fields.ts';
import { ownField, requireOneOf, requireString } from './fields.ts';
import { describeJsonValue } from '../describe-value.ts';
import { childPath, kindOf } from './json-path.ts';
import { parseTimestamp } from './timestamp.ts';

/** The `type` that marks a queue message as an operator command. */
export const OPERATOR_COMMAND_TYPE = 'connect-failover.operator-command';

/** The only operator-command format version this controller reads and writes. */
export const OPERATOR_COMMAND_VERSION = 1;

/** The commands an operator can send. */
export const OPERATOR_COMMAND_NAMES = [
  'failover',
  'failback',
  'pause',
  'resume',
] as const satisfies readonly OperatorCommandName[];

/** Most characters in `reason`. */
export const MAX_REASON_LENGTH = 1024;

/** Most characters in `requestedBy`. */
export const MAX_REQUESTED_BY_LENGTH = 256;

const FIELDS = ['type', 'version', 'id', 'command', 'reason', 'force', 'now', 'requestedBy', 'requestedAt'] as const;
const FORCEABLE: readonly OperatorCommandName[] = ['failover', 'failback'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireVersion(body: JsonObject): void {
  const version = ownField(body, 'version');
  if (version === undefined) throw new MalformedMessageError('is missing', 'version');
  if (version !== OPERATOR_COMMAND_VERSION) {
    throw new MalformedMessageError(
      `${describeJsonValue(version)} is not a supported operator-command version (this controller reads ${OPERATOR_COMMAND_VERSION})`,
      'version',
    );
  }
}

function requireForce(body: JsonObject, command: OperatorCommandName): boolean {
  const force = ownField(body, 'force') ?? false;
  if (typeof force !== 'boolean') {
    throw new MalformedMessageError(
      `expected true or false, got ${kindOf(force)} ${describeJsonValue(force)}`,
      'force',
    );
  }
  if (force && !FORCEABLE.includes(command)) {
    throw new MalformedMessageError(`applies only to ${FORCEABLE.join(' and ')}, not to ${command}`, 'force');
  }
  return force;
}

/** `now` (failback only): straight back to healthy, skipping the remaining `traffic.failbackSteps`. */
function requireNow(body: JsonObject, command: OperatorCommandName): boolean {
  const now = ownField(body, 'now') ?? false;
  if (typeof now !== 'boolean') {
    throw new MalformedMessageError(`expected true or false, got ${kindOf(now)} ${describeJsonValue(now)}`, 'now');
  }
  if (now && command !== 'failback')
    throw new MalformedMessageError(`applies only to failback, not to ${command}`, 'now');
  return now;
}

/**
 * Validates an operator command (a body whose `type` is {@link OPERATOR_COMMAND_TYPE}). Strict: unknown
 * fields, another version, a non-UUID `id`, an empty or over-long `reason` or `requestedBy`, a
 * non-boolean `force` (default false) or `force` on pause/resume, a non-boolean `now` (default false) or
 * `now` on anything but failback, and a bad `requestedAt` are malformed.
 *
 * Control characters, bidi controls and line breaks in `reason` and `requestedBy` are accepted and kept
 * as sent: refusing them would send a real pause or failover to the dead-letter queue, and the audit
 * should show what arrived. Every output escapes them (`src/cli/printable.ts`); our CLI refuses them
 * before sending.
 */
export function parseOperatorCommand(body: JsonObject): OperatorCommand {
  const type = requireString(body, 'type', '');
  if (type !== OPERATOR_COMMAND_TYPE) {
    throw new MalformedMessageError(
      `${describeJsonValue(type)} is not a known message type (operator commands use "${OPERATOR_COMMAND_TYPE}")`,
      'type',
    );
  }
  requireVersion(body);
  const unknown = Object.keys(body).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new MalformedMessageError(
      `is not a field of an operator command (expected only ${FIELDS.join(', ')})`,
      childPath('', unknown),
    );
  }
  const id = requireString(body, 'id', '');
  if (!UUID.test(id)) throw new MalformedMessageError(`${describeJsonValue(id)} is not a UUID`, 'id');
  const command = requireOneOf(body, 'command', '', OPERATOR_COMMAND_NAMES);
  const reason = requireString(body, 'reason', '', { nonEmpty: true, maxLength: MAX_REASON_LENGTH });
  const force = requireForce(body, command);
  const now = requireNow(body, command);
  const requestedBy = requireString(body, 'requestedBy', '', { nonEmpty: true, maxLength: MAX_REQUESTED_BY_LENGTH });
  const requestedAt = parseTimestamp(requireString(body, 'requestedAt', ''), 'requestedAt');
  return { kind: 'operator', shape: 'operator-command', id, command, reason, force, now, requestedBy, requestedAt };
}

/**
 * The queue-message body for an operator command, in the documented version-1 format with the fields
 * in a fixed order and `requestedAt` as an ISO-8601 UTC timestamp. Throws {@link MalformedMessageError}
 * (with the field's path) for any value {@link parseOperatorCommand} would refuse, so nothing is sent
 * that the controller would leave for the dead-letter queue.
 */
export function encodeOperatorCommand(
  cmd: Omit<OperatorCommand, 'kind' | 'shape' | 'now'> & { now?: boolean },
): string {
  if (!Number.isSafeInteger(cmd.requestedAt) || Number.isNaN(new Date(cmd.requestedAt).getTime())) {
    throw new MalformedMessageError(
      `${describeJsonValue(cmd.requestedAt)} is not a time in epoch milliseconds`,
      'requestedAt',
    );
  }
  const text = JSON.stringify({
    type: OPERATOR_COMMAND_TYPE,
    version: OPERATOR_COMMAND_VERSION,
    id: cmd.id,
    command: cmd.command,
    reason: cmd.reason,
    force: cmd.force,
    // Written only when set: a controller from before `now` refuses unknown fields, and so reads every
    // other command as before.
    ...(cmd.now === true ? { now: true } : {}),
    requestedBy: cmd.requestedBy,
    requestedAt: new Date(cmd.requestedAt).toISOString(),
  });
  parseOperatorCommand(JSON.parse(text) as JsonObject);
  return text;
}
