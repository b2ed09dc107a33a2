import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { gone, internalError, timeout, type Status } from '../apimachinery/status.ts';
import type { ObjectList, WatchEvent } from './client.ts';
import { FakeClock, flush } from './clock.ts';
import { ConnectionError } from './errors.ts';
import {
  controllerOwnerIndexFunc,
  DeletedFinalStateUnknown,
  deletedObject,
  NODE_NAME_INDEX,
  OWNER_INDEX,
  podNodeNameIndexFunc,
  SharedInformer,
  SharedInformerFactory,
  type ListerWatcher,
} from './informer.ts';
import { PODS, CONFIGMAPS } from './kinds.ts';
import type { Client } from './client.ts';

const silent = pino({ level: 'silent' });

/** A scripted watch: the test pushes events, ends it cleanly, or breaks it. */
class FakeWatch<T> implements AsyncIterable<WatchEvent<T>> {
  private queue: ({ ev: WatchEvent<T> } | { end: true } | { error: unknown })[] = [];
  private wake: (() => void) | undefined;
  closed = false;
  constructor(readonly resourceVersion: string, readonly opts: { allowWatchBookmarks: boolean; timeoutSeconds: number }) {}
  push(ev: WatchEvent<T>) {
    this.queue.push({ ev });
    this.poke();
  }
  end() {
    this.queue.push({ end: true });
    this.poke();
  }
  fail(error: unknown) {
    this.queue.push({ error });
    this.poke();
  }
  close() {
    this.closed = true;
    this.poke();
  }
  private poke() {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    for (;;) {
      const item = this.queue.shift();
      if (!item) {
        if (this.closed) return;
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      if ('end' in item) return;
      if ('error' in item) throw item.error;
      yield item.ev;
    }
  }
}

/** A fake API for one resource: a store with a revision counter, paginated lists, watches fed by writes. */
class FakeApi implements ListerWatcher<Pod> {
  private objects = new Map<string, Pod>();
  rv = 10;
  lists: { limit?: number; continue?: string; resourceVersion?: string }[] = [];
  watches: FakeWatch<Pod>[] = [];
  /** Errors to throw from the next list / watch calls, in order. */
  listErrors: unknown[] = [];
  watchErrors: unknown[] = [];

