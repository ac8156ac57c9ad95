/**
 * The progress display on stderr while a game day runs: the step, what it waits for, the elapsed time.
 * On a TTY one line is redrawn in place (ten times a second); otherwise each step start and end is one
 * plain line, so logs and CI output stay readable.
 */
import type { StepStatus } from './recording.ts';
import type { ProgressListener } from './runner.ts';

export interface ProgressOptions {
  /** Default: whether the stream is a TTY. */
  tty?: boolean;
  /** Default `Date.now`. */
  now?: () => number;
  /** Redraw interval on a TTY, ms; default 100. */
  redrawMs?: number;
}

interface Current {
  label: string;
  position: string;
  startedAt: number;
  waiting: string | undefined;
  deadline: number | undefined;
}

export class ProgressDisplay implements ProgressListener {
  readonly #stream: NodeJS.WritableStream;
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #current: Current | undefined;
  #note: string | undefined;
  #lineShown = false;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: ProgressOptions = {}) {
    this.#stream = stream;
    this.#tty = options.tty ?? Boolean(stream.isTTY);
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    if (this.#tty) {
      this.#timer = setInterval(() => this.#redraw(), options.redrawMs ?? 100);
      this.#timer.unref();
    }
  }

  /** Something outside the steps: "starting the local stack", "writing the report". */
  note(text: string): void {
    this.#note = text;
    this.#current = undefined;
    if (this.#tty) this.#redraw();
    else this.#line(text);
  }

  stepStarted(position: { index: number; total: number; cleanup: boolean }, label: string): void {
    const where = `${position.cleanup ? 'cleanup' : 'step'} ${position.index + 1}/${position.total}`;
    this.#current = { label, position: where, startedAt: this.#now(), waiting: undefined, deadline: undefined };
    this.#note = undefined;
    if (this.#tty) this.#redraw();
    else this.#line(`${where}: ${label}`);
  }

  waiting(what: string, deadline: number | undefined): void {
    if (!this.#current) return;
    this.#current.waiting = what;
    this.#current.deadline = deadline;
    if (this.#tty) this.#redraw();
    else if (what !== this.#current.label)
      this.#line(
        `${this.#current.position}: ${what}${deadline ? ` (deadline ${seconds(deadline - this.#now())})` : ''}`,
      );
  }

  stepFinished(status: StepStatus, detail: string | undefined): void {
    const current = this.#current;
    if (!current) return;
    const took = seconds(this.#now() - current.startedAt);
    if (!this.#tty) this.#line(`${current.position} ${status} in ${took}${detail ? `: ${detail}` : ''}`);
    else if (status === 'failed' || status === 'error') {
      // A failure stays on screen above the redrawn line: it is what the user needs to see afterwards.
      this.#clear();
      this.#stream.write(
        `${this.#stamp()} ${current.position} ${status}: ${current.label}${detail ? ` — ${detail}` : ''}\n`,
      );
    }
    this.#current = undefined;
    if (this.#tty) this.#redraw();
  }

  /** Stops redrawing and clears the line. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#tty) this.#clear();
  }

  /** The line a TTY shows now; exported for tests through this method. */
  render(): string {
    const c = this.#current;
    if (!c) return `${this.#stamp()} ${this.#note ?? ''}`.trimEnd();
    const elapsed = seconds(this.#now() - c.startedAt);
    const what = c.waiting && c.waiting !== c.label ? ` — ${c.waiting}` : '';
    const left = c.deadline === undefined ? '' : `, ${seconds(Math.max(0, c.deadline - this.#now()))} left`;
    // Times before the label: on a narrow terminal the line is cut at the end, and they matter most.
    return `${this.#stamp()} ${c.position} (${elapsed}${left}): ${c.label}${what}`;
  }

  #redraw(): void {
    const columns = (this.#stream as { columns?: number }).columns ?? 120;
    const text = this.render();
    this.#stream.write(`\r\u001b[2K${text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text}`);
    this.#lineShown = true;
  }

  #clear(): void {
    if (this.#lineShown) this.#stream.write('\r\u001b[2K');
    this.#lineShown = false;
  }

  #line(text: string): void {
    this.#stream.write(`${this.#stamp()} ${text}\n`);
  }

  #stamp(): string {
    return `[gameday +${seconds(this.#now() - this.#startedAt)}]`;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
