/**
 * The zod schema of a scenario file. Errors name the key path (`steps[3].waitFor.state: "failed" is not one
 * of healthy, degraded, failedOver`), like config errors; a step is a mapping with exactly one action key
 * (`setAlarm`, `fault`, `operator`, `waitFor`, `hold`, `assert`) plus optional `name`, `when` and, for
 * `waitFor`, `timeout`.
 */
import { z } from 'zod';
import { parseDuration } from '../config/duration.ts';
import { expecting, formatPath } from '../config/schema.ts';
import type { AlarmValue, SplitState } from '../config/types.ts';
import { ALARM_VALUES, SIGNAL_ROLES } from '../domain/signals.ts';
import type { SignalRole } from '../domain/signals.ts';
import { AUTOMATION_STATES, HEALTH_STATES } from '../domain/states.ts';
import { CONNECT_TRAFFIC_OPERATIONS } from '../local/connect-faults.ts';
import type { ConnectTrafficOperation } from '../local/connect-faults.ts';
import type { ScenarioIssue } from './scenario-errors.ts';
import {
  ACTION_KEYS,
  DEFAULT_REASON,
  DEFAULT_WAIT_TIMEOUT_MS,
  OPERATOR_COMMANDS,
  REQUEST_FAULTS,
  SHIFT_OUTCOMES,
} from './scenario-types.ts';
import type {
  ActionKey,
  Condition,
  FaultSpec,
  RequestFault,
  ScenarioStep,
  StepAction,
  StepGuard,
} from './scenario-types.ts';

/** The states whose split is one configured percent (`traffic.<state>`). */
const SPLIT_STATES = ['healthy', 'degraded', 'failedOver'] as const satisfies readonly SplitState[];

// ---------------------------------------------------------------------------------------------------------
// Messages

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  const what = `one of ${values.join(', ')}`;
  return z.enum(values, { error: expecting(what) });
}

const durationField = (what: string) =>
  z.unknown().transform((input, ctx) => {
    const ms = typeof input === 'string' ? parseDuration(input) : undefined;
    if (ms === undefined) {
      const message =
        typeof input === 'number'
          ? `${input} is not a duration like 30s or 2m (units are required)`
          : expecting(`a duration like 30s or 2m (${what})`)({ input });
      ctx.addIssue({ code: 'custom', message, input });
      return z.NEVER;
    }
    return ms;
  });

const percentError = expecting('a percentage from 0 to 100 in steps of 10');
const percent = z
  .int({ error: percentError })
  .min(0, { error: percentError })
  .max(100, { error: percentError })
  .multipleOf(10, { error: percentError });

