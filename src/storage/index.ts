import type { Backend } from './backend.ts';

export * from './backend.ts';
export * from './errors.ts';

export interface CompactionOptions {
  /** Keep at most this many recent revisions of history (0 = no count limit). */
  keepRevisions?: number;
  /** Forget revisions older than this many minutes (0 = no time limit). */
  keepMinutes?: number;
  /** How often the compactor runs. */
  intervalMs?: number;
}

export type StoreConfig =
  | { kind: 'lmdb'; dataDir: string; compaction?: CompactionOptions }
  | { kind: 'etcd'; endpoints: string[]; prefix?: string };

/** Opens the configured backend. LMDB keeps its files in `<dataDir>/store`. */
export async function openBackend(config: StoreConfig): Promise<Backend> {
  if (config.kind === 'lmdb') {
    const { openLmdbBackend } = await import('./lmdb/lmdb-backend.ts');
    return openLmdbBackend({ dir: storeDir(config.dataDir), compaction: config.compaction });
  }
  const { openEtcdBackend } = await import('./etcd/etcd-backend.ts');
  return openEtcdBackend({ endpoints: config.endpoints, prefix: config.prefix });
}

export const storeDir = (dataDir: string) => `${dataDir.replace(/\/+$/, '')}/store`;
