/**
 * Take-over after a SIGKILL of the leader (issue 10): two `connect-failover run` processes on one DynamoDB
 * store (dynalite, in this process), on the embedded local stack. The leader is SIGKILLed; the time until
 * the standby logs that it took the lease is one sample; a fresh standby is started and the next leader is
 * killed, `kills` times. Also counts the DynamoDB calls of a quiet leader and a quiet standby per hour.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import dynalite from 'dynalite';
import YAML from 'yaml';
import { startLocalStack } from '../src/local/local-stack.ts';
import { createDynamoDbClient } from '../src/store/dynamodb-client.ts';
import { ensureTable } from '../src/store/dynamodb-table.ts';
import { runCliIfMain } from './lib/cli.ts';
import { repoRoot } from './lib/paths.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';

export type TakeoverOptions = {
  /** Leaders killed. Default 20. */
  kills: number;
  /** `store.leaseDuration`, ms. Default 3000 (production default 15000; time scales with it). */
  leaseMs: number;
  /** Quiet window over which DynamoDB calls are counted, ms. Default 15000. */
  quietMs: number;
};

const DEFAULTS: TakeoverOptions = { kills: 20, leaseMs: 3_000, quietMs: 15_000 };
const REGION = 'us-west-2';
const TOOK = 'took the lease: this controller acts';
const STANDBY = 'standby: another controller holds the lease';

/** A controller process and the log lines it has written (by message). */
interface Child {
  process: ChildProcess;
  seen(msg: string, timeoutMs: number): Promise<void>;
}

function spawnController(configPath: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [join(repoRoot(), 'bin/connect-failover.js'), 'run', '-c', configPath], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const messages = new Set<string>();
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      messages.add(String((JSON.parse(line) as { msg?: unknown }).msg));
    } catch {
      return;
    }
    for (const w of waiters.splice(0)) w();
  });
  return {
    process: child,
    seen: (msg, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${msg}" within ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (messages.has(msg)) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      }),
  };
}

export async function takeover(options: Partial<TakeoverOptions> = {}): Promise<BenchResult> {
  const { kills, leaseMs, quietMs } = { ...DEFAULTS, ...options };
  const stack = await startLocalStack();
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Each call, told apart by what it addresses: `UpdateItem lease` (a renewal), `UpdateItem lease
  // announce` (a standby's announcement, which returns the item), `GetItem lease` (a standby's poll), and
  // `… document` (saves, probes, fences).
  const operations: string[] = [];
  server.prependListener('request', (request) => {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string') return;
    const op = target.slice(target.indexOf('.') + 1);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const call = JSON.parse(body || '{}') as { Key?: { pk?: { S?: string } }; ReturnValues?: string };
      const item = call.Key?.pk?.S?.endsWith('#lease') ? 'lease' : 'document';
      operations.push(`${op} ${item}${call.ReturnValues === 'ALL_NEW' ? ' announce' : ''}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createDynamoDbClient({
    region: REGION,
    aws: { endpoints: { dynamodb: endpoint }, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } },
  });
  await ensureTable({ client, table: 'connect-failover', region: REGION });
  const dir = await mkdtemp(join(tmpdir(), 'cf-bench-takeover-'));
  const configPath = join(dir, 'config.yaml');
  const lease = `${leaseMs}ms`;
  await writeFile(
    configPath,
    YAML.stringify(
      stack.config({ store: { type: 'dynamodb', table: 'connect-failover', region: REGION, leaseDuration: lease } }),
    ),
  );
  const env = { ...process.env, ...stack.env, AWS_ENDPOINT_URL_DYNAMODB: endpoint, LOG_LEVEL: 'info' };
  const children: Child[] = [];
  const start = () => {
    const child = spawnController(configPath, env);
    children.push(child);
    return child;
  };
  const limit = leaseMs * 3 + 20_000;
  const samples: number[] = [];
  try {
    let leader = start();
    await leader.seen('controller running', limit);
    let standby = start();
    await standby.seen(STANDBY, limit);

    // The quiet pair: what a leader and a standby cost in DynamoDB calls when nothing happens.
    operations.length = 0;
    const quietStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const quietHours = (performance.now() - quietStart) / 3_600_000;
    const quiet = operations.splice(0);
    const perHour = (call: string) => round(quiet.filter((o) => o === call).length / quietHours, 0);

    for (let i = 0; i < kills; i++) {
      const killedAt = performance.now();
      leader.process.kill('SIGKILL');
      await standby.seen(TOOK, limit);
      samples.push(performance.now() - killedAt);
      leader = standby;
      standby = start();
      await standby.seen(STANDBY, limit);
    }
    const s = summarize(samples);
    return {
      name: 'takeover',
      figures: [
        {
          key: 'takeover-p50',
          label: `take-over after SIGKILL of the leader, median (leaseDuration ${lease})`,
          value: round(s.p50, 0),
          unit: 'ms',
          target: { op: '<=', value: leaseMs + 5_000 },
        },
        {
          key: 'takeover-max',
          label: `take-over after SIGKILL of the leader, max over ${kills} kills`,
          value: round(s.max, 0),
          unit: 'ms',
          target: { op: '<=', value: leaseMs + 5_000 },
        },
        {
          key: 'ddb-leader-per-hour',
          label: `DynamoDB UpdateItem of the lease item per hour, quiet leader's renewals (leaseDuration ${lease})`,
          value: perHour('UpdateItem lease'),
          unit: 'calls/h',
        },
        {
          key: 'ddb-standby-per-hour',
          label: `DynamoDB GetItem of the lease item per hour, quiet standby's polls (leaseDuration ${lease})`,
          value: perHour('GetItem lease'),
          unit: 'calls/h',
        },
        {
          key: 'ddb-standby-announce-per-hour',
          label: `DynamoDB UpdateItem (announcement) per hour, quiet standby (leaseDuration ${lease})`,
          value: perHour('UpdateItem lease announce'),
          unit: 'calls/h',
        },
        {
          key: 'ddb-document-per-hour',
          label: `DynamoDB calls on the document item per hour, quiet pair (leaseDuration ${lease})`,
          value: round(quiet.filter((o) => o.endsWith('document')).length / quietHours, 0),
          unit: 'calls/h',
        },
      ],
      details: { kills, leaseMs, samplesMs: samples.map((x) => round(x, 0)), quietOperations: quiet.length },
    };
  } finally {
    for (const child of children) child.process.kill('SIGKILL');
    client.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const takeoverBenchmark: Benchmark<TakeoverOptions> = {
  name: 'takeover',
  title: 'Take-over after SIGKILL of the leader; DynamoDB calls of a quiet pair',
  method:
    'Two `connect-failover run` processes share a DynamoDB table (dynalite on loopback) on the embedded local stack. The leader is ' +
    'SIGKILLed; the sample is the time until the standby logs that it took the lease. A new standby is started and the new leader is ' +
    'killed, `kills` times. A standby takes a lease only after seeing its record unchanged for a full `leaseDuration` by its own ' +
    'monotonic clock, so take-over is leaseDuration + up to one poll (a third of it) + the start of a term. DynamoDB calls are counted ' +
    'at dynalite over a quiet window with one leader and one standby, by the item they address (lease or document); they scale with ' +
    '1 / leaseDuration.',
  defaults: DEFAULTS,
  runs: 1,
  run: takeover,
};

runCliIfMain(takeoverBenchmark);
