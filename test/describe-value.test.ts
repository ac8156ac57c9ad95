import { describe, expect, it } from 'vitest';
import { describeJsonValue, describeYamlValue } from '../src/describe-value.ts';

describe('values in messages', () => {
  it.each([
    ['a string', 'us-east-1', '"us-east-1"'],
    ['a number', 120, '120'],
    ['a boolean', true, 'true'],
    ['an empty value', null, 'an empty value'],
    ['a list', ['a'], 'a list'],
    ['a mapping', { a: 1 }, 'a mapping'],
  ])('shows %s of a YAML file in YAML words', (_what, value, expected) => {
    // Act, Assess
    expect(describeYamlValue(value)).toBe(expected);
  });

  it.each([
    ['a string', 'ALARM', '"ALARM"'],
    ['a number', 1.5, '1.5'],
    ['null', null, 'null'],
    ['nothing', undefined, 'nothing'],
    ['an array', [1], 'an array'],
    ['an object', { a: 1 }, 'an object'],
  ])('shows %s of a JSON message in JSON words', (_what, value, expected) => {
    // Act, Assess
    expect(describeJsonValue(value)).toBe(expected);
  });

  it('cuts long values of a message but shows a config value whole', () => {
    // Prepare
    const long = 'x'.repeat(200);

    // Act
    const fromMessage = describeJsonValue(long);
    const fromFile = describeYamlValue(long);

    // Assess
    expect(fromMessage).toBe(`"${'x'.repeat(78)}…"`);
    expect(fromFile).toBe(`"${long}"`);
  });
});
