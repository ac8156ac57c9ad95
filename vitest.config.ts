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
    // vitest's default is one worker fewer than the cores: a single worker on CI's two. Most of the suite
    // waits on sockets, child processes and timers rather than the CPU, so two workers halve the wall time.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
