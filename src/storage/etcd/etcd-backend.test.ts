import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { freePort, startEtcd, type EtcdProcess } from '../../../test/support/etcd.ts';
import type { Backend } from '../backend.ts';
import { nextEvents, rejectsWith, runBackendContract } from '../contract.ts';
import { StorageError } from '../errors.ts';
import { openEtcdBackend, type EtcdBackendOptions } from './etcd-backend.ts';

// One etcd for the whole file; every store is its own key prefix in it.
let etcd: EtcdProcess;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uniquePrefix = () => `/k8ts-test/${randomUUID()}`;

runBackendContract({
  name: 'etcd',
  async newStore() {
    const prefix = uniquePrefix();
    return {
      open: () => openEtcdBackend({ endpoints: [etcd.endpoint], prefix }),
      // The etcd data dir goes away with the process; nothing to clean per prefix.
      cleanup: async () => {},
    };
  },
});

describe('etcd backend', () => {
  const open: Backend[] = [];
  after(async () => {
    for (const b of open) await b.close();
  });
  async function backend(opts: Partial<EtcdBackendOptions> = {}): Promise<Backend> {
    const b = await openEtcdBackend({ endpoints: [etcd.endpoint], prefix: uniquePrefix(), ...opts });
    open.push(b);
    return b;
  }
  /** A raw etcd3 client, to look at what is really stored. */
  function raw(): Etcd3 {
    return new Etcd3({ hosts: etcd.endpoint });
  }

  it('fails fast with Unavailable, naming the endpoint, when nothing listens there', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const err = await rejectsWith(openEtcdBackend({ endpoints: [endpoint], dialTimeoutMs: 700 }), 'Unavailable');
    const took = Date.now() - t0;
    assert.ok(err.message.includes(endpoint), err.message);
    assert.ok(took >= 500 && took < 3000, `dialing took ${took} ms`);
  });

  it('keeps prefixes apart: keys, lists, counts and watches of one backend never show another', async () => {
    const prefix = uniquePrefix();
    const a = await backend({ prefix: `${prefix}/a` });
    const b = await backend({ prefix: `${prefix}/b` });
    const wb = b.watch('');
    try {
      await a.create('/k', enc('from a'));
      const bk = await b.create('/k', enc('from b'));
      assert.equal(dec((await a.get('/k'))!.value), 'from a');
      assert.deepEqual((await b.list('')).kvs.map((kv) => [kv.key, dec(kv.value)]), [['/k', 'from b']]);
      assert.equal(await a.count(''), 1);
      const [ev] = await nextEvents(wb, 1);
      assert.equal(ev!.kv.key, '/k');
      assert.equal(ev!.kv.modRevision, bk.modRevision);

      // On the wire the key carries the prefix.
      const client = raw();
      try {
        assert.equal(await client.get(`${prefix}/a/k`).string(), 'from a');
      } finally {
        client.close();
      }
    } finally {
      wb.close();
    }
  });

  it('list: `after` outside the prefix, and an empty prefix', async () => {
    const b = await backend();
    for (const k of ['/a/1', '/a/2', '/b/1']) await b.create(k, enc(k));
    assert.deepEqual((await b.list('/a/', { after: '/a/9' })).kvs, []);
    assert.deepEqual((await b.list('/a/', { after: '/' })).kvs.map((kv) => kv.key), ['/a/1', '/a/2']);
    assert.deepEqual((await b.list('', { after: '/a/2' })).kvs.map((kv) => kv.key), ['/b/1']);
    const page = await b.list('', { limit: 1 });
    assert.equal(page.more, true);
    assert.equal(await b.count(''), 3);
  });

  it('writes with similar TTLs share one lease; an update without ttl drops it', async () => {
    const prefix = uniquePrefix();
    const t = await backend({ prefix });
    for (let i = 0; i < 5; i++) await t.create(`/l/${i}`, enc('x'), { ttlSeconds: 300 });
    await t.create('/l/other-ttl', enc('x'), { ttlSeconds: 30 });
    const client = raw();
    try {
      const leaseOf = async (k: string) => (await client.kv.range({ key: Buffer.from(prefix + k) })).kvs[0]!.lease;
      const leases = await Promise.all([0, 1, 2, 3, 4].map((i) => leaseOf(`/l/${i}`)));
      assert.notEqual(leases[0], '0');
      assert.equal(new Set(leases).size, 1, `one shared lease, got ${leases.join(', ')}`);
      assert.notEqual(await leaseOf('/l/other-ttl'), leases[0], 'a TTL outside the reuse window gets its own lease');

      const ttl = await client.leaseClient.leaseTimeToLive({ ID: leases[0]! });
      assert.ok(Number(ttl.TTL) >= 299 && Number(ttl.TTL) <= 316, `lease ttl ${ttl.TTL}`);

      await t.update('/l/0', enc('y'));
      assert.equal(await leaseOf('/l/0'), '0', 'an update without ttl detaches the lease');
      await t.update('/l/1', enc('y'), { ttlSeconds: 300 });
      assert.equal(await leaseOf('/l/1'), leases[0], 'the cached lease is reused by updates too');
    } finally {
      client.close();
    }
  });

  it('a watcher that does not keep up is cut off with WatcherTooSlow', async () => {
    const b = await backend({ watchBuffer: 20 });
    const slow = b.watch('/s/');
    const fast = b.watch('/s/');
    try {
      // Let both etcd watchers get established first: a watcher that is still catching up receives everything
      // since its start revision in one response, which alone could exceed the limit of 20.
      await sleep(200);
      const reading = nextEvents(fast, 50); // pulls as events arrive
      for (let i = 0; i < 50; i++) await b.create(`/s/${i}`, enc('x'));
      assert.equal((await reading).length, 50, 'a watcher that keeps up gets everything');
      await sleep(100);
      const it = slow[Symbol.asyncIterator]();
      await assert.rejects(it.next(), (err: unknown) => err instanceof StorageError && err.code === 'WatcherTooSlow');
    } finally {
      slow.close();
      fast.close();
    }
  });

  it('a catch-up of several MiB (more than gRPC’s default message limit) arrives complete and in order', async () => {
    const b = await backend();
    const big = new Uint8Array(1024 * 1024).fill(7);
    const first = await b.create('/big/0', big);
    for (let i = 1; i < 6; i++) await b.create(`/big/${i}`, big);
    const w = b.watch('/big/', { startRevision: first.modRevision });
    try {
      const evs = await nextEvents(w, 6, 10_000);
      assert.deepEqual(evs.map((e) => e.kv.key), [0, 1, 2, 3, 4, 5].map((i) => `/big/${i}`));
      assert.ok(evs.every((e) => e.kv.value.byteLength === big.byteLength));
    } finally {
      w.close();
    }
  });

  it('compactRevision is learned by another client, and Compacted errors carry it', async () => {
    const prefix = uniquePrefix();
    const a = await backend({ prefix });
    const v1 = await a.create('/c', enc('1'));
    const v2 = await a.update('/c', enc('2'));
    await a.compact(v2.modRevision);
    await a.compact(v1.modRevision); // older than what is compacted already: a no-op
    assert.equal(await a.compactRevision(), v2.modRevision);

    const b = await backend({ prefix });
    assert.equal(await b.compactRevision(), v2.modRevision, 'a fresh client finds the compact revision');
    const err = await rejectsWith(b.get('/c', { revision: v1.modRevision }), 'Compacted');
    assert.equal(err.compactRevision, v2.modRevision);
    await rejectsWith(b.compact((await b.currentRevision()) + 100), 'FutureRevision');
  });

  it('calls on a closed backend reject with Unavailable', async () => {
    const b = await openEtcdBackend({ endpoints: [etcd.endpoint], prefix: uniquePrefix() });
    await b.close();
    await rejectsWith(b.get('/x'), 'Unavailable');
    await rejectsWith(b.create('/x', enc('x')), 'Unavailable');
  });

  it('a hung etcd fails calls with Unavailable at the request deadline instead of hanging', async () => {
    const b = await backend({ requestTimeoutMs: 500 });
    await b.create('/h', enc('x'));
    await etcd.pause();
    try {
      const t0 = Date.now();
      const err = await rejectsWith(b.get('/h'), 'Unavailable');
      const took = Date.now() - t0;
      assert.ok(took >= 400 && took < 2000, `took ${took} ms`);
      assert.ok(err.message.includes(etcd.endpoint), err.message);
    } finally {
      etcd.resume();
    }
    assert.equal(dec((await retryUnavailable(() => b.get('/h')))!.value), 'x');
  });

  // Runs last: it takes etcd down.
  it('survives an etcd restart: calls fail with Unavailable meanwhile, the watch resumes without gaps', async () => {
    const prefix = uniquePrefix();
    const b = await backend({ prefix, requestTimeoutMs: 2000 });
    const w = b.watch('/r/');
    const impatient = (await backend({ prefix, watchRetryMs: 200 })).watch('/r/');
    try {
      const a = await b.create('/r/a', enc('a'));
      assert.equal((await nextEvents(w, 1))[0]!.kv.modRevision, a.modRevision);

      await etcd.stopProcess();
      const t0 = Date.now();
      await rejectsWith(b.get('/r/a'), 'Unavailable');
      await rejectsWith(b.create('/r/down', enc('x')), 'Unavailable');
      assert.ok(Date.now() - t0 < 5000, 'no call hangs while etcd is down');
      await sleep(300); // let the watches notice and start retrying
      // A watch whose retry budget runs out while etcd is down ends with Unavailable.
      await assert.rejects(nextEvents(impatient, 2), (err: unknown) => {
        assert.ok(err instanceof StorageError && err.code === 'Unavailable', String(err));
        assert.ok(err.message.includes(etcd.endpoint), err.message);
        return true;
      });
      // Opening while etcd is still down waits for it (up to dialTimeoutMs).
      const opening = openEtcdBackend({ endpoints: [etcd.endpoint], prefix, dialTimeoutMs: 10_000 });
      await sleep(200);
      await etcd.startProcess();
      const other = await opening;
      open.push(other);

      // Written through another client, possibly before the watch has reconnected.
      const c = await other.create('/r/c', enc('c'));
      const d = await retryUnavailable(() => b.create('/r/d', enc('d')));
      const evs = await nextEvents(w, 2, 10_000);
      assert.deepEqual(
        evs.map((e) => [e.kv.key, e.kv.modRevision]),
        [
          ['/r/c', c.modRevision],
          ['/r/d', d.modRevision],
        ],
      );
      assert.equal(dec((await b.get('/r/a'))!.value), 'a', 'data survived');
    } finally {
      w.close();
      impatient.close();
    }
  });
});

/** Callers retry Unavailable with backoff; right after etcd comes back the channel may still be reconnecting. */
async function retryUnavailable<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StorageError && err.code === 'Unavailable') || Date.now() > deadline) throw err;
      await sleep(delay);
    }
  }
}
