/**
 * Memory after a million events through the controller's own in-memory path: `Controller.handleBatch`
 * (normalize, dedupe, statechart, decision log, history, persist) with a `MemoryStore`, the reconciler
 * and tick loop running (`runLoops`), and the Connect and CloudWatch ports stubbed with tiny in-process
 * implementations. This path, rather than the machine alone, because the things that could grow live
 * in the controller: the history, the remembered command ids, per-alarm readings, the logged decisions,
 * the persisted document. The stream (EventMix) sends every unknown alarm under a fresh name and keeps
 * commands and transitions flowing, so the history and command-id caps are reached early in the run.
 *
 * The logger is silent: a log line retains nothing, and serialising a million of them (with redaction)
 * would double the run time without telling anything about memory. So the per-event time reported
 * here is not the production cost of a message; decision-latency and alarm-storm log at `info`.
 *
 * RSS and heap are sampled every `sampleEvery` events, after `global.gc()` when run with --expose-gc
 * (run-all does), so the heap figure is what is retained, not garbage not yet collected.
 */
import type { Clock } from '../src/clock.ts';
import type { AlarmReader } from '../src/cloudwatch/alarm-reader.ts';
import { parseConfig } from '../src/config/load.ts';
import type { ShiftResult, TrafficControl, TrafficSplit } from '../src/connect/traffic-port.ts';
import { Controller } from '../src/controller/controller.ts';
import type { InboundMessage } from '../src/controller/controller.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { runCliIfMain } from './lib/cli.ts';
import { examplePolicy, exampleAlarms } from './decision-cost.ts';
import { EventMix } from './lib/event-mix.ts';
import { BENCH_ACCOUNT, BENCH_TDG_ARN } from './lib/messages.ts';
import { mdTable } from './lib/markdown.ts';
import { RUNTIME_NODE_OPTIONS } from './lib/runtime-flags.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { fittedGrowth, round } from './lib/stats.ts';

export type MemoryOptions = {
  /** Events fed in. Default 1 000 000. */
  events: number;
  /** Events between samples. Default 100 000. */
  sampleEvery: number;
  /**
   * Messages per `handleBatch`. Default 100: SQS hands over at most 10, but every batch persists the
   * whole document (history included), and 100 000 saves would make this benchmark take minutes
   * without changing what is retained.
   */
  batch: number;
};

export const MEMORY_DEFAULTS: MemoryOptions = { events: 1_000_000, sampleEvery: 100_000, batch: 100 };

export interface MemorySample {
  events: number;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
}

const MB = 2 ** 20;

/** Connect, as far as the controller can tell: every shift verified at once. */
class InstantTraffic implements TrafficControl {
  split: TrafficSplit = { telephonyPrimaryPercent: 100, agentsPrimaryPercent: 100 };
  shifts = 0;

  async shift(targetPrimaryPercent: number, signal: AbortSignal): Promise<ShiftResult> {
    signal.throwIfAborted();
    this.shifts += 1;
    this.split = { telephonyPrimaryPercent: targetPrimaryPercent, agentsPrimaryPercent: targetPrimaryPercent };
    return {
      outcome: 'verified',
      calls: [],
      writes: 1,
      writtenVia: 'us-west-2',
      verifiedAt: Date.now(),
      split: this.split,
    };
  }

  async read(signal: AbortSignal) {
    signal.throwIfAborted();
    return { split: this.split, status: 'ACTIVE' as const, region: 'us-east-1' };
  }
}

