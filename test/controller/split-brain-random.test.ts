/**
 * Randomized split-brain test, seeded: several controllers' leadership code (standBy, LeaseGuard, the
 * LeaseKeeper in each MemoryStore instance) on one shared store, in virtual time (test/helpers/lease-world.ts),
 * through random pauses (SIGSTOP), kills and restarts, failed and half-done lease claims, store outages,
 * partitions of one node from the store, and alarm decisions. The checker, over everything recorded:
 * - every write was started by the holder of the epoch current at that moment, and landed while it still
 *   was (so no two holders' writes interleave);
 * - no write of an older epoch landed after a write of a newer one;
 * - once the faults stop, Connect ends at the split the last decision wanted.
 * A failure names its seed: rerun just that one by putting it first in SEEDS.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/local/prng.ts';
import { LeaseWorld } from '../helpers/lease-world.ts';
import { splitBrainViolations } from '../helpers/split-brain-checker.ts';

const SEEDS = Array.from({ length: 60 }, (_, i) => 1009 + i * 7919);
const STEPS = 150;
const LEASE_MS = 1_000;
const NODES = 3;
const SPLITS = [0, 50, 100];

async function runSeed(seed: number): Promise<{ problems: string[]; writes: number; takeOvers: number }> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const world = new LeaseWorld({ random, leaseMs: LEASE_MS, nodes: NODES });
  for (const node of world.nodes) node.start();

  for (let step = 0; step < STEPS; step++) {
    // Half the time the fault hits the lease holder: where a split brain would start.
    const node = (random() < 0.5 ? await world.holder() : undefined) ?? pick(world.nodes);
    const roll = random();
    if (roll < 0.3) world.decide(pick(SPLITS));
    else if (roll < 0.45) {
      if (node.paused) node.resume();
      else node.pause();
    } else if (roll < 0.55) {
      if (node.alive) node.kill();
      else node.start();
    } else if (roll < 0.65) node.failNextClaim(random() < 0.5);
    else if (roll < 0.72) world.storeDown = !world.storeDown;
    else if (roll < 0.85) node.partitioned = !node.partitioned;
    // Between actions: up to two leases of virtual time, so pauses and outages outlast a lease now and then.
    await world.time.runUntil(world.time.now + random() * LEASE_MS * 2);
  }

  // The faults stop: every node runs, the store answers, a last decision is made, and time goes on.
  world.storeDown = false;
  for (const node of world.nodes) {
    node.partitioned = false;
    node.resume();
    node.start();
  }
  world.decide(pick(SPLITS));
  await world.time.runUntil(world.time.now + LEASE_MS * 10);
  for (const node of world.nodes) node.kill();
  await world.time.runUntil(world.time.now + LEASE_MS);
  await Promise.all(world.nodes.map((n) => n.running));

  const problems: string[] = [];
  for (const w of world.writes) {
    const at = w.leaseAtStart;
    if (!at || at.released || at.holder !== w.writer || at.epoch !== w.epoch)
      problems.push(
        `write by ${w.writer} (epoch ${w.epoch}) started at ${w.startedAt} under lease ${JSON.stringify(at)}`,
      );
  }
  const landed = world.writes.filter((w) => w.landedAt !== undefined).sort((a, b) => a.landedAt! - b.landedAt!);
  problems.push(
    ...splitBrainViolations(
      world.leaseEvents,
      landed.map((w) => ({ at: w.landedAt!, writer: w.writer, detail: `epoch ${w.epoch}, split ${w.split}` })),
    ),
  );
  landed.forEach((w, i) => {
    const newer = landed.slice(0, i).find((earlier) => earlier.epoch > w.epoch);
    if (newer) problems.push(`write of epoch ${w.epoch} by ${w.writer} landed after one of epoch ${newer.epoch}`);
  });
  const last = world.decisions.at(-1)!;
  if (world.connectSplit !== last.split)
    problems.push(`Connect ends at ${world.connectSplit}, the last decision (${last.seq}) wanted ${last.split}`);
  const takeOvers = new Set(world.leaseEvents.filter((e) => !e.released).map((e) => e.epoch)).size;
  return { problems, writes: landed.length, takeOvers };
}

describe('leadership under random pauses, kills, claim failures and store outages (seeded)', () => {
  it(`holds the split-brain checker for seeds ${SEEDS.join(', ')}`, async () => {
    let writes = 0;
    let takeOvers = 0;
    for (const seed of SEEDS) {
      const result = await runSeed(seed);
      expect(result.problems, `seed ${seed}`).toEqual([]);
      writes += result.writes;
      takeOvers += result.takeOvers;
    }
    // The runs must exercise something: take-overs happened and writes landed (else the checker proves nothing).
    expect(takeOvers).toBeGreaterThan(SEEDS.length * 2);
    expect(writes).toBeGreaterThan(SEEDS.length * 2);
  });
});
