/**
 * Shared informers (client-go's reflector + indexer + shared informer): one cache of a resource per process, kept
 * current by list-then-watch, read through listers, with event handlers that only enqueue keys.
 *
 *   list (limit 500, following continue tokens) ─► replace cache ─► onAdd / onUpdate / onDelete(tombstone)
 *   watch from the list's resourceVersion, with bookmarks ─► apply each event ─► the same handlers
 *     ends cleanly (server timeout)  → watch again from the last resourceVersion seen
 *     410 Gone (answer or ERROR event) → list again at once
 *     no answer / stream broken / 429 / 5xx → back off (800 ms doubling to 30 s, jittered), watch again
 *     any other error → back off, list again
 *   resync (per handler, optional): onUpdate(obj, obj) for every cached object
 *
 * Which resourceVersion a list asks for follows the reflector: the first list "0" (any state, from the server's watch
 * cache at once; such a list is not paginated by the server); a re-list after an error the last resourceVersion
 * synced ("not older than"); a re-list after 410, or when that version is refused, "" (the latest, consistent).
 * One addition: a watch refused with "Too large resource version" (the server's cache has not reached a revision
 * that a list read from storage returned) re-lists from the cache ("0"), whose resourceVersion it can watch from.
 *
 * Objects in the cache are deep-frozen: handlers and lister callers share them, so a mutation throws instead of
 * silently corrupting the cache. Clone (structuredClone) before changing one.
 *
 * Handlers run synchronously on the informer's loop, in event order; they must be cheap (compute a key, enqueue it)
 * and never block. A handler that throws is logged and skipped; the informer carries on.
 */
import { parseLabelSelector, selectorFromSet, type LabelSelector } from '../apimachinery/labels.ts';
import type { Status } from '../apimachinery/status.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import type { Client, LabelSelectorInput, ObjectList, WatchEvent } from './client.ts';
import { LIST_PAGE_SIZE } from './client.ts';
import { realClock, sleep, type Clock, type Timer } from './clock.ts';
import { asStatus, isConnectionError, isResourceExpired, isRetryable, isTooLargeResourceVersion } from './errors.ts';
import { objectKey, splitKey, type KubeObject, type Resource } from './kinds.ts';
import { logger, type Logger } from '../util/log.ts';

// ---- tombstones, handlers -------------------------------------------------------------------------------------------

/** A deletion noticed by a re-list: the object's final state is unknown; `obj` is the last state the cache had. */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

/** The object of an onDelete argument, unwrapping a tombstone. */
export function deletedObject<T>(x: T | DeletedFinalStateUnknown<T>): T {
  return x instanceof DeletedFinalStateUnknown ? x.obj : x;
}

export interface EventHandler<T> {
  /** `isInInitialList`: delivered for the first list (or the replay to a late handler), not a new object. */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called on re-list and resync, possibly with old === new (same resourceVersion). */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  /** The informer has synced and this handler has received the initial list. */
  hasSynced(): boolean;
  /** Stops delivery to this handler. */
  remove(): void;
}

// ---- indexer and lister ---------------------------------------------------------------------------------------------

/** Values an object is indexed under (empty: not indexed). */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';
export const NODE_NAME_INDEX = 'nodeName';
export const OWNER_INDEX = 'owner';

export const namespaceIndexFunc: IndexFunc<KubeObject> = (obj) =>
  obj.metadata?.namespace ? [obj.metadata.namespace] : [];

/** Pods by spec.nodeName (unscheduled pods are not indexed). */
export const podNodeNameIndexFunc: IndexFunc<KubeObject> = (obj) => {
  const node = (obj as { spec?: { nodeName?: string } }).spec?.nodeName;
  return node ? [node] : [];
};

/** Objects by the uid of their controller ownerReference. */
export const controllerOwnerIndexFunc: IndexFunc<KubeObject> = (obj) => {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return ref?.uid ? [ref.uid] : [];
};

