/**
 * What became of each queue message: the intake deletes all but the malformed ones. `future`: an alarm
 * event dated beyond the skew tolerance, refused.
 */
export type MessageOutcome =
  'applied' | 'duplicate' | 'stale' | 'future' | 'unknownAlarm' | 'ignored' | 'command' | 'malformed';
