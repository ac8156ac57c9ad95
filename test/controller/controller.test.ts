/**
 * The Controller and its collaborators on their own: an in-memory store, a fake TrafficControl port that
 * applies splits at once, a fixed alarm reader and the manual clock. No server, no real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { statesOf } from '../../state-machines/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { Controller } from '../../src/controller/controller.ts';
import { DocumentSaver } from '../../src/controller/document-saver.ts';
import { MessageClassifier } from '../../src/controller/message-classifier.ts';
import { signalRefs } from '../../src/domain/signals.ts';
import { StoreUnavailableError } from '../../src/errors.ts';
import { encodeOperatorCommand } from '../../src/events/normalize.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import {
  alarmBody,
  CONFIG,
  FakeCloudWatch,
  InstantTraffic,
  message,
  silentLogger,
} from '../helpers/controller-fixtures.ts';
import { eventually } from '../helpers/eventually.ts';

const logger = silentLogger;

let stop: AbortController | undefined;
afterEach(() => stop?.abort());

async function started(store = new MemoryStore(), options: { config?: typeof CONFIG; dryRun?: boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 12));
  const traffic = new InstantTraffic();
  const cloudwatch = new FakeCloudWatch(clock.now() - 60_000);
  const controller = new Controller({
    config: options.config ?? CONFIG,
    dryRun: options.dryRun ?? false,
    store,
    traffic,
    alarms: cloudwatch,
    clock,
    logger,
    resyncMs: 0,
    storeRetry: { baseMs: 1, capMs: 1, maxFailures: 3 },
  });
  stop = new AbortController();
  await controller.start(stop.signal);
  await controller.settleStartup(stop.signal);
  const loops = controller.runLoops(stop.signal);
  // The first DescribeAlarms read (every alarm OK) is applied and saved before a test acts.
  await eventually(async () => ((await store.load())?.version ?? 0) >= 2, { what: 'the first alarm read saved' });
  /** An alarm event body, with CloudWatch agreeing (behaviour 13 confirms before a shift). */
  const alarm = (name: string, value: 'OK' | 'ALARM') => {
    cloudwatch.set(name, value, clock.now());
    return alarmBody(name, value, clock.now());
  };
  return { controller, clock, traffic, store, loops, cloudwatch, alarm };
}

