/**
 * The document's record of the shift toward the desired split, and of the split as last read: kept from
 * the reconciler's outcomes. Says after each outcome whether the document changed enough to be saved.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import type { TrafficSplit } from '../connect/traffic-port.ts';
import type { Logger } from '../observability/logger.ts';
import { iso } from './controller-types.ts';
import { appendHistory } from './document.ts';
import type { ActualTraffic, ControllerDocument } from './document.ts';
import type { ReconcileOutcome, Target } from './reconciler.ts';

export interface ShiftBookOptions {
  config: Pick<Config, 'regions'>;
  clock: Clock;
  logger: Logger;
  dryRun: boolean;
}

export class ShiftBook {
  constructor(private readonly options: ShiftBookOptions) {}

  /** A new target starts a fresh record; the same target keeps the one in progress. */
  aim(doc: ControllerDocument, target: Target): void {
    if (doc.shift && doc.shift.targetPrimaryPercent === target.primaryPercent) return;
    const now = iso(this.options.clock.now());
    doc.shift = {
      targetPrimaryPercent: target.primaryPercent,
      decidedSeq: target.seq,
      decidedAt: now,
      status: 'pending',
      attempts: 0,
      writes: 0,
      lastError: undefined,
      updatedAt: now,
      nextAttemptAt: undefined,
      verifiedAt: undefined,
    };
  }

  /** Records one reconcile outcome; true when the document should be saved now. */
  record(doc: ControllerDocument, outcome: ReconcileOutcome): boolean {
    const { logger, clock } = this.options;
    const now = iso(clock.now());
    const shift = doc.shift;
    const current = shift && shift.targetPrimaryPercent === outcome.target.primaryPercent ? shift : undefined;
    switch (outcome.kind) {
      case 'started':
        // Not saved on its own: the decision's save already holds the pending shift, so a crash mid-shift
        // restarts knowing what it was doing, without a save on the way to every write.
        if (current) Object.assign(current, { attempts: current.attempts + 1, updatedAt: now });
        return false;
      case 'verified': {
        const { result } = outcome;
        doc.actual = actualTraffic(result.split, 'ACTIVE', now);
        // A periodic re-check that found the split as it should be is not news: no history line, no save
        // (the reading rides along with the next save). Otherwise every check would push the audit out.
        if (outcome.resync && result.writes === 0) return false;
        if (current)
          Object.assign(current, {
            status: 'verified',
            writes: current.writes + result.writes,
            lastError: undefined,
            nextAttemptAt: undefined,
            verifiedAt: now,
            updatedAt: now,
          });
        if (outcome.resync) {
          // Nothing decided a shift, yet the split had to be written: someone changed it by hand.
          appendHistory(doc, {
            at: now,
            kind: 'drift',
            reason: `split found changed while running; restored ${outcome.target.primaryPercent}% to the primary`,
            primaryPercent: outcome.target.primaryPercent,
          });
          logger.warn(
            { targetPrimaryPercent: outcome.target.primaryPercent, writes: result.writes },
            'drift: split changed by hand while running; restored',
          );
        }
        appendHistory(doc, {
          at: now,
          kind: 'shift',
          reason: `${result.outcome} via ${result.writtenVia ?? 'no write'}`,
          outcome: 'verified',
          primaryPercent: outcome.target.primaryPercent,
        });
        // The one line per verified shift (the shifter's own detail is at debug).
        logger.info(
          {
            decision: outcome.target.seq,
            targetPrimaryPercent: outcome.target.primaryPercent,
            outcome: result.outcome,
            writes: result.writes,
            calls: result.calls.length,
            awsRegion: result.writtenVia,
          },
          'shift verified',
        );
        return true;
      }
      case 'failed':
        if (current)
          Object.assign(current, {
            status: 'failed',
            lastError: outcome.error.message,
            nextAttemptAt: iso(clock.now() + outcome.retryInMs),
            updatedAt: now,
          });
        appendHistory(doc, {
          at: now,
          kind: 'shift',
          reason: outcome.error.message,
          outcome: 'failed',
          primaryPercent: outcome.target.primaryPercent,
        });
        return true;
      case 'observed':
        return this.observed(doc, outcome, current !== undefined, now);
    }
  }

  private observed(
    doc: ControllerDocument,
    outcome: Extract<ReconcileOutcome, { kind: 'observed' }>,
    current: boolean,
    now: string,
  ): boolean {
    const { logger, config, dryRun } = this.options;
    const previous = doc.actual?.telephonyPrimaryPercent;
    doc.actual = actualTraffic(outcome.split, outcome.status, now);
    const actual = outcome.split.telephonyPrimaryPercent;
    const differs = actual !== outcome.target.primaryPercent;
    if (outcome.resync && previous === actual && !differs) return false;
    if (current && dryRun && doc.shift) Object.assign(doc.shift, { status: 'dryRun', updatedAt: now });
    if (differs && outcome.resync && previous !== actual) {
      appendHistory(doc, {
        at: now,
        kind: 'drift',
        reason: `Connect sends ${actual}% to the primary; the state wants ${outcome.target.primaryPercent}% (not corrected while automation is not active)`,
        primaryPercent: actual,
      });
    }
    if (differs) {
      const region = outcome.target.primaryPercent < actual ? config.regions.replica : config.regions.primary;
      logger.warn(
        {
          dryRun,
          wouldCall: 'UpdateTrafficDistribution',
          region,
          targetPrimaryPercent: outcome.target.primaryPercent,
          actualPrimaryPercent: actual,
        },
        dryRun
          ? 'dry run: would shift traffic'
          : 'split differs from the desired one; not written while automation is not active',
      );
    }
    return true;
  }
}

/** The split as last read from Connect, as the document keeps it. */
export function actualTraffic(split: TrafficSplit, status: string, readAt: string): ActualTraffic {
  return {
    telephonyPrimaryPercent: split.telephonyPrimaryPercent,
    agentsPrimaryPercent: split.agentsPrimaryPercent,
    status,
    readAt,
  };
}
