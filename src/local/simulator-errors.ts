import { ConnectFailoverError } from '../errors.ts';

/**
 * A local simulator was given options, a fault plan or a hand-made split it cannot use. Terminal: the
 * caller (a test, the local stack, a game-day script) has to change what it sends.
 */
export class SimulatorInputError extends ConnectFailoverError {}

/** A test hook or admin request named an alarm that does not exist in that Region. */
export class UnknownAlarmError extends SimulatorInputError {}

/** An alarm with that name already exists in that Region (names are unique per Region, across types). */
export class DuplicateAlarmError extends SimulatorInputError {}
