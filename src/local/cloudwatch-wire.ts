/**
 * CloudWatch's wire protocol as the SDK speaks it: AWS JSON 1.0, query-compatible. Errors carry the query
 * error code in `x-amzn-query-error` (which the SDK names the error by) and the modeled shape in
 * `__type`; request fields are checked with the messages CloudWatch gives.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { AlarmValue } from '../config/types.ts';
import { ALARM_VALUES } from '../domain/signals.ts';
import { readBodyBytes, sendJson } from './http-io.ts';

const gunzipAsync = promisify(gunzip);

/** The `X-Amz-Target` prefix of every operation. */
export const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** PutMetricData accepts 1 MB; leave room for JSON overhead and refuse gzip bombs beyond it. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Errors of the service framework rather than of CloudWatch's model: no query error code. */
const FRAMEWORK_ERROR_PREFIX = 'com.amazon.coral.service#';

/** A decoded JSON request or answer body. */
export type Json = Record<string, unknown>;

/** An error answered in CloudWatch's query-compatible JSON form. */
export class WireError extends Error {
  constructor(
    readonly status: number,
    /** The query error code (`x-amzn-query-error`), which the SDK names the error by. */
    readonly code: string,
    message: string,
    /** The JSON `__type`: the modeled shape when there is one. */
    readonly type: string = code,
  ) {
    super(message);
  }
}

/** Modeled CloudWatch errors: query code → shape name, from the SDK's `awsQueryError` traits. */
const MODELED_SHAPES: Readonly<Record<string, string>> = {
  ResourceNotFound: 'ResourceNotFound',
  InvalidFormat: 'InvalidFormatFault',
  ValidationError: 'ValidationException',
  MissingParameter: 'MissingRequiredParameterException',
  InvalidParameterValue: 'InvalidParameterValueException',
  InvalidParameterCombination: 'InvalidParameterCombinationException',
  InvalidNextToken: 'InvalidNextToken',
  InternalServiceError: 'InternalServiceFault',
};

/** A CloudWatch error by its query code, typed as the modeled shape when the SDK knows one. */
export function queryError(status: number, code: string, message: string): WireError {
  const shape = MODELED_SHAPES[code];
  return new WireError(status, code, message, shape === undefined ? code : `com.amazonaws.cloudwatch#${shape}`);
}

/** A framework error (unknown operation, bad JSON): typed, but with no query code. */
export function frameworkError(status: number, code: string, message: string): WireError {
  return new WireError(status, code, message, `${FRAMEWORK_ERROR_PREFIX}${code}`);
}

/** A `ValidationError` with CloudWatch's message. */
export const validation = (message: string): WireError => queryError(400, 'ValidationError', message);
/** A `MissingParameter` error naming the parameter. */
export const missing = (parameter: string): WireError =>
  queryError(400, 'MissingParameter', `The parameter ${parameter} is required.`);

/** The query code a scripted fault answers with when none is given, by HTTP status. */
export function defaultFaultCode(status: number): string {
  if (status === 400 || status === 429) return 'Throttling';
  if (status === 403) return 'AccessDenied';
  if (status === 500) return 'InternalServiceError';
  if (status === 503) return 'ServiceUnavailable';
  return status >= 500 ? 'InternalFailure' : 'InvalidParameterValue';
}

/** The message a scripted fault answers with: CloudWatch's own for throttling. */
export function defaultFaultMessage(code: string): string {
  return code === 'Throttling' ? 'Rate exceeded' : `Injected fault: ${code}`;
}

/** Answers with JSON and a request id, as every CloudWatch answer has one. */
export function sendWireJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, body, { 'x-amzn-requestid': randomUUID(), ...headers });
}

/** Answers an operation: the JSON 1.0 content type, and for errors the query code the SDK maps. */
export function sendWireAnswer(res: ServerResponse, status: number, body: Json, error?: WireError): void {
  const headers: Record<string, string> = { 'content-type': JSON_CONTENT_TYPE };
  // Only query errors carry this header; the SDK maps its code to the modeled class (awsQueryError).
  if (error !== undefined && !error.type.startsWith(FRAMEWORK_ERROR_PREFIX)) {
    headers['x-amzn-query-error'] = `${error.code};${error.status >= 500 ? 'Receiver' : 'Sender'}`;
  }
  sendWireJson(res, status, body, headers);
}

/** Reads a request body, inflating it when the SDK gzipped it; refuses bodies (and gzip bombs) over 2 MB. */
export async function readWireBody(req: IncomingMessage, encoding: string | undefined): Promise<Buffer> {
  const body = await readBodyBytes(req, MAX_BODY_BYTES);
  if (body.truncated) throw queryError(413, 'RequestEntityTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  if (encoding === undefined || encoding === 'identity') return body.bytes;
  if (encoding !== 'gzip') throw queryError(400, 'InvalidParameterValue', `Unsupported Content-Encoding ${encoding}.`);
  try {
    // The SDK gzips PutMetricData bodies of 10 KiB or more (requestMinCompressionSizeBytes).
    return await gunzipAsync(body.bytes, { maxOutputLength: MAX_BODY_BYTES });
  } catch {
    throw queryError(400, 'InvalidParameterValue', 'Body is not valid gzip, or inflates beyond the size limit.');
  }
}

/** A JSON object body; an empty body is `{}`, as the SDK sends for operations without input. */
export function parseJson(raw: Buffer): Json {
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw frameworkError(400, 'SerializationException', 'Request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw frameworkError(400, 'SerializationException', 'Request body must be a JSON object.');
  }
  return parsed as Json;
}

// ---------------------------------------------------------------------------------------------------------
// Request fields

/** A string field, or undefined when absent or null. */
export function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`Value at '${key}' must be a string.`);
  return value;
}

/** A string field that must be present (`MissingParameter` otherwise). */
export function requiredString(body: Json, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined) throw missing(key);
  return value;
}

/** A list of strings, or undefined when absent or null. */
export function optionalStringList(body: Json, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw validation(`Value at '${key}' must be a list of strings.`);
  return value as string[];
}

/** A list of numbers, or undefined when absent or null. */
export function numberList(value: unknown, key: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number'))
    throw validation(`Value at '${key}' must be a list of numbers.`);
  return value as number[];
}

/** An alarm state value (`OK`, `ALARM`, `INSUFFICIENT_DATA`), refused with CloudWatch's enum message otherwise. */
export function checkStateValue(value: string, key: string): AlarmValue {
  if (!(ALARM_VALUES as readonly string[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]`,
    );
  }
  return value as AlarmValue;
}

/** `MaxRecords`: 1 to 100, default 50. */
export function maxRecords(body: Json): number {
  const value = body.MaxRecords ?? 50;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  return value;
}

/** `StateReasonData`: at most 4000 characters of JSON, as SetAlarmState requires. */
export function checkReasonData(reasonData: string | undefined): void {
  if (reasonData === undefined) return;
  if (reasonData.length > 4000)
    throw validation(
      `Value at 'stateReasonData' failed to satisfy constraint: Member must have length less than or equal to 4000`,
    );
  try {
    JSON.parse(reasonData);
  } catch {
    throw queryError(400, 'InvalidFormat', 'Invalid JSON in StateReasonData.');
  }
}
