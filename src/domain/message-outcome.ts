/**
 * What became of each queue message: the intake deletes all but the malformed and forged ones. `future`:
 * an alarm event dated beyond the skew tolerance, refused. `forged`: an alarm event from a sender
 * `queue.alarmSenders` refuses, left for the dead-letter queue.
 */
export type MessageOutcome =
  'applied' | 'duplicate' | 'stale' | 'future' | 'unknownAlarm' | 'ignored' | 'command' | 'malformed' | 'forged';
