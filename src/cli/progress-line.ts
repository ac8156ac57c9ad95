/**
 * One line of progress while a command waits (operator commands waiting for their outcome). On a TTY the
 * line is redrawn in place with `\r` (and cut to the terminal's width, or the next redraw would not cover
 * a wrapped line); otherwise a plain line is written whenever the text changes, for logs and CI.
 */
import { printable } from './printable.ts';

export interface ProgressLineOptions {
  /** Default: whether the stream is a TTY. */
  tty?: boolean;
  now?: () => number;
  /** Redraw interval on a TTY (the elapsed time moves), ms; default 200. */
  redrawMs?: number;
}

export class ProgressLine {
  readonly #stream: NodeJS.WritableStream & { columns?: number };
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #text = '';
  #shown = false;

  constructor(
    stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    options: ProgressLineOptions = {},
  ) {
    this.#stream = stream;
    this.#tty = options.tty ?? Boolean(stream.isTTY);
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    if (this.#tty) {
      this.#timer = setInterval(() => this.#redraw(), options.redrawMs ?? 200);
      this.#timer.unref();
    }
  }

  /** The current state, e.g. `waiting in the queue: no controller is running`. Text from the store is escaped here. */
  update(text: string): void {
    const safe = printable(text);
    if (safe === this.#text) return;
    this.#text = safe;
    if (this.#tty) this.#redraw();
    else this.#stream.write(`${this.#line()}\n`);
  }

  /** Stops redrawing and clears the line (a TTY), so the result is printed on a clean line. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#tty && this.#shown) this.#stream.write('\r\u001b[2K');
    this.#shown = false;
  }

  #line(): string {
    return `[${this.label} +${((this.#now() - this.#startedAt) / 1000).toFixed(1)}s] ${this.#text}`;
  }

  #redraw(): void {
    if (this.#text === '') return;
    // A pseudo-terminal without a size (script(1) under a pipe) reports 0 columns.
    const columns = this.#stream.columns || 120;
    const line = this.#line();
    this.#stream.write(
      `\r\u001b[2K${line.length > columns - 1 ? `${line.slice(0, Math.max(1, columns - 2))}…` : line}`,
    );
    this.#shown = true;
  }
}
