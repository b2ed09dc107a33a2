import { MAX_KEY_BYTES, MAX_VALUE_BYTES, type KeyValue } from './backend.ts';

/**
 * Stable codes for every failure a Backend reports. The API server maps them to a Kubernetes Status in one place:
 * KeyNotFound → 404, KeyExists → 409 AlreadyExists, Conflict → 409 Conflict, Compacted → 410 Gone (Expired),
 * TooLarge → 413/422, Unavailable → 503, WatcherTooSlow → the watch ends and the client re-watches/re-lists,
 * FutureRevision → 504 "Too large resource version".
 */
export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Compacted'
  | 'TooLarge'
  | 'Unavailable'
  | 'WatcherTooSlow'
  | 'FutureRevision'
  | 'Corrupt';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** The key the operation was about, when there is one. */
  readonly key?: string;
  /** On Conflict and KeyExists: the value currently stored, so callers can retry without another read. */
  readonly current?: KeyValue;
  /** On Compacted: the oldest revision that can still be read or watched. */
  readonly compactRevision?: number;

  constructor(
    code: StorageErrorCode,
    message: string,
    extra: { key?: string; current?: KeyValue; compactRevision?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.key = extra.key;
    this.current = extra.current;
    this.compactRevision = extra.compactRevision;
  }
}

export const isStorageError = (err: unknown, code?: StorageErrorCode): err is StorageError =>
  err instanceof StorageError && (code === undefined || err.code === code);

export const keyNotFound = (key: string) => new StorageError('KeyNotFound', `key not found: ${key}`, { key });
export const keyExists = (key: string, current?: KeyValue) =>
  new StorageError('KeyExists', `key already exists: ${key}`, { key, current });
export const conflict = (key: string, expected: number, current: KeyValue) =>
  new StorageError(
    'Conflict',
    `conflict on ${key}: expected modRevision ${expected}, current is ${current.modRevision}`,
    { key, current },
  );
export const compacted = (revision: number, compactRevision: number) =>
  new StorageError(
    'Compacted',
    `revision ${revision} has been compacted; the oldest available revision is ${compactRevision}`,
    { compactRevision },
  );
export const futureRevision = (revision: number, current: number) =>
  new StorageError('FutureRevision', `revision ${revision} is newer than the current revision ${current}`);

/** Both backends refuse oversized keys and values before writing anything (TooLarge names the size and the limit). */
export function checkKeySize(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    throw new StorageError('TooLarge', `key ${key.slice(0, 64)}… is ${bytes} bytes, over the limit of ${MAX_KEY_BYTES} bytes`, {
      key,
    });
  }
}

export function checkValueSize(key: string, value: Uint8Array): void {
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new StorageError(
      'TooLarge',
      `value of ${key} is ${value.byteLength} bytes, over the limit of ${MAX_VALUE_BYTES} bytes`,
      { key },
    );
  }
}
