/**
 * The controller's persisted state as the commands that only look at it see it (`status`, `history`,
 * `explain`, a game day's observer): the document and who holds the lease, read without taking the lease,
 * so it works whether or not a controller is running.
 */
import type { AwsClientSettings } from '../aws/client-settings.ts';
import type { Config } from '../config/types.ts';
import { readDocument } from '../controller/document.ts';
import type { ControllerDocument, DocumentOwner } from '../controller/document.ts';
import { openStore } from '../store/open-store.ts';
import type { LeaseStatus } from '../store/store.ts';

/** The controller's persisted document, where it was read, and the controller acting now. */
export interface Persisted {
  doc: ControllerDocument;
  updatedAt: string;
  /** The store's `describe()`, e.g. `file /var/lib/connect-failover/state.json`. */
  location: string;
  /** The controller holding the lease now (the one acting), if any. */
  leader?: { holder: string; expiresAt: string } | undefined;
  /** The lease record as read (released or not); undefined when no controller ever took it. */
  lease?: LeaseStatus | undefined;
}

/** What a store holds for this config's group: the document (if any was saved) and the lease (if any was taken). */
export interface StoreView {
  persisted: Persisted | undefined;
  lease: LeaseStatus | undefined;
  /** The store's `describe()`. */
  location: string;
}

export interface ReadPersistedOptions {
  /**
   * Told when the document names no owner (written by a release before documents did) and is read as
   * this config's group's. The caller decides whether a person should hear of it; default: nobody is told.
   */
  onAdopt?: (location: string, owner: DocumentOwner) => void;
  /** Aborts the store reads. */
  signal?: AbortSignal;
  /** Endpoints and credentials of the store's client (DynamoDB). Default: the SDK's standard chain. */
  aws?: AwsClientSettings | undefined;
}

/**
 * Reads the persisted document and the lease from the config's store; undefined when the controller never
 * ran with this store. The store is opened and closed here.
 * @throws StoreOwnerError (a ConfigError: exit 2) when the store holds another group's state: shown beside
 *   this config's signals it would mislead. Corrupt or foreign documents throw as the controller would.
 */
export async function readPersisted(
  config: Config,
  options: ReadPersistedOptions = {},
): Promise<Persisted | undefined> {
  return (await readStoreView(config, options)).persisted;
}

/**
 * Reads the document and the lease; unlike {@link readPersisted}, the lease is returned also when no
 * document was saved yet (a controller that just started, or stands by). Same errors as readPersisted.
 */
export async function readStoreView(config: Config, options: ReadPersistedOptions = {}): Promise<StoreView> {
  const store = openStore(config.store, { aws: options.aws });
  try {
    const stored = await store.load(options.signal);
    const lease = await store.readLease(options.signal);
    const location = store.describe();
    if (!stored) return { persisted: undefined, lease, location };
    const onAdopt = options.onAdopt;
    return {
      persisted: {
        doc: readDocument(stored.data, location, {
          config,
          ...(onAdopt ? { onAdopt: (owner: DocumentOwner) => onAdopt(location, owner) } : {}),
        }),
        updatedAt: stored.updatedAt,
        location,
        // A released lease (or, file store, one whose process is gone) names nobody acting.
        leader: lease && !lease.released ? { holder: lease.holder, expiresAt: lease.expiresAt } : undefined,
        lease,
      },
      lease,
      location,
    };
  } finally {
    await store.close();
  }
}