/** A strict mapping whose errors list its keys: unknown keys are mostly typos. */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown key (expected one of: ${keys})`;
      if (issue.code === 'invalid_type') return expecting(`a mapping with ${keys}`)(issue);
      return undefined;
    },
  });
}

const text = (what: string) => z.string({ error: expecting(what) }).min(1, { error: `is empty; expected ${what}` });

// ---------------------------------------------------------------------------------------------------------
// Schemas

const conditionSchema = strict({
  state: oneOf(HEALTH_STATES).optional(),
  automation: oneOf(AUTOMATION_STATES).optional(),
  primaryPercent: percent.optional(),
  split: oneOf(SPLIT_STATES).optional(),
  lastShift: oneOf(SHIFT_OUTCOMES).optional(),
  signals: z
    .record(z.string(), oneOf(ALARM_VALUES), {
      error: expecting('a mapping of alarm names or signal roles to OK, ALARM or INSUFFICIENT_DATA'),
    })
    .optional(),
}).refine((c) => Object.values(c).some((v) => v !== undefined), {
  message: 'names nothing to check; give at least one of state, automation, primaryPercent, split, lastShift, signals',
});

const setAlarmSchema = strict({
  alarm: text("an alarm name or ARN from the config's signals").optional(),
  signal: oneOf(SIGNAL_ROLES).optional(),
  state: oneOf(ALARM_VALUES),
  reason: text('a reason').optional(),
}).refine((s) => (s.alarm === undefined) !== (s.signal === undefined), {
  message: 'give exactly one of alarm (a name) or signal (a role: every alarm of it)',
});

const requestFaultSchema = strict({
  kind: oneOf(REQUEST_FAULTS),
  operation: oneOf(CONNECT_TRAFFIC_OPERATIONS).optional(),
  region: text('a Region code, primary or replica').optional(),
  count: z
    .int({ error: expecting('a whole number from 1 to 100') })
    .min(1, { error: expecting('a whole number from 1 to 100') })
    .max(100, { error: expecting('a whole number from 1 to 100') })
    .optional(),
});

const rate = z
  .number({ error: expecting('a probability from 0 to 1') })
  .min(0, { error: expecting('a probability from 0 to 1') })
  .max(1, { error: expecting('a probability from 0 to 1') });
const randomFaultSchema = strict({
  kind: z.literal('random'),
  seed: z.int({ error: expecting('a whole number') }),
  rates: strict(
    Object.fromEntries(REQUEST_FAULTS.map((k) => [k, rate.optional()])) as Record<
      RequestFault,
      z.ZodOptional<typeof rate>
    >,
  ).refine((r) => Object.values(r).reduce<number>((sum, p) => sum + (p ?? 0), 0) <= 1 + 1e-9, {
    message: 'the rates add up to more than 1',
  }),
  operations: z
    .array(oneOf(CONNECT_TRAFFIC_OPERATIONS), { error: expecting('a list of Connect operations') })
    .optional(),
});

const regionFaultSchema = strict({
  kind: z.enum(['regionDown', 'regionUp']),
  region: text('a Region code, primary or replica'),
});

const clearFaultSchema = strict({ kind: z.literal('clear') });

const FAULT_KINDS_ALL = [...REQUEST_FAULTS, 'regionDown', 'regionUp', 'random', 'clear'] as const;

/** Picks the fault schema by `kind`, so errors speak about the fields of that kind only. */
const faultSchema = z.unknown().transform((input, ctx): FaultSpec => {
  const kindIssue = oneOf(FAULT_KINDS_ALL).safeParse(isRecord(input) ? input.kind : undefined);
  if (!isRecord(input)) {
    ctx.addIssue({ code: 'custom', message: expecting('a mapping with kind and its fields')({ input }), input });
    return z.NEVER;
  }
  if (!kindIssue.success) {
    ctx.addIssue({
      code: 'custom',
      message: kindIssue.error.issues[0]?.message ?? 'invalid kind',
      path: ['kind'],
      input: input.kind,
    });
    return z.NEVER;
  }
  const kind = kindIssue.data;
  const schema =
    kind === 'random'
      ? randomFaultSchema
      : kind === 'clear'
        ? clearFaultSchema
        : kind === 'regionDown' || kind === 'regionUp'
          ? regionFaultSchema
          : requestFaultSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    forward(parsed.error.issues, [], ctx);
    return z.NEVER;
  }
  const data = parsed.data as Record<string, unknown>;
  if (kind === 'random') {
    return {
      kind,
      seed: data.seed as number,
      rates: data.rates as Partial<Record<RequestFault, number>>,
      operations: data.operations as ConnectTrafficOperation[] | undefined,
    };
  }
  if (kind === 'clear') return { kind };
  if (kind === 'regionDown' || kind === 'regionUp') return { kind, region: data.region as string };
  return {
    kind,
    operation: (data.operation as ConnectTrafficOperation | undefined) ?? 'UpdateTrafficDistribution',
    region: data.region as string | undefined,
    count: (data.count as number | undefined) ?? 1,
  };
});

const operatorSchema = strict({
  command: oneOf(OPERATOR_COMMANDS),
  reason: text('a reason (it goes into the audit history)').optional(),
  force: z.boolean({ error: expecting('true or false') }).optional(),
});

const guardSchema = strict({
  failback: oneOf(['manual', 'automatic']).optional(),
  mode: oneOf(['local', 'aws']).optional(),
});

const ACTION_SCHEMAS: Record<ActionKey, z.ZodType> = {
  setAlarm: setAlarmSchema,
  fault: faultSchema,
  operator: operatorSchema,
  waitFor: conditionSchema,
  hold: durationField('how long to hold'),
  assert: conditionSchema,
};

function stepSchema(list: 'steps' | 'cleanup') {
  return z.unknown().transform((input, ctx): Omit<ScenarioStep, 'path'> => {
    if (!isRecord(input)) {
      ctx.addIssue({
        code: 'custom',
        message: expecting(`a step: a mapping with one of ${ACTION_KEYS.join(', ')}`)({ input }),
        input,
      });
      return z.NEVER;
    }
    const actions = ACTION_KEYS.filter((key) => key in input);
    if (actions.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          actions.length === 0
            ? `has no action; give one of ${ACTION_KEYS.join(', ')}`
            : `has ${actions.length} actions (${actions.join(', ')}); give each its own step`,
        input,
      });
      return z.NEVER;
    }
    const key = actions[0]!;
    const allowed = new Set<string>([key, 'name', 'when', ...(key === 'waitFor' ? ['timeout'] : [])]);
    let failed = false;
    for (const extra of Object.keys(input).filter((k) => !allowed.has(k))) {
      failed = true;
      const message =
        extra === 'timeout'
          ? 'applies only to waitFor steps'
          : `unknown key (a ${list === 'steps' ? '' : 'cleanup '}step has one action and optional name, when${key === 'waitFor' ? ', timeout' : ''})`;
      ctx.addIssue({ code: 'custom', message, path: [extra], input: input[extra] });
    }
    const name = text('a step name').optional().safeParse(input.name);
    if (!name.success) forward(name.error.issues, ['name'], ctx);
    const when = guardSchema.optional().safeParse(input.when);
    if (!when.success) forward(when.error.issues, ['when'], ctx);
    const body = ACTION_SCHEMAS[key].safeParse(input[key]);
    if (!body.success) forward(body.error.issues, [key], ctx);
    const timeout =
      key === 'waitFor' && input.timeout !== undefined
        ? durationField("the wait's deadline").safeParse(input.timeout)
        : undefined;
    if (timeout && !timeout.success) forward(timeout.error.issues, ['timeout'], ctx);
    if (failed || !name.success || !when.success || !body.success || (timeout && !timeout.success)) return z.NEVER;
    const guard = when.data as StepGuard | undefined;
    return {
      name: name.data,
      when: guard && Object.keys(guard).length > 0 ? guard : undefined,
      action: toAction(key, body.data, (timeout?.data as number | undefined) ?? DEFAULT_WAIT_TIMEOUT_MS),
    };
  });
}

function toAction(key: ActionKey, data: unknown, timeoutMs: number): StepAction {
  const d = data as Record<string, unknown>;
  switch (key) {
    case 'setAlarm':
      return {
        kind: 'setAlarm',
        alarm: d.alarm as string | undefined,
        signal: d.signal as SignalRole | undefined,
        state: d.state as AlarmValue,
        reason: (d.reason as string | undefined) ?? DEFAULT_REASON,
      };
    case 'fault':
      return { kind: 'fault', fault: data as FaultSpec };
    case 'operator':
      return {
        kind: 'operator',
        command: d.command as (typeof OPERATOR_COMMANDS)[number],
        reason: (d.reason as string | undefined) ?? DEFAULT_REASON,
        force: Boolean(d.force),
      };
    case 'waitFor':
      return { kind: 'waitFor', condition: withoutUndefined(d) as Condition, timeoutMs };
    case 'hold':
      return { kind: 'hold', ms: data as number };
    case 'assert':
      return { kind: 'assert', condition: withoutUndefined(d) as Condition };
  }
}

/** The whole file; `parseScenario` adds the step paths and the file name. */
export const scenarioSchema = strict({
  name: text('a name for the scenario'),
  description: z.string({ error: expecting('a description') }).optional(),
  rto: strict({
    target: durationField('the recovery-time target'),
    from: text('the name of the step the clock starts at').optional(),
  }).optional(),
  local: strict({
    config: z.record(z.string(), z.unknown(), {
      error: expecting('a mapping of config settings (as in the config file)'),
    }),
  }).optional(),
  steps: z
    .array(stepSchema('steps'), { error: expecting('a list of steps') })
    .min(1, { error: 'is empty; give at least one step' }),
  cleanup: z.array(stepSchema('cleanup'), { error: expecting('a list of steps') }).optional(),
});

// ---------------------------------------------------------------------------------------------------------
// Helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}

/** Re-raises a nested schema's issues under `prefix`, keeping unknown keys one per issue. */
function forward(
  issues: readonly z.core.$ZodIssue[],
  prefix: PropertyKey[],
  ctx: { addIssue(issue: z.core.$ZodRawIssue): void },
): void {
  for (const issue of issues) {
    for (const { path, message } of toRawIssues(issue)) {
      ctx.addIssue({ code: 'custom', message, path: [...prefix, ...path], input: undefined });
    }
  }
}

function toRawIssues(issue: z.core.$ZodIssue): Array<{ path: PropertyKey[]; message: string }> {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: issue.message }));
  }
  return [{ path: issue.path, message: issue.message }];
}

/** A zod issue as scenario issues, each with its key path. */
export function toIssues(issue: z.core.$ZodIssue): ScenarioIssue[] {
  return toRawIssues(issue).map(({ path, message }) => ({ path: formatPath(path), message }));
}
