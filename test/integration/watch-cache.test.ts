/**
 * The watch cache of one resource must know it is current even when the latest writes went to other resources:
 * the store watch reports progress past its last event.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { Registry } from '../../src/apiserver/registry/index.ts';
import { openLmdbBackend } from '../../src/storage/lmdb/lmdb-backend.ts';

it('a watch cache is current after writes to other resources (progress), so consistent lists need no store read', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-wc-'));
  const backend = await openLmdbBackend({ dir });
  const registry = new Registry(backend);
  try {
    await registry.start();
    const cms = registry.store('', 'v1', 'configmaps')!;
    const nodes = registry.store('', 'v1', 'nodes')!;
    await cms.create('default', { metadata: { name: 'a' } });
    await nodes.create(undefined, { metadata: { name: 'n1' } }); // the newest write is not a configmap
    const head = await backend.currentRevision();
    await cms.cacher.waitFresh(head, 1000); // would time out without progress
    assert.equal(cms.cacher.revision, head);
    const list = await cms.list({ namespace: 'default' });
    assert.equal(list.metadata.resourceVersion, String(head));
    assert.deepEqual(list.items.map((i) => i.metadata.name), ['a']);
    // A watch from the list's resourceVersion starts at once and sees the next change.
    const w = await cms.watch({ namespace: 'default', resourceVersion: list.metadata.resourceVersion });
    await cms.create('default', { metadata: { name: 'b' } });
    const it = w[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.value?.[0]?.type, 'ADDED');
    assert.equal(first.value?.[0]?.object.metadata.name, 'b');
    w.end();
  } finally {
    registry.stop();
    await backend.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
