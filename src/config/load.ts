/**
 * Reading the config: file → YAML → schema and relations → the normalized {@link Config}.
 * The config module is the only reader of config files and of `process.env` for settings.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { regionOfQueueUrl } from '../aws/identifiers.ts';
import { ConfigError, UsageError } from '../errors.ts';
import type { ConfigIssue } from '../errors.ts';
import type { ConfigFile } from './schema.ts';
import type { AlarmSenders } from '../domain/alarm-senders.ts';
import { KNOWN_KEYS, STORE_TYPE_KEYS, checkRelations, configFileSchema, expecting, formatPath } from './schema.ts';
import type { Config } from './types.ts';

/** The environment variable naming the config file when `-c` is not given. */
export const CONFIG_ENV_VAR = 'CONNECT_FAILOVER_CONFIG';

/**
 * The environment variable holding the config text itself (YAML or JSON), used when neither `-c` nor
 * {@link CONFIG_ENV_VAR} is given: a container with a read-only root filesystem gets its config from the
 * task definition without writing a file first. A relative `store.path` in it resolves against the
 * current directory.
 */
export const CONFIG_TEXT_ENV_VAR = 'CONNECT_FAILOVER_CONFIG_YAML';

/**
 * yaml's `maxAliasCount`: how many nodes aliases may expand to, weighted by the size of what each alias
 * points at. A config needs a handful; a "billion laughs" document needs billions, and is refused after
 * this many instead of exhausting memory.
 */
export const MAX_ALIAS_COUNT = 100;

/** A usable config and what is questionable about it. */
export interface LoadedConfig {
  config: Config;
  /** Lines like `trafficDistributionGroup: …`, for the user to read; none stops the controller. */
  warnings: string[];
}

/** Where config text came from, for messages and relative paths. */
export interface ParseConfigOptions {
  /** The file the text came from, named in errors. */
  file?: string;
  /** Directory that a relative `store.path` is resolved against. Default: the current directory. */
  baseDir?: string;
}

/**
 * Picks the config file: the `-c FILE` flag, else `CONNECT_FAILOVER_CONFIG`. Empty values count as unset.
 * @throws UsageError when neither is given.
 */
export function resolveConfigPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv) return fromEnv;
  throw new UsageError(`no config file: pass -c FILE or set ${CONFIG_ENV_VAR}`);
}

/** Where a command's config comes from: a file, or the text of {@link CONFIG_TEXT_ENV_VAR}. */
export type ConfigSource = { kind: 'file'; path: string } | { kind: 'text'; variable: string; text: string };

/**
 * Picks the config: `-c FILE`, else the file named by `CONNECT_FAILOVER_CONFIG`, else the text in
 * `CONNECT_FAILOVER_CONFIG_YAML`. Empty values count as unset. The two variables together are refused
 * rather than one silently ignored (a flag still overrides both).
 * @throws UsageError when none is given, or when both variables are.
 */
export function resolveConfigSource(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigSource {
  if (flag) return { kind: 'file', path: flag };
  const file = env[CONFIG_ENV_VAR];
  const text = env[CONFIG_TEXT_ENV_VAR];
  if (file && text) {
    throw new UsageError(
      `both ${CONFIG_ENV_VAR} and ${CONFIG_TEXT_ENV_VAR} are set: set one of them (or pass -c FILE)`,
    );
  }
  if (file) return { kind: 'file', path: file };
  if (text) return { kind: 'text', variable: CONFIG_TEXT_ENV_VAR, text };
  throw new UsageError(
    `no config: pass -c FILE, or set ${CONFIG_ENV_VAR} (a file) or ${CONFIG_TEXT_ENV_VAR} (the config text)`,
  );
}

/**
 * Reads and validates the config from `source`, as {@link loadConfig} and {@link parseConfig} do; errors
 * from the variable's text name the variable where a file's would name the file.
 */
export async function loadConfigFrom(
  source: ConfigSource,
  options: { signal?: AbortSignal } = {},
): Promise<LoadedConfig> {
  if (source.kind === 'file') return loadConfig(source.path, options);
  return parseConfig(source.text, { file: source.variable });
}

/**
 * Reads and validates a config file; a relative `store.path` is resolved against the file's directory.
 * @throws ConfigError listing every problem, or naming the file (path `''`) when it cannot be read.
 */
export async function loadConfig(file: string, options: { signal?: AbortSignal } = {}): Promise<LoadedConfig> {
  const absolute = resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, { encoding: 'utf8', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new ConfigError([{ path: '', message: `cannot read config file ${file}: ${readFailure(error)}` }], file);
  }
  return parseConfig(text, { file, baseDir: dirname(absolute) });
}

/**
 * Validates config text (YAML or JSON) and normalizes it.
 * @throws ConfigError listing every problem at once, in file order: the first YAML syntax error alone
 *   (with line and column), or else every schema problem together with every problem between fields.
 */
export function parseConfig(text: string, options: ParseConfigOptions = {}): LoadedConfig {
  const yaml = readYaml(text);
  if (yaml.issues.length > 0) throw new ConfigError(yaml.issues, options.file);
  if (yaml.value === null || yaml.value === undefined) {
    throw new ConfigError(
      [{ path: '', message: 'is empty; expected a mapping with trafficDistributionGroup, regions, queue and signals' }],
      options.file,
    );
  }
  const parsed = configFileSchema.safeParse(yaml.value, { error: messageFor });
  const relations = checkRelations(yaml.value);
  // A number the parser had to round is reported as written; the schema saw only the rounded value.
  const inexact = new Set(yaml.inexactNumbers.map((issue) => issue.path));
  const issues = inDocumentOrder(yaml.document, [
    ...yaml.inexactNumbers,
    ...[...(parsed.success ? [] : parsed.error.issues.flatMap(toConfigIssues)), ...relations.issues].filter(
      (issue) => !inexact.has(issue.path),
    ),
  ]);
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues, options.file);
  return {
    config: normalize(parsed.data, options.baseDir ?? process.cwd()),
    warnings: [...yaml.warnings, ...relations.warnings],
  };
}

