/**
 * The watch cache of one resource (kube-apiserver's "cacher"): a full in-memory copy of the resource kept current by
 * one store watch, plus a window of recent events. Lists without pagination and every watch are served from here, so
 * N watchers cost one store watch.
 *
 *   store.list(prefix) ─► objects (key → object)      store.watch(prefix, rev+1) ─► apply ─► objects
 *                                                                                   ├─► events window (bounded)
 *                                                                                   └─► each CacheWatcher (bounded)
 *
 * A watch from resourceVersion N replays the window's events after N; N older than the window → 410 Gone, and the
 * client re-lists. A watcher that cannot keep up is closed; it re-watches from its last resourceVersion.
 */
import type { Backend, Watch, WatchEvent } from '../../storage/backend.ts';
import { isStorageError } from '../../storage/errors.ts';
import type { ApiWatchEvent, KObject } from '../../apimachinery/object.ts';
import { gone, timeout } from '../../apimachinery/status.ts';

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rev: number;
  key: string;
  object: KObject;
  prev?: KObject;
}

export interface WatchFilter {
  /** Key prefix: the resource prefix, or a namespace's. */
  prefix: string;
  matches?(obj: KObject): boolean;
}

const WINDOW = 10_000;
const WATCHER_BUFFER = 10_000;
const FRESHNESS_WAIT_MS = 3_000;

const scopeOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

export class Cacher {
  private readonly objects = new Map<string, KObject>();
  /** Keys by scope (the key up to its last '/': a namespace's prefix), so a namespace's list reads only its own. */
  private readonly scopes = new Map<string, Set<string>>();
  /** Sorted keys per scope (and for the whole resource), dropped when a key is added or removed there. */
  private readonly sorted = new Map<string, string[]>();
  private window: CacheEvent[] = [];
  /** The window holds every event with rev > windowStart. */
  private windowStart = 0;
  private rev = 0;
  private readonly watchers = new Set<CacheWatcher>();
  private readonly waiters: { rev: number; resolve: () => void }[] = [];
  private stopped = false;
  private storeWatch: Watch | undefined;
  readonly ready: Promise<void>;

  constructor(
    private readonly backend: Backend,
    private readonly prefix: string,
    private readonly decode: (value: Uint8Array, rev: number) => KObject,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {
    this.ready = this.run();
    this.ready.catch(() => {});
  }

  /** The revision the cache reflects: its last event, or further if the store watch reports progress past it. */
  get revision(): number {
    return Math.max(this.rev, this.storeWatch?.progressRevision ?? 0);
  }

  private async run(): Promise<void> {
    await this.relist();
    void this.follow();
  }

  private async relist(): Promise<void> {
    const { kvs, revision } = await this.backend.list(this.prefix);
    this.objects.clear();
    this.scopes.clear();
    this.sorted.clear();
    for (const kv of kvs) this.put(kv.key, this.decode(kv.value, kv.modRevision));
    this.window = [];
    this.windowStart = revision;
    this.setRev(revision);
  }

  /** Follows the store watch for ever, re-listing when it breaks (compaction, slow, store restart). */
  private async follow(): Promise<void> {
    while (!this.stopped) {
      const w = this.backend.watch(this.prefix, { startRevision: this.rev + 1 });
      this.storeWatch = w;
      try {
        for await (const batch of w) this.apply(batch);
        if (this.stopped) return;
      } catch (err) {
        if (this.stopped) return;
        this.log(`watch of ${this.prefix} ended; re-listing`, err);
        // Watchers cannot be resumed across a re-list: end them, they re-watch from their last resourceVersion.
        for (const watcher of [...this.watchers]) watcher.end(gone('the watch cache was re-initialized; re-list'));
        if (!isStorageError(err, 'Compacted') && !isStorageError(err, 'WatcherTooSlow')) {
          await new Promise((r) => setTimeout(r, 1000));
        }
        try {
          await this.relist();
        } catch (listErr) {
          this.log(`re-list of ${this.prefix} failed`, listErr);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    }
  }

  private apply(batch: WatchEvent[]): void {
    const out: CacheEvent[] = [];
    for (const e of batch) {
      const rev = e.kv.modRevision;
      const prev = this.objects.get(e.kv.key);
      if (e.type === 'delete') {
        if (!prev) continue;
        this.remove(e.kv.key);
        // A deleted object is reported with the deletion's resourceVersion, as upstream does.
        const object = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rev) } };
        out.push({ type: 'DELETED', rev, key: e.kv.key, object, prev });
      } else {
        const object = this.decode(e.kv.value, rev);
        this.put(e.kv.key, object);
        out.push({ type: prev ? 'MODIFIED' : 'ADDED', rev, key: e.kv.key, object, prev });
      }
    }
    if (batch.length) {
      const last = batch[batch.length - 1]!.kv.modRevision;
      for (const ev of out) this.window.push(ev);
      if (this.window.length > WINDOW) {
        const drop = this.window.length - WINDOW;
        this.windowStart = this.window[drop - 1]!.rev;
        this.window = this.window.slice(drop);
      }
      for (const w of this.watchers) w.deliver(out);
      this.setRev(last);
    }
  }

