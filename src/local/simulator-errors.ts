import { ConnectFailoverError } from '../errors.ts';

/**
 * A local simulator was given options, a fault plan or a hand-made split it cannot use. Terminal: the
 * caller (a test, the local stack, a game-day script) has to change what it sends.
 */
export class SimulatorInputError extends ConnectFailoverError {}
