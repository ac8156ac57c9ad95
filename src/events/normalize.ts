import type { QueueEvent } from './types.ts';
import { MalformedMessageError } from '../errors.ts';
import { normalizeEventBridgeEvent } from './eventbridge-alarm.ts';
import type { JsonObject } from './fields.ts';
import { isJsonObject } from './fields.ts';
import { kindOf } from './json-path.ts';
import { OPERATOR_COMMAND_TYPE, parseOperatorCommand } from './operator-command.ts';
import { normalizeAlarmNotification, normalizeSnsEnvelope } from './sns-alarm.ts';

export { encodeOperatorCommand } from './operator-command.ts';

/** Largest body accepted, in UTF-8 bytes: 256 KiB, checked before the body is parsed. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

function checkSize(body: string): void {
  // A UTF-16 code unit is never less than one UTF-8 byte, so the length alone rejects most large bodies
  // without encoding them.
  const bytes = body.length > MAX_MESSAGE_BYTES ? undefined : Buffer.byteLength(body, 'utf8');
  if (bytes === undefined || bytes > MAX_MESSAGE_BYTES) {
    const size = bytes === undefined ? `at least ${body.length}` : String(bytes);
    throw new MalformedMessageError(`body is ${size} bytes; at most ${MAX_MESSAGE_BYTES} (256 KiB) are accepted`);
  }
}

function parseBody(body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    throw new MalformedMessageError(`body is not JSON${detail}`, '', { cause: error });
  }
  if (!isJsonObject(parsed)) throw new MalformedMessageError(`body must be a JSON object, got ${kindOf(parsed)}`);
  return parsed;
}

const has = (obj: JsonObject, key: string): boolean => Object.hasOwn(obj, key);

/**
 * Turns one SQS message body into a typed event: an alarm state change (EventBridge event, SNS envelope
 * or SNS raw delivery), an operator command, or a message deliberately ignored (CloudWatch alarm
 * configuration and contributor changes). Pure: no I/O, no clock.
 *
 * @throws {MalformedMessageError} for a body over {@link MAX_MESSAGE_BYTES}, a body that is not a JSON
 *   object, or one that is none of the accepted shapes; `path` names the offending field.
 */
export function normalizeMessage(body: string): QueueEvent {
  checkSize(body);
  const message = parseBody(body);
  if (has(message, 'type')) return parseOperatorCommand(message);
  if (has(message, 'source') || has(message, 'detail-type')) return normalizeEventBridgeEvent(message);
  if (has(message, 'Type')) return normalizeSnsEnvelope(message);
  if (has(message, 'AlarmArn') || has(message, 'AlarmName') || has(message, 'NewStateValue')) {
    return normalizeAlarmNotification(message, '', 'sns-raw', undefined);
  }
  throw new MalformedMessageError(
    'body is not a recognized message: expected an EventBridge event (source, detail-type), an SNS envelope (Type, Message), ' +
      `a CloudWatch alarm notification (AlarmArn, NewStateValue) or an operator command (type "${OPERATOR_COMMAND_TYPE}")`,
  );
}