  private setRev(rev: number): void {
    this.rev = Math.max(this.rev, rev);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.rev <= this.rev) this.waiters.splice(i, 1)[0]!.resolve();
    }
  }

  /**
   * Waits until the cache reflects at least `rev`. Writes to other resources move the store revision without an
   * event here, so this asks the store watch for progress and polls it. Throws 504 "Too large resource version"
   * after `timeoutMs` (upstream waits 3 s).
   */
  async waitFresh(rev: number, timeoutMs = FRESHNESS_WAIT_MS): Promise<void> {
    await this.ready;
    if (this.revision >= rev) return;
    this.storeWatch?.requestProgress();
    const deadline = Date.now() + timeoutMs;
    while (this.revision < rev) {
      if (Date.now() >= deadline) throw timeout(`Too large resource version: ${rev}, current: ${this.revision}`, 1);
      await new Promise<void>((resolve) => {
        const waiter = { rev, resolve };
        this.waiters.push(waiter);
        setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        }, 5).unref();
      });
    }
  }

  private put(key: string, obj: KObject): void {
    if (!this.objects.has(key)) {
      const scope = scopeOf(key);
      let set = this.scopes.get(scope);
      if (!set) this.scopes.set(scope, (set = new Set()));
      set.add(key);
      this.sorted.delete(scope);
      this.sorted.delete(this.prefix);
    }
    this.objects.set(key, obj);
  }

  private remove(key: string): void {
    if (!this.objects.delete(key)) return;
    const scope = scopeOf(key);
    const set = this.scopes.get(scope);
    set?.delete(key);
    if (set?.size === 0) this.scopes.delete(scope);
    this.sorted.delete(scope);
    this.sorted.delete(this.prefix);
  }

  /** Keys under `prefix` in order: a whole-resource or one-scope list uses its cached index. */
  private keysUnder(prefix: string): string[] {
    let keys = this.sorted.get(prefix);
    if (keys) return keys;
    if (prefix === this.prefix) keys = [...this.objects.keys()];
    else if (this.scopes.has(prefix)) keys = [...this.scopes.get(prefix)!];
    else if (prefix.endsWith('/') && prefix.startsWith(this.prefix)) keys = [];
    else keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix));
    keys.sort();
    if (prefix === this.prefix || this.scopes.has(prefix)) this.sorted.set(prefix, keys);
    return keys;
  }

  /** Current objects under `prefix` that match, in key order, and the revision they reflect. */
  list(filter: WatchFilter): { items: KObject[]; revision: number } {
    const keys = this.keysUnder(filter.prefix);
    const items: KObject[] = [];
    for (const key of keys) {
      const obj = this.objects.get(key)!;
      if (!filter.matches || filter.matches(obj)) items.push(obj);
    }
    return { items, revision: this.revision };
  }

  get(key: string): KObject | undefined {
    return this.objects.get(key);
  }

  /**
   * A watch starting after `fromRev` (undefined: now, with synthetic ADDED events for the current state when
   * `initialEvents` is set, as upstream does for resourceVersion "" and "0").
   */
  async watch(
    filter: WatchFilter,
    opts: { fromRev?: number; initialEvents: boolean },
  ): Promise<CacheWatcher> {
    await this.ready;
    if (opts.fromRev !== undefined && opts.fromRev > this.revision) await this.waitFresh(opts.fromRev);
    const w = new CacheWatcher(filter, () => this.watchers.delete(w));
    if (opts.fromRev !== undefined) {
      if (opts.fromRev < this.windowStart) {
        throw gone(`too old resource version: ${opts.fromRev} (${this.windowStart})`);
      }
      w.deliver(this.window.filter((e) => e.rev > opts.fromRev!));
    } else if (opts.initialEvents) {
      const { items } = this.list(filter);
      w.push(items.map((object) => ({ type: 'ADDED' as const, object })));
    }
    w.revision = this.revision;
    this.watchers.add(w);
    return w;
  }

  stop(): void {
    this.stopped = true;
    this.storeWatch?.close();
    for (const w of [...this.watchers]) w.end();
  }
}

/** One client's watch on the cache: filters events, keeps a bounded queue, ends when the client lags too far. */
export class CacheWatcher implements AsyncIterable<ApiWatchEvent<KObject>[]> {
  private queue: ApiWatchEvent<KObject>[][] = [];
  private queued = 0;
  private done = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  /** The last revision delivered (for bookmarks). */
  revision = 0;

  constructor(
    private readonly filter: WatchFilter,
    private readonly onEnd: () => void,
  ) {}

  deliver(events: CacheEvent[]): void {
    const out: ApiWatchEvent<KObject>[] = [];
    for (const e of events) {
      if (!e.key.startsWith(this.filter.prefix)) continue;
      const match = this.filter.matches;
      if (!match) {
        out.push({ type: e.type, object: e.object });
        continue;
      }
      // With a selector, an object entering or leaving the selection is an ADDED or a DELETED, as upstream.
      const now = e.type !== 'DELETED' && match(e.object);
      const before = e.prev !== undefined && match(e.prev);
      if (e.type === 'DELETED') {
        if (before) out.push({ type: 'DELETED', object: e.object });
      } else if (now && before) out.push({ type: 'MODIFIED', object: e.object });
      else if (now) out.push({ type: 'ADDED', object: e.object });
      else if (before) out.push({ type: 'DELETED', object: e.object });
    }
    if (events.length) this.revision = Math.max(this.revision, events[events.length - 1]!.rev);
    this.push(out);
  }

  push(events: ApiWatchEvent<KObject>[]): void {
    if (this.done || events.length === 0) return;
    if (this.queued + events.length > WATCHER_BUFFER) {
      // Too far behind: end the stream; the client re-watches from the last resourceVersion it saw.
      this.end();
      return;
    }
    this.queue.push(events);
    this.queued += events.length;
    this.signal();
  }

  end(err?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    this.queue = [];
    this.signal();
    this.onEnd();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves when events are queued or the watch ended (used to interleave bookmarks and timeouts). */
  async *[Symbol.asyncIterator](): AsyncIterator<ApiWatchEvent<KObject>[]> {
    for (;;) {
      const batch = this.queue.shift();
      if (batch) {
        this.queued -= batch.length;
        yield batch;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Wakes a pending iteration without events (the caller checks its own timers). */
  poke(): void {
    this.signal();
  }
}