  describe() {
    return 'pods (fake)';
  }
  async list(opts: { limit?: number; continue?: string; resourceVersion?: string }): Promise<ObjectList<Pod>> {
    await Promise.resolve();
    this.lists.push({ limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion });
    const err = this.listErrors.shift();
    if (err) throw err;
    const all = [...this.objects.values()].sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
    const start = opts.continue ? Number(opts.continue) : 0;
    const end = opts.limit ? start + opts.limit : all.length;
    const items = all.slice(start, end).map((o) => structuredClone(o));
    return {
      metadata: { resourceVersion: String(this.rv), ...(end < all.length ? { continue: String(end) } : {}) },
      items,
    };
  }
  async watch(opts: { resourceVersion: string; allowWatchBookmarks: boolean; timeoutSeconds: number; signal?: AbortSignal }) {
    await Promise.resolve();
    const err = this.watchErrors.shift();
    if (err) throw err;
    const w = new FakeWatch<Pod>(opts.resourceVersion, opts);
    // Deliberately naive: a signal that aborted while the watch was opening is not noticed here; the informer has
    // to check it itself once the watch is open.
    opts.signal?.addEventListener('abort', () => w.close());
    this.watches.push(w);
    return w;
  }
  get current(): FakeWatch<Pod> {
    return this.watches[this.watches.length - 1]!;
  }
  /** Writes an object; `notify` sends the event to the open watch. */
  put(name: string, fields: Partial<Pod> = {}, opts: { notify?: boolean; ns?: string } = {}): Pod {
    const key = `${opts.ns ?? 'default'}/${name}`;
    const existed = this.objects.has(key);
    const obj: Pod = {
      ...fields,
      metadata: { namespace: opts.ns ?? 'default', name, uid: `uid-${name}`, ...fields.metadata, resourceVersion: String(++this.rv) },
    };
    this.objects.set(key, obj);
    if (opts.notify !== false && this.watches.length) this.current.push({ type: existed ? 'MODIFIED' : 'ADDED', object: structuredClone(obj) });
    return obj;
  }
  remove(name: string, opts: { notify?: boolean; ns?: string } = {}): void {
    const key = `${opts.ns ?? 'default'}/${name}`;
    const obj = this.objects.get(key)!;
    this.objects.delete(key);
    const final = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    if (opts.notify !== false) this.current.push({ type: 'DELETED', object: final });
  }
}

function recorder() {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      onAdd: (p: Pod, initial: boolean) => seen.push(`add ${p.metadata!.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (o: Pod, n: Pod) =>
        seen.push(`update ${n.metadata!.name} ${o.metadata!.resourceVersion}->${n.metadata!.resourceVersion}`),
      onDelete: (p: Pod | DeletedFinalStateUnknown<Pod>) =>
        seen.push(`delete ${deletedObject(p).metadata!.name}${p instanceof DeletedFinalStateUnknown ? ' (tombstone)' : ''}`),
    },
  };
}

function setup(opts: { pageSize?: number } = {}) {
  const api = new FakeApi();
  const clock = new FakeClock();
  const informer = new SharedInformer<Pod>(api, { clock, random: () => 0, log: silent, pageSize: opts.pageSize ?? 500 });
  const ac = new AbortController();
  return { api, clock, informer, ac, start: () => informer.run(ac.signal) };
}

describe('SharedInformer', () => {
  it('lists in pages, delivers the initial list, syncs, then watches from the list resourceVersion with bookmarks', async () => {
    const { api, informer, ac, start } = setup({ pageSize: 2 });
    for (const n of ['a', 'b', 'c', 'd', 'e']) api.put(n);
    const r = recorder();
    const reg = informer.addEventHandler(r.handler);
    assert.equal(informer.hasSynced(), false);
    const done = start();
    assert.equal(await informer.waitForSync(), true);
    assert.equal(reg.hasSynced(), true);
    assert.deepEqual(api.lists, [
      { limit: 2, continue: undefined, resourceVersion: '0' },
      { limit: 2, continue: '2', resourceVersion: undefined },
      { limit: 2, continue: '4', resourceVersion: undefined },
    ]);
    assert.deepEqual(r.seen, ['a', 'b', 'c', 'd', 'e'].map((n) => `add ${n} (initial)`));
    await flush();
    assert.equal(api.watches.length, 1);
    assert.equal(api.current.resourceVersion, '15');
    assert.equal(api.current.opts.allowWatchBookmarks, true);
    assert.ok(api.current.opts.timeoutSeconds >= 300 && api.current.opts.timeoutSeconds < 600);
    assert.equal(informer.lister.list().length, 5);
    ac.abort();
    await done;
    assert.equal(informer.state, 'stopped');
  });

  it('applies watch events: add, update (old and new), delete with the final state; bookmarks move the resourceVersion', async () => {
    const { api, informer, ac, start } = setup();
    api.put('a');
    const r = recorder();
    informer.addEventHandler(r.handler);
    const done = start();
    await informer.waitForSync();
    await flush();
    api.put('b');
    api.put('a', { spec: { nodeName: 'n1', containers: [] } });
    api.remove('b');
    api.current.push({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } });
    await flush();
    assert.deepEqual(r.seen, ['add a (initial)', 'add b', 'update a 11->13', 'delete b']);
    assert.equal(informer.lister.get('default', 'a')!.spec!.nodeName, 'n1');
    assert.equal(informer.lister.get('default', 'b'), undefined);
    assert.equal(informer.lastSyncResourceVersion(), '99');
    // A clean end (the server's timeout) → watch again from the last resourceVersion, without a list.
    api.current.end();
    await flush();
    assert.equal(api.watches.length, 2);
    assert.equal(api.current.resourceVersion, '99');
    assert.equal(api.lists.length, 1);
    ac.abort();
    await done;
  });

  it('an ERROR 410 event makes it re-list: missed deletes become tombstones, survivors updates, new objects adds', async () => {
    const { api, informer, ac, start } = setup();
    api.put('keep');
    api.put('gone');
    const r = recorder();
    informer.addEventHandler(r.handler);
    const done = start();
    await informer.waitForSync();
    await flush();
    // Changes the watch never reports, then the server says the watch's history is gone.
    api.remove('gone', { notify: false });
    api.put('new', {}, { notify: false });
    api.current.push({ type: 'ERROR', object: gone('too old resource version: 12 (40)').status });
    await flush();
    assert.equal(api.lists.length, 2, 're-listed at once, without backoff');
    assert.equal(informer.stats.relistsAfterExpired, 1);
    assert.deepEqual(r.seen.slice(2), ['update keep 11->11', 'add new', 'delete gone (tombstone)']);
    assert.deepEqual(informer.lister.list().map((p) => p.metadata!.name).sort(), ['keep', 'new']);
    assert.equal(api.current.resourceVersion, String(api.rv), 'watches from the new list');
    ac.abort();
    await done;
  });

  it('a 410 answer to the watch request re-lists too', async () => {
    const { api, informer, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    api.watchErrors.push(gone('too old resource version'));
    api.put('b');
    api.current.end();
    await flush();
    assert.equal(api.lists.length, 2);
    assert.equal(api.watches.length, 2);
    ac.abort();
    await done;
  });

  it('connection failures back off (800 ms doubling, jittered) and watch again from the same resourceVersion', async () => {
    const { api, informer, clock, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    const rv = api.current.resourceVersion;
    api.watchErrors.push(new ConnectionError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }));
    api.watchErrors.push(new ConnectionError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }));
    api.current.fail(new ConnectionError('socket hang up', { code: 'ECONNRESET' }));
    await flush();
    assert.equal(api.watches.length, 1, 'no new watch before the backoff');
    await clock.advance(799);
    assert.equal(api.watches.length, 1);
    await clock.advance(1); // 800: the first retry, refused
    await clock.advance(1599);
    assert.equal(api.watches.length, 1, 'the second retry waits 1600 ms');
    await clock.advance(1); // the second retry, refused again
    await clock.advance(3200);
    assert.equal(api.watches.length, 2);
    assert.equal(api.current.resourceVersion, rv);
    assert.equal(api.lists.length, 1, 'the cache was kept: no re-list');
    ac.abort();
    await done;
  });

  it('jitter stretches the backoff by up to 100 %', async () => {
    const api = new FakeApi();
    const clock = new FakeClock();
    const informer = new SharedInformer<Pod>(api, { clock, random: () => 0.5, log: silent });
    const ac = new AbortController();
    const done = informer.run(ac.signal);
    await informer.waitForSync();
    await flush();
    api.current.fail(new ConnectionError('reset', { code: 'ECONNRESET' }));
    await clock.advance(1199);
    assert.equal(api.watches.length, 1);
    await clock.advance(1);
    assert.equal(api.watches.length, 2);
    ac.abort();
    await done;
  });

  it('a failed list is retried with backoff; other watch errors re-list after backoff', async () => {
    const { api, informer, clock, ac, start } = setup();
    api.listErrors.push(new ConnectionError('refused', { code: 'ECONNREFUSED' }));
    const done = start();
    await flush();
    assert.equal(informer.hasSynced(), false);
    await clock.advance(800);
    assert.equal(informer.hasSynced(), true);
    assert.equal(api.lists.length, 2);
    await flush();
    api.current.push({ type: 'ERROR', object: internalError('etcd is sad').status as Status });
    await flush();
    assert.equal(api.lists.length, 2, 'waits before re-listing');
    await clock.advance(1600);
    assert.equal(api.lists.length, 3);
    ac.abort();
    await done;
  });

  it('a watch the server ends at once with no events is retried with backoff, not in a busy loop', async () => {
    const { api, informer, clock, ac, start } = setup();
    const done = start();
    await informer.waitForSync();
    await flush();
    api.current.end();
    await flush();
    assert.equal(api.watches.length, 1);
    await clock.advance(800);
    assert.equal(api.watches.length, 2);
    ac.abort();
    await done;
  });

  it("asks for the reflector's resourceVersions: 0 first, the last synced after an error, the latest after 410", async () => {
    const { api, informer, clock, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    api.put('b');
    await flush();
    assert.equal(informer.lastSyncResourceVersion(), '12');
    api.current.push({ type: 'ERROR', object: internalError('boom').status as Status });
    await clock.advance(800);
    api.current.push({ type: 'ERROR', object: gone('too old').status });
    await flush();
    assert.deepEqual(
      api.lists.map((l) => l.resourceVersion),
      ['0', '12', undefined],
      'first from the cache, then not older than what was seen, then the latest',
    );
    ac.abort();
    await done;
  });

  it('a re-list refused at the last resourceVersion (410) is retried at once for the latest', async () => {
    const { api, informer, clock, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    api.listErrors.push(gone('too old resource version'));
    api.current.push({ type: 'ERROR', object: internalError('boom').status as Status });
    await clock.advance(800);
    assert.deepEqual(api.lists.map((l) => l.resourceVersion), ['0', '11', undefined]);
    assert.equal(informer.stats.lists, 2);
    ac.abort();
    await done;
  });

  it('a watch refused with "Too large resource version" re-lists from the server cache and watches from there', async () => {
    const { api, informer, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    api.watchErrors.push(timeout('Too large resource version: 20, current: 16', 1));
    api.put('b');
    api.current.end();
    await flush();
    assert.deepEqual(api.lists.map((l) => l.resourceVersion), ['0', '0']);
    assert.equal(api.watches.length, 2);
    assert.equal(api.current.resourceVersion, String(api.rv));
    ac.abort();
    await done;
  });

  it('resync re-delivers every cached object as an update, per handler period', async () => {
    const { api, informer, clock, ac, start } = setup();
    api.put('a');
    api.put('b');
    const fast = recorder();
    const none = recorder();
    informer.addEventHandler(fast.handler, { resyncPeriodMs: 30_000 });
    informer.addEventHandler(none.handler);
    const done = start();
    await informer.waitForSync();
    await clock.advance(29_999);
    assert.deepEqual(fast.seen, ['add a (initial)', 'add b (initial)']);
    await clock.advance(1);
    assert.deepEqual(fast.seen.slice(2), ['update a 11->11', 'update b 12->12']);
    await clock.advance(30_000);
    assert.equal(fast.seen.length, 6);
    assert.deepEqual(none.seen, ['add a (initial)', 'add b (initial)']);
    ac.abort();
    await done;
  });

  it('a handler added after sync first gets the current objects as initial adds', async () => {
    const { api, informer, ac, start } = setup();
    api.put('a');
    const done = start();
    await informer.waitForSync();
    await flush();
    const late = recorder();
    const reg = informer.addEventHandler(late.handler);
    api.put('a', { metadata: { labels: { x: 'y' } } }); // the event arrives while the replay is pending
    await flush();
    assert.deepEqual(late.seen, ['add a (initial)', 'update a 11->12'], 'the add always comes first');
    assert.equal(reg.hasSynced(), true);
    reg.remove();
    api.put('b');
    await flush();
    assert.equal(late.seen.length, 2, 'removed handlers get nothing');
    ac.abort();
    await done;
  });

  it('indexes: namespace built in, nodeName and controller owner registered, kept current on change and delete', async () => {
    const { api, informer, ac, start } = setup();
    informer.addIndexers({ [NODE_NAME_INDEX]: podNodeNameIndexFunc, [OWNER_INDEX]: controllerOwnerIndexFunc });
    const owner = (uid: string, controller: boolean) => ({ metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller }] } });
    api.put('p1', { ...owner('rs-1', true), spec: { nodeName: 'n1', containers: [] } });
    api.put('p2', owner('rs-1', true));
    api.put('p3', owner('rs-2', false), { ns: 'other' });
    const done = start();
    await informer.waitForSync();
    await flush();
    const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name).sort();
    assert.deepEqual(names(informer.lister.byIndex(NODE_NAME_INDEX, 'n1')), ['p1']);
    assert.deepEqual(names(informer.lister.byIndex(OWNER_INDEX, 'rs-1')), ['p1', 'p2']);
    assert.deepEqual(names(informer.lister.byIndex(OWNER_INDEX, 'rs-2')), [], 'only controller references count');
    assert.deepEqual(names(informer.lister.listInNamespace('other')), ['p3']);
    api.put('p2', { ...owner('rs-1', true), spec: { nodeName: 'n1', containers: [] } });
    api.put('p1', { ...owner('rs-1', true), spec: { nodeName: 'n2', containers: [] } });
    await flush();
    assert.deepEqual(names(informer.lister.byIndex(NODE_NAME_INDEX, 'n1')), ['p2']);
    assert.deepEqual(names(informer.lister.byIndex(NODE_NAME_INDEX, 'n2')), ['p1']);
    api.remove('p2');
    await flush();
    assert.deepEqual(names(informer.lister.byIndex(NODE_NAME_INDEX, 'n1')), []);
    assert.deepEqual(names(informer.lister.byIndex(OWNER_INDEX, 'rs-1')), ['p1']);
    assert.throws(() => informer.lister.byIndex('nope', 'x'), /no index named "nope"/);
    informer.addIndexers({ [NODE_NAME_INDEX]: podNodeNameIndexFunc }); // same function again: fine
    assert.throws(() => informer.addIndexers({ [NODE_NAME_INDEX]: () => [] }), /already registered/);
    ac.abort();
    await done;
  });

  it('the lister filters by label selector (string, labels, or parsed) and cached objects are frozen', async () => {
    const { api, informer, ac, start } = setup();
    api.put('web-1', { metadata: { labels: { app: 'web', tier: 'fe' } } });
    api.put('web-2', { metadata: { labels: { app: 'web' } } });
    api.put('db', { metadata: { labels: { app: 'db' } } });
    const done = start();
    await informer.waitForSync();
    const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name).sort();
    assert.deepEqual(names(informer.lister.list('app=web')), ['web-1', 'web-2']);
    assert.deepEqual(names(informer.lister.list({ app: 'web', tier: 'fe' })), ['web-1']);
    assert.deepEqual(names(informer.lister.list('app notin (web)')), ['db']);
    assert.deepEqual(names(informer.lister.listInNamespace('default', 'app=db')), ['db']);
    assert.equal(informer.lister.getByKey('default/db')!.metadata!.name, 'db');
    const pod = informer.lister.get('default', 'db')!;
    assert.throws(() => {
      (pod.metadata!.labels as Record<string, string>).app = 'changed';
    }, TypeError);
    const copy = structuredClone(pod);
    copy.metadata!.labels!.app = 'changed';
    assert.equal(informer.lister.get('default', 'db')!.metadata!.labels!.app, 'db');
    ac.abort();
    await done;
  });

  it('a handler that throws is logged and skipped; the others still get every event', async () => {
    const { api, informer, ac, start } = setup();
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    const r = recorder();
    informer.addEventHandler(r.handler);
    const done = start();
    await informer.waitForSync();
    await flush();
    api.put('a');
    api.put('b');
    await flush();
    assert.deepEqual(r.seen, ['add a', 'add b']);
    ac.abort();
    await done;
  });

  it('waitForSync resolves false when its signal aborts first', async () => {
    const { informer } = setup();
    const ac = new AbortController();
    const p = informer.waitForSync(ac.signal);
    ac.abort();
    assert.equal(await p, false);
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer per resource and scope', () => {
    const f = new SharedInformerFactory({} as Client);
    const a = f.informerFor(PODS);
    assert.equal(f.informerFor(PODS), a);
    assert.notEqual(f.informerFor(PODS, { fieldSelector: 'spec.nodeName=n1' }), a);
    assert.notEqual(f.informerFor(PODS, { namespace: 'x' }), a);
    assert.notEqual(f.informerFor(CONFIGMAPS), a as unknown);
  });
});
