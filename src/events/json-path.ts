/**
 * JSON paths for error messages: `detail.state.timestamp`, `resources[0]`, `Message.AlarmArn`.
 * A path continues through a field that holds JSON as a string (SNS `Message`), so the reader is
 * pointed at the inner field rather than at the whole string.
 */

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** The path of `key` (an object key or an array index) inside `parent`; `parent` `''` is the body itself. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const step = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return step;
  return step.startsWith('[') ? `${parent}${step}` : `${parent}.${step}`;
}

/** `array`, `object`, `null`, or the `typeof` name: how a value's kind is named in messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
