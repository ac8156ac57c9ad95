/**
 * Several `connect-failover run` processes on one DynamoDB store (dynalite, in this process), for the
 * split-brain tests: start them, freeze and thaw them, stop the store and bring it back on the same port
 * with the same data, and check what reached Connect against the lease history the store saw.
 */
import type { LocalStackOptions } from '../../src/local/local-stack.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DYNALITE_REGION, startDynalite } from './dynalite-server.ts';
import { eventually } from './eventually.ts';
import type { DynaliteRequest, RunningDynalite } from './dynalite-server.ts';
import { startProcessStack } from './process-harness.ts';
import type { ControllerProcess, LogLine, ProcessStack } from './process-harness.ts';
import { leaseEventsOf, splitBrainViolations, writerPid } from './split-brain-checker.ts';
import type { LeaseEvent, Violation } from './split-brain-checker.ts';

export const TABLE = 'connect-failover';
export const CRITICAL = 'connect-primary-outage';

export const TOOK_LEASE = 'took the lease: this controller acts';
export const STANDING_BY = 'standby: another controller holds the lease';
export const STOOD_DOWN = 'no longer sure this controller holds the lease: stopped acting at once; standing by';

export const logMatching = (msg: string) => (line: LogLine) => line.msg === msg;

export interface LeaseClusterOptions {
  /** `store.leaseDuration`, e.g. `2s`. */
  lease: string;
  /** Keep dynalite's data in a directory, so the store can be stopped and started again. Default false. */
  persistent?: boolean;
  /** More config, merged over the process stack's. */
  config?: Record<string, unknown>;
  /** Options of the local stack (e.g. Connect's `updateWindowMs`). */
  stack?: LocalStackOptions;
}

export interface LeaseCluster {
  ps: ProcessStack;
  /** The store now (a new object after `startStore`). */
  readonly dynamo: RunningDynalite;
  /** What every controller's environment adds: the store's endpoint. */
  env: Record<string, string>;
  /** `run` with the store's endpoint; `env` adds to it. */
  spawn(env?: Record<string, string>): ControllerProcess;
  /** SIGSTOP; `close` SIGCONTs whatever is still frozen first, so it can be killed cleanly. */
  freeze(controller: ControllerProcess): void;
  thaw(controller: ControllerProcess): void;
  /** Closes the store (connections refused from now on); needs `persistent`. */
  stopStore(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  startStore(): Promise<void>;
  /** Every lease write the store accepted, timed by its arrival. */
  leaseEvents(): LeaseEvent[];
  /** The checker over everything Connect applied so far (empty: no violation). */
  violations(): Violation[];
  /** Writers (pids) of the writes Connect applied, in order. */
  writers(): Array<string | undefined>;
  close(): Promise<void>;
}

export async function startLeaseCluster(options: LeaseClusterOptions): Promise<LeaseCluster> {
  const dir = options.persistent ? await mkdtemp(join(tmpdir(), 'cf-dynalite-')) : undefined;
  const requests: DynaliteRequest[] = [];
  let dynamo: RunningDynalite | undefined = await startDynalite({ requests, ...(dir ? { path: dir } : {}) });
  const port = dynamo.port;
  await dynamo.createTable(TABLE);
  const env = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint };
  // A SIGKILLed or deposed leader's long poll can still be handed a message (as with real SQS); a short
  // visibility timeout brings it back to the new leader in seconds rather than 30.
  let ps: ProcessStack;
  try {
    ps = await startProcessStack({
      stack: { visibilityTimeoutSeconds: 2, ...options.stack },
      config: {
        store: { type: 'dynamodb', table: TABLE, region: DYNALITE_REGION, leaseDuration: options.lease },
        ...options.config,
      },
    });
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  const frozen = new Set<number>();
  const connectWrites = () => ps.stack.connect.writes;

  const cluster: LeaseCluster = {
    ps,
    get dynamo() {
      if (!dynamo) throw new Error('the store is stopped');
      return dynamo;
    },
    env,
    spawn: (extra = {}) => ps.spawnController({ env: { ...env, ...extra } }),
    freeze(controller) {
      process.kill(controller.pid, 'SIGSTOP');
      frozen.add(controller.pid);
    },
    thaw(controller) {
      process.kill(controller.pid, 'SIGCONT');
      frozen.delete(controller.pid);
    },
    async stopStore() {
      if (!dir) throw new Error('stopStore needs a persistent store');
      const running = dynamo;
      dynamo = undefined;
      await running?.close();
    },
    async startStore() {
      if (!dir) throw new Error('startStore needs a persistent store');
      dynamo = await startDynalite({ requests, path: dir, port });
    },
    leaseEvents: () => leaseEventsOf(requests),
    violations: () =>
      splitBrainViolations(
        leaseEventsOf(requests),
        connectWrites().map((w) => ({
          at: w.at,
          writer: writerPid(w.userAgent) ?? `unknown (${w.userAgent ?? 'no user agent'})`,
          detail: `via ${w.region}, telephony ${JSON.stringify(w.telephony)}`,
        })),
      ),
    writers: () => connectWrites().map((w) => writerPid(w.userAgent)),
    async close() {
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // already gone
        }
      }
      frozen.clear();
      await ps.close();
      await dynamo?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Starts a leader and waits until it runs, then `standbys` more and waits until each stands by. */
export async function leaderAndStandbys(
  cluster: LeaseCluster,
  standbys: number,
  env: Record<string, string> = {},
): Promise<ControllerProcess[]> {
  const leader = cluster.spawn(env);
  await leader.ready();
  const all = [leader];
  for (let i = 0; i < standbys; i++) {
    const standby = cluster.spawn(env);
    await standby.waitForLog(logMatching(STANDING_BY), { what: `standby ${i + 1} standing by` });
    all.push(standby);
  }
  return all;
}

/**
 * The one of `candidates` that takes the lease first (polls their logs: a waiter per candidate would leave
 * the others' waits to time out later).
 */
export async function takeOverBy(
  candidates: readonly ControllerProcess[],
  timeoutMs = 20_000,
): Promise<ControllerProcess> {
  const from = candidates.map((c) => c.logs.length);
  return eventually(() => candidates.find((c, i) => c.logs.slice(from[i]).some(logMatching(TOOK_LEASE))), {
    timeoutMs,
    what: 'a standby taking the lease',
  });
}
