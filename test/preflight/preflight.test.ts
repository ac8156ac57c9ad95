import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import YAML from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack } from '../../src/local/local-stack.ts';
import { runPreflight } from '../../src/preflight/index.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import type { CheckResult, PreflightReport } from '../../src/preflight/index.ts';
import { eventually } from '../helpers/eventually.ts';

let stack: LocalStack;
let dir: string;
const savedEnv = { ...process.env };

beforeEach(async () => {
  stack = await startLocalStack({ updateWindowMs: 0 });
  Object.assign(process.env, stack.env);
  dir = await mkdtemp(join(tmpdir(), 'cf-preflight-'));
});
afterEach(async () => {
  process.env = { ...savedEnv };
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
});

function configWith(overrides: Record<string, unknown> = {}): Config {
  const raw = stack.config({ store: { type: 'file', path: join(dir, 'state.json') }, ...overrides });
  return parseConfig(YAML.stringify(raw), { baseDir: dir }).config;
}

function check(report: PreflightReport, id: string): CheckResult {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

function statuses(report: PreflightReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

describe('preflight against the local stack', () => {
  it('passes every check when everything is in place', async () => {
    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(statuses(report)).toEqual({
      mode: 'pass',
      credentials: 'pass',
      queue: 'pass',
      'queue.deadLetter': 'pass',
      'queue.visibility': 'pass',
      'tdg.arn': 'pass',
      'tdg.primary': 'pass',
      'tdg.replica': 'pass',
      'traffic.split': 'pass',
      'replica.flows': 'pass',
      'alarm:connect-primary-elevated-errors': 'pass',
      'alarm:connect-primary-outage': 'pass',
      'alarm:connect-replica-outage': 'pass',
      store: 'pass',
    });
    expect(report).toMatchObject({ ok: true, summary: { pass: 14, warn: 0, fail: 0 } });
    expect(check(report, 'tdg.replica').detail).toMatch(/^ACTIVE; 100% of telephony on the primary/);
  });

  it('fails a queue without a redrive policy, and says how to add one', async () => {
    // Prepare
    const plain = await stack.sqs.send(
      new CreateQueueCommand({ QueueName: 'no-dlq', Attributes: { VisibilityTimeout: '30' } }),
    );

    // Act
    const report = await runPreflight({ config: configWith({ queue: { url: plain.QueueUrl, region: 'us-east-1' } }) });

    // Assess
    expect(report.ok).toBe(false);
    expect(check(report, 'queue.deadLetter')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('RedrivePolicy'),
    });
    expect(check(report, 'queue').status).toBe('pass');
  });

  it('warns about a visibility timeout shorter than two visibility heartbeats', async () => {
    // Prepare
    await stack.stop();
    stack = await startLocalStack({ updateWindowMs: 0, visibilityTimeoutSeconds: 5 });
    Object.assign(process.env, stack.env);

    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(check(report, 'queue.visibility')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/^5s: /) });
    expect(report.ok).toBe(true);
  });

  it('fails a queue that does not exist', async () => {
    // Prepare
    const missing = stack.queueUrl.replace(/[^/]+$/, 'no-such-queue');

    // Act
    const report = await runPreflight({ config: configWith({ queue: { url: missing, region: 'us-east-1' } }) });

    // Assess
    expect(check(report, 'queue')).toMatchObject({ status: 'fail', fix: expect.stringContaining('queue.url') });
    expect(report.checks.some((c) => c.id === 'queue.deadLetter')).toBe(false);
  });

  it('fails an alarm name that CloudWatch does not know (a typo), and names where it looked', async () => {
    // Prepare
    const signals = { ...stack.alarms, critical: ['connect-primary-outgae'] };

    // Act
    const report = await runPreflight({ config: configWith({ signals }) });

    // Assess
    expect(check(report, 'alarm:connect-primary-outgae')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('DescribeAlarms in us-east-1 knows no alarm named "connect-primary-outgae"'),
    });
    expect(check(report, 'alarm:connect-primary-elevated-errors').status).toBe('pass');
    expect(report.ok).toBe(false);
  });

  it("reports each alarm's current state, warning when a replica alarm blocks failover", async () => {
    // Prepare
    await stack.cloudwatch.setAlarmState('us-west-2', 'connect-replica-outage', 'ALARM');

    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(check(report, 'alarm:connect-replica-outage')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('automatic failover is blocked'),
    });
    expect(check(report, 'alarm:connect-primary-outage').detail).toMatch(/^OK since /);
  });

  it('fails both Regions when the traffic distribution group is not ACTIVE', async () => {
    // Prepare
    stack.connect.setStatus('PENDING_DELETION');

    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(check(report, 'tdg.primary')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('PENDING_DELETION'),
    });
    expect(check(report, 'tdg.replica')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('PENDING_DELETION'),
    });
    expect(report.ok).toBe(false);
  });

  it('warns while an update is still being applied', async () => {
    // Prepare
    stack.connect.setStatus('UPDATE_IN_PROGRESS');

    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(check(report, 'tdg.primary').status).toBe('warn');
    expect(report.ok).toBe(true);
  });

  it('fails a bare TDG id: it answers from the home Region only, so calls from the replica fail', async () => {
    // Act
    const report = await runPreflight({ config: configWith({ trafficDistributionGroup: stack.connect.tdgId }) });

    // Assess
    expect(check(report, 'tdg.arn')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('bare id'),
      fix: expect.stringContaining('arn:aws:connect:us-east-1:'),
    });
    expect(check(report, 'tdg.primary').status).toBe('pass');
    expect(check(report, 'tdg.replica')).toMatchObject({ status: 'fail', fix: expect.stringContaining('bare id') });
    expect(check(report, 'tdg.replica').detail).toMatch(/us-west-2/);
  });

  it('fails a store that cannot be written, and then does not compare the split', async () => {
    // Prepare: the state file's directory is a regular file.
    await writeFile(join(dir, 'blocker'), 'x');

    // Act
    const report = await runPreflight({
      config: configWith({ store: { type: 'file', path: join(dir, 'blocker', 'state.json') } }),
    });

    // Assess
    expect(check(report, 'store')).toMatchObject({ status: 'fail', fix: expect.stringContaining('store.path') });
    expect(check(report, 'traffic.split')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('not compared'),
    });
    expect(report.ok).toBe(false);
  });

  it('warns about drift: a split that differs from what the state wants', async () => {
    // Prepare
    stack.connect.setSplit({ telephony: { 'us-east-1': 70, 'us-west-2': 30 } });

    // Act
    const report = await runPreflight({ config: configWith() });

    // Assess
    expect(check(report, 'traffic.split')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('Connect sends 70% of telephony on the primary'),
    });
  });

  it('warns that a dry run never shifts traffic', async () => {
    // Act
    const report = await runPreflight({ config: configWith({ dryRun: true }) });

    // Assess
    expect(check(report, 'mode')).toMatchObject({ status: 'warn', detail: expect.stringContaining('never shifted') });
  });

  it("fails when the SDK's credential chain finds no credentials", async () => {
    // Prepare: nothing in the environment, no profile files, no instance metadata.
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    Object.assign(process.env, {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    // Act
    const report = await runPreflight({ config: configWith(), timeoutMs: 5_000 });

    // Assess
    expect(check(report, 'credentials')).toMatchObject({ status: 'fail', fix: expect.stringContaining('IAM role') });
    expect(report.ok).toBe(false);
  });

  it('leaves out skipped groups', async () => {
    // Act
    const report = await runPreflight({ config: configWith(), skip: ['traffic.split', 'alarms', 'credentials'] });

    // Assess
    expect(report.checks.map((c) => c.id)).toEqual([
      'mode',
      'queue',
      'queue.deadLetter',
      'queue.visibility',
      'tdg.arn',
      'tdg.primary',
      'tdg.replica',
      'replica.flows',
      'store',
    ]);
  });
});

