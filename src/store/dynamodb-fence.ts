/**
 * The fence on the DynamoDB store's document item (`fenceEpoch`): written by each take-over before its
 * leader acts, required by each of that leader's saves. Why that keeps a deposed leader's saves out:
 * dynamodb-lease.ts and docs/high-availability.md.
 */
import type { DynamoDbItems } from './dynamodb-io.ts';
import { FENCE_PROJECTION, FORMAT_CHECK, FORMAT_VALUES, LEGACY, namesIn, type Item } from './dynamodb-item.ts';

/** The document item's header, fence and format-1 lease attributes, without the document. */
export function readFenceItem(
  items: DynamoDbItems,
  key: string,
  signal: AbortSignal | undefined,
): Promise<Item | undefined> {
  return items.get(key, signal, { expression: FENCE_PROJECTION, names: namesIn(FENCE_PROJECTION) });
}

/**
 * `fenceEpoch = epoch` on the document item, conditional on the fence there being no newer (equal: an
 * earlier attempt of this holder, the only one with this epoch) and, when adopting a format-1 lease, on
 * that lease's record version being the one waited out. Removes the format-1 lease attributes (an older
 * release's holder conditions its renewals and saves on them) and marks the item format 2, which an older
 * release refuses to load or save. OR this very write (`writeId`), for the SDK's retry. True when written.
 */
export async function writeFence(
  items: DynamoDbItems,
  key: string,
  fence: { epoch: number; writeId: string; legacyRecordVersion?: string | undefined },
  signal: AbortSignal | undefined,
): Promise<boolean> {
  const { epoch, writeId, legacyRecordVersion } = fence;
  const legacyCheck = legacyRecordVersion === undefined ? '' : ' AND #leaseRecordVersion = :legacyRv';
  const condition = `(${FORMAT_CHECK} AND (attribute_not_exists(#fenceEpoch) OR #fenceEpoch <= :epoch)${legacyCheck}) OR #writeId = :writeId`;
  const removeLegacy = Object.values(LEGACY)
    .map((name) => `#${name}`)
    .join(', ');
  const update = `SET #fenceEpoch = :epoch, #format = :format, #formatVersion = :formatVersion, #writeId = :writeId REMOVE ${removeLegacy}`;
  const result = await items.update(
    key,
    {
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: namesIn(update, condition),
      ExpressionAttributeValues: {
        ...FORMAT_VALUES,
        ':epoch': { N: String(epoch) },
        ':writeId': { S: writeId },
        ...(legacyRecordVersion === undefined ? {} : { ':legacyRv': { S: legacyRecordVersion } }),
      },
    },
    signal,
  );
  return result.ok;
}
