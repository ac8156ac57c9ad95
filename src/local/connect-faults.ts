import { z } from 'zod';
import { mulberry32 } from './prng.ts';
import { SimulatorInputError } from './simulator-errors.ts';

/**
 * What a faulty Connect endpoint can do to one request:
 * - `throttle`: 429 ThrottlingException; `conflict`: 409 ResourceConflictException;
 *   `internal`: 500 InternalServiceException (nothing applied);
 * - `appliedThen500`: the operation runs (an accepted update is applied), then the answer is 500;
 * - `reset`: the socket is destroyed before anything runs (a network error for the client);
 * - `hang`: nothing runs and nothing is answered until the client gives up or the server stops.
 */
export const FAULT_KINDS = ['throttle', 'conflict', 'internal', 'appliedThen500', 'reset', 'hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The traffic-distribution operations the simulator serves, by their API names. */
export const CONNECT_TRAFFIC_OPERATIONS = [
  'UpdateTrafficDistribution',
  'GetTrafficDistribution',
  'DescribeTrafficDistributionGroup',
  'ListTrafficDistributionGroups',
] as const;
export type ConnectTrafficOperation = (typeof CONNECT_TRAFFIC_OPERATIONS)[number];

/** One scripted fault: it hits the first later request of `operation` (from `region`, when given). */
export interface ScriptedFault {
  operation: ConnectTrafficOperation;
  /** Only requests signed for this Region match; default: any Region. */
  region?: string;
  fault: FaultKind;
}

/**
 * Reads that lag behind writes, as from an eventually consistent store or a stale replica:
 * GetTrafficDistribution answers the split as it stood `ms` earlier (by the simulator's clock). The
 * request itself succeeds; only its content is old. DescribeTrafficDistributionGroup is not affected.
 */
export interface ReadLag {
  /** How far behind, in ms; 0 reads the present. */
  ms: number;
  /** Only GETs signed for these Regions lag (a stale replica); default every Region. */
  regions?: readonly string[];
}

/** Seeded random faults: each matching request draws once and gets at most one fault. */
export interface RandomFaults {
  /** Same seed and same request sequence: same faults. */
  seed: number;
  /** Probability of each fault per matching request; absent kinds are 0; the sum must not exceed 1. */
  rates: Partial<Record<FaultKind, number>>;
  /** Default: every operation. */
  operations?: readonly ConnectTrafficOperation[];
  /** Default: every Region. */
  regions?: readonly string[];
}

/**
 * A declarative fault plan, as accepted by `startConnectSimulator({ faults })`, `sim.faults.apply()`
 * and `POST /_simulator/faults`. Every part is optional; parts left out are not changed.
 */
export interface FaultPlan {
  /** Appended to the pending script. */
  script?: readonly ScriptedFault[];
  /** Replaces the random faults (restarting the generator from `seed`); `null` turns them off. */
  random?: RandomFaults | null;
  /** Region → down (`true`) or back up (`false`). */
  regionDown?: Readonly<Record<string, boolean>>;
  /** Replaces the read lag; `null` turns it off. */
  readLag?: ReadLag | null;
  /**
   * `true`: GetTrafficDistribution answers without AgentConfig (a group whose agents are not distributed,
   * or an API that leaves the member out); `false` restores it.
   */
  omitAgentConfig?: boolean;
}

/** What is armed right now: for tests and `GET /_simulator/faults`. */
export interface FaultSnapshot {
  script: ScriptedFault[];
  random: RandomFaults | null;
  regionsDown: string[];
  /** Present only while armed, so a snapshot with no read faults reads as it always did. */
  readLag?: ReadLag;
  /** Present (true) only while armed. */
  omitAgentConfig?: true;
}

/** A fault chosen for one request, and whether the script or the random generator chose it. */
export interface FaultDecision {
  fault: FaultKind;
  source: 'script' | 'random';
}

const faultKindSchema = z.enum(FAULT_KINDS);
const operationSchema = z.enum(CONNECT_TRAFFIC_OPERATIONS);
const rate = z.number().min(0).max(1);

const scriptedFaultSchema = z.strictObject({
  operation: operationSchema,
  region: z.string().min(1).optional(),
  fault: faultKindSchema,
});

const randomFaultsSchema = z
  .strictObject({
    seed: z.number().int(),
    rates: z.strictObject({
      throttle: rate.optional(),
      conflict: rate.optional(),
      internal: rate.optional(),
      appliedThen500: rate.optional(),
      reset: rate.optional(),
      hang: rate.optional(),
    }),
    operations: z.array(operationSchema).optional(),
    regions: z.array(z.string().min(1)).optional(),
  })
  .refine((r) => Object.values(r.rates).reduce<number>((sum, p) => sum + (p ?? 0), 0) <= 1 + 1e-9, {
    message: 'the fault rates add up to more than 1',
    path: ['rates'],
  });

const readLagSchema = z.strictObject({
  ms: z.number().min(0).max(86_400_000),
  regions: z.array(z.string().min(1)).optional(),
});

const faultPlanSchema = z.strictObject({
  script: z.array(scriptedFaultSchema).optional(),
  random: randomFaultsSchema.nullable().optional(),
  regionDown: z.record(z.string().min(1), z.boolean()).optional(),
  readLag: readLagSchema.nullable().optional(),
  omitAgentConfig: z.boolean().optional(),
});

function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new SimulatorInputError(`invalid ${what}: ${problems.join('; ')}`);
}

