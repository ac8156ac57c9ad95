/**
 * A seeded pseudo-random generator (mulberry32): 32 bits of state, uniform in [0, 1).
 * Fault injection needs the same faults for the same seed on every machine, which `Math.random` cannot
 * give; statistical quality beyond "looks uniform" does not matter here.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
