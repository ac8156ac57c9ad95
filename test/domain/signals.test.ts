import { describe, expect, it } from 'vitest';
import { matchSignal, SIGNAL_ROLES, signalRefs } from '../../src/domain/signals.ts';
import type { Signals } from '../../src/domain/signals.ts';

const REGIONS = { primary: 'us-east-1', replica: 'us-west-2' };
const ARN = 'arn:aws:cloudwatch:eu-west-2:111122223333:alarm:connect-primary-outage';

describe('signals', () => {
  it('lists every signal in role order, each with the Region it is read in', () => {
    // Prepare
    const signals: Signals = {
      degraded: ['elevated-errors'],
      critical: [ARN, 'primary-down'],
      replicaUnhealthy: ['replica-down'],
    };

    // Act
    const refs = signalRefs(signals, REGIONS);

    // Assess: an ARN names its own Region; a name is read in the primary, or the replica for replica signals.
    expect(refs).toEqual([
      { key: 'elevated-errors', role: 'degraded', name: 'elevated-errors', region: 'us-east-1' },
      { key: ARN, role: 'critical', name: 'connect-primary-outage', region: 'eu-west-2' },
      { key: 'primary-down', role: 'critical', name: 'primary-down', region: 'us-east-1' },
      { key: 'replica-down', role: 'replicaUnhealthy', name: 'replica-down', region: 'us-west-2' },
    ]);
    expect(refs.map((r) => r.role)).toEqual(['degraded', 'critical', 'critical', 'replicaUnhealthy']);
    expect(SIGNAL_ROLES).toEqual(['degraded', 'critical', 'replicaUnhealthy']);
  });

  it('matches an ARN entry by the whole ARN and a name entry by the name, in any account', () => {
    // Prepare
    const refs = signalRefs({ degraded: [], critical: [ARN, 'primary-down'], replicaUnhealthy: [] }, REGIONS);
    const otherAccount = 'arn:aws:cloudwatch:eu-west-2:999988887777:alarm:connect-primary-outage';

    // Act
    const byArn = matchSignal(refs, { arn: ARN, name: 'connect-primary-outage' });
    const sameNameElsewhere = matchSignal(refs, { arn: otherAccount, name: 'connect-primary-outage' });
    const byName = matchSignal(refs, {
      arn: 'arn:aws:cloudwatch:us-east-1:999988887777:alarm:primary-down',
      name: 'primary-down',
    });
    const unknown = matchSignal(refs, { arn: 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:other', name: 'other' });

    // Assess
    expect(byArn?.key).toBe(ARN);
    expect(sameNameElsewhere).toBeUndefined();
    expect(byName?.key).toBe('primary-down');
    expect(unknown).toBeUndefined();
  });
});
