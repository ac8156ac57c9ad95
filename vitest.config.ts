import { defineConfig } from 'vitest/config';

/** The end-to-end suites that run a second time with the controller on the DynamoDB store (dynalite). */
const ON_DYNAMODB = [
  'test/e2e/behaviours.e2e.test.ts',
  'test/e2e/failover.e2e.test.ts',
  'test/e2e/staged-failback.e2e.test.ts',
];

export default defineConfig({
  test: {
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
    projects: [
      { extends: true, test: { name: 'file', include: ['test/**/*.test.ts'], provide: { harnessStore: 'file' } } },
      // Every behaviour of the contract again, with state and lease in DynamoDB (test/helpers/controller-harness.ts).
      { extends: true, test: { name: 'dynamodb', include: ON_DYNAMODB, provide: { harnessStore: 'dynamodb' } } },
    ],
  },
});
