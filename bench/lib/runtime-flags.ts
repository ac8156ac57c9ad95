/**
 * The V8 limits the controller runs with where it is deployed: `NODE_OPTIONS` in deploy/Dockerfile and in
 * deploy/connect-failover.service (test/deploy/runtime-files.test.ts keeps the three equal), and so in the
 * memory benchmark. The controller retains about 15 MB; by default V8 lets a busy process grow its heap
 * to several times that before collecting (a 32 MB young generation, an old generation sized for a
 * multi-gigabyte limit): 140 MB of RSS over a million events on Node 20, 235 MB on Node 24. A small young
 * generation and a 192 MB old-space limit (a conservative growth mode; ten times what is retained) keep
 * it near 85 MB on Node 20 and 135 MB on Node 24, for about a fifth more CPU per event in that path.
 */
export const RUNTIME_NODE_OPTIONS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
