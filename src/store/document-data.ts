import { StoreError } from '../errors.ts';

/**
 * The JSON text of a document's `data`, so every store keeps exactly what a JSON round trip keeps.
 * Throws `StoreError` (terminal) for data JSON cannot hold: `undefined`, functions, cycles, BigInt.
 */
export function dataToJson(data: unknown, location: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new StoreError(`${location}: the document cannot be saved as JSON (${(error as Error).message})`, location, {
      cause: error,
    });
  }
  if (json === undefined) {
    throw new StoreError(`${location}: the document cannot be saved as JSON (it is ${typeof data})`, location);
  }
  return json;
}

/** Throws a `RangeError` unless `version` is a whole number ≥ 0. */
export function assertExpectedVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new RangeError(`expectedVersion must be a whole number >= 0 (0 = nothing saved yet), got ${version}`);
  }
}
