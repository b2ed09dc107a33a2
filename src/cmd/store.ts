import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { storeDir } from '../storage/index.ts';
import { logger } from '../util/log.ts';
import { dataDirOption } from './options.ts';

/** `k8ts store`: maintenance of the embedded (lmdb) store. An external etcd has its own tools (etcdctl). */
export function storeCommand(): Command {
  const store = new Command('store').description('maintain the embedded lmdb store (for --store etcd use etcdctl)');
  const snapshot = store.command('snapshot').description('save or restore a consistent copy of the embedded store');

  snapshot
    .command('save')
    .description('write a snapshot of <data-dir>/store to <file>; safe while the server is running')
    .argument('<file>', 'snapshot file to write')
    .addOption(dataDirOption())
    .action(async (file: string, opts: { dataDir: string }) => {
      const { saveSnapshot } = await import('../storage/lmdb/snapshot.ts');
      const dir = storeDir(opts.dataDir);
      const { revision, bytes } = await saveSnapshot(dir, file);
      logger('store').info({ op: 'snapshot-save', dir, file: resolve(file), revision, bytes }, 'snapshot saved');
      process.stdout.write(
        `k8ts store: saved snapshot of ${dir} at revision ${revision} to ${resolve(file)} (${formatBytes(bytes)})\n`,
      );
    });

  snapshot
    .command('restore')
    .description('replace <data-dir>/store with the contents of a snapshot (stop the server first)')
    .argument('<file>', 'snapshot file written by `k8ts store snapshot save`')
    .addOption(dataDirOption())
    .option('--force', 'replace an existing store in <data-dir>/store', false)
    .action(async (file: string, opts: { dataDir: string; force: boolean }) => {
      const dir = storeDir(opts.dataDir);
      // restoreSnapshot refuses to replace an existing store without --force, and any store a server has open.
      const { restoreSnapshot } = await import('../storage/lmdb/snapshot.ts');
      const { revision } = await restoreSnapshot(file, dir, { force: opts.force });
      const { size: bytes } = await stat(file);
      logger('store').info({ op: 'snapshot-restore', dir, file: resolve(file), revision, bytes }, 'snapshot restored');
      process.stdout.write(
        `k8ts store: restored snapshot ${resolve(file)} (${formatBytes(bytes)}) at revision ${revision} into ${dir}\n`,
      );
    });

  return store;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let i = 0;
  for (; value >= 1024 && i < units.length - 1; i++) value /= 1024;
  return `${value.toFixed(1)} ${units[i]}`;
}
