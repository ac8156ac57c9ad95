/**
 * The CLI against a process stack with extra environment (`ProcessStack.cli` takes none): a DynamoDB
 * endpoint, an unreachable one to break a service on purpose. `-c FILE` is appended; stdin is not a terminal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult, ProcessStack } from './process-harness.ts';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'connect-failover.js');

export function cliWithEnv(
  stack: ProcessStack,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args, '-c', stack.configPath], {
    env: { ...process.env, ...stack.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`connect-failover ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
