import { availableParallelism } from 'node:os';
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
    // One file more than there are cores. The suite mostly waits (long polls, lease and rule timings,
    // child processes starting and stopping): its CPU time is about a third of its wall time in one
    // worker, and vitest's default (cores - 1) is a single worker on a 2-core machine.
    maxWorkers: availableParallelism() + 1,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      { extends: true, test: { name: 'file', include: ['test/**/*.test.ts'], provide: { harnessStore: 'file' } } },
      // Every behaviour of the contract again, with state and lease in DynamoDB (test/helpers/controller-harness.ts).
      { extends: true, test: { name: 'dynamodb', include: ON_DYNAMODB, provide: { harnessStore: 'dynamodb' } } },
    ],
  },
});
