import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests that start the CLI as a child process run dist/: rebuilt first when a source is newer.
    globalSetup: ['test/helpers/build-dist.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The end-to-end suites start real servers and child processes; two cores run them best in forks.
    pool: 'forks',
    // One file more than there are cores. The suite mostly waits (long polls, lease and rule timings,
    // child processes starting and stopping): its CPU time is about a third of its wall time in one
    // worker, and vitest's default (cores - 1) is a single worker on a 2-core machine.
    maxWorkers: availableParallelism() + 1,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
