import { describe, expect, it } from 'vitest';
import { judgeAlarmSender, senderMatches } from '../../src/domain/alarm-senders.ts';

const OPERATOR_ROLE = 'AROAEXAMPLEOPERATOR01';
const EVENTBRIDGE = 'AIDAEXAMPLEEVENTBRIDGE';

describe('senderMatches', () => {
  it('matches the same SenderId, and a role unique id every session of that role', () => {
    expect(senderMatches(EVENTBRIDGE, EVENTBRIDGE)).toBe(true);
    expect(senderMatches(OPERATOR_ROLE, `${OPERATOR_ROLE}:alice@example.com`)).toBe(true);
    expect(senderMatches(OPERATOR_ROLE, `${OPERATOR_ROLE}:i-0abc`)).toBe(true);
    expect(senderMatches(`${OPERATOR_ROLE}:alice`, `${OPERATOR_ROLE}:alice`)).toBe(true);
  });

  it('matches on the principal boundary only: no longer id, no other session, no case folding', () => {
    expect(senderMatches(OPERATOR_ROLE, `${OPERATOR_ROLE}X:alice`)).toBe(false);
    expect(senderMatches(`${OPERATOR_ROLE}:alice`, `${OPERATOR_ROLE}:bob`)).toBe(false);
    expect(senderMatches(`${OPERATOR_ROLE}:alice`, OPERATOR_ROLE)).toBe(false);
    expect(senderMatches(OPERATOR_ROLE, OPERATOR_ROLE.toLowerCase())).toBe(false);
    expect(senderMatches('AROA', `${OPERATOR_ROLE}:alice`)).toBe(false);
  });
});

describe('judgeAlarmSender', () => {
  it('allows every sender, with or without a SenderId, when queue.alarmSenders is not set', () => {
    expect(judgeAlarmSender(undefined, `${OPERATOR_ROLE}:alice`)).toEqual({ allowed: true });
    expect(judgeAlarmSender(undefined, undefined)).toEqual({ allowed: true });
  });

  it('refuses a denied role in any session and says which entry it matched', () => {
    // Act
    const verdict = judgeAlarmSender({ deny: [OPERATOR_ROLE] }, `${OPERATOR_ROLE}:alice`);

    // Assess
    expect(verdict).toEqual({
      allowed: false,
      why: `sender ${OPERATOR_ROLE}:alice matches queue.alarmSenders.deny entry ${OPERATOR_ROLE}`,
    });
    expect(judgeAlarmSender({ deny: [OPERATOR_ROLE] }, EVENTBRIDGE)).toEqual({ allowed: true });
    expect(judgeAlarmSender({ deny: [OPERATOR_ROLE] }, undefined)).toEqual({ allowed: true });
  });

  it('with an allow list, admits only listed senders and refuses a message without SenderId', () => {
    const senders = { allow: [EVENTBRIDGE] };
    expect(judgeAlarmSender(senders, EVENTBRIDGE)).toEqual({ allowed: true });
    expect(judgeAlarmSender(senders, `${OPERATOR_ROLE}:alice`)).toEqual({
      allowed: false,
      why: `sender ${OPERATOR_ROLE}:alice is not in queue.alarmSenders.allow`,
    });
    expect(judgeAlarmSender(senders, undefined)).toEqual({
      allowed: false,
      why: 'the message has no SenderId, and queue.alarmSenders.allow admits only listed senders',
    });
  });

  it('checks deny before allow: a sender on both is refused', () => {
    expect(
      judgeAlarmSender({ allow: [OPERATOR_ROLE], deny: [`${OPERATOR_ROLE}:mallory`] }, `${OPERATOR_ROLE}:mallory`),
    ).toMatchObject({ allowed: false });
    expect(
      judgeAlarmSender({ allow: [OPERATOR_ROLE], deny: [`${OPERATOR_ROLE}:mallory`] }, `${OPERATOR_ROLE}:alice`),
    ).toEqual({ allowed: true });
  });
});
