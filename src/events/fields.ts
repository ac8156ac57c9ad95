import { MalformedMessageError } from '../errors.ts';
import { describeJsonValue } from '../describe-value.ts';
import { childPath, kindOf } from './json-path.ts';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An own property only: `JSON.parse` output still inherits from `Object.prototype`. */
export function ownField(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function wrongKind(expected: string, value: unknown, path: string): MalformedMessageError {
  const got = kindOf(value);
  const shown = got === 'array' || got === 'object' ? `an ${got}` : `${got} ${describeJsonValue(value)}`;
  return new MalformedMessageError(`expected ${expected}, got ${shown}`, path);
}

/** The object at `key`; throws when it is missing or not an object. */
export function requireObject(obj: JsonObject, key: string, parent: string): JsonObject {
  const path = childPath(parent, key);
  const value = ownField(obj, key);
  if (value === undefined) throw new MalformedMessageError('is missing', path);
  if (!isJsonObject(value)) throw wrongKind('an object', value, path);
  return value;
}

/** The object at `key`, or undefined when absent or null; throws when it is something else. */
export function optionalObject(obj: JsonObject, key: string, parent: string): JsonObject | undefined {
  const value = ownField(obj, key);
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw wrongKind('an object', value, childPath(parent, key));
  return value;
}

/** Limits for a string field. Defaults: empty strings allowed, no length limit. */
export interface StringRules {
  /** Refuse `''` and whitespace-only strings. Default false. */
  nonEmpty?: boolean;
  /** Most characters allowed. Default: no limit. */
  maxLength?: number;
}

function checkString(value: unknown, path: string, rules: StringRules): string {
  if (typeof value !== 'string') throw wrongKind('a string', value, path);
  if (rules.nonEmpty && value.trim() === '') throw new MalformedMessageError('must not be empty', path);
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    throw new MalformedMessageError(`is ${value.length} characters long; at most ${rules.maxLength} are allowed`, path);
  }
  return value;
}

/** The string at `key`; throws when it is missing, not a string, or breaks `rules`. */
export function requireString(obj: JsonObject, key: string, parent: string, rules: StringRules = {}): string {
  const path = childPath(parent, key);
  const value = ownField(obj, key);
  if (value === undefined) throw new MalformedMessageError('is missing', path);
  return checkString(value, path, rules);
}

/** The string at `key`, or undefined when absent or null; throws when it is something else. */
export function optionalString(
  obj: JsonObject,
  key: string,
  parent: string,
  rules: StringRules = {},
): string | undefined {
  const value = ownField(obj, key);
  if (value === undefined || value === null) return undefined;
  return checkString(value, childPath(parent, key), rules);
}

/** The value at `key` when it is one of `allowed`; throws naming the allowed values otherwise. */
export function requireOneOf<T extends string>(obj: JsonObject, key: string, parent: string, allowed: readonly T[]): T {
  const path = childPath(parent, key);
  const value = ownField(obj, key);
  if (value === undefined) throw new MalformedMessageError('is missing', path);
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new MalformedMessageError(`${describeJsonValue(value)} is not one of ${allowed.join(', ')}`, path);
}

/** Like {@link requireOneOf}, but undefined when the field is absent or null. */
export function optionalOneOf<T extends string>(
  obj: JsonObject,
  key: string,
  parent: string,
  allowed: readonly T[],
): T | undefined {
  const value = ownField(obj, key);
  if (value === undefined || value === null) return undefined;
  return requireOneOf(obj, key, parent, allowed);
}

/** Parses a field that carries JSON as a string (SNS `Message`); throws naming the field when it is not JSON. */
export function parseJsonString(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? ` (${error.message})` : '';
    throw new MalformedMessageError(`is not a JSON document${detail}`, path, { cause: error });
  }
}