describe('preflight stopped while its checks are in flight', () => {
  /** A store whose reads end only once they are aborted, and a moment after: as a DynamoDB call does. */
  class SlowStore extends MemoryStore {
    inFlight = 0;
    started = 0;
    private async slow(signal: AbortSignal | undefined, teardownMs: number): Promise<never> {
      this.inFlight += 1;
      this.started += 1;
      try {
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
        // A real client takes a while to tear down an aborted request, some longer than others.
        await new Promise<void>((resolve) => setTimeout(resolve, teardownMs));
        throw signal?.reason;
      } finally {
        this.inFlight -= 1;
      }
    }
    override load(signal?: AbortSignal) {
      return this.slow(signal, 10);
    }
    override probe(signal?: AbortSignal) {
      return this.slow(signal, 100);
    }
  }

  it('returns (rejecting with the stop) only once every check it started has ended', async () => {
    // Prepare: the store's checks hang until the stop; the rest answer.
    const store = new SlowStore();
    const stop = new AbortController();
    const running = runPreflight({ config: configWith(), store, signal: stop.signal });
    await eventually(() => store.started >= 2, { what: 'both store reads started' });

    // Act
    stop.abort(new Error('operator stop'));

    // Assess: no check is left running behind the caller's back, so none can fail unobserved.
    await expect(running).rejects.toThrow('operator stop');
    expect(store.inFlight).toBe(0);
  });
});
