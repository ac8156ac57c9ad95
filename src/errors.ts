/**
 * One root error for the project; every subclass says whether retrying the same work can help.
 * Terminal errors are reported and not retried; retryable ones go back through backoff.
 */
export class ConnectFailoverError extends Error {
  /** True when the same operation may succeed later without anyone changing anything. */
  readonly retryable: boolean;

  constructor(message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem found in a config file: where it is and what is expected there. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `timing.cooldown` or `signals.critical[0]`; empty for the whole file. */
  path: string;
  message: string;
}

/** The config cannot be used. Lists every problem at once so a user fixes them in one pass. */
export class ConfigError extends ConnectFailoverError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | undefined;

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map((i) => `  ${i.path || '(file)'}: ${i.message}`);
    super(`invalid config${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
    this.file = file;
  }
}

/** A queue message body that is not one of the accepted shapes. Left on the queue for its DLQ. */
export class MalformedMessageError extends ConnectFailoverError {
  /** JSON path inside the body where the problem is, e.g. `detail.state.timestamp`. */
  readonly path: string;

  constructor(message: string, path = '', options: { cause?: unknown } = {}) {
    super(path ? `${path}: ${message}` : message, options);
    this.path = path;
  }
}

/** Command-line usage mistakes: exit code 2. */
export class UsageError extends ConnectFailoverError {}
