/**
 * `queue.alarmSenders` end to end: the real controller on fauxqs, whose every message carries SenderId
 * `000000000000` (fauxqs 1.9.2 stamps that constant whatever the credentials), so the test's sender is
 * denied or allowed by naming that id or another. CloudWatch agrees with every event sent here: only the
 * sender decides.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from '../helpers/controller-harness.ts';
import type { Harness } from '../helpers/controller-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const CRITICAL = 'connect-primary-outage';
/** What fauxqs reports as SenderId for every message. */
const FAUXQS_SENDER = '000000000000';
const REFUSED_LOG = 'alarm event from a refused sender; left for the dead-letter queue';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose queue hands a message back after 1 s and moves it to the DLQ on its third receive. */
async function harness(
  alarmSenders: Record<string, string[]>,
): Promise<{ h: Harness; metrics: () => Promise<string> }> {
  const started = await startHarness({
    stack: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2 },
    config: { queue: { alarmSenders }, http: { host: '127.0.0.1', port: 0 } },
  });
  let url = '';
  await started.start({ hooks: { httpListening: (server) => void (url = `${server.url}/metrics`) } });
  await started.waitForPrimary(100);
  return { h: started, metrics: async () => (await fetch(url)).text() };
}

describe('an alarm event from a refused sender', () => {
  it('moves nothing, is counted forged, kept in the history, reported once, and ends in the DLQ; commands still act', async () => {
    // Prepare
    const run = await harness({ deny: [FAUXQS_SENDER] });
    h = run.h;
    const writes = h.stack.connect.writes.length;

    // Act
    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(async () => (await h!.queueDepth('dlq')) === 1, {
      timeoutMs: 15_000,
      what: 'the event in the DLQ',
    });

    // Assess
    expect(h.stack.connect.writes).toHaveLength(writes);
    expect(h.primaryPercent()).toBe(100);
    expect(await h.queueDepth('queue')).toBe(0);
    const refused = h.logs.filter((l) => l.msg === REFUSED_LOG);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ level: 'warn', sender: FAUXQS_SENDER, shape: 'eventbridge' });
    expect(JSON.stringify(refused[0])).not.toContain(CRITICAL);
    const history = (await h.readDocument())!.history.filter((e) => e.kind === 'forged');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ sender: FAUXQS_SENDER });
    expect(history[0]!.reason).toContain(`matches queue.alarmSenders.deny entry ${FAUXQS_SENDER}`);
    expect(await run.metrics()).toMatch(/connect_failover_messages_total\{shape="eventbridge",outcome="forged"\} 2/);

    // An operator command from the same sender is not an alarm event: the queue policy decides who sends it.
    await h.command('failover', { reason: 'operators are not refused' });
    await h.waitForPrimary(0);
  });

  it('is refused when an allow list does not name its sender', async () => {
    // Prepare
    const run = await harness({ allow: ['AIDAEXAMPLEEVENTBRIDGE'] });
    h = run.h;

    // Act
    await h.setAlarm(CRITICAL, 'ALARM');
    await eventually(async () => (await h!.queueDepth('dlq')) === 1, {
      timeoutMs: 15_000,
      what: 'the event in the DLQ',
    });

    // Assess
    expect(h.primaryPercent()).toBe(100);
    const forged = (await h.readDocument())!.history.find((e) => e.kind === 'forged');
    expect(forged?.reason).toContain(`sender ${FAUXQS_SENDER} is not in queue.alarmSenders.allow`);
  });
});

describe('an alarm event from a sender no entry refuses', () => {
  it('acts as before: denying another principal does not touch genuine events', async () => {
    // Prepare
    const run = await harness({ deny: ['AROAEXAMPLEOPERATOR01'], allow: [FAUXQS_SENDER] });
    h = run.h;

    // Act
    await h.setAlarm(CRITICAL, 'ALARM');

    // Assess
    await h.waitForPrimary(0);
    await eventually(async () => (await h!.queueDepth('queue')) === 0, { what: 'the event deleted' });
    expect(await h.queueDepth('dlq')).toBe(0);
    expect((await h.readDocument())!.history.some((e) => e.kind === 'forged')).toBe(false);
  });
});
