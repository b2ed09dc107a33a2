/**
 * The Backend contract: one suite that every storage backend runs unchanged (LMDB on a temp dir, etcd against a real
 * etcd process). Tests never assume absolute revision numbers — etcd's revision is shared by every prefix.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MAX_VALUE_BYTES, type Backend, type KeyValue, type Watch, type WatchEvent } from './backend.ts';
import { StorageError, type StorageErrorCode } from './errors.ts';

export interface StoreLocation {
  /** Opens a backend on this location; opening again after close() sees the same data. */
  open(): Promise<Backend>;
  cleanup(): Promise<void>;
}

export interface BackendHarness {
  name: string;
  /** A fresh, empty location. */
  newStore(): Promise<StoreLocation>;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export async function rejectsWith(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StorageError, `expected StorageError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected StorageError ${code}, but it resolved`);
}

/** Reads events from a watch until `n` have arrived (or fails after `timeoutMs`). */
export async function nextEvents(w: Watch, n: number, timeoutMs = 5000): Promise<WatchEvent[]> {
  const it = iteratorOf(w);
  const out: WatchEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), Math.max(0, deadline - Date.now())))),
    ]).finally(() => clearTimeout(timer));
    if (r === 'timeout') assert.fail(`timed out waiting for ${n} events, got ${out.length}: ${describeEvents(out)}`);
    if (r.done) assert.fail(`watch ended after ${out.length} of ${n} events`);
    out.push(...r.value);
  }
  return out;
}

// One iterator per watch, so that successive nextEvents() calls continue where the last stopped.
const iterators = new WeakMap<Watch, AsyncIterator<WatchEvent[]>>();
function iteratorOf(w: Watch): AsyncIterator<WatchEvent[]> {
  let it = iterators.get(w);
  if (!it) iterators.set(w, (it = w[Symbol.asyncIterator]()));
  return it;
}