/** The stream's alarm time as the clock; sleeps end only by abort, so deadlines act on the next event. */
function streamClock(mix: EventMix): Clock {
  return {
    now: () => mix.now,
    sleep: (_ms, signal) =>
      new Promise<void>((_resolve, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
}

/** One run of `events` through the controller, sampled every `sampleEvery` (defaults: {@link MEMORY_DEFAULTS}). */
export async function runMemory(options: Partial<MemoryOptions> = {}): Promise<BenchResult> {
  const { events, sampleEvery, batch } = { ...MEMORY_DEFAULTS, ...options };
  const gc = (globalThis as { gc?: () => void }).gc;
  const policy = examplePolicy();
  const start = Date.UTC(2026, 10, 28, 12);
  const alarms = exampleAlarms(policy, start);
  // Commands at 1 %: enough to reach the history and command-id caps early, few enough that shifts
  // (two saves each) do not dominate the run time.
  const mix = new EventMix({
    alarms,
    seed: 3,
    weights: { change: 50, duplicate: 20, stale: 14, unknown: 15, command: 1 },
  });
  const { config } = parseConfig(
    JSON.stringify({
      trafficDistributionGroup: BENCH_TDG_ARN,
      regions: { primary: 'us-east-1', replica: 'us-west-2' },
      queue: { url: `http://127.0.0.1:9/${BENCH_ACCOUNT}/connect-failover-events`, region: 'us-east-1' },
      signals: policy.signals,
      failback: 'manual',
    }),
    { file: 'memory-bench.json' },
  );
  const traffic = new InstantTraffic();
  const reader: AlarmReader = {
    read: async (refs) =>
      refs.map((r) => ({ key: r.key, value: 'OK' as const, at: start, arn: undefined, reason: undefined })),
  };
  const store = new MemoryStore();
  const controller = new Controller({
    config,
    store,
    traffic,
    alarms: reader,
    clock: streamClock(mix),
    logger: silentLogger,
  });
  const stop = new AbortController();
  await controller.start(stop.signal);
  const loops = controller.runLoops(stop.signal).catch((error: unknown) => {
    if (!stop.signal.aborted) throw error;
  });

  const samples: MemorySample[] = [sample(0, gc)];
  const t0 = performance.now();
  let fed = 0;
  let id = 0;
  let deletable = 0;
  while (fed < events) {
    const size = Math.min(batch, events - fed);
    const messages: InboundMessage[] = [];
    for (let i = 0; i < size; i++)
      messages.push({ messageId: `m-${++id}`, body: mix.next().body, receivedAt: Date.now() });
    const result = await controller.handleBatch(messages);
    deletable += result.deletable.length;
    fed += size;
    // Let the reconciler and tick loop run between batches, as they do between receives.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (fed % sampleEvery === 0 || fed === events) samples.push(sample(fed, gc));
  }
  const elapsedMs = performance.now() - t0;
  stop.abort(new Error('benchmark done'));
  await loops;
  await controller.flush();
  const doc = controller.document;
  const stored = await store.load();

  // Growth over the samples from 10 % of the run on (by then the history and command-id caps are
  // reached), along the least-squares line: RSS moves ±20 MB between samples as V8 resizes its young
  // generation, so last-minus-first would judge the noise.
  const settled = samples.filter((s) => s.events >= events * 0.1 && s.events > 0);
  const from = settled[0] ?? samples[0]!;
  const last = samples[samples.length - 1]!;
  const growth = (pick: (s: MemorySample) => number) =>
    fittedGrowth(
      settled.map((s) => s.events),
      settled.map(pick),
    );
  const rssMax = Math.max(...samples.map((s) => s.rssMB));
  return {
    name: 'memory',
    figures: [
      {
        key: 'memory.rssMax',
        label: `RSS, highest sample over ${events.toLocaleString('en')} events`,
        value: round(rssMax),
        unit: 'MB',
        target: { op: '<=', value: 120 },
        spread: { low: Math.min(...samples.map((s) => s.rssMB)), high: rssMax, over: `${samples.length} samples` },
      },
      {
        key: 'memory.rssGrowth',
        label: `RSS growth from ${from.events.toLocaleString('en')} events to the end (least-squares fit)`,
        value: round(growth((s) => s.rssMB)),
        unit: 'MB',
        target: { op: '<=', value: 10 },
      },
      {
        key: 'memory.heapGrowth',
        label: `Heap used (after GC) growth from ${from.events.toLocaleString('en')} events to the end (least-squares fit)`,
        value: round(growth((s) => s.heapUsedMB)),
        unit: 'MB',
        target: { op: '<=', value: 2 },
      },
      {
        key: 'memory.heapLast',
        label: 'Heap used after the last event (after GC)',
        value: round(last.heapUsedMB),
        unit: 'MB',
      },
      {
        key: 'memory.perEvent',
        label: 'Controller in-memory path, per event (batches of ' + batch + ')',
        value: round((elapsedMs * 1000) / events),
        unit: 'µs',
      },
    ],
    details: {
      events,
      batch,
      gc: gc !== undefined,
      samples: samples.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)]))),
      deletable,
      decisions: controller.snapshot.context.seq,
      shifts: traffic.shifts,
      historyEntries: doc.history.length,
      commandIds: doc.commandIds.length,
      signalsTracked: Object.keys(controller.snapshot.context.signals).length,
      persistedBytes: stored ? JSON.stringify(stored.data).length : 0,
      mix: mix.counts,
    },
  };
}