/**
 * Checks a fault plan from an untrusted source (an admin HTTP body).
 * @throws SimulatorInputError naming every problem.
 */
export function parseFaultPlan(input: unknown): FaultPlan {
  return parseWith(faultPlanSchema, input, 'fault plan');
}

/**
 * The armed faults of one simulator. Precedence for a request: its Region is down, then the first
 * matching scripted fault (consumed), then one draw of the random generator (only for requests the
 * random faults select, so unrelated traffic does not shift the sequence).
 */
export class ConnectFaults {
  #script: ScriptedFault[] = [];
  #random: { options: RandomFaults; draw: () => number } | undefined;
  readonly #down = new Set<string>();
  #readLag: ReadLag | undefined;
  #omitAgentConfig = false;

  /** Appends scripted faults; each is consumed by the first request it matches, in order. */
  script(steps: readonly ScriptedFault[]): void {
    const checked = parseWith(z.array(scriptedFaultSchema), steps, 'fault script');
    this.#script.push(...checked);
  }

  /** Arms seeded random faults (replacing any), or turns them off with `null`. */
  random(options: RandomFaults | null): void {
    if (options === null) {
      this.#random = undefined;
      return;
    }
    const checked = parseWith(randomFaultsSchema, options, 'random faults');
    this.#random = { options: checked, draw: mulberry32(checked.seed) };
  }

  /** Takes a Region down (every request signed for it loses its socket) or, with `down = false`, up. */
  regionDown(region: string, down = true): void {
    if (down) this.#down.add(region);
    else this.#down.delete(region);
  }

  /** Makes GetTrafficDistribution answer old splits (see {@link ReadLag}), or with `null` the present. */
  readLag(lag: ReadLag | null): void {
    this.#readLag = lag === null ? undefined : structuredClone(parseWith(readLagSchema, lag, 'read lag'));
  }

  /** Leaves AgentConfig out of every GetTrafficDistribution answer (`true`) or puts it back. */
  omitAgentConfig(omit = true): void {
    this.#omitAgentConfig = omit;
  }

  /** Applies a declarative plan; see {@link FaultPlan}. */
  apply(plan: FaultPlan): void {
    const checked = parseFaultPlan(plan);
    if (checked.script) this.script(checked.script);
    if (checked.random !== undefined) this.random(checked.random);
    for (const [region, down] of Object.entries(checked.regionDown ?? {})) this.regionDown(region, down);
    if (checked.readLag !== undefined) this.readLag(checked.readLag);
    if (checked.omitAgentConfig !== undefined) this.omitAgentConfig(checked.omitAgentConfig);
  }

  /** Removes every scripted, random and read fault and brings every Region back up. */
  clear(): void {
    this.#script = [];
    this.#random = undefined;
    this.#down.clear();
    this.#readLag = undefined;
    this.#omitAgentConfig = false;
  }

  /** How far behind a GetTrafficDistribution signed for `region` reads, in ms (0: the present). */
  readLagFor(region: string | undefined): number {
    const lag = this.#readLag;
    if (!lag) return 0;
    if (lag.regions && (region === undefined || !lag.regions.includes(region))) return 0;
    return lag.ms;
  }

  get omitsAgentConfig(): boolean {
    return this.#omitAgentConfig;
  }

  isDown(region: string | undefined): boolean {
    return region !== undefined && this.#down.has(region);
  }

  snapshot(): FaultSnapshot {
    return {
      script: this.#script.map((s) => ({ ...s })),
      random: this.#random ? structuredClone(this.#random.options) : null,
      regionsDown: [...this.#down].sort(),
      ...(this.#readLag ? { readLag: structuredClone(this.#readLag) } : {}),
      ...(this.#omitAgentConfig ? { omitAgentConfig: true as const } : {}),
    };
  }

  /** Chooses (and consumes) the fault for one request, if any. */
  take(operation: ConnectTrafficOperation, region: string | undefined): FaultDecision | undefined {
    const index = this.#script.findIndex(
      (s) => s.operation === operation && (s.region === undefined || s.region === region),
    );
    if (index >= 0) {
      const [step] = this.#script.splice(index, 1);
      if (step) return { fault: step.fault, source: 'script' };
    }
    return this.#drawRandom(operation, region);
  }

  #drawRandom(operation: ConnectTrafficOperation, region: string | undefined): FaultDecision | undefined {
    if (!this.#random) return undefined;
    const { options, draw } = this.#random;
    if (options.operations && !options.operations.includes(operation)) return undefined;
    if (options.regions && (region === undefined || !options.regions.includes(region))) return undefined;
    const u = draw();
    let threshold = 0;
    for (const kind of FAULT_KINDS) {
      threshold += options.rates[kind] ?? 0;
      if (u < threshold) return { fault: kind, source: 'random' };
    }
    return undefined;
  }
}