const describeEvents = (evs: WatchEvent[]) =>
  evs.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`).join(', ') || '(none)';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runBackendContract(h: BackendHarness): void {
  describe(`Backend contract: ${h.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups.reverse()) await c();
    });
    /** A fresh backend on a fresh location, closed and removed after the suite. */
    async function fresh(): Promise<{ b: Backend; loc: StoreLocation }> {
      const loc = await h.newStore();
      const b = await loc.open();
      cleanups.push(async () => {
        await b.close().catch(() => {});
        await loc.cleanup();
      });
      return { b, loc };
    }

    it('create, get, and create on an existing key', async () => {
      const { b } = await fresh();
      const before = await b.currentRevision();
      const kv = await b.create('/r/a', enc('one'));
      assert.equal(kv.key, '/r/a');
      assert.equal(dec(kv.value), 'one');
      assert.ok(kv.modRevision > before, 'a write takes a new revision');
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(kv.version, 1);
      assert.equal(await b.currentRevision(), kv.modRevision);

      const got = await b.get('/r/a');
      assert.deepEqual(normalize(got), normalize(kv));
      assert.equal(await b.get('/r/missing'), undefined);

      const err = await rejectsWith(b.create('/r/a', enc('two')), 'KeyExists');
      assert.equal(err.key, '/r/a');
      assert.equal(dec(err.current!.value), 'one');
      assert.equal(dec((await b.get('/r/a'))!.value), 'one', 'a failed create changes nothing');
      assert.equal(await b.currentRevision(), kv.modRevision, 'a failed write takes no revision');
    });

    it('update with and without compare-and-swap', async () => {
      const { b } = await fresh();
      const v1 = await b.create('/r/k', enc('v1'));
      const v2 = await b.update('/r/k', enc('v2'), { expectedModRevision: v1.modRevision });
      assert.ok(v2.modRevision > v1.modRevision);
      assert.equal(v2.createRevision, v1.createRevision);
      assert.equal(v2.version, 2);

      const err = await rejectsWith(b.update('/r/k', enc('stale'), { expectedModRevision: v1.modRevision }), 'Conflict');
      assert.equal(err.current!.modRevision, v2.modRevision, 'Conflict carries the current value');
      assert.equal(dec(err.current!.value), 'v2');

      const v3 = await b.update('/r/k', enc('v3'));
      assert.equal(v3.version, 3);
      assert.equal(dec((await b.get('/r/k'))!.value), 'v3');

      await rejectsWith(b.update('/r/nope', enc('x')), 'KeyNotFound');
      await rejectsWith(b.update('/r/nope', enc('x'), { expectedModRevision: 1 }), 'KeyNotFound');
    });

    it('delete, with and without compare-and-swap', async () => {
      const { b } = await fresh();
      const v1 = await b.create('/r/d', enc('v1'));
      const v2 = await b.update('/r/d', enc('v2'));
      await rejectsWith(b.delete('/r/d', { expectedModRevision: v1.modRevision }), 'Conflict');
      assert.ok(await b.get('/r/d'), 'a failed CAS delete keeps the key');
      const gone = await b.delete('/r/d', { expectedModRevision: v2.modRevision });
      assert.equal(dec(gone.value), 'v2', 'delete returns the last value');
      assert.equal(await b.get('/r/d'), undefined);
      await rejectsWith(b.delete('/r/d'), 'KeyNotFound');

      // Re-creating starts a new life: new createRevision, version 1.
      const again = await b.create('/r/d', enc('again'));
      assert.ok(again.createRevision > v1.createRevision);
      assert.equal(again.version, 1);
      const plain = await b.delete('/r/d');
      assert.equal(dec(plain.value), 'again');
    });

    it('get at a past revision', async () => {
      const { b } = await fresh();
      const v1 = await b.create('/r/h', enc('v1'));
      const v2 = await b.update('/r/h', enc('v2'));
      const other = await b.create('/r/other', enc('o'));
      const del = await b.delete('/r/h');
      const delRev = await b.currentRevision();
      assert.ok(delRev > del.modRevision);

      assert.equal(await b.get('/r/h', { revision: v1.modRevision - 1 }), undefined, 'not yet created');
      assert.equal(dec((await b.get('/r/h', { revision: v1.modRevision }))!.value), 'v1');
      assert.equal(dec((await b.get('/r/h', { revision: v2.modRevision }))!.value), 'v2');
      assert.equal(dec((await b.get('/r/h', { revision: other.modRevision }))!.value), 'v2');
      assert.equal((await b.get('/r/h', { revision: other.modRevision }))!.modRevision, v2.modRevision);
      assert.equal(await b.get('/r/h', { revision: delRev }), undefined, 'deleted');
      await rejectsWith(b.get('/r/h', { revision: delRev + 1000 }), 'FutureRevision');
    });

    it('list by prefix, in key order, with limit and continue at one revision', async () => {
      const { b } = await fresh();
      for (const k of ['c', 'a', 'e', 'b', 'd']) await b.create(`/p/items/${k}`, enc(k));
      await b.create('/p/itemsX', enc('not under the prefix'));
      await b.create('/p/item', enc('neither'));

      const all = await b.list('/p/items/');
      assert.deepEqual(all.kvs.map((kv) => dec(kv.value)), ['a', 'b', 'c', 'd', 'e']);
      assert.equal(all.more, false);
      assert.equal(all.revision, await b.currentRevision());
      assert.equal(await b.count('/p/items/'), 5);
      assert.equal(await b.count('/p/'), 7);

      const page1 = await b.list('/p/items/', { limit: 2 });
      assert.deepEqual(page1.kvs.map((kv) => dec(kv.value)), ['a', 'b']);
      assert.equal(page1.more, true);

      // Changes after the first page must not show in later pages read at the same revision.
      await b.delete('/p/items/c');
      await b.update('/p/items/d', enc('d2'));
      await b.create('/p/items/bb', enc('bb'));

      const page2 = await b.list('/p/items/', { limit: 2, after: page1.kvs[1]!.key, revision: page1.revision });
      assert.deepEqual(page2.kvs.map((kv) => dec(kv.value)), ['c', 'd']);
      assert.equal(page2.revision, page1.revision);
      assert.equal(page2.more, true);
      const page3 = await b.list('/p/items/', { limit: 2, after: page2.kvs[1]!.key, revision: page1.revision });
      assert.deepEqual(page3.kvs.map((kv) => dec(kv.value)), ['e']);
      assert.equal(page3.more, false);

      const now = await b.list('/p/items/');
      assert.deepEqual(now.kvs.map((kv) => dec(kv.value)), ['a', 'b', 'bb', 'd2', 'e']);
      const exact = await b.list('/p/items/', { limit: 5 });
      assert.equal(exact.kvs.length, 5);
      assert.equal(exact.more, false, 'more is false when the limit is exactly reached');
      assert.deepEqual((await b.list('/p/none/')).kvs, []);
    });

    it('compare-and-swap races between concurrent writers lose no update', async () => {
      const { b } = await fresh();
      await b.create('/r/counter', enc('0'));
      const writers = 16;
      const each = 10;
      let conflicts = 0;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = 0; i < each; ) {
            const cur = (await b.get('/r/counter'))!;
            try {
              await b.update('/r/counter', enc(String(Number(dec(cur.value)) + 1)), {
                expectedModRevision: cur.modRevision,
              });
              i++;
            } catch (err) {
              if (!(err instanceof StorageError && err.code === 'Conflict')) throw err;
              conflicts++;
            }
          }
        }),
      );
      const final = (await b.get('/r/counter'))!;
      assert.equal(dec(final.value), String(writers * each));
      assert.equal(final.version, writers * each + 1);
      assert.ok(conflicts > 0, 'concurrent writers did race');

      // Racing creates of one key: exactly one wins.
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, i) => b.create('/r/once', enc(String(i)))),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) {
        if (r.status === 'rejected') assert.equal((r.reason as StorageError).code, 'KeyExists');
      }
    });

    it('watch delivers ordered events with previous values, filtered by prefix', async () => {
      const { b } = await fresh();
      const w = b.watch('/w/');
      try {
        await sleep(50); // let an asynchronous watch (etcd) get established
        const c = await b.create('/w/a', enc('1'));
        await b.create('/x/outside', enc('no'));
        const u = await b.update('/w/a', enc('2'));
        const c2 = await b.create('/w/b', enc('b'));
        const d = await b.delete('/w/a');
        const evs = await nextEvents(w, 4);
        assert.deepEqual(
          evs.map((e) => [e.type, e.kv.key, e.kv.modRevision]),
          [
            ['put', '/w/a', c.modRevision],
            ['put', '/w/a', u.modRevision],
            ['put', '/w/b', c2.modRevision],
            ['delete', '/w/a', (await b.currentRevision())],
          ],
        );
        assert.equal(evs[0]!.prevKv, undefined, 'a create has no previous value');
        assert.equal(dec(evs[1]!.kv.value), '2');
        assert.equal(dec(evs[1]!.prevKv!.value), '1');
        assert.equal(evs[1]!.prevKv!.modRevision, c.modRevision);
        assert.equal(evs[1]!.kv.version, 2);
        assert.equal(dec(evs[3]!.prevKv!.value), '2');
        assert.equal(evs[3]!.prevKv!.modRevision, d.modRevision);
      } finally {
        w.close();
      }
    });

    it('watch resumes from a past revision, then continues live', async () => {
      const { b } = await fresh();
      const revs: number[] = [];
      for (let i = 0; i < 10; i++) revs.push((await b.create(`/res/k${i}`, enc(String(i)))).modRevision);
      await b.delete('/res/k0');
      const w = b.watch('/res/', { startRevision: revs[5] });
      try {
        const replay = await nextEvents(w, 6);
        assert.deepEqual(
          replay.map((e) => `${e.type} ${e.kv.key}`),
          ['put /res/k5', 'put /res/k6', 'put /res/k7', 'put /res/k8', 'put /res/k9', 'delete /res/k0'],
        );
        assert.equal(replay[0]!.kv.modRevision, revs[5]);
        assert.equal(dec(replay[5]!.prevKv!.value), '0');
        const live = await b.update('/res/k5', enc('live'));
        const [ev] = await nextEvents(w, 1);
        assert.equal(ev!.kv.modRevision, live.modRevision);
        assert.equal(dec(ev!.prevKv!.value), '5');
      } finally {
        w.close();
      }
    });

    it('close() ends a watch normally', async () => {
      const { b } = await fresh();
      const w = b.watch('/c/');
      const done = (async () => {
        let n = 0;
        for await (const batch of w) n += batch.length;
        return n;
      })();
      await sleep(50);
      w.close();
      assert.equal(await done, 0);
    });

    it('compaction: old revisions fail with Compacted, newer ones still work', async () => {
      const { b } = await fresh();
      const v1 = await b.create('/cp/k', enc('v1'));
      const v2 = await b.update('/cp/k', enc('v2'));
      const gone = await b.create('/cp/gone', enc('g'));
      await b.delete('/cp/gone');
      const v3 = await b.update('/cp/k', enc('v3'));
      await b.create('/cp/keep', enc('keep'));
      await b.compact(v3.modRevision);

      assert.ok((await b.compactRevision()) >= v3.modRevision);
      const e1 = await rejectsWith(b.get('/cp/k', { revision: v2.modRevision }), 'Compacted');
      assert.ok(e1.message.includes(String(v2.modRevision)), e1.message);
      await rejectsWith(b.list('/cp/', { revision: v1.modRevision }), 'Compacted');
      assert.equal(dec((await b.get('/cp/k', { revision: v3.modRevision }))!.value), 'v3');
      assert.equal(await b.get('/cp/gone', { revision: v3.modRevision }), undefined);
      assert.deepEqual((await b.list('/cp/')).kvs.map((kv) => kv.key), ['/cp/k', '/cp/keep']);
      assert.deepEqual(
        (await b.list('/cp/', { revision: v3.modRevision })).kvs.map((kv) => dec(kv.value)),
        ['v3'],
      );
      assert.equal(gone.version, 1);

      // Watching from before the compaction fails; from the compaction revision on works, with prevKv.
      const stale = b.watch('/cp/', { startRevision: v2.modRevision });
      try {
        await assert.rejects(nextEvents(stale, 1), (err: unknown) => {
          assert.ok(err instanceof StorageError && err.code === 'Compacted', String(err));
          return true;
        });
      } finally {
        stale.close();
      }
      const ok = b.watch('/cp/', { startRevision: v3.modRevision });
      try {
        const evs = await nextEvents(ok, 2);
        assert.deepEqual(evs.map((e) => e.kv.key), ['/cp/k', '/cp/keep']);
        assert.equal(dec(evs[0]!.kv.value), 'v3');
      } finally {
        ok.close();
      }
      // Writes go on after compaction.
      const v4 = await b.update('/cp/k', enc('v4'), { expectedModRevision: v3.modRevision });
      assert.equal(v4.version, 4);
    });

    it('TTL keys expire with a delete event; an update without ttl keeps the key', async () => {
      const { b } = await fresh();
      const w = b.watch('/ttl/');
      try {
        await sleep(50);
        await b.create('/ttl/short', enc('bye'), { ttlSeconds: 2 });
        await b.create('/ttl/kept', enc('x'), { ttlSeconds: 2 });
        await b.update('/ttl/kept', enc('y')); // no ttl: the expiry is dropped
        await b.create('/ttl/plain', enc('z'));
        assert.ok(await b.get('/ttl/short'), 'present before it expires');
        const evs = await nextEvents(w, 5, 12_000);
        assert.equal(evs.length, 5);
        const del = evs[4]!;
        assert.equal(del.type, 'delete');
        assert.equal(del.kv.key, '/ttl/short');
        assert.equal(dec(del.prevKv!.value), 'bye');
        assert.equal(await b.get('/ttl/short'), undefined);
        await sleep(1500);
        assert.equal(dec((await b.get('/ttl/kept'))!.value), 'y');
        assert.ok(await b.get('/ttl/plain'));
      } finally {
        w.close();
      }
    });

    it('large values round-trip; values over the limit fail with TooLarge', async () => {
      const { b } = await fresh();
      const big = new Uint8Array(1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
      const w = b.watch('/big/');
      try {
        await sleep(50);
        const kv = await b.create('/big/one', big);
        assert.deepEqual(Buffer.from((await b.get('/big/one'))!.value), Buffer.from(big));
        const [ev] = await nextEvents(w, 1);
        assert.equal(ev!.kv.modRevision, kv.modRevision);
        assert.deepEqual(Buffer.from(ev!.kv.value), Buffer.from(big));
      } finally {
        w.close();
      }
      const tooBig = new Uint8Array(MAX_VALUE_BYTES + 1);
      const err = await rejectsWith(b.create('/big/two', tooBig), 'TooLarge');
      assert.match(err.message, new RegExp(String(MAX_VALUE_BYTES + 1)));
      assert.match(err.message, new RegExp(String(MAX_VALUE_BYTES)));
      await rejectsWith(b.update('/big/one', tooBig), 'TooLarge');
      assert.equal(await b.get('/big/two'), undefined);
      await rejectsWith(b.create('/' + 'k'.repeat(4096), enc('x')), 'TooLarge');
    });

    it('restart keeps every key, revision and the history', async () => {
      const loc = await h.newStore();
      cleanups.push(() => loc.cleanup());
      let b = await loc.open();
      const v1 = await b.create('/rs/a', enc('1'));
      const v2 = await b.update('/rs/a', enc('2'));
      await b.create('/rs/b', enc('b'));
      await b.delete('/rs/b');
      const rev = await b.currentRevision();
      await b.close();

      b = await loc.open();
      try {
        assert.equal(await b.currentRevision(), rev);
        const a = (await b.get('/rs/a'))!;
        assert.deepEqual(normalize(a), normalize(v2));
        assert.equal(await b.get('/rs/b'), undefined);
        assert.equal(dec((await b.get('/rs/a', { revision: v1.modRevision }))!.value), '1');
        const w = b.watch('/rs/', { startRevision: v1.modRevision });
        try {
          const evs = await nextEvents(w, 4);
          assert.deepEqual(evs.map((e) => e.type), ['put', 'put', 'put', 'delete']);
        } finally {
          w.close();
        }
        const next = await b.create('/rs/c', enc('c'));
        assert.ok(next.modRevision > rev, 'revisions keep increasing after a restart');
      } finally {
        await b.close();
      }
    });
  });
}

const normalize = (kv: KeyValue | undefined) =>
  kv && { ...kv, value: Buffer.from(kv.value).toString('base64') };
