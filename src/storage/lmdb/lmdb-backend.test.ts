import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runBackendContract, nextEvents, rejectsWith } from '../contract.ts';
import { openLmdbBackend, type LmdbOptions } from './lmdb-backend.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-lmdb-'));
const enc = (s: string) => new TextEncoder().encode(s);

runBackendContract({
  name: 'lmdb',
  async newStore() {
    const dir = tmp();
    return {
      open: () => openLmdbBackend({ dir, ttlSweepMs: 100 }),
      cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  },
});

describe('lmdb backend', () => {
  async function withStore<T>(opts: Omit<LmdbOptions, 'dir'>, fn: (b: Awaited<ReturnType<typeof openLmdbBackend>>, dir: string) => Promise<T>) {
    const dir = tmp();
    const b = await openLmdbBackend({ dir, ...opts });
    try {
      return await fn(b, dir);
    } finally {
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a slow watcher is cut off with WatcherTooSlow instead of buffering without bound', async () => {
    await withStore({ watchBuffer: 50 }, async (b) => {
      const slow = b.watch('/s/');
      const fast = b.watch('/s/');
      const seen: number[] = [];
      const reader = (async () => {
        for await (const batch of fast) for (const e of batch) seen.push(e.kv.modRevision);
      })();
      for (let i = 0; i < 200; i++) await b.create(`/s/${i}`, enc('x'));
      const it = slow[Symbol.asyncIterator]();
      await assert.rejects(it.next(), (err: Error & { code?: string }) => err.code === 'WatcherTooSlow');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, 200, 'a watcher that keeps up gets everything');
      fast.close();
      await reader;
    });
  });

  it('a second open of the same directory is refused, naming the directory', async () => {
    await withStore({}, async (_b, dir) => {
      const err = await rejectsWith(openLmdbBackend({ dir }), 'Unavailable');
      assert.match(err.message, new RegExp(dir));
    });
  });

  it('a stale lock from a dead process is taken over', async () => {
    const dir = tmp();
    try {
      fs.writeFileSync(path.join(dir, 'k8ts.lock'), '999999999 12345\n');
      const b = await openLmdbBackend({ dir });
      await b.create('/a', enc('1'));
      await b.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a corrupt data file gives an error naming the path and the way out', async () => {
    const dir = tmp();
    try {
      fs.writeFileSync(path.join(dir, 'data.mdb'), Buffer.alloc(64 * 1024, 0x5a));
      const err = await rejectsWith(openLmdbBackend({ dir }), 'Corrupt');
      assert.match(err.message, /data\.mdb/);
      assert.match(err.message, /snapshot restore/);
      // and the lock is released, so a fixed directory can be opened
      fs.rmSync(path.join(dir, 'data.mdb'));
      fs.rmSync(path.join(dir, 'data.mdb-lock'), { force: true });
      await (await openLmdbBackend({ dir })).close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an impossible data dir fails at once with the path (not a hang)', async () => {
    const err = await rejectsWith(openLmdbBackend({ dir: '/proc/k8ts-nope/store' }), 'Corrupt');
    assert.match(err.message, /\/proc\/k8ts-nope/);
  });

  it('continuous compaction keeps the file bounded under a hot key', async () => {
    await withStore({ compaction: { keepRevisions: 200, keepMinutes: 0, intervalMs: 50 } }, async (b) => {
      const value = new Uint8Array(2048).fill(7);
      let cur = await b.create('/lease/node-1', value);
      const sizeAt: number[] = [];
      for (let round = 0; round < 6; round++) {
        for (let i = 0; i < 1000; i++) cur = await b.update('/lease/node-1', value, { expectedModRevision: cur.modRevision });
        await new Promise((r) => setTimeout(r, 120)); // let the compactor catch up
        sizeAt.push(b.fileBytes());
      }
      const compactRev = await b.compactRevision();
      assert.ok(compactRev >= cur.modRevision - 200 - 1000, `compaction keeps up (compact ${compactRev}, head ${cur.modRevision})`);
      await rejectsWith(b.get('/lease/node-1', { revision: 5 }), 'Compacted');
      // 6k writes of 2 KiB would be ~12 MiB uncompacted; after the first rounds the file must stop growing.
      assert.ok(sizeAt[5]! <= sizeAt[1]! * 1.2, `file stays bounded: ${sizeAt.join(', ')}`);
      assert.ok(sizeAt[5]! < 4 * 1024 * 1024, `file is small: ${sizeAt[5]}`);
      const w = b.watch('/lease/', { startRevision: compactRev });
      try {
        assert.ok((await nextEvents(w, 1)).length >= 1);
      } finally {
        w.close();
      }
    });
  });

  it('writes issued together commit in one batch and keep revision order', async () => {
    await withStore({}, async (b) => {
      const w = b.watch('/g/');
      const kvs = await Promise.all(Array.from({ length: 300 }, (_, i) => b.create(`/g/${i}`, enc(String(i)))));
      const revs = kvs.map((kv) => kv.modRevision);
      assert.deepEqual(revs, [...revs].sort((a, b) => a - b));
      assert.equal(new Set(revs).size, 300);
      const evs = await nextEvents(w, 300);
      assert.deepEqual(evs.map((e) => e.kv.modRevision), revs);
      w.close();
    });
  });
});
