import { describe, expect, it } from 'vitest';
import { analyse, legsOf, measureRto, rtoCheck } from '../../src/gameday/analysis.ts';
import { T0, sampleRecording } from './recording-fixture.ts';

describe('analysing a game-day recording', () => {
  it('times each leg of an alarm-driven shift from the alarm change to the verification', () => {
    const [failover] = analyse(sampleRecording()).shifts;

    expect(failover).toMatchObject({
      number: 1,
      from: 'healthy',
      to: 'failedOver',
      targetPrimaryPercent: 0,
      cause: { kind: 'alarm', at: T0 + 100 },
    });
    expect(legsOf(failover!).map((l) => [l.label, l.ms])).toEqual([
      ['alarm change → event received', 10],
      ['event received → decision', 1],
      ['decision → update accepted', 24],
      ['update accepted → verified', 265],
      ['alarm change → verified (total)', 300],
    ]);
  });

  it('never puts the receipt after the decision it caused (its log line is written in the same tick, after it)', () => {
    const recording = sampleRecording();
    const decisionAt = recording.decisions[0]!.at;
    recording.receipts[0]!.at = decisionAt + 1;

    const [failover] = analyse(recording).shifts;

    expect(failover?.receivedAt).toBe(decisionAt);
    expect(legsOf(failover!).find((l) => l.label === 'event received → decision')?.ms).toBe(0);
  });

  it('keeps every Connect call of a shift as an attempt, and reports only the ones Connect failed as API errors', () => {
    const analysis = analyse(sampleRecording());

    expect(analysis.shifts[0]?.attempts.map((c) => `${c.operation}:${c.status ?? c.error}`)).toEqual([
      'GetTrafficDistribution:200',
      'UpdateTrafficDistribution:429',
      'GetTrafficDistribution:AbortError',
      'UpdateTrafficDistribution:200',
      'GetTrafficDistribution:200',
    ]);
    expect(analysis.apiErrors.map((c) => c.error)).toEqual(['ThrottlingException']);
  });

  it('traces an operator shift back to the command the game day sent', () => {
    const [, failback] = analyse(sampleRecording()).shifts;

    expect(failback?.cause).toEqual({ kind: 'command', command: 'failback', at: T0 + 1800, step: 'steps[3]' });
    expect(legsOf(failback!).map((l) => l.ms)).toEqual([29, 1, 15, 255, 300]);
  });

  it('measures the RTO from the critical alarm to the verified failover, and judges it against the target', () => {
    expect(measureRto(sampleRecording({ rtoTargetMs: 30_000 }))).toMatchObject({ measuredMs: 300, passed: true });
    expect(rtoCheck(sampleRecording({ rtoTargetMs: 250 }))).toMatchObject({
      kind: 'rto',
      passed: false,
      detail: expect.stringContaining('0.30s from connect-primary-outage set to ALARM'),
    });
    expect(rtoCheck(sampleRecording())).toBeUndefined();
  });

  it('against AWS measures the RTO until the game day itself saw the failed-over split', () => {
    const rto = measureRto(sampleRecording({ insideView: false, rtoTargetMs: 30_000 }));

    expect(rto).toMatchObject({
      measuredMs: 350,
      passed: true,
      until: { what: expect.stringContaining('the game day saw 0%') },
    });
  });

  it('fails the RTO check when traffic never reached the replica', () => {
    const recording = sampleRecording({ rtoTargetMs: 30_000 });
    recording.shiftOutcomes = [];
    recording.samples = recording.samples.map((s) => ({ ...s, actualPrimaryPercent: 100 }));

    expect(rtoCheck(recording)).toMatchObject({
      passed: false,
      detail: 'traffic never reached 0% on the primary after connect-primary-outage set to ALARM',
    });
  });
});
