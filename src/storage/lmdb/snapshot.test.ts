import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { rejectsWith } from '../contract.ts';
import { openLmdbBackend } from './lmdb-backend.ts';
import { restoreSnapshot, saveSnapshot } from './snapshot.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

it('snapshot save is consistent while writes go on, and restore brings it back', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-snap-'));
  const src = path.join(root, 'src');
  const dst = path.join(root, 'dst');
  const file = path.join(root, 'snap.db');
  try {
    const b = await openLmdbBackend({ dir: src });
    for (let i = 0; i < 200; i++) await b.create(`/k/${String(i).padStart(4, '0')}`, enc(String(i)));
    // Keep writing while the snapshot is taken: it must hold a prefix of the history, whole.
    let writing = true;
    let n = 200;
    const writer = (async () => {
      while (writing) await b.create(`/k/${String(n).padStart(4, '0')}`, enc(String(n++)));
    })();
    const saved = await saveSnapshot(src, file);
    writing = false;
    await writer;
    assert.ok(saved.revision >= 200 && saved.bytes > 0);
    await b.close();

    await rejectsWith(restoreSnapshot(file, src), 'KeyExists'); // an existing store needs --force
    const restored = await restoreSnapshot(file, dst);
    assert.equal(restored.revision, saved.revision);
    const r = await openLmdbBackend({ dir: dst });
    try {
      assert.equal(await r.currentRevision(), saved.revision);
      const { kvs } = await r.list('/k/');
      assert.equal(kvs.length, saved.revision, 'every write up to the snapshot revision, and none after');
      assert.equal(dec(kvs[150]!.value), '150');
      const next = await r.create('/k/after', enc('x'));
      assert.equal(next.modRevision, saved.revision + 1);
      // restoring over a store that is open is refused even with --force
      await rejectsWith(restoreSnapshot(file, dst, { force: true }), 'Unavailable');
    } finally {
      await r.close();
    }
    const again = await restoreSnapshot(file, dst, { force: true });
    assert.equal(again.revision, saved.revision);

    fs.writeFileSync(path.join(root, 'junk.db'), 'not a store');
    const err = await rejectsWith(restoreSnapshot(path.join(root, 'junk.db'), path.join(root, 'd3')), 'Corrupt');
    assert.match(err.message, /junk\.db/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