function sample(events: number, gc: (() => void) | undefined): MemorySample {
  gc?.();
  const m = process.memoryUsage();
  return {
    events,
    rssMB: m.rss / MB,
    heapUsedMB: m.heapUsed / MB,
    heapTotalMB: m.heapTotal / MB,
    externalMB: m.external / MB,
  };
}

export const memory: Benchmark<MemoryOptions> = {
  name: 'memory',
  title: 'Memory over a million events',
  method:
    "The controller's in-memory path: `Controller` with a `MemoryStore`, `start()` then `runLoops()` (reconciler and tick loop), and " +
    '`handleBatch` fed 1 000 000 messages in batches of 100 (SQS gives at most 10, but every batch persists the whole document; batches ' +
    'of 10 would take minutes and retain the same). Connect and CloudWatch are stubbed in-process (every shift verified at once; every ' +
    'alarm OK at start). The stream: 50 % changes, 20 % duplicates, 14 % stale, 15 % alarms that are not signals (each a fresh name), 1 % ' +
    "commands; its alarm time is the controller's clock. This path rather than the machine alone because what could grow lives in the " +
    'controller (history, command ids, per-alarm readings, decision log, the persisted document). Logger silent (log lines retain ' +
    'nothing). Run with `--expose-gc`: RSS and heap are sampled after `global.gc()` every 100 000 events. Flat means: over the samples ' +
    'from 10 % of the run on (history and command-id caps reached), the least-squares line grows ≤ 10 MB for RSS and ≤ 2 MB for ' +
    'retained heap. The process is this benchmark bundled as the runtime is (scripts/build.ts) and run with plain node and the V8 ' +
    `limits the image and the systemd unit set (\`NODE_OPTIONS=${RUNTIME_NODE_OPTIONS.join(' ')}\`, bench/lib/runtime-flags.ts): ` +
    'no loader, no transpiler in the RSS.',
  defaults: MEMORY_DEFAULTS,
  runs: 1,
  nodeArgs: ['--expose-gc', ...RUNTIME_NODE_OPTIONS],
  run: runMemory,
  details: (results) => {
    const r = results[results.length - 1]!;
    const d = r.details as { samples: MemorySample[] } & Record<string, unknown>;
    return [
      mdTable(
        ['events', 'RSS MB', 'heap used MB (after GC)', 'heap total MB', 'external MB'],
        d.samples.map((s) => [s.events.toLocaleString('en'), s.rssMB, s.heapUsedMB, s.heapTotalMB, s.externalMB]),
      ),
      '',
      `At the end: ${String(d['historyEntries'])} history entries, ${String(d['commandIds'])} command ids, ${String(d['signalsTracked'])} ` +
        `alarm readings, ${String(d['decisions'])} decisions, ${String(d['shifts'])} shifts, persisted document ${String(d['persistedBytes'])} bytes.`,
    ].join('\n');
  },
};

runCliIfMain(memory);