/** A keyed store with secondary indexes (client-go's threadSafeStore/Indexer). `namespace` is always indexed. */
export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /**
   * Adds indexes (existing objects are indexed at once). Adding the same function under the same name again is a
   * no-op, so components sharing an informer can each register what they need.
   * @throws when a name is taken by a different function
   */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`informer: index "${name}" is already registered with another function`);
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) for (const v of fn(obj)) addTo(index, v, key);
    }
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(): T[] {
    return [...this.items.values()];
  }

  /** Stores `obj` under its key; returns what was there. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) for (const v of fn(obj)) addTo(this.indices.get(name)!, v, key);
    return old;
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  /** @throws for an unknown index */
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`informer: no index named "${indexName}"`);
    return [...(index.get(value) ?? [])];
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = index.get(v);
        set?.delete(key);
        if (set?.size === 0) index.delete(v);
      }
    }
  }
}

function addTo(index: Map<string, Set<string>>, value: string, key: string): void {
  let set = index.get(value);
  if (!set) index.set(value, (set = new Set()));
  set.add(key);
}

/** Read access to an informer's cache. Objects are shared and frozen: clone before mutating. */
export class Lister<T extends KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** get(namespace, name) for namespaced objects; get(name) for cluster-scoped ones. */
  get(namespaceOrName: string, name?: string): T | undefined {
    return this.indexer.get(name === undefined ? namespaceOrName : namespaceOrName ? `${namespaceOrName}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.indexer.get(key);
  }

  /** Every cached object matching the selector (all of them without one). */
  list(selector?: LabelSelectorInput): T[] {
    return filter(this.indexer.list(), selector);
  }

  listInNamespace(namespace: string, selector?: LabelSelectorInput): T[] {
    return filter(this.indexer.byIndex(NAMESPACE_INDEX, namespace), selector);
  }

  /** @throws for an index that was not registered */
  byIndex(indexName: string, value: string): T[] {
    return this.indexer.byIndex(indexName, value);
  }
}

function filter<T extends KubeObject>(objs: T[], selector: LabelSelectorInput | undefined): T[] {
  if (selector === undefined) return objs;
  const sel = toSelector(selector);
  if (sel.empty()) return objs;
  return objs.filter((o) => sel.matches(o.metadata?.labels));
}

function toSelector(s: LabelSelectorInput): LabelSelector {
  if (typeof s === 'string') return parseLabelSelector(s);
  if ('matches' in s && typeof s.matches === 'function') return s as LabelSelector;
  return selectorFromSet(s as Record<string, string>);
}

// ---- the informer ---------------------------------------------------------------------------------------------------

/** Where an informer lists and watches (a Client scoped to a resource, or a fake in tests). */
export interface ListerWatcher<T> {
  list(opts: { limit?: number; continue?: string; resourceVersion?: string; signal?: AbortSignal }): Promise<ObjectList<T>>;
  watch(opts: {
    resourceVersion: string;
    allowWatchBookmarks: boolean;
    timeoutSeconds: number;
    signal?: AbortSignal;
  }): Promise<AsyncIterable<WatchEvent<T>> & { close(): void }>;
  describe(): string;
}

export interface InformerScope {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function listWatchFor<T extends KubeObject>(client: Client, resource: Resource<T>, scope: InformerScope = {}): ListerWatcher<T> {
  const sel = { labelSelector: scope.labelSelector, fieldSelector: scope.fieldSelector };
  return {
    list: (o) => client.list(resource, scope.namespace, { ...sel, ...o }),
    watch: (o) => client.watch(resource, scope.namespace, { ...sel, ...o }),
    describe: () =>
      [resource.group ? `${resource.resource}.${resource.group}` : resource.resource, scope.namespace && `in ${scope.namespace}`, scope.labelSelector && `labels ${scope.labelSelector}`, scope.fieldSelector && `fields ${scope.fieldSelector}`]
        .filter(Boolean)
        .join(' '),
  };
}

export interface InformerOptions<T> {
  indexers?: Record<string, IndexFunc<T>>;
  /** Default resync period for handlers that do not name one; 0 (default) = none. */
  defaultResyncMs?: number;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
  /** Default 500. */
  pageSize?: number;
  /** Watches ask the server to end them after a random time in [min, 2·min); default 5 minutes, as upstream. */
  minWatchTimeoutMs?: number;
  backoff?: Backoff;
}

export type InformerState = 'new' | 'running' | 'stopped';

interface Registration<T> {
  handler: EventHandler<T>;
  active: boolean;
  synced: boolean;
  resyncMs: number;
  timer?: Timer;
}

/** What happened to one watch, and so what to do next. */
type WatchOutcome = 'ended' | 'relist' | 'relist-from-cache' | 'backoff-relist' | 'backoff-rewatch' | 'stopped';

export class SharedInformer<T extends KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  /** Counters for tests and debugging. */
  readonly stats = { lists: 0, watches: 0, events: 0, relistsAfterExpired: 0, errors: 0 };
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly pageSize: number;
  private readonly minWatchTimeoutMs: number;
  private readonly defaultResyncMs: number;
  private readonly backoff: Backoff;
  private readonly registrations = new Set<Registration<T>>();
  private readonly syncWaiters = new Set<() => void>();
  private logger: Logger | undefined;
  private lastRV = '';
  /** The resourceVersion the next list asks for (see the file comment); undefined = the last one synced. */
  private relistFrom: '' | '0' | undefined = '0';
  private synced = false;
  private _state: InformerState = 'new';

  constructor(
    private readonly lw: ListerWatcher<T>,
    opts: InformerOptions<T> = {},
  ) {
    this.indexer = new Indexer<T>(opts.indexers);
    this.lister = new Lister(this.indexer);
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.pageSize = opts.pageSize ?? LIST_PAGE_SIZE;
    this.minWatchTimeoutMs = opts.minWatchTimeoutMs ?? 5 * 60_000;
    this.defaultResyncMs = opts.defaultResyncMs ?? 0;
    this.backoff = opts.backoff ?? new Backoff({ clock: this.clock, random: this.random });
    this.logger = opts.log;
  }

  static forResource<T extends KubeObject>(
    client: Client,
    resource: Resource<T>,
    opts: InformerOptions<T> & InformerScope = {},
  ): SharedInformer<T> {
    return new SharedInformer<T>(listWatchFor(client, resource, opts), opts);
  }

  get state(): InformerState {
    return this._state;
  }

  describe(): string {
    return this.lw.describe();
  }

  /** The resourceVersion of the last list, event or bookmark applied. */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache and delivered; false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.syncWaiters.delete(onSync);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onSync = () => done(true);
      const onAbort = () => done(false);
      this.syncWaiters.add(onSync);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(indexers);
  }

  /**
   * Registers a handler. Registered while the informer runs, it first receives onAdd for every cached object (in a
   * microtask, so it never sees an update before the add of the same object).
   */
  addEventHandler(handler: EventHandler<T>, opts: { resyncPeriodMs?: number } = {}): HandlerRegistration {
    const reg: Registration<T> = {
      handler,
      active: false,
      synced: false,
      resyncMs: opts.resyncPeriodMs ?? this.defaultResyncMs,
    };
    this.registrations.add(reg);
    if (!this.synced) {
      reg.active = true;
    } else {
      queueMicrotask(() => {
        if (!this.registrations.has(reg)) return;
        reg.active = true;
        for (const obj of this.indexer.list()) this.call('onAdd', () => handler.onAdd?.(obj, true));
        reg.synced = true;
      });
    }
    if (this._state === 'running') this.scheduleResync(reg);
    return {
      hasSynced: () => this.synced && reg.synced,
      remove: () => {
        this.registrations.delete(reg);
        reg.active = false;
        if (reg.timer) this.clock.clearTimeout(reg.timer);
      },
    };
  }

  /** Lists and watches until `signal` aborts. Run once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this._state !== 'new') throw new Error(`informer for ${this.describe()}: run called twice`);
    this._state = 'running';
    for (const reg of this.registrations) this.scheduleResync(reg);
    try {
      let needList = true;
      while (!signal.aborted) {
        if (needList) {
          try {
            await this.listAndReplace(signal);
            needList = false;
          } catch (err) {
            if (signal.aborted) break;
            this.stats.errors++;
            this.log.warn({ err: brief(err) }, `list of ${this.describe()} failed; retrying with backoff`);
            await sleep(this.clock, this.backoff.next(), signal);
            continue;
          }
        }
        const outcome = await this.watchOnce(signal);
        switch (outcome) {
          case 'ended':
            break;
          case 'relist':
            this.stats.relistsAfterExpired++;
            this.relistFrom = '';
            needList = true;
            break;
          case 'relist-from-cache':
            this.relistFrom = '0';
            needList = true;
            break;
          case 'backoff-rewatch':
            await sleep(this.clock, this.backoff.next(), signal);
            break;
          case 'backoff-relist':
            needList = true;
            await sleep(this.clock, this.backoff.next(), signal);
            break;
          case 'stopped':
            break;
        }
      }
    } finally {
      this._state = 'stopped';
      for (const reg of this.registrations) if (reg.timer) this.clock.clearTimeout(reg.timer);
    }
  }

  // ---- list --------------------------------------------------------------------------------------------------------

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const rv = this.relistFrom ?? this.lastRV;
    let list: ObjectList<T>;
    try {
      list = await this.listAllPages(rv, signal);
    } catch (err) {
      // The version asked for is gone or not reached yet: ask for the latest instead, at once (as the reflector).
      if (rv === '' || !(isResourceExpired(err) || isTooLargeResourceVersion(err))) throw err;
      list = await this.listAllPages('', signal);
    }
    this.stats.lists++;
    this.relistFrom = undefined;
    this.replace(list.items, list.metadata.resourceVersion ?? '');
  }

  /** Pages of `pageSize` at one resourceVersion; an expired continue token falls back to one full list. */
  private async listAllPages(resourceVersion: string, signal: AbortSignal): Promise<ObjectList<T>> {
    const first = await this.lw.list({ limit: this.pageSize, resourceVersion: resourceVersion || undefined, signal });
    const items = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      let page: ObjectList<T>;
      try {
        page = await this.lw.list({ limit: this.pageSize, continue: token, signal });
      } catch (err) {
        if (!isResourceExpired(err)) throw err;
        return this.lw.list({ signal });
      }
      items.push(...page.items);
      token = page.metadata.continue;
    }
    return { ...first, items };
  }

  /** The cache becomes exactly `items`: adds, updates for everything still there, tombstoned deletes. */
  private replace(items: T[], resourceVersion: string): void {
    const initial = !this.synced;
    const fresh = new Map<string, T>();
    for (const item of items) fresh.set(objectKey(item), deepFreeze(item));
    for (const obj of fresh.values()) {
      const old = this.indexer.set(obj);
      if (old) this.dispatchUpdate(old, obj);
      else this.dispatchAdd(obj, initial);
    }
    for (const key of this.indexer.keys()) {
      if (fresh.has(key)) continue;
      const old = this.indexer.delete(key)!;
      this.dispatchDelete(new DeletedFinalStateUnknown(key, old));
    }
    this.lastRV = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const reg of this.registrations) if (reg.active) reg.synced = true;
      for (const resolve of [...this.syncWaiters]) resolve();
    }
  }

  // ---- watch -------------------------------------------------------------------------------------------------------

  private async watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const started = this.clock.now();
    let events = 0;
    let watch: Awaited<ReturnType<ListerWatcher<T>['watch']>>;
    try {
      watch = await this.lw.watch({
        resourceVersion: this.lastRV,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.max(1, Math.floor((this.minWatchTimeoutMs * (1 + this.random())) / 1000)),
        signal,
      });
      this.stats.watches++;
    } catch (err) {
      if (signal.aborted) return 'stopped';
      if (isResourceExpired(err)) {
        this.log.info({ resourceVersion: this.lastRV }, `watch of ${this.describe()}: resourceVersion too old; re-listing`);
        return 'relist';
      }
      if (isTooLargeResourceVersion(err)) {
        this.log.info(
          { resourceVersion: this.lastRV },
          `watch of ${this.describe()}: the server's cache has not reached this resourceVersion; re-listing from it`,
        );
        return 'relist-from-cache';
      }
      this.stats.errors++;
      this.log.warn({ err: brief(err) }, `watch of ${this.describe()} failed; retrying with backoff`);
      return isRetryable(err) ? 'backoff-rewatch' : 'backoff-relist';
    }
    if (signal.aborted) {
      watch.close();
      return 'stopped';
    }
    try {
      for await (const ev of watch) {
        if (signal.aborted) return 'stopped';
        events++;
        this.stats.events++;
        if (ev.type === 'ERROR') return this.watchError(ev.object);
        const rv = ev.object.metadata?.resourceVersion;
        if (ev.type !== 'BOOKMARK') this.apply(ev.type, ev.object);
        if (rv) this.lastRV = rv;
      }
    } catch (err) {
      if (signal.aborted) return 'stopped';
      this.stats.errors++;
      this.log.warn({ err: brief(err) }, `watch of ${this.describe()} broke; watching again with backoff`);
      return isConnectionError(err) ? 'backoff-rewatch' : 'backoff-relist';
    } finally {
      watch.close();
    }
    if (signal.aborted) return 'stopped';
    // A watch the server ends at once, again and again, must not become a busy loop.
    if (events === 0 && this.clock.now() - started < 1000) return 'backoff-rewatch';
    return 'ended';
  }

  private watchError(obj: Status): WatchOutcome {
    const status = asStatus(obj);
    if (status && (status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone')) {
      this.log.info({ message: status.message }, `watch of ${this.describe()} expired; re-listing`);
      return 'relist';
    }
    this.stats.errors++;
    this.log.warn({ status }, `watch of ${this.describe()} sent an error; re-listing with backoff`);
    return 'backoff-relist';
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void {
    const obj = deepFreeze(object);
    const key = objectKey(obj);
    if (type === 'DELETED') {
      if (!this.indexer.delete(key)) return;
      this.dispatchDelete(obj);
      return;
    }
    const old = this.indexer.set(obj);
    if (old) this.dispatchUpdate(old, obj);
    else this.dispatchAdd(obj, false);
  }

  // ---- delivery ----------------------------------------------------------------------------------------------------

  private dispatchAdd(obj: T, initial: boolean): void {
    for (const reg of this.registrations) if (reg.active) this.call('onAdd', () => reg.handler.onAdd?.(obj, initial));
  }

  private dispatchUpdate(old: T, obj: T): void {
    for (const reg of this.registrations) if (reg.active) this.call('onUpdate', () => reg.handler.onUpdate?.(old, obj));
  }

  private dispatchDelete(obj: T | DeletedFinalStateUnknown<T>): void {
    for (const reg of this.registrations) if (reg.active) this.call('onDelete', () => reg.handler.onDelete?.(obj));
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, `${what} handler for ${this.describe()} threw`);
    }
  }

  private scheduleResync(reg: Registration<T>): void {
    if (reg.resyncMs <= 0 || reg.timer) return;
    const tick = () => {
      reg.timer = undefined;
      if (!this.registrations.has(reg) || this._state !== 'running') return;
      if (reg.active && this.synced) {
        for (const obj of this.indexer.list()) this.call('onUpdate', () => reg.handler.onUpdate?.(obj, obj));
      }
      reg.timer = this.clock.setTimeout(tick, reg.resyncMs);
    };
    reg.timer = this.clock.setTimeout(tick, reg.resyncMs);
  }

  private get log(): Logger {
    return (this.logger ??= logger('informer', { resource: this.describe() }));
  }
}

