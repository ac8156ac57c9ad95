/**
 * Runs the real CLI (`node bin/connect-failover.js …`) as child processes against the embedded local stack,
 * which runs in the test process: the child gets the stack's `env` (endpoints, dummy credentials) and
 * `LOG_LEVEL=debug`, a config file written from `stack.config()` with fast timings and a file store in a
 * temporary directory, and its pino JSON lines are read back from stdout as they come.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import YAML from 'yaml';
import { createFailoverMachine, restoreSnapshot } from '../../state-machines/index.ts';
import type { FailoverSnapshot } from '../../state-machines/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { readDocument } from '../../src/controller/document.ts';
import type { ControllerDocument } from '../../src/controller/document.ts';
import { startLocalStack } from '../../src/local/local-stack.ts';
import type { LocalStack, LocalStackOptions } from '../../src/local/local-stack.ts';
import type { LeaseRecord } from '../../src/store/lease.ts';
import { FileStore } from '../../src/store/file-store.ts';
import { decodeLeaseFile, encodeLeaseFile } from '../../src/store/state-file-format.ts';
import { FAST_TIMING } from './controller-harness.ts';
import { eventually } from './eventually.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'connect-failover.js');

/** One parsed pino line (or `{ raw }` for a line that was not JSON). */
export type LogLine = Record<string, unknown>;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `connect-failover run` child process. */
export interface ControllerProcess {
  readonly pid: number;
  /** Every stdout line so far, parsed, in order. */
  readonly logs: readonly LogLine[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once the process has exited and its output is closed. */
  readonly exited: Promise<ProcessExit>;
  /** The first line (already seen or yet to come) that `match` accepts; rejects at the deadline or at exit. */
  waitForLog(match: (line: LogLine) => boolean, options?: { timeoutMs?: number; what?: string }): Promise<LogLine>;
  /** Waits for `controller running` (start-up reconciliation done, receiving). Default 15 s. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit; `stopMs` is from the signal to the closed output. SIGKILLs after 20 s. */
  stop(): Promise<ProcessExit & { stopMs: number }>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<ProcessExit>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The local stack, a config for it on disk, and ways to run the CLI against both. */
export interface ProcessStack {
  stack: LocalStack;
  dir: string;
  configPath: string;
  statePath: string;
  /** The normalized config the children read. */
  config: Config;
  /** The environment every child gets (on top of this process's). */
  env: Record<string, string>;
  /** `node bin/connect-failover.js run -c FILE [...args]`; `env` adds to the stack's (e.g. a crash point). */
  spawnController(options?: { args?: string[]; env?: Record<string, string> }): ControllerProcess;
  /** A one-shot command (`status`, `failover`, …) with `-c FILE` appended; resolves when it exits (30 s limit). */
  cli(args: readonly string[]): Promise<CliResult>;
  readDocument(): Promise<ControllerDocument | undefined>;
  /** The persisted statechart snapshot, restored (read `statesOf(...)` or `.context` from it). */
  snapshotOf(doc: ControllerDocument): FailoverSnapshot;
  /** Telephony percent on the primary, as Connect has it now. */
  primaryPercent(): number;
  /** Visible and in-flight messages of the queue (default the controller's queue). */
  queueCounts(queueUrl?: string): Promise<{ visible: number; inFlight: number }>;
  /**
   * Receives and deletes every message of the queue, waiting for in-flight ones to come back after their
   * visibility timeout, until the queue is empty; returns them in receive order.
   */
  takeAllMessages(options?: { timeoutMs?: number }): Promise<Array<{ messageId: string; body: string }>>;
  /**
   * Marks the leader lease released now, as its holder's graceful stop would, and returns it as it was. A
   * process killed with SIGKILL never releases its lease; on another host, a restart would wait in standby
   * for a whole lease duration.
   */
  expireLease(): Promise<LeaseRecord | undefined>;
  /** SIGKILLs every child still running, stops the stack, removes the directory. */
  close(): Promise<void>;
}

export interface ProcessStackOptions {
  stack?: LocalStackOptions;
  /** Top-level overrides of the config (merged over fast timings and the file store). */
  config?: Record<string, unknown>;
}

export async function startProcessStack(options: ProcessStackOptions = {}): Promise<ProcessStack> {
  const stack = await startLocalStack({ updateWindowMs: 100, ...options.stack });
  const dir = await mkdtemp(join(tmpdir(), 'cf-process-'));
  const statePath = join(dir, 'state.json');
  const configPath = join(dir, 'config.yaml');
  const text = YAML.stringify(
    stack.config({ timing: FAST_TIMING, store: { type: 'file', path: statePath }, ...options.config }),
  );
  await writeFile(configPath, text);
  const { config } = parseConfig(text, { file: configPath, baseDir: dir });
  const machine = createFailoverMachine(policyOf(config));
  const env = { ...stack.env, LOG_LEVEL: 'debug' };
  const children = new Set<ChildProcess>();

  const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const inherited = { ...process.env };
    // A crash point left in this process's environment must never leak into a child that did not ask for it.
    delete inherited.CONNECT_FAILOVER_CRASH_AT;
    delete inherited.CONNECT_FAILOVER_CONFIG;
    return { ...inherited, ...env, ...extra };
  };

  const track = (child: ChildProcess): void => {
    children.add(child);
    child.once('close', () => children.delete(child));
  };

  const counts = async (queueUrl: string): Promise<{ visible: number; inFlight: number }> => {
    const out = await stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? Number.NaN),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? Number.NaN),
    };
  };

  const processStack: ProcessStack = {
    stack,
    dir,
    configPath,
    statePath,
    config,
    env,
    spawnController(spawnOptions = {}) {
      const child = spawn(process.execPath, [BIN, 'run', '-c', configPath, ...(spawnOptions.args ?? [])], {
        cwd: REPO_ROOT,
        env: childEnv(spawnOptions.env),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      return watch(child);
    },
    cli(args) {
      const child = spawn(process.execPath, [BIN, ...args, '-c', configPath], {
        cwd: REPO_ROOT,
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      track(child);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      return new Promise<CliResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`connect-failover ${args.join(' ')} did not exit within 30 s; stderr: ${stderr}`));
        }, 30_000);
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
    async readDocument() {
      const stored = await new FileStore({ path: statePath, writer: 'test-reader' }).load();
      return stored ? readDocument(stored.data, statePath) : undefined;
    },
    snapshotOf(doc) {
      return restoreSnapshot(machine, doc.snapshot);
    },
    primaryPercent: () => stack.connect.state().telephony[stack.regions.primary] ?? -1,
    queueCounts: (queueUrl = stack.queueUrl) => counts(queueUrl),
    async takeAllMessages(takeOptions = {}) {
      const taken: Array<{ messageId: string; body: string }> = [];
      await eventually(
        async () => {
          const out = await stack.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: stack.queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 0,
              VisibilityTimeout: 60,
            }),
          );
          const messages = out.Messages ?? [];
          for (const m of messages) taken.push({ messageId: m.MessageId ?? '', body: m.Body ?? '' });
          if (messages.length > 0) {
            await stack.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: stack.queueUrl,
                Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
              }),
            );
            return false;
          }
          const now = await counts(stack.queueUrl);
          return now.visible === 0 && now.inFlight === 0;
        },
        { timeoutMs: takeOptions.timeoutMs ?? 15_000, intervalMs: 100, what: 'the queue to be empty' },
      );
      return taken;
    },
    async expireLease() {
      const path = `${statePath}.lease`;
      const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (text === undefined) return undefined;
      const lease = decodeLeaseFile(text, path);
      // Released: the one state a claimant takes at once, whatever its clock says.
      await writeFile(path, encodeLeaseFile({ ...lease, recordVersion: randomUUID(), released: true }));
      return lease;
    },
    async close() {
      await Promise.all(
        [...children].map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once('close', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return processStack;
}

/** Follows one `run` child: parses its stdout lines and answers waiters as lines arrive. */
function watch(child: ChildProcess): ControllerProcess {
  const logs: LogLine[] = [];
  let stderr = '';
  const waiters = new Set<{
    match: (line: LogLine) => boolean;
    resolve: (line: LogLine) => void;
    reject: (error: Error) => void;
  }>();
  let exit: ProcessExit | undefined;

  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (text) => {
    const line = parseLine(text);
    logs.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      for (const waiter of waiters)
        waiter.reject(
          new Error(
            `the controller exited (${describeExit(exit)}) first; last lines: ${tailOf(logs)}; stderr: ${stderr.slice(-1000)}`,
          ),
        );
      waiters.clear();
      resolve(exit);
    });
  });

  const controller: ControllerProcess = {
    pid: child.pid ?? -1,
    logs,
    stderr: () => stderr,
    exited,
    waitForLog(match, options = {}) {
      const seen = logs.find(match);
      if (seen) return Promise.resolve(seen);
      const what = options.what ?? 'a log line';
      if (exit)
        return Promise.reject(
          new Error(
            `the controller exited (${describeExit(exit)}) before ${what}; last lines: ${tailOf(logs)}; stderr: ${stderr.slice(-1000)}`,
          ),
        );
      return new Promise<LogLine>((resolve, reject) => {
        const timeoutMs = options.timeoutMs ?? 15_000;
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; last lines: ${tailOf(logs)}; stderr: ${stderr.slice(-1000)}`,
            ),
          );
        }, timeoutMs);
        const waiter = {
          match,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.add(waiter);
      });
    },
    async ready(timeoutMs = 15_000) {
      await controller.waitForLog(logMatching('controller running'), { timeoutMs, what: '"controller running"' });
    },
    async stop() {
      const started = performance.now();
      child.kill('SIGTERM');
      const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(guard);
      return { ...result, stopMs: performance.now() - started };
    },
    async kill() {
      child.kill('SIGKILL');
      return exited;
    },
  };
  return controller;
}

/** A matcher for log lines with this `msg` and (shallowly, deep-equal per field) these fields. */
export function logMatching(msg: string, fields: Record<string, unknown> = {}): (line: LogLine) => boolean {
  return (line) =>
    line.msg === msg && Object.entries(fields).every(([key, value]) => isDeepStrictEqual(line[key], value));
}

function parseLine(text: string): LogLine {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as LogLine) : { raw: text };
  } catch {
    return { raw: text };
  }
}

/** The last few lines, `msg` and error message only: enough to say why a wait failed. */
function tailOf(logs: readonly LogLine[]): string {
  return logs
    .slice(-4)
    .map((l) => {
      const err = l.err as { message?: unknown } | undefined;
      return `${String(l.msg ?? l.raw)}${err?.message ? ` (${String(err.message)})` : ''}`;
    })
    .join(' | ');
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
