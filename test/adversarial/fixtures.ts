/**
 * What the adversarial suites share: a controller document as the real statechart and controller write it
 * (every field filled in, so each can be broken on its own), and the real CLI run under a deadline, so a
 * command that hangs (waits as standby forever) fails the test instead of stalling it.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { createFailoverMachine } from '../../state-machines/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/types.ts';
import { policyOf } from '../../src/domain/policy.ts';
import { appendHistory, emptyDocument, rememberCommand } from '../../src/controller/document.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/connect-failover.js', import.meta.url));

/** 2026-11-28T14:00:00Z: a fixed start, so documents are the same on every run. */
export const T0 = Date.UTC(2026, 10, 28, 14, 0, 0);

/** The contract's example config (its store path is never used by the pure tests). */
export async function exampleConfig(): Promise<Config> {
  const text = await readFile(new URL('../fixtures/config/contract-example.yaml', import.meta.url), 'utf8');
  return parseConfig(text, { file: 'contract-example.yaml' }).config;
}

/**
 * A document for `config` as a controller saves it after a critical alarm failed over and an operator
 * paused: decisions, a last command, a verified shift, the split read from Connect and history entries.
 * Returned after a JSON round trip, as a store hands it back.
 */
export function validDocument(config: Config): Record<string, unknown> {
  const actor = createActor(createFailoverMachine(policyOf(config)), { input: { now: T0 } }).start();
  actor.send({
    type: 'alarm.changed',
    alarm: config.signals.critical[0]!,
    value: 'ALARM',
    at: T0 - 1_000,
    now: T0 + 1,
  });
  actor.send({ type: 'operator.pauseRequested', reason: 'game day', by: 'ops@host', now: T0 + 2 });
  const doc = emptyDocument(actor.getPersistedSnapshot(), config);
  rememberCommand(doc, 'cmd-1');
  const at = new Date(T0 + 3).toISOString();
  doc.shift = {
    targetPrimaryPercent: 0,
    decidedSeq: 1,
    decidedAt: at,
    status: 'verified',
    attempts: 1,
    writes: 1,
    lastError: undefined,
    updatedAt: at,
    nextAttemptAt: undefined,
    verifiedAt: at,
  };
  doc.actual = { telephonyPrimaryPercent: 0, agentsPrimaryPercent: 0, status: 'ACTIVE', readAt: at };
  appendHistory(
    doc,
    {
      at,
      kind: 'transition',
      region: 'health',
      from: 'healthy',
      to: 'failedOver',
      reason: 'critical alarm in ALARM',
      alarms: [config.signals.critical[0]!],
      trigger: 'automatic',
      primaryPercent: 0,
    },
    {
      at,
      kind: 'command',
      reason: 'game day',
      by: 'ops@host',
      sender: 'AIDAEXAMPLE',
      outcome: 'pause accepted: automation active -> paused',
    },
    { at, kind: 'shift', reason: 'shifted via us-west-2', outcome: 'verified', primaryPercent: 0 },
  );
  actor.stop();
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the deadline passed and the process was killed. */
  timedOut: boolean;
}

/**
 * `node bin/connect-failover.js ARGS` with `env` over this process's environment; SIGKILLed at the
 * deadline. Resolves with what it printed either way, so a test can say what it waited for.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: '1' };
  // A config or crash point left in the test's environment must not change what the command does.
  delete env.CONNECT_FAILOVER_CONFIG;
  delete env.CONNECT_FAILOVER_CRASH_AT;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise<CliRun>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The `err.message` of the pino line with this `msg` in a command's stdout, if there is one. */
export function loggedError(stdout: string, msg: string): string | undefined {
  for (const text of stdout.split('\n')) {
    let line: { msg?: unknown; err?: { message?: unknown } };
    try {
      line = JSON.parse(text) as typeof line;
    } catch {
      continue;
    }
    if (line.msg === msg) return typeof line.err?.message === 'string' ? line.err.message : undefined;
  }
  return undefined;
}
