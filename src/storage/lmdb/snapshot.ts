/**
 * Snapshots of the embedded store: a compacting copy of the LMDB file taken inside one read transaction, so it is
 * consistent while the server keeps writing (LMDB lets another process read alongside the writer).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors.ts';
import { mkdirp } from '../../util/fs.ts';
import { DirLock } from './lock.ts';
import { DATA_FILE, openEnv, openEnvFile, storedRevision } from './lmdb-backend.ts';

export async function saveSnapshot(storeDir: string, file: string): Promise<{ revision: number; bytes: number }> {
  const dataFile = path.join(storeDir, DATA_FILE);
  if (!fs.existsSync(dataFile)) {
    throw new StorageError('KeyNotFound', `there is no store at ${storeDir} (no ${DATA_FILE}): check --data-dir`);
  }
  const target = path.resolve(file);
  const tmp = `${target}.partial-${process.pid}`;
  const env = openEnv(storeDir, true);
  try {
    await env.backup(tmp, true);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new StorageError('Unavailable', `could not write the snapshot to ${tmp}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await env.close();
  }
  const revision = await verify(tmp);
  fs.renameSync(tmp, target);
  return { revision, bytes: fs.statSync(target).size };
}

export async function restoreSnapshot(
  file: string,
  storeDir: string,
  opts: { force?: boolean } = {},
): Promise<{ revision: number }> {
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new StorageError('KeyNotFound', `snapshot file ${source} does not exist`);
  const dataFile = path.join(storeDir, DATA_FILE);
  if (fs.existsSync(dataFile) && !opts.force) {
    throw new StorageError(
      'KeyExists',
      `${storeDir} already holds a store; restoring would replace it. Pass --force to overwrite it, or restore into ` +
        `an empty --data-dir`,
    );
  }
  mkdirp(storeDir);
  // Taking the store's lock refuses a restore under a running server, even with --force.
  const lock = DirLock.acquire(storeDir);
  try {
    const staged = `${dataFile}.restoring`;
    fs.copyFileSync(source, staged);
    const revision = await verify(staged).catch((err) => {
      fs.rmSync(staged, { force: true });
      throw new StorageError('Corrupt', `${source} is not a usable k8ts snapshot: ${(err as Error).message}`, {
        cause: err,
      });
    });
    fs.rmSync(`${dataFile}-lock`, { force: true });
    fs.renameSync(staged, dataFile);
    return { revision };
  } finally {
    lock.release();
  }
}

/** Opens a snapshot file read-only to prove it is a k8ts store, and returns its revision. */
async function verify(file: string): Promise<number> {
  const env = openEnvFile(file, true);
  try {
    return storedRevision(env);
  } finally {
    await env.close();
    fs.rmSync(`${file}-lock`, { force: true });
  }
}
