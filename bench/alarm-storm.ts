/**
 * Alarm storm on the embedded local stack: a queue holding N messages (default 10 000) of noise
 * (duplicates, stale events, alarms that are not signals) with a few real transitions spread through it
 * (degraded ALARM → 50 %, critical ALARM → 0 %, both OK, operator failback → 100 %, twice), drained by
 * the controller (`runController`, long polling) from `ready` to the queue being empty. Connect updates
 * sent must equal the real transitions. Compared in the same run with a bare ReceiveMessage +
 * DeleteMessageBatch loop draining the same N bodies: throughput ratio = bare time ÷ controller time.
 */
import { performance } from 'node:perf_hooks';
import { createSqsClient } from '../src/intake/sqs-client.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { openStore } from '../src/store/open-store.ts';
import { runCliIfMain } from './lib/cli.ts';
import { discardingLogger, startController } from './lib/controller-run.ts';
import { EventMix } from './lib/event-mix.ts';
import type { MixMessage } from './lib/event-mix.ts';
import { operatorBody } from './lib/messages.ts';
import { profilePhase } from './lib/phase-profile.ts';
import { drainBare, enqueueAll, waitUntilEmpty } from './lib/queue.ts';
import { counts, mdTable } from './lib/markdown.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { startBenchStack } from './lib/stack.ts';
import { round } from './lib/stats.ts';
import { TrackedStore } from './lib/tracked-store.ts';

export type AlarmStormOptions = {
  /** Messages in the storm. Default 10 000. */
  messages: number;
  /** How often the four-step cycle of real transitions runs. Default 2 (6 transitions). */
  cycles: number;
  /** The controller's store: `file` (production default) or `memory` (to see what the file costs). */
  store: 'file' | 'memory';
  /** The controller's log level: `info` (production default), or higher to see what logging costs. */
  logLevel: string;
  /**
   * The controller's long-poll wait, seconds. Default 20 (the benchmark's production-like setting). A stop
   * lets the last poll run out, so a small wait makes a tiny run (the tests') end sooner.
   */
  waitTimeSeconds: number;
};

export const ALARM_STORM_DEFAULTS: AlarmStormOptions = {
  messages: 10_000,
  cycles: 2,
  store: 'file',
  logLevel: 'info',
  waitTimeSeconds: 20,
};

