/**
 * The controller document's shape as stored, checked field by field when it is read back. The store checks
 * only its header; without this, xstate restores whatever `data.snapshot` holds and fails later with a raw
 * TypeError (`snapshot: {}`), the controller dies on its first history line (`history: "x"`), or it runs
 * on NaN time (`context.now: "soon"`) where no time-based rule ever fires.
 *
 * Objects are loose: a key this version does not know is kept as it is, so a field added by a later
 * release (or by a new part of the controller) is not dropped by a save of this one.
 */
import { z } from 'zod';
import type { FailoverContext, OperatorCommandName } from '../../state-machines/index.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import { AUTOMATION_STATES, HEALTH_STATES } from '../domain/states.ts';
import { StoreCorruptError } from '../errors.ts';
import type {
  ActualTraffic,
  ControllerDocument,
  DocumentOwner,
  HistoryEntry,
  HistoryKind,
  ShiftRecord,
  ShiftStatus,
} from './document-types.ts';

/** One problem in a stored document: where (e.g. `data.snapshot.context.now`) and what is wrong there. */
export interface DocumentIssue {
  path: string;
  message: string;
}

const REMEDY =
  'connect-failover does not overwrite it: fix the field, or move the file away to start with nothing saved ' +
  '(start-up then reads the alarms and the traffic split again)';

/** Issues named in the message; the rest are counted (all of them are on `issues`). */
const ISSUES_SHOWN = 5;

/**
 * The stored controller document cannot be used: not one, or a field of the wrong shape. Terminal, like
 * every `StoreCorruptError`: the document is never overwritten, an operator fixes it or moves it away.
 */
export class ControllerDocumentError extends StoreCorruptError {
  readonly issues: readonly DocumentIssue[];

  constructor(location: string, issues: readonly DocumentIssue[], remedy = REMEDY) {
    const shown = issues.slice(0, ISSUES_SHOWN).map((i) => `${i.path}: ${i.message}`);
    const more = issues.length > ISSUES_SHOWN ? ` (and ${issues.length - ISSUES_SHOWN} more)` : '';
    super(location, `${shown.join('; ')}${more}`, remedy);
    this.issues = issues;
  }
}

/** The value as a person reads it in an error, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON has no NaN or Infinity; a document that did not come from a file (the memory store) may.
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Every issue of a field reads `expected WHAT, found VALUE`, whatever check failed. */
const expecting = (what: string) => ({
  error: (issue: { input?: unknown }) => `expected ${what}, found ${showValue(issue.input)}`,
});

/**
 * `values` written out for the schema, checked at compile time to hold every member of `U`: a state,
 * kind or status added to a type without being added here does not compile.
 */
function allOf<U extends string>() {
  return <const T extends readonly U[]>(
    values: T & ([Exclude<U, T[number]>] extends [never] ? unknown : { missing: Exclude<U, T[number]> }),
  ): T => values;
}

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, expecting(`one of ${values.join(', ')}`));

const COMMANDS = allOf<OperatorCommandName>()(['failover', 'failback', 'pause', 'resume'] as const);
const HISTORY_KINDS = allOf<HistoryKind>()([
  'transition',
  'command',
  'shift',
  'drift',
  'blocked',
  'startup',
  'disputed',
  'unconfirmed',
  'forged',
] as const);
const SHIFT_STATUSES = allOf<ShiftStatus>()(['pending', 'verified', 'failed', 'dryRun'] as const);

const time = z.number(expecting('a time in epoch ms')).min(0);
const timeOrNull = z.number(expecting('null or a time in epoch ms')).min(0).nullable();
const wholeNumber = z.int(expecting('a whole number >= 0')).min(0);
const percent = z.number(expecting('a percent from 0 to 100')).min(0).max(100);
const text = z.string(expecting('a string'));
const textOrNull = z.string(expecting('null or a string')).nullable();
const flag = z.boolean(expecting('true or false'));
const isoTime = z
  .string(expecting('an ISO 8601 time'))
  .refine((s) => !Number.isNaN(Date.parse(s)), expecting('an ISO 8601 time'));
const list = <T extends z.ZodType>(item: T, what: string) => z.array(item, expecting(what));
const object = <S extends z.ZodRawShape>(shape: S, what: string) => z.looseObject(shape, expecting(what));

const readingSchema = object({ value: oneOf(ALARM_VALUES), at: time }, 'an alarm reading ({ value, at })');

const decisionSchema = object(
  {
    seq: wholeNumber,
    region: oneOf(['health', 'automation']),
    from: text,
    to: text,
    reason: text,
    alarms: list(text, 'a list of alarms'),
    at: time,
    trigger: oneOf(['automatic', 'operator', 'hand']),
    by: text.optional(),
    primaryPercent: percent.optional(),
  },
  'a decision',
);

const failbackStepSchema = object(
  // Machine version 2 had no `verifiedAt`: `document.ts` migrates it.
  { index: wholeNumber, since: time, verifiedAt: timeOrNull.optional() },
  'null or the failback step ({ index, since, verifiedAt })',
).nullable();

const commandOutcomeSchema = object(
  { command: oneOf(COMMANDS), accepted: flag, detail: text, by: text, reason: text, at: time },
  'null or the last operator command',
).nullable();

