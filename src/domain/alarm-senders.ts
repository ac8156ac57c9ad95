/**
 * Who may put an alarm event on the queue (`queue.alarmSenders`). Alarm events and operator commands share
 * one queue, and the queue policy must let operators send; without this check an operator (or anything
 * holding their role) could send an alarm-shaped message and trigger an automatic shift. SQS stamps each
 * message with the `SenderId` of the principal that sent it, which the sender cannot choose: an IAM user's
 * unique id (`AIDA…`), an assumed role's unique id and session (`AROA…:session`), or an account id.
 */

/** `queue.alarmSenders` as configured: entries are SenderIds or unique-id prefixes (`AROA…`). */
export interface AlarmSenders {
  /** Only these may send alarm events; absent: any sender not denied. */
  allow?: readonly string[] | undefined;
  /** These may never send alarm events (checked first). */
  deny?: readonly string[] | undefined;
}

/** What an alarm event's sender may do: act, or be refused and why (the why names the sender, never the body). */
export type SenderVerdict = { allowed: true } | { allowed: false; why: string };

/**
 * Whether `entry` names the principal `senderId`: the same SenderId, or the principal part of an assumed
 * role's `AROA…:session` (so a role's unique id covers every session of it). Case matters: unique ids are
 * upper case, session names are not.
 */
export function senderMatches(entry: string, senderId: string): boolean {
  return senderId === entry || (!entry.includes(':') && senderId.startsWith(`${entry}:`));
}

/**
 * Judges the sender of an alarm-shaped message. Deny comes first; with an allow list, a sender that matches
 * none of it, or a message SQS gave no SenderId, is refused too (an unknown sender cannot be on a list).
 */
export function judgeAlarmSender(senders: AlarmSenders | undefined, senderId: string | undefined): SenderVerdict {
  if (senders === undefined) return { allowed: true };
  const shown = senderId ?? '(none)';
  const denied = senderId === undefined ? undefined : senders.deny?.find((entry) => senderMatches(entry, senderId));
  if (denied !== undefined) {
    return { allowed: false, why: `sender ${shown} matches queue.alarmSenders.deny entry ${denied}` };
  }
  if (senders.allow === undefined) return { allowed: true };
  if (senderId !== undefined && senders.allow.some((entry) => senderMatches(entry, senderId))) return { allowed: true };
  return {
    allowed: false,
    why:
      senderId === undefined
        ? 'the message has no SenderId, and queue.alarmSenders.allow admits only listed senders'
        : `sender ${shown} is not in queue.alarmSenders.allow`,
  };
}