function normalize(file: ConfigFile, baseDir: string): Config {
  const { timing, store } = file;
  return {
    trafficDistributionGroup: file.trafficDistributionGroup,
    regions: { primary: file.regions.primary, replica: file.regions.replica },
    ...(file.regions.replicaInstance === undefined ? {} : { replicaInstance: file.regions.replicaInstance }),
    queue: {
      url: file.queue.url,
      region: file.queue.region ?? regionOfQueueUrl(file.queue.url),
      ...(file.queue.alarmSenders === undefined ? {} : { alarmSenders: alarmSendersOf(file.queue.alarmSenders) }),
    },
    signals: file.signals,
    // Not given: one step, straight back to healthy (today's failback).
    traffic: { ...file.traffic, failbackSteps: file.traffic.failbackSteps ?? [file.traffic.healthy] },
    timing: {
      escalateAfterMs: timing.escalateAfter,
      recoverAfterMs: timing.recoverAfter,
      cooldownMs: timing.cooldown,
      maxAutomaticShifts: { count: timing.maxAutomaticShifts.count, perMs: timing.maxAutomaticShifts.per },
      driftCheckMs: timing.driftCheck,
      alarmPollMs: timing.alarmPoll,
      failbackStepHoldMs: timing.failbackStepHold,
    },
    failback: file.failback,
    drift: file.drift,
    store:
      store.type === 'file'
        ? { type: 'file', path: resolve(baseDir, store.path) }
        : {
            type: 'dynamodb',
            table: store.table,
            region: store.region ?? file.regions.replica,
            leaseDurationMs: store.leaseDuration,
            key: file.trafficDistributionGroup.id,
          },
    http: file.http && { host: file.http.host, port: file.http.port },
    dryRun: file.dryRun,
  };
}

interface YamlText {
  document: Document;
  value: unknown;
  issues: ConfigIssue[];
  warnings: string[];
  /** Numbers written beyond what a double holds exactly, one issue each, by key path. */
  inexactNumbers: ConfigIssue[];
}

function readYaml(text: string): YamlText {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `line ${line}, column ${col}`;
  };
  // Only the first syntax error: later ones are mostly the parser losing its way after the first.
  const issues = document.errors.slice(0, 1).map((error) => ({
    path: '',
    message: `YAML syntax error at ${at(error.pos[0])}: ${error.message}`,
  }));
  const warnings = document.warnings.map((warning) => `YAML warning at ${at(warning.pos[0])}: ${warning.message}`);
  if (issues.length > 0) return { document, value: undefined, issues, warnings, inexactNumbers: [] };
  try {
    return {
      document,
      value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }),
      issues,
      warnings,
      inexactNumbers: inexactNumbers(document),
    };
  } catch (error) {
    // toJS throws (a ReferenceError) only for aliases: too many expansions, or one it cannot resolve.
    const message = error instanceof Error ? error.message : String(error);
    const problem = /excessive alias count/i.test(message)
      ? `YAML aliases expand to more than maxAliasCount (${MAX_ALIAS_COUNT}) nodes; a config needs few aliases, and this looks like an alias bomb ("billion laughs")`
      : `YAML aliases cannot be resolved: ${message}`;
    return { document, value: undefined, issues: [{ path: '', message: problem }], warnings, inexactNumbers: [] };
  }
}

