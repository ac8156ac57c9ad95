import type { AcceptedUpdate, SignInSplit, Split } from './connect-traffic-rules.ts';

/** TrafficDistributionGroup.Status values, as documented. */
export const TDG_STATUSES = [
  'CREATION_IN_PROGRESS',
  'ACTIVE',
  'CREATION_FAILED',
  'PENDING_DELETION',
  'DELETION_FAILED',
  'UPDATE_IN_PROGRESS',
] as const;
export type TdgStatus = (typeof TDG_STATUSES)[number];

/** What one traffic distribution group holds right now. */
export interface TrafficState {
  status: TdgStatus;
  telephony: Split;
  agents: Split;
  signIn: SignInSplit;
}

export interface TrafficGroupInit {
  id: string;
  arn: string;
  name: string;
  description?: string;
  isDefault: boolean;
  tags: Record<string, string>;
  status: TdgStatus;
  telephony: Split;
  agents: Split;
  signIn: SignInSplit;
}

/** The telephony and agent splits from `at` on, until the next change. */
interface SplitVersion {
  at: number;
  telephony: Split;
  agents: Split;
}

/** Versions kept for lagging reads; a read lagging further than the oldest one sees the oldest. */
const MAX_SPLIT_VERSIONS = 1000;

/** Why an update cannot be accepted in the group's current status. */
export interface UpdateBlocker {
  status: 400 | 409;
  errorType: 'InvalidRequestException' | 'ResourceConflictException';
  message: string;
}

/**
 * One traffic distribution group shared by both Regions. The UPDATE_IN_PROGRESS window ends by the
 * injected clock rather than by a timer, so tests move time instead of waiting, and a stopped
 * simulator leaves nothing scheduled.
 */
export class TrafficGroup {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly isDefault: boolean;
  readonly tags: Record<string, string>;
  #status: TdgStatus;
  #updateEndsAt: number | undefined;
  #telephony: Split;
  #agents: Split;
  #signIn: SignInSplit;
  /** Oldest first; the last one is the present split. */
  readonly #versions: SplitVersion[];

  constructor(init: TrafficGroupInit) {
    this.id = init.id;
    this.arn = init.arn;
    this.name = init.name;
    this.description = init.description;
    this.isDefault = init.isDefault;
    this.tags = { ...init.tags };
    this.#status = init.status;
    this.#telephony = { ...init.telephony };
    this.#agents = { ...init.agents };
    this.#signIn = { ...init.signIn };
    this.#versions = [{ at: Number.NEGATIVE_INFINITY, telephony: { ...init.telephony }, agents: { ...init.agents } }];
  }

  status(now: number): TdgStatus {
    if (this.#updateEndsAt !== undefined && now >= this.#updateEndsAt) {
      this.#status = 'ACTIVE';
      this.#updateEndsAt = undefined;
    }
    return this.#status;
  }

  /** Sets the status until changed again (an UPDATE_IN_PROGRESS set here does not time out). */
  setStatus(status: TdgStatus): void {
    this.#status = status;
    this.#updateEndsAt = undefined;
  }

  state(now: number): TrafficState {
    return {
      status: this.status(now),
      telephony: { ...this.#telephony },
      agents: { ...this.#agents },
      signIn: { ...this.#signIn },
    };
  }

  /** The telephony and agent splits as they stood at `time` (a lagging read); the present for `time ≥ now`. */
  splitAt(time: number): { telephony: Split; agents: Split } {
    const found = this.#versions.findLast((v) => v.at <= time) ?? this.#versions[0];
    return { telephony: { ...(found?.telephony ?? this.#telephony) }, agents: { ...(found?.agents ?? this.#agents) } };
  }

  /** `undefined` when an update may be accepted now. */
  updateBlocker(now: number): UpdateBlocker | undefined {
    const status = this.status(now);
    if (status === 'ACTIVE') return undefined;
    if (status === 'UPDATE_IN_PROGRESS') {
      return {
        status: 409,
        errorType: 'ResourceConflictException',
        message: `Traffic distribution group ${this.id} is UPDATE_IN_PROGRESS: the previous update is still being applied`,
      };
    }
    return {
      status: 400,
      errorType: 'InvalidRequestException',
      message: `Traffic distribution group ${this.id} is ${status}; updates need ACTIVE`,
    };
  }

  /**
   * Applies an accepted update: the new split is visible at once, and the group reports
   * UPDATE_IN_PROGRESS for `windowMs` (none when 0).
   */
  apply(update: AcceptedUpdate, now: number, windowMs: number): void {
    this.#telephony = { ...update.telephony };
    if (update.agents) this.#agents = { ...update.agents };
    if (update.signIn) this.#signIn = { ...this.#signIn, ...update.signIn };
    this.#remember(now);
    if (windowMs > 0) {
      this.#status = 'UPDATE_IN_PROGRESS';
      this.#updateEndsAt = now + windowMs;
    }
  }

  /** Changes the split out of band (the console, another tool) at `now`: no status change. */
  setSplit(split: { telephony?: Split; agents?: Split }, now: number): void {
    if (split.telephony) this.#telephony = { ...split.telephony };
    if (split.agents) this.#agents = { ...split.agents };
    this.#remember(now);
  }

  #remember(now: number): void {
    this.#versions.push({ at: now, telephony: { ...this.#telephony }, agents: { ...this.#agents } });
    if (this.#versions.length > MAX_SPLIT_VERSIONS)
      this.#versions.splice(0, this.#versions.length - MAX_SPLIT_VERSIONS);
  }
}
