/**
 * A deterministic stream of queue bodies like a noisy production queue: alarm state changes of the
 * configured alarms, duplicates (the same body again, as at-least-once delivery and two delivery paths
 * produce), stale events (older than anything the controller has applied for that alarm), alarms that
 * are not configured (each with a fresh name, so per-alarm state would show up as growth), and operator
 * commands. Seeded, so every run sends the same stream.
 */
import type { AlarmValue } from '../../src/config/types.ts';
import type { OperatorCommandName } from '../../src/events/types.ts';
import type { AlarmDescriptor, AlarmMessageShape } from '../../src/local/alarm-event-sink.ts';
import { mulberry32 } from '../../src/local/prng.ts';
import { alarmBody, operatorBody, syntheticAlarm } from './messages.ts';

export type MixKind = 'change' | 'duplicate' | 'stale' | 'unknown' | 'command';

export interface MixMessage {
  body: string;
  kind: MixKind;
}

/** A configured alarm and the state the controller starts with for it (what DescribeAlarms reported). */
export interface MixAlarm {
  alarm: AlarmDescriptor;
  value: AlarmValue;
  /** Alarm-state timestamp of that state, epoch ms. */
  at: number;
}

export interface EventMixOptions {
  alarms: readonly MixAlarm[];
  /** Relative weights of each kind in `next()`. Default change 50, duplicate 20, stale 10, unknown 15, command 5. */
  weights?: Partial<Record<MixKind, number>>;
  /** Relative weights of the body shapes of alarm messages. Default eventbridge 8, sns-envelope 1, sns-raw 1. */
  shapes?: Partial<Record<AlarmMessageShape, number>>;
  /** Commands `next()` cycles through. Default resume, failback (they keep a manual-failback machine moving). */
  commands?: readonly OperatorCommandName[];
  /** Default 1. */
  seed?: number;
  /** Alarm-state time advance per change, ms. Default 1000. */
  stepMs?: number;
}

const DEFAULT_WEIGHTS: Record<MixKind, number> = { change: 50, duplicate: 20, stale: 10, unknown: 15, command: 5 };
const DEFAULT_SHAPES: Record<AlarmMessageShape, number> = { eventbridge: 8, 'sns-envelope': 1, 'sns-raw': 1 };

export class EventMix {
  readonly #random: () => number;
  readonly #alarms: readonly MixAlarm[];
  readonly #weights: Array<[MixKind, number]>;
  readonly #shapes: Array<[AlarmMessageShape, number]>;
  readonly #commands: readonly OperatorCommandName[];
  readonly #stepMs: number;
  /** The newest body and state sent per configured alarm name (at first: the state the controller starts with). */
  readonly #last = new Map<string, { body: string; value: AlarmValue; at: number }>();
  readonly #firstAt = new Map<string, number>();
  #now: number;
  #commandTurn = 0;
  #unknownTurn = 0;
  readonly counts: Record<MixKind, number> = { change: 0, duplicate: 0, stale: 0, unknown: 0, command: 0 };

  constructor(options: EventMixOptions) {
    if (options.alarms.length === 0) throw new RangeError('EventMix needs at least one configured alarm');
    this.#random = mulberry32(options.seed ?? 1);
    this.#alarms = options.alarms;
    this.#weights = Object.entries({ ...DEFAULT_WEIGHTS, ...options.weights }) as Array<[MixKind, number]>;
    this.#shapes = Object.entries({ ...DEFAULT_SHAPES, ...options.shapes }) as Array<[AlarmMessageShape, number]>;
    this.#commands = options.commands ?? ['resume', 'failback'];
    // 1 ms: a storm of 10,000 stays within the controller's 5-minute skew tolerance for alarm timestamps.
    this.#stepMs = options.stepMs ?? 1;
    for (const a of options.alarms) {
      // A duplicate of the starting state is the event CloudWatch sent for it, delivered (again) late.
      this.#last.set(a.alarm.name, { body: alarmBody(a.alarm, a.value, a.at), value: a.value, at: a.at });
      this.#firstAt.set(a.alarm.name, a.at);
    }
    this.#now = Math.max(...options.alarms.map((a) => a.at));
  }

  /** The stream's clock: the newest alarm-state timestamp handed out (epoch ms). */
  get now(): number {
    return this.#now;
  }

  /** One message of a kind drawn by the weights. */
  next(): MixMessage {
    return this.of(pick(this.#weights, this.#random()));
  }

  /** One message of `kind`. */
  of(kind: MixKind): MixMessage {
    switch (kind) {
      case 'change':
        return this.change(this.#pickAlarm());
      case 'duplicate': {
        const last = this.#last.get(this.#pickAlarm().name)!;
        this.counts.duplicate += 1;
        return { body: last.body, kind };
      }
      case 'stale': {
        const alarm = this.#pickAlarm();
        // Older than the state the controller started with, so it is stale whatever order the queue delivers in.
        const at = this.#firstAt.get(alarm.name)! - 1 - Math.floor(this.#random() * 3_600_000);
        this.counts.stale += 1;
        return { body: alarmBody(alarm, this.#random() < 0.5 ? 'ALARM' : 'OK', at, { shape: this.#shape() }), kind };
      }
      case 'unknown': {
        this.#unknownTurn += 1;
        const alarm = syntheticAlarm(`not-a-signal-${this.#unknownTurn}`);
        this.counts.unknown += 1;
        return {
          body: alarmBody(alarm, this.#random() < 0.5 ? 'ALARM' : 'OK', this.#tick(), { shape: this.#shape() }),
          kind,
        };
      }
      case 'command': {
        const command = this.#commands[this.#commandTurn++ % this.#commands.length]!;
        this.counts.command += 1;
        return { body: operatorBody(command, this.#tick()), kind };
      }
    }
  }

  /** A real change of `alarm` to `value` (default: the other of ALARM and OK), newer than anything sent. */
  change(alarm: AlarmDescriptor, value?: AlarmValue): MixMessage {
    const last = this.#last.get(alarm.name);
    if (!last) throw new RangeError(`${alarm.name} is not one of the mix's configured alarms`);
    const next = value ?? (last.value === 'ALARM' ? (this.#random() < 0.9 ? 'OK' : 'INSUFFICIENT_DATA') : 'ALARM');
    const at = this.#tick();
    const body = alarmBody(alarm, next, at, { previous: last.value, shape: this.#shape() });
    this.#last.set(alarm.name, { body, value: next, at });
    this.counts.change += 1;
    return { body, kind: 'change' };
  }

  #tick(): number {
    this.#now += this.#stepMs;
    return this.#now;
  }

  #pickAlarm(): AlarmDescriptor {
    return this.#alarms[Math.floor(this.#random() * this.#alarms.length)]!.alarm;
  }

  #shape(): AlarmMessageShape {
    return pick(this.#shapes, this.#random());
  }
}

function pick<T>(weighted: ReadonlyArray<[T, number]>, u: number): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let threshold = 0;
  for (const [item, w] of weighted) {
    threshold += w / total;
    if (u < threshold) return item;
  }
  return weighted[weighted.length - 1]![0];
}
