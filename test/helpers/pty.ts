/**
 * Runs the real CLI on a pseudo-terminal, as a person at a terminal would, through util-linux `script(1)`
 * (`script -qfec CMD /dev/null`): the child's stdin, stdout and stderr are the pty, so `isTTY` is true and
 * the confirmation prompt is asked. This process talks to `script` over pipes: what the child writes
 * comes back on `script`'s stdout (stdout and stderr merged, as on a screen), and what is written to
 * `script`'s stdin is typed into the pty. `-e` makes `script` exit with the child's code.
 *
 * Why not node-pty: it builds a native addon at install time, which a locked-down `npm ci` may not do;
 * `script` ships with util-linux on every Linux this project targets.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO_ROOT, 'bin', 'connect-failover.js');

export interface PtySession {
  /** Everything shown on the terminal so far (escape sequences included). */
  screen(): string;
  /** Resolves once the screen shows `text` (rejects at the deadline, or if the process exits first). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Types `text` (add `\n` for Enter). */
  type(text: string): void;
  /** Resolves with the exit code once the command has exited. */
  readonly exited: Promise<number | null>;
}

/** `node bin/connect-failover.js ...args` on a pty, with `env` on top of this process's environment. */
export function runOnPty(args: readonly string[], env: Record<string, string>): PtySession {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    // TERM: readline asks the terminal for nothing, but a dumb TERM keeps its output plain.
    env: { ...process.env, ...env, TERM: 'dumb', NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  const watchers = new Set<() => void>();
  const seen = (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout.on('data', seen);
  child.stderr.on('data', seen);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const watcher of [...watchers]) watcher();
  });
  return {
    screen: () => screen,
    type: (text) => void child.stdin.write(text),
    exited,
    waitFor(text, timeoutMs = 15_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(`the terminal did not show ${JSON.stringify(text)} within ${timeoutMs} ms; it shows:\n${screen}`),
          );
        }, timeoutMs);
        const check = () => {
          if (screen.includes(text)) {
            clearTimeout(timer);
            watchers.delete(check);
            resolve();
          } else if (done) {
            clearTimeout(timer);
            watchers.delete(check);
            reject(
              new Error(`the command exited before the terminal showed ${JSON.stringify(text)}; it shows:\n${screen}`),
            );
          }
        };
        watchers.add(check);
        check();
      });
    },
  };
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