/**
 * Numbers the YAML parser could not hold exactly, with the text as written: `9007199254740993` becomes
 * the double 9007199254740992 and `1e400` becomes Infinity, and a message quoting those would name a
 * number nobody wrote.
 */
function inexactNumbers(document: Document): ConfigIssue[] {
  const found: ConfigIssue[] = [];
  const walk = (node: unknown, path: ReadonlyArray<string | number>): void => {
    if (isMap(node)) {
      for (const pair of node.items) if (isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...path, index]));
    } else if (isScalar(node) && typeof node.value === 'number') {
      const written = node.source ?? String(node.value);
      if (Number.isInteger(node.value) && !Number.isSafeInteger(node.value)) {
        found.push({
          path: formatPath(path),
          message: `${written} is beyond the safe integer range (at most ${Number.MAX_SAFE_INTEGER}), so it cannot be read exactly`,
        });
      } else if (node.value === Infinity || node.value === -Infinity) {
        found.push({ path: formatPath(path), message: `${written} is beyond the largest number a config can hold` });
      }
    }
  };
  walk(document.contents, []);
  return found;
}

/** Sorts issues by where their key is in the file (a missing key: where its parent is), so users fix top-down. */
function inDocumentOrder(document: Document, issues: ConfigIssue[]): ConfigIssue[] {
  const offsets = new Map(issues.map((issue) => [issue, offsetOf(document, issue.path)]));
  return issues.toSorted((a, b) => (offsets.get(a) ?? 0) - (offsets.get(b) ?? 0));
}

function offsetOf(document: Document, path: string): number {
  let node: unknown = document.contents;
  let offset = 0;
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    let next: unknown;
    if (isMap(node) && key !== undefined) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      next = pair?.value;
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
    } else if (isSeq(node) && index !== undefined) {
      next = node.items[Number(index)];
      if (isScalar(next) || isMap(next) || isSeq(next)) offset = next.range?.[0] ?? offset;
    }
    if (next === undefined) break;
    node = next;
  }
  return offset;
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

/** Messages for issues whose field has no message of its own (mostly the sections themselves). */
function messageFor(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type') return expecting(EXPECTED[issue.expected] ?? issue.expected)(issue);
  return undefined;
}

/** Only the lists given: `validate` prints the config back, and an absent allow list means "anyone". */
function alarmSendersOf(given: { allow?: string[] | undefined; deny?: string[] | undefined }): AlarmSenders {
  return {
    ...(given.allow === undefined ? {} : { allow: given.allow }),
    ...(given.deny === undefined ? {} : { deny: given.deny }),
  };
}

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code !== 'unrecognized_keys') return [{ path: formatPath(issue.path), message: issue.message }];
  const parent = formatPath(issue.path);
  return issue.keys.map((key) => ({
    path: parent === '' ? key : `${parent}.${key}`,
    message: unknownKeyMessage(parent, key),
  }));
}

/** Unknown keys are mostly typos or keys at the wrong level; say which known key was probably meant. */
function unknownKeyMessage(parent: string, key: string): string {
  if (parent === 'store') {
    const owner = Object.entries(STORE_TYPE_KEYS).find(([, keys]) => keys.includes(key))?.[0];
    if (owner !== undefined) return `applies only to store type ${owner}`;
  }
  const known = KNOWN_KEYS.get(parent) ?? [];
  const close = closestKey(key, known);
  if (close !== undefined) return `unknown key (did you mean ${close}?)`;
  for (const [elsewhere, keys] of KNOWN_KEYS) {
    if (elsewhere !== parent && keys.includes(key)) {
      return `unknown key here (did you mean ${elsewhere === '' ? key : `${elsewhere}.${key}`}?)`;
    }
  }
  return `unknown key (expected one of: ${known.join(', ')})`;
}

/** A known key that differs from `key` by case, separators, or at most one or two typed characters. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const simplify = (text: string) => text.toLowerCase().replace(/[-_ ]/g, '');
  const wanted = simplify(key);
  const allowed = wanted.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(wanted, simplify(candidate));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      const row = rows[i];
      if (row) row[j] = distance;
    }
  }
  return at(a.length, b.length);
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
