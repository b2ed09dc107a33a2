/**
 * The storage contract every part of k8ts that persists state builds on (only the API server uses it directly).
 *
 * It has etcd's semantics, so that it can be backed by etcd itself or by the embedded LMDB store:
 * - one cluster-wide, monotonically increasing **revision**; every successful mutation takes the next one;
 * - every key carries `createRevision`, `modRevision` and `version` (number of writes since creation);
 * - reads can be served at the latest revision or at an older one that has not been compacted yet;
 * - watches deliver every change, in revision order, from any revision not yet compacted;
 * - **compaction** forgets history older than a revision: reading or watching it afterwards fails with `Compacted`.
 *
 * All failures are `StorageError`s with a stable `code` (see errors.ts).
 */

/** Upstream's object size limit (etcd's default --max-request-bytes): larger values fail with TooLarge. */
export const MAX_VALUE_BYTES = 1.5 * 1024 * 1024;
/** Keys longer than this fail with TooLarge (LMDB's key limit is a little under 2 KiB). */
export const MAX_KEY_BYTES = 1024;

export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision of the write that created this key (since it last did not exist). */
  createRevision: number;
  /** Revision of the write that produced this value. Used for compare-and-swap. */
  modRevision: number;
  /** Number of writes since creation: 1 after create. */
  version: number;
}

export interface WriteOptions {
  /** Delete the key automatically this many seconds after the write (like an etcd lease). */
  ttlSeconds?: number;
}

export interface UpdateOptions extends WriteOptions {
  /** Compare-and-swap: write only if the key's modRevision is still this; otherwise fail with Conflict. */
  expectedModRevision?: number;
}

export interface DeleteOptions {
  /** Compare-and-swap: delete only if the key's modRevision is still this; otherwise fail with Conflict. */
  expectedModRevision?: number;
}

export interface GetOptions {
  /** Read as of this revision (0/undefined = latest). Older than the compact revision → Compacted. */
  revision?: number;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = latest). All pages of one listing should pass the same revision. */
  revision?: number;
  /** At most this many items (0/undefined = all). */
  limit?: number;
  /** Exclusive start: only keys strictly greater than this one (the last key of the previous page). */
  after?: string;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at; pass it back for the next page. */
  revision: number;
  /** True when keys remain after the last one returned. */
  more: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the key with an empty value and modRevision = the deletion's revision. */
  kv: KeyValue;
  /** The value before this event; absent for a put that created the key. */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /**
   * First revision to deliver (inclusive, as in etcd). To resume after having seen revision R, pass R + 1.
   * 0/undefined = only changes after the watch starts. Older than the compact revision → Compacted.
   */
  startRevision?: number;
}

/**
 * A stream of batches of events in revision order. Iterating throws a StorageError when the watch ends abnormally
 * (Compacted, WatcherTooSlow, Unavailable); after `close()` iteration ends normally.
 */
export interface Watch extends AsyncIterable<WatchEvent[]> {
  close(): void;
  /**
   * Progress: every event of this watch with a revision up to this one has been yielded to the consumer (0 until
   * known). It can be ahead of the last event's revision: writes to other keys advance it. A cache built from the
   * watch is thus current up to this revision once it has applied what it was given.
   */
  readonly progressRevision: number;
  /** Asks the store to report progress soon (etcd: a progress request); a no-op where progress is always current. */
  requestProgress(): void;
}

export interface Backend {
  readonly kind: 'lmdb' | 'etcd';
  /** Latest value of the key, or its value as of `revision`; undefined when it does not exist. */
  get(key: string, opts?: GetOptions): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order, all read at one revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of keys starting with `prefix` at the latest revision. */
  count(prefix: string): Promise<number>;
  /** Creates the key; KeyExists (with the current value) if it already exists. */
  create(key: string, value: Uint8Array, opts?: WriteOptions): Promise<KeyValue>;
  /**
   * Overwrites an existing key; KeyNotFound if it does not exist; Conflict (with the current value) if
   * `expectedModRevision` is given and does not match. A ttl is replaced by the new one (or removed).
   */
  update(key: string, value: Uint8Array, opts?: UpdateOptions): Promise<KeyValue>;
  /** Deletes the key and returns its last value; KeyNotFound / Conflict as for update. */
  delete(key: string, opts?: DeleteOptions): Promise<KeyValue>;
  watch(prefix: string, opts?: WatchOptions): Watch;
  /** The latest committed revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision still readable (everything before it has been compacted). */
  compactRevision(): Promise<number>;
  /** Forgets history before `revision` (reads/watches of older revisions then fail with Compacted). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