/** Every field of the statechart's context (`FailoverContext`), with the values the rules can work with. */
const contextShape = {
  now: time,
  signals: z.record(z.string(), readingSchema, expecting('an object of alarm readings by alarm')),
  since: time,
  okSince: timeOrNull,
  lastShiftAt: timeOrNull,
  automaticShifts: list(time, 'a list of times in epoch ms'),
  operatorHold: flag,
  // Machine version 1 had no staged failback: a snapshot saved by it is at no step.
  failbackStep: failbackStepSchema.default(null),
  automationReason: textOrNull,
  decisions: list(decisionSchema, 'a list of decisions'),
  seq: wholeNumber,
  lastCommand: commandOutcomeSchema,
};

/** An XState v5 persisted snapshot of the failover machine, as `getPersistedSnapshot()` writes it. */
const snapshotSchema = object(
  {
    // A stopped (or done) actor restored from a snapshot ignores every event: the controller would look alive and decide nothing.
    status: z.literal('active', expecting('"active"')),
    value: z.strictObject(
      { health: oneOf(HEALTH_STATES), automation: oneOf(AUTOMATION_STATES) },
      expecting("the statechart's state ({ health, automation })"),
    ),
    historyValue: z.record(z.string(), z.array(z.unknown()), expecting('an object of lists')).optional(),
    context: object(contextShape, "the statechart's context"),
    // The machine invokes no actors: a child in the snapshot is not this machine's.
    children: z.strictObject({}, expecting('no child actors ({})')),
  },
  'the statechart snapshot (an object)',
);

const ownerShape = {
  trafficDistributionGroup: z.string(expecting('an ARN or id')).min(1),
  regions: z.object(
    { primary: z.string(expecting('a Region')).min(1), replica: z.string(expecting('a Region')).min(1) },
    expecting('the Regions { primary, replica }'),
  ),
};
const ownerSchema = object(ownerShape, 'the traffic distribution group and Regions the document belongs to');

const shiftShape = {
  targetPrimaryPercent: percent,
  decidedSeq: wholeNumber,
  decidedAt: isoTime,
  status: oneOf(SHIFT_STATUSES),
  attempts: wholeNumber,
  writes: wholeNumber,
  lastError: text.optional(),
  updatedAt: isoTime,
  nextAttemptAt: isoTime.optional(),
  verifiedAt: isoTime.optional(),
};

const actualShape = {
  telephonyPrimaryPercent: percent,
  agentsPrimaryPercent: percent.optional(),
  status: text.optional(),
  readAt: isoTime,
};

const historyShape = {
  at: isoTime,
  kind: oneOf(HISTORY_KINDS),
  region: text.optional(),
  from: text.optional(),
  to: text.optional(),
  reason: text,
  alarms: list(text, 'a list of alarms').optional(),
  trigger: oneOf(['automatic', 'operator', 'hand']).optional(),
  by: text.optional(),
  sender: text.optional(),
  commandId: text.optional(),
  command: text.optional(),
  force: flag.optional(),
  requestedAt: isoTime.optional(),
  accepted: flag.optional(),
  detail: text.optional(),
  outcome: text.optional(),
  primaryPercent: percent.optional(),
};

const documentSchema = object(
  {
    kind: z.literal('connect-failover/controller', expecting('"connect-failover/controller"')),
    machineVersion: wholeNumber,
    owner: ownerSchema.optional(),
    snapshot: snapshotSchema,
    // Early documents may lack these two; they start empty.
    commandIds: list(text, 'a list of command ids').default([]),
    shift: object(shiftShape, 'a shift record').optional(),
    actual: object(actualShape, 'the split last read from Connect').optional(),
    history: list(object(historyShape, 'a history entry'), 'a list of history entries').default([]),
  },
  'a connect-failover controller document (an object)',
);

/**
 * Checks every field of a stored document's `data` and returns it (unknown keys kept). Throws
 * `ControllerDocumentError` listing each field at fault by its path from `data`.
 */
export function parseDocumentData(data: unknown, location: string): ControllerDocument {
  const parsed = documentSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    throw new ControllerDocumentError(
      location,
      parsed.error.issues.map((issue) => ({ path: pathOf(issue.path), message: issue.message })),
    );
  }
  // Absent optional fields read as undefined, which is what the interfaces' `T | undefined` fields mean.
  return parsed.data as unknown as ControllerDocument;
}

/** `data.snapshot.context.signals["connect-primary-outage"].at`: keys that are not identifiers are quoted. */
function pathOf(path: readonly PropertyKey[]): string {
  let out = 'data';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

// Compile-time: everything the controller writes is accepted by the schema, and the context schema names
// every field of FailoverContext (a new field must be checked here too).
type Accepts<Schema, Written> = Written extends Known<Schema> ? true : never;
/** A schema's input type without the loose objects' index signatures, which interfaces never satisfy. */
type Known<T> = T extends readonly (infer E)[]
  ? Known<E>[]
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;
type InputOf<S extends z.ZodRawShape> = z.input<z.ZodObject<S>>;
const _shift: Accepts<InputOf<typeof shiftShape>, ShiftRecord> = true;
const _actual: Accepts<InputOf<typeof actualShape>, ActualTraffic> = true;
const _history: Accepts<InputOf<typeof historyShape>, HistoryEntry> = true;
const _owner: Accepts<InputOf<typeof ownerShape>, DocumentOwner> = true;
const _context: Accepts<InputOf<typeof contextShape>, FailoverContext> = true;
const _contextKeys: [Exclude<keyof FailoverContext, keyof typeof contextShape>] extends [never] ? true : never = true;
void [_shift, _actual, _history, _owner, _context, _contextKeys];