describe('Controller', () => {
  it('applies a critical alarm, saves before answering, and shifts through the statechart effect', async () => {
    const { controller, traffic, store, alarm } = await started();
    const result = await controller.handleBatch([message(alarm('connect-primary-outage', 'ALARM'), 'm1')]);

    expect(result).toEqual({ deletable: ['m1'], malformed: [], forged: [] });
    const saved = await store.load();
    expect((saved!.data as { snapshot: { value: { health: string } } }).snapshot.value.health).toBe('failedOver');
    await eventually(() => traffic.shifts.includes(0), { what: 'the shift to 0%' });
    const transitions = controller.document.history.filter((e) => e.kind === 'transition');
    expect(transitions.map((e) => `${e.from}->${e.to}`)).toEqual(['healthy->failedOver']);
  });

  it('leaves malformed messages out of the deletable ids and keeps going', async () => {
    const { controller, alarm } = await started();
    const result = await controller.handleBatch([
      message('{"not":"ours"}', 'bad'),
      message(alarm('connect-primary-elevated-errors', 'ALARM'), 'ok'),
    ]);
    expect(result).toEqual({ deletable: ['ok'], malformed: ['bad'], forged: [] });
    expect(statesOf(controller.snapshot).health).toBe('degraded');
  });

  it('saves a redelivered command that memory has applied but the store has not, before it may be deleted', async () => {
    const store = new MemoryStore();
    const { controller } = await started(store);
    const body = encodeOperatorCommand({
      id: '6f1c9a52-3b1e-4c8e-9d2a-0b7e5f4a1c11',
      command: 'pause',
      reason: 'drill',
      force: false,
      requestedBy: 'op',
      requestedAt: Date.now(),
    });
    store.failNext('save', 1);
    await expect(controller.handleBatch([message(body, 'c')])).rejects.toThrow();

    const redelivered = await controller.handleBatch([message(body, 'c')]);
    expect(redelivered.deletable).toEqual(['c']);
    const saved = await store.load();
    expect((saved!.data as { snapshot: { value: { automation: string } } }).snapshot.value.automation).toBe('paused');
  });

  it('moves nothing on an alarm event that CloudWatch contradicts, and records it as disputed', async () => {
    const { controller, clock, traffic } = await started();
    // CloudWatch says OK since a minute ago; the message claims ALARM now: a forgery or a lost truth.
    const result = await controller.handleBatch([
      message(alarmBody('connect-primary-outage', 'ALARM', clock.now()), 'forged'),
    ]);
    expect(result.deletable).toEqual(['forged']);
    expect(statesOf(controller.snapshot).health).toBe('healthy');
    expect(traffic.shifts).not.toContain(0);
    expect(controller.document.history.filter((e) => e.kind === 'disputed')).toHaveLength(1);
  });

  it('keeps alarm events from a denied sender out of the deletable ids, records each once, and applies commands', async () => {
    // Prepare
    const config = { ...CONFIG, queue: { ...CONFIG.queue, alarmSenders: { deny: ['AROAEXAMPLEOPERATOR01'] } } };
    const { controller, traffic, alarm } = await started(new MemoryStore(), { config });
    const fromOperator = (body: string, id: string) => ({
      ...message(body, id),
      senderId: 'AROAEXAMPLEOPERATOR01:mallory',
    });
    const pause = encodeOperatorCommand({
      id: '0b4f5e2a-8c1d-4e7f-9a3b-2c6d1e0f9a88',
      command: 'pause',
      reason: 'drill',
      force: false,
      requestedBy: 'op',
      requestedAt: Date.now(),
    });
    const body = alarm('connect-primary-outage', 'ALARM');

    // Act
    const first = await controller.handleBatch([fromOperator(body, 'x'), fromOperator(pause, 'c')]);
    const again = await controller.handleBatch([fromOperator(body, 'x')]);

    // Assess
    expect(first).toEqual({ deletable: ['c'], malformed: [], forged: ['x'] });
    expect(again).toEqual({ deletable: [], malformed: [], forged: ['x'] });
    expect(statesOf(controller.snapshot)).toEqual({ health: 'healthy', automation: 'paused' });
    expect(traffic.shifts).not.toContain(0);
    const forged = controller.document.history.filter((e) => e.kind === 'forged');
    expect(forged).toHaveLength(1);
    expect(forged[0]).toMatchObject({ sender: 'AROAEXAMPLEOPERATOR01:mallory' });
  });

  it('escalates at the deadline with no event, on the manual clock', async () => {
    const { controller, clock, traffic, alarm } = await started();
    await controller.handleBatch([message(alarm('connect-primary-elevated-errors', 'ALARM'), 'd')]);
    await eventually(() => traffic.shifts.includes(50), { what: 'the degraded split' });
    clock.advance(CONFIG.timing.escalateAfterMs);
    await eventually(() => statesOf(controller.snapshot).health === 'failedOver', { what: 'escalation' });
    await eventually(() => traffic.shifts.includes(0), { what: 'the failover split' });
  });

  it('in a dry run takes each failback step as verified when decided, so the steps follow their holds', async () => {
    // A dry run writes nothing and so verifies nothing: without its stand-in the first step would hold for ever.
    const hold = 2 * 60_000;
    const config = {
      ...CONFIG,
      traffic: { ...CONFIG.traffic, failbackSteps: [20, 50, 100] },
      timing: { ...CONFIG.timing, failbackStepHoldMs: hold },
    };
    const { controller, clock, traffic } = await started(new MemoryStore(), { config, dryRun: true });
    const command = (id: string, name: 'failover' | 'failback') =>
      encodeOperatorCommand({ id, command: name, reason: 'drill', force: false, requestedBy: 'op', requestedAt: 0 });
    await controller.handleBatch([message(command('0d9e3c4b-8f1a-4b6e-a2c7-5e1f9b3d7a20', 'failover'), 'over')]);
    await controller.handleBatch([message(command('1d9e3c4b-8f1a-4b6e-a2c7-5e1f9b3d7a20', 'failback'), 'back')]);
    const decided = controller.snapshot.context.failbackStep;

    clock.advance(hold);
    await eventually(() => controller.snapshot.context.failbackStep?.index === 1, { what: 'the second step' });

    expect(decided).toMatchObject({ index: 0, verifiedAt: decided?.since });
    expect(traffic.shifts).toEqual([]);
  });

  it('stops with StoreUnavailableError when saves keep failing', async () => {
    const store = new MemoryStore();
    const { controller, clock, loops, alarm } = await started(store);
    store.failNext('save', 100);
    await expect(controller.handleBatch([message(alarm('connect-primary-outage', 'ALARM'), 'x')])).rejects.toThrow();
    // The manual clock only moves when told: let each retry's backoff pass.
    const advancing = setInterval(() => clock.advance(10), 1);
    try {
      await expect(loops).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      clearInterval(advancing);
    }
  });
});

describe('MessageClassifier', () => {
  it('orders alarm events by their alarm timestamp and reports a malformed id once', () => {
    const lines: string[] = [];
    const recording = {
      ...logger,
      warn: (_: unknown, msg: string) => lines.push(msg),
      debug: () => undefined,
    } as unknown as typeof logger;
    const classifier = new MessageClassifier(signalRefs(CONFIG.signals, CONFIG.regions), recording);
    const parsed = classifier.parse([
      message(alarmBody('a', 'OK', 2_000), 'late'),
      message(alarmBody('b', 'OK', 1_000), 'early'),
      message('x', 'bad'),
    ]);
    expect(parsed.events.map((e) => e.message.messageId)).toEqual(['early', 'late']);
    classifier.parse([message('x', 'bad')]);
    expect(lines.filter((l) => l.startsWith('malformed'))).toHaveLength(1);
  });
});

describe('DocumentSaver', () => {
  it('clears the dirty mark only on a successful save', async () => {
    const store = new MemoryStore();
    const saver = new DocumentSaver(store, new ManualClock(), logger);
    store.failNext('save', 1);
    await expect(saver.save({ a: 1 })).rejects.toThrow();
    expect(saver.dirty).toBe(true);
    await saver.save({ a: 1 });
    expect(saver.dirty).toBe(false);
    expect((await store.load())?.version).toBe(1);
  });
});
