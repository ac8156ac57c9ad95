import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { startLocalStack } from '../local/local-stack.ts';
import type { LocalStack } from '../local/local-stack.ts';
import { print } from './common.ts';

/** Default config file written by `local`. */
export const DEFAULT_LOCAL_CONFIG = './connect-failover-local.yaml';

/**
 * Timings of the written config: quick enough to watch rules fire by hand, slow enough to type
 * commands in between (the contract's defaults are minutes).
 */
export const PLAYGROUND_TIMING = {
  escalateAfter: '20s',
  recoverAfter: '30s',
  cooldown: '10s',
  maxAutomaticShifts: { count: 10, per: '1h' },
} as const;

export interface LocalOptions {
  /** Default {@link DEFAULT_LOCAL_CONFIG}; the environment goes beside it with the extension `.env`. */
  configOut?: string;
  /** Stops the stack (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

/**
 * `local`: starts the embedded stack (SQS emulator, Connect and CloudWatch simulators), writes a config
 * for a controller on it and a file of `export` lines, prints both, and stays up until SIGINT or SIGTERM
 * (then exit 0). The controller runs against it unchanged: `connect-failover run -c FILE` with that
 * environment in another terminal.
 */
export async function localCommand(options: LocalOptions = {}): Promise<number> {
  const stop = waitForStop(options.signal);
  // Only the stack's own clients run in this process: the SDK's Node-version notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stack = await startLocalStack();
  try {
    const configPath = resolve(options.configOut ?? DEFAULT_LOCAL_CONFIG);
    const envPath = join(dirname(configPath), `${basename(configPath, extname(configPath))}.env`);
    const stateFile = `./${basename(configPath, extname(configPath))}-state.json`;
    const config = stack.config({ timing: PLAYGROUND_TIMING, store: { type: 'file', path: stateFile } });
    await mkdir(dirname(configPath), { recursive: true });
    await writeFile(
      configPath,
      `# Written by \`connect-failover local\` at ${new Date().toISOString()}. The ports change on every start.\n${YAML.stringify(config)}`,
    );
    await writeFile(envPath, `${exportLines(stack.env).join('\n')}\n`);
    print(describe(stack, configPath, envPath));
    await stop.promise;
    print('stopping the local stack');
    return 0;
  } finally {
    stop.dispose();
    await stack.stop();
  }
}

function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `export ${key}='${value.replace(/'/g, `'\\''`)}'`);
}

function describe(stack: LocalStack, configPath: string, envPath: string): string {
  const alarms = [
    ...stack.alarms.degraded.map((name) => `${name} (degraded, ${stack.regions.primary})`),
    ...stack.alarms.critical.map((name) => `${name} (critical, ${stack.regions.primary})`),
    ...stack.alarms.replicaUnhealthy.map((name) => `${name} (replicaUnhealthy, ${stack.regions.replica})`),
  ];
  const critical = stack.alarms.critical[0] ?? 'connect-primary-outage';
  return [
    'connect-failover local stack is up (Ctrl-C to stop it).',
    '',
    `Environment (also in ${envPath}; \`source\` it in another terminal):`,
    ...exportLines(stack.env).map((line) => `  ${line}`),
    '',
    `Queue:        ${stack.queueUrl}`,
    `Dead letters: ${stack.dlqUrl}`,
    `TDG:          ${stack.connect.tdgArn} (${stack.regions.primary} ↔ ${stack.regions.replica})`,
    `Alarms:       ${alarms.join('\n              ')}`,
    `Config:       ${configPath}`,
    '',
    'Try, in another terminal:',
    `  source ${envPath}`,
    `  npx connect-failover run -c ${configPath} --pretty`,
    `  aws cloudwatch set-alarm-state --region ${stack.regions.primary} --alarm-name ${critical} --state-value ALARM --state-reason "trying it out"`,
    `  npx connect-failover status -c ${configPath}`,
    '  curl "$AWS_ENDPOINT_URL_CONNECT/_simulator/state"',
    '',
    'Ready.',
  ].join('\n');
}

function waitForStop(signal: AbortSignal | undefined): { promise: Promise<void>; dispose(): void } {
  let resolveStop!: () => void;
  const promise = new Promise<void>((r) => (resolveStop = r));
  const onSignal = () => resolveStop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  return {
    promise,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      signal?.removeEventListener('abort', onSignal);
    },
  };
}
