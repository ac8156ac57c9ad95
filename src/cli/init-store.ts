import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Config } from '../config/types.ts';
import { createDynamoDbClient } from '../store/dynamodb-client.ts';
import { PARTITION_KEY } from '../store/dynamodb-item.ts';
import { ensureTable } from '../store/dynamodb-table.ts';
import type { EnsureTableResult } from '../store/dynamodb-table.ts';
import { loadCommandConfig, print } from './common.ts';
import type { ConfigOption } from './common.ts';
import { printableLines } from './printable.ts';

/** The longest `init-store` may take, creation and the ACTIVE wait included. */
const DEADLINE_MS = 120_000;

/**
 * `init-store -c FILE`: creates the configured store if it is missing. DynamoDB: the table, on-demand,
 * partition key `pk`, deletion protection and point-in-time recovery on; an existing table with the right
 * key is left as it is and said to be usable. File store: only the directory, the file comes with the
 * first save. Exit 0 when the store exists and is usable (a point-in-time recovery that could not be
 * turned on is a warning), 1 when creating failed, 2 for a config error or a table of another shape.
 */
export async function initStoreCommand(options: ConfigOption): Promise<number> {
  const config = await loadCommandConfig(options);
  const store = config.store;
  if (store.type === 'file') {
    const directory = dirname(store.path);
    await mkdir(directory, { recursive: true });
    print(
      printableLines(
        `file store ${store.path}: nothing to create; directory ${directory} is ready (the file is written at the first save)`,
      ),
    );
    return 0;
  }
  return initDynamoDbTable(store);
}

async function initDynamoDbTable(store: Extract<Config['store'], { type: 'dynamodb' }>): Promise<number> {
  const client = createDynamoDbClient({ region: store.region });
  try {
    const result = await ensureTable({
      client,
      table: store.table,
      region: store.region,
      signal: AbortSignal.timeout(DEADLINE_MS),
    });
    print(describeTable(result));
    const { pitr } = result;
    if (pitr.state === 'enabled') print('point-in-time recovery: turned on');
    else if (pitr.state === 'already-enabled') print('point-in-time recovery: on');
    else if (pitr.state === 'unsupported') {
      process.stderr.write(
        printableLines(
          `warning: this endpoint does not offer point-in-time recovery, so it is not on (${pitr.detail})\n`,
        ),
      );
    } else {
      process.stderr.write(
        printableLines(
          `warning: point-in-time recovery could not be turned on (${pitr.detail}); the table works without it, but turn it on ` +
            '(dynamodb:UpdateContinuousBackups, or the console) so the decision history can be restored\n',
        ),
      );
    }
    return 0;
  } finally {
    client.destroy();
  }
}

function describeTable(result: EnsureTableResult): string {
  const shape = `partition key ${PARTITION_KEY} (string), ${result.billingMode === 'PAY_PER_REQUEST' ? 'on-demand' : result.billingMode.toLowerCase()}`;
  return result.created
    ? `created DynamoDB table ${result.table} in ${result.region} (${shape}); it is ACTIVE and usable`
    : `DynamoDB table ${result.table} in ${result.region} already exists and is usable (${shape}); nothing created`;
}