/** Waits for every informer (or handler registration) to sync; false if `signal` aborts first. */
export async function waitForCacheSync(
  signal: AbortSignal | undefined,
  ...synced: ({ waitForSync(signal?: AbortSignal): Promise<boolean> } | HandlerRegistration)[]
): Promise<boolean> {
  const results = await Promise.all(
    synced.map((s) => ('waitForSync' in s ? s.waitForSync(signal) : pollSynced(s, signal))),
  );
  return results.every(Boolean);
}

/** Handler registrations have no promise to wait on: poll every 100 ms, as upstream's WaitForCacheSync does. */
async function pollSynced(reg: HandlerRegistration, signal: AbortSignal | undefined): Promise<boolean> {
  while (!reg.hasSynced()) {
    if (signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

// ---- the factory ----------------------------------------------------------------------------------------------------

export interface SharedInformerFactoryOptions {
  /** Resync period for handlers that do not name one (0, the default: none). */
  defaultResyncMs?: number;
  /** Scope every informer to one namespace. */
  namespace?: string;
  clock?: Clock;
  pageSize?: number;
  minWatchTimeoutMs?: number;
  /** Each informer's list/watch backoff (default 800 ms doubling to 30 s, jittered). */
  backoff?: Omit<BackoffOptions, 'clock'>;
}

/**
 * One informer per resource (and scope) for the whole process, shared by every component that asks for it:
 * `informerFor` returns the existing one. `start(signal)` runs every informer not yet running (call it again after
 * asking for more); `waitForCacheSync` waits for all started ones.
 */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<KubeObject>>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    readonly client: Client,
    private readonly opts: SharedInformerFactoryOptions = {},
  ) {}

  informerFor<T extends KubeObject>(resource: Resource<T>, scope: InformerScope = {}): SharedInformer<T> {
    const namespace = scope.namespace ?? this.opts.namespace;
    const key = [resource.group, resource.version, resource.resource, namespace ?? '', scope.labelSelector ?? '', scope.fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      informer = SharedInformer.forResource<T>(this.client, resource, {
        ...scope,
        namespace,
        defaultResyncMs: this.opts.defaultResyncMs,
        clock: this.opts.clock,
        pageSize: this.opts.pageSize,
        minWatchTimeoutMs: this.opts.minWatchTimeoutMs,
        backoff: this.opts.backoff ? new Backoff({ ...this.opts.backoff, clock: this.opts.clock }) : undefined,
      });
      this.informers.set(key, informer as unknown as SharedInformer<KubeObject>);
    }
    return informer;
  }

  /** Starts every informer not yet started; they stop when `signal` aborts. */
  start(signal: AbortSignal): void {
    for (const [key, informer] of this.informers) {
      if (this.running.has(key)) continue;
      const log = () => logger('informer', { resource: informer.describe() });
      this.running.set(
        key,
        informer.run(signal).catch((err) => log().error({ err }, 'informer stopped with an error')),
      );
    }
  }

  /** Resolves true once every started informer has synced; false if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const started = [...this.running.keys()].map((k) => this.informers.get(k)!);
    return waitForCacheSync(signal, ...started);
  }

  /** Resolves once every started informer has stopped (after the signal given to `start` aborted). */
  async shutdown(): Promise<void> {
    await Promise.all(this.running.values());
  }
}

// ---- helpers --------------------------------------------------------------------------------------------------------

/** Freezes a JSON value and everything in it (objects from the wire: no cycles). */
export function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** A log-friendly summary of an error (the full cause chain of a ConnectionError is noise in a warning). */
function brief(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message, code: (err as { code?: unknown }).code };
  return err;
}

export { objectKey, splitKey };
