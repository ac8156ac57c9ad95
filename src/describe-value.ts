/**
 * How a value reads inside an error message, written once. Two readers see values: someone editing a YAML
 * file (config, game-day scenarios), who knows mappings, lists and empty values; and someone reading a
 * JSON queue message, who knows objects and arrays, and whose values can be long. Each gets its own
 * words, by one rule.
 */

/** The words for the kinds of value that are not shown as they are, and how long a shown value may get. */
interface ValueWords {
  missing: string;
  null: string;
  list: string;
  mapping: string;
  /** Longer values are cut, ending in `…"`. */
  maxShown: number;
}

const YAML_WORDS: ValueWords = {
  missing: 'undefined',
  null: 'an empty value',
  list: 'a list',
  mapping: 'a mapping',
  maxShown: Infinity,
};
const JSON_WORDS: ValueWords = {
  missing: 'nothing',
  null: 'null',
  list: 'an array',
  mapping: 'an object',
  maxShown: 80,
};

function describeWith(words: ValueWords, value: unknown): string {
  if (value === undefined) return words.missing;
  if (value === null) return words.null;
  if (Array.isArray(value)) return words.list;
  if (typeof value === 'object') return words.mapping;
  // Strings are quoted so blanks and empty strings show; YAML scalars such as `.nan` read as JavaScript writes them.
  const text =
    typeof value === 'string' || words === JSON_WORDS ? (JSON.stringify(value) ?? String(value)) : String(value);
  return text.length > words.maxShown ? `${text.slice(0, words.maxShown - 1)}…"` : text;
}

/** A value of a YAML file in a message: strings quoted, containers by kind (`a mapping`, `a list`, `an empty value`). */
export function describeYamlValue(value: unknown): string {
  return describeWith(YAML_WORDS, value);
}

/** A value of a JSON message in a message: as JSON, cut after 80 characters; containers by kind (`an object`, `an array`). */
export function describeJsonValue(value: unknown): string {
  return describeWith(JSON_WORDS, value);
}