/** One run: the bare drain, then the controller's, of the same storm (defaults: {@link ALARM_STORM_DEFAULTS}). */
export async function runAlarmStorm(options: Partial<AlarmStormOptions> = {}): Promise<BenchResult> {
  const { messages, cycles, store, logLevel, waitTimeSeconds } = { ...ALARM_STORM_DEFAULTS, ...options };
  const bench = await startBenchStack({ updateWindowMs: 100 });
  const { stack } = bench;
  const { config } = await bench.config({ failback: 'manual' });
  const sqs = createSqsClient(config.queue);
  try {
    const alarms = stack.cloudwatch.alarms().map((a) => ({ alarm: a, value: a.state.value, at: a.state.timestamp }));
    const byName = (name: string) => alarms.find((a) => a.alarm.name === name)!.alarm;
    const degraded = byName(stack.alarms.degraded[0]!);
    const critical = byName(stack.alarms.critical[0]!);
    const mix = new EventMix({
      alarms,
      seed: 11,
      weights: { change: 0, command: 0, duplicate: 40, stale: 30, unknown: 30 },
    });

    // One cycle: three health transitions (healthy → degraded → failedOver → healthy) in four steps.
    // Steps make their messages when their turn comes, so noise sent before a step cannot duplicate it.
    const cycle: Array<{ size: number; make: () => MixMessage[] }> = [
      { size: 1, make: () => [mix.change(degraded, 'ALARM')] },
      { size: 1, make: () => [mix.change(critical, 'ALARM')] },
      { size: 2, make: () => [mix.change(degraded, 'OK'), mix.change(critical, 'OK')] },
      { size: 1, make: () => [{ body: operatorBody('failback', mix.now + 1), kind: 'command' }] },
    ];
    const steps = Array.from({ length: cycles }, () => cycle).flat();
    const plannedTransitions = cycles * 3;
    const noise = messages - steps.reduce((n, step) => n + step.size, 0);
    const bodies: string[] = [];
    let next = 0;
    // Steps evenly spaced through the noise, so each shift has finished before the next transition arrives.
    for (let sent = 0; sent < noise || next < steps.length;) {
      if (next < steps.length && sent >= Math.round(((next + 1) * noise) / (steps.length + 1))) {
        for (const m of steps[next++]!.make()) bodies.push(m.body);
      } else {
        bodies.push(mix.next().body);
        sent += 1;
      }
    }

    // The floor: a bare consumer over the same bodies.
    await enqueueAll(sqs, config.queue.url, bodies);
    const bareCpu = process.cpuUsage();
    const bare = await profilePhase('storm-bare', () => drainBare(sqs, config.queue.url, messages));
    const bareCpuMs = cpuMs(process.cpuUsage(bareCpu));

    await enqueueAll(sqs, config.queue.url, bodies);
    const updatesBefore = stack.connect.writes.length;
    const tracked = new TrackedStore(store === 'memory' ? new MemoryStore() : openStore(config.store));
    const controller = await startController({
      config,
      store: tracked,
      logger: discardingLogger(logLevel),
      waitTimeSeconds,
    });
    const savesBefore = { count: tracked.saves, ms: tracked.saveMs };
    const { observed } = controller;
    const t0 = performance.now();
    const controllerCpu = process.cpuUsage();
    let controllerMs: number;
    let controllerCpuMs: number;
    let saves: { count: number; ms: number };
    try {
      await profilePhase('storm-controller', async () => {
        await observed.until(() => observed.messages >= messages, `${messages} messages classified`, 120_000);
        await waitUntilEmpty(sqs, config.queue.url);
      });
      controllerMs = performance.now() - t0;
      controllerCpuMs = cpuMs(process.cpuUsage(controllerCpu));
      saves = { count: tracked.saves - savesBefore.count, ms: tracked.saveMs - savesBefore.ms };
      // The last transition's shift may still be verifying; its update is counted once it is done.
      // Wait for the shift of the last decision itself: the newest outcome may still be the previous one's.
      const last = observed.decisions.filter((d) => d.region === 'health').at(-1);
      const finalPercent = last ? config.traffic[last.to as 'healthy' | 'degraded' | 'failedOver'] : undefined;
      await observed.until(
        () => {
          const newest = observed.shifts.at(-1);
          return (
            newest?.kind === 'verified' && (finalPercent === undefined || newest.target.primaryPercent === finalPercent)
          );
        },
        "the last decision's shift verified",
        30_000,
      );
    } finally {
      await controller.stop();
    }
    const updates = stack.connect.writes.length - updatesBefore;
    const transitions = observed.decisions.filter((d) => d.region === 'health').length;
    const bareRate = (messages / bare.ms) * 1000;
    const controllerRate = (messages / controllerMs) * 1000;
    return {
      name: 'alarm-storm',
      figures: [
        {
          key: 'storm.controllerMs',
          label: `Storm of ${messages}: controller drain time`,
          value: round(controllerMs),
          unit: 'ms',
        },
        {
          key: 'storm.bareMs',
          label: `Storm of ${messages}: bare receive+delete drain time`,
          value: round(bare.ms),
          unit: 'ms',
        },
        { key: 'storm.controllerRate', label: 'Controller throughput', value: round(controllerRate), unit: 'msg/s' },
        { key: 'storm.bareRate', label: 'Bare loop throughput', value: round(bareRate), unit: 'msg/s' },
        {
          key: 'storm.ratio',
          label: 'Storm throughput, controller ÷ bare loop',
          value: round(controllerRate / bareRate),
          unit: '×',
          target: { op: '>=', value: 0.9 },
        },
        {
          key: 'storm.extraUpdates',
          label: 'Connect updates minus real transitions',
          value: updates - transitions,
          unit: 'updates',
          target: { op: '==', value: 0 },
        },
      ],
      details: {
        messages,
        store,
        logLevel,
        plannedTransitions,
        transitions,
        updates,
        outcomes: Object.fromEntries(observed.outcomes),
        mix: mix.counts,
        bareBatches: bare.batches,
        // Everything runs in this process (emulator, simulators, consumer), so CPU time is less disturbed
        // by other load on the machine than wall time is.
        bareCpuMs: round(bareCpuMs),
        controllerCpuMs: round(controllerCpuMs),
        // Saves run one at a time with the batch they persist, so their time adds to the drain time.
        saves: saves.count,
        saveMs: round(saves.ms),
      },
    };
  } finally {
    sqs.destroy();
    await bench.close();
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

export const alarmStorm: Benchmark<AlarmStormOptions> = {
  name: 'alarm-storm',
  title: 'Alarm storm',
  method:
    "10 000 messages on the local stack's queue: noise (40 % duplicates of the alarms' current events, 30 % stale events older " +
    'than the states read at start-up, 30 % alarms that are not signals, each under a fresh name) with real transitions spread evenly ' +
    'through it: degraded ALARM (→ 50 %), critical ALARM (→ 0 %), both OK, operator failback (→ 100 %), twice: 6 transitions. First a ' +
    "bare loop (ReceiveMessage with the intake's parameters + DeleteMessageBatch, one batch at a time) drains the 10 000 bodies; then " +
    'the same bodies are queued again and the controller (`runController`, `waitTimeSeconds: 20`, file store, log level info) drains ' +
    'them, timed from its `ready` hook until every message is classified and the queue is empty. Simulator update window 100 ms. ' +
    'Throughput ratio = bare time ÷ controller time. Connect updates sent must equal the transitions the controller decided (and the 6 planned).',
  defaults: ALARM_STORM_DEFAULTS,
  runs: 3,
  run: runAlarmStorm,
  details: (results) =>
    mdTable(
      [
        'run',
        'controller ms',
        'bare ms',
        'planned transitions',
        'decided',
        'updates',
        'controller outcomes',
        'CPU ms controller / bare',
        'store saves: count, ms in them',
      ],
      results.map((r, i) => {
        const d = r.details as Record<string, unknown>;
        const fig = (key: string) => r.figures.find((f) => f.key === key)?.value ?? '';
        return [
          i + 1,
          fig('storm.controllerMs'),
          fig('storm.bareMs'),
          String(d['plannedTransitions']),
          String(d['transitions']),
          String(d['updates']),
          counts(d['outcomes'] as Record<string, number>),
          `${String(d['controllerCpuMs'])} / ${String(d['bareCpuMs'])}`,
          `${String(d['saves'])}, ${String(d['saveMs'])}`,
        ];
      }),
    ),
};

runCliIfMain(alarmStorm);
