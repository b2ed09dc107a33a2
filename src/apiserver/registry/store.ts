/**
 * The generic store (apiserver's genericregistry.Store): create, get, list, watch, update, patch and delete written
 * once for every kind, over the storage Backend, with a small Strategy per kind. Reads of lists and all watches come
 * from the resource's watch cache (Cacher).
 *
 * Storage keys: /registry/<group|core>/<resource>/<namespace>/<name> (cluster-scoped: without the namespace).
 * The stored JSON has no resourceVersion: it is the key's modRevision, set when the object is read.
 */
import { randomUUID } from 'node:crypto';
import { MAX_KEY_BYTES, type Backend, type KeyValue } from '../../storage/backend.ts';
import { isStorageError } from '../../storage/errors.ts';
import { clone, isObject, jsonEqual, type KList, type KObject } from '../../apimachinery/object.ts';
import { apiVersionOf, type ResourceInfo } from '../../apimachinery/resources.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  fromStorageError,
  gone,
  invalid,
  isStatusError,
  MODIFIED,
  notFound,
} from '../../apimachinery/status.ts';
import { Cacher, type CacheWatcher } from './cacher.ts';
import { metadataTypeError } from './kinds/metatypes.ts';
import type { FieldError, Strategy } from './strategy.ts';

export interface ListOptions {
  namespace?: string;
  /** label and field selectors, already parsed */
  matches?: (obj: KObject) => boolean;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchOptions {
  namespace?: string;
  matches?: (obj: KObject) => boolean;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type Subresource = 'status' | undefined;

/** Builds the object to write from the current one; may throw a StatusError. */
export type UpdateFn = (current: KObject) => KObject | Promise<KObject>;

export interface StoreDeps {
  backend: Backend;
  /** Refuses creation in a missing or terminating namespace (StatusError). */
  admitNamespace?: (namespace: string) => Promise<void>;
  /** Records field ownership for a write (server-side apply bookkeeping). */
  trackManagedFields?: (obj: KObject, old: KObject | undefined, manager: string, operation: 'Update' | 'Apply', subresource?: string) => void;
  /** Validation every kind shares (ObjectMeta). */
  validateMeta?: (obj: KObject, info: ResourceInfo) => FieldError[];
  now?: () => Date;
  log?: (msg: string, err?: unknown) => void;
}

const GUARANTEED_UPDATE_ATTEMPTS = 32;
const LIST_FRESHNESS_WAIT_MS = 250;
const MAX_GRACE_SECONDS = 10 * 365 * 24 * 3600;
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class Store {
  readonly cacher: Cacher;
  readonly prefix: string;
  private readonly backend: Backend;
  private readonly gr: { group: string; resource: string };
  private readonly gk: { group: string; kind: string };

  constructor(
    readonly info: ResourceInfo,
    readonly strategy: Strategy,
    private readonly deps: StoreDeps,
  ) {
    this.backend = deps.backend;
    this.prefix = `/registry/${info.group || 'core'}/${info.resource}/`;
    this.gr = { group: info.group, resource: info.resource };
    this.gk = { group: info.group, kind: info.kind };
    this.cacher = new Cacher(this.backend, this.prefix, (v, rev) => this.decode(v, rev), deps.log);
  }

  key(namespace: string | undefined, name: string): string {
    return this.info.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  private scopePrefix(namespace: string | undefined): string {
    return this.info.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
  }

  private decode(value: Uint8Array, rev: number): KObject {
    const obj = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as KObject;
    obj.metadata.resourceVersion = String(rev);
    return obj;
  }

  private encode(obj: KObject): Uint8Array {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    return Buffer.from(JSON.stringify({ ...obj, metadata }));
  }

  private fromKv(kv: KeyValue): KObject {
    return this.decode(kv.value, kv.modRevision);
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  async get(namespace: string | undefined, name: string): Promise<KObject> {
    const key = this.key(namespace, name);
    // No stored object has a longer key (names are validated on create), and LMDB refuses to look one up.
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw notFound(this.gr, name);
    const kv = await this.backend.get(key).catch((e) => {
      throw fromStorageError(e, this.gr, name);
    });
    if (!kv) throw notFound(this.gr, name);
    return this.fromKv(kv);
  }

  async list(opts: ListOptions = {}): Promise<KList> {
    const prefix = this.scopePrefix(opts.namespace);
    const rv = opts.resourceVersion;
    let items: KObject[];
    let revision: number;
    let next: string | undefined;
    if (opts.continue || (opts.limit && opts.limit > 0 && rv !== '0') || opts.resourceVersionMatch === 'Exact') {
      ({ items, revision, next } = await this.listFromStore(prefix, opts));
    } else {
      // Consistent reads from the cache: wait until it has caught up with the store (or with the asked version).
      const min = rv && rv !== '0' ? parseRv(rv) : rv === '0' ? 0 : await this.backend.currentRevision();
      try {
        await this.cacher.waitFresh(min, LIST_FRESHNESS_WAIT_MS);
        ({ items, revision } = this.cacher.list({ prefix, matches: opts.matches }));
      } catch (err) {
        // A cache that cannot confirm it is current (a store without timely progress reports) is bypassed: the
        // list is read from the store, which is always consistent.
        if (!isStatusError(err, 'Timeout')) throw err;
        ({ items, revision } = await this.listFromStore(prefix, { ...opts, limit: undefined }));
      }
    }
    return {
      apiVersion: apiVersionOf(this.info),
      kind: `${this.info.kind}List`,
      metadata: { resourceVersion: String(revision), ...(next ? { continue: next } : {}) },
      items,
    };
  }

  /** A page of a paginated list, read from the store at one revision (which the continue token carries). */
  private async listFromStore(prefix: string, opts: ListOptions) {
    let revision = 0;
    let after: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      revision = token.rv;
      after = prefix + token.start;
      if (!token.start.length || !after.startsWith(prefix)) throw badRequest('invalid continue token');
    } else if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion) {
      revision = parseRv(opts.resourceVersion);
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: KObject[] = [];
    let more = false;
    let lastKey: string | undefined;
    try {
      // Filtering may drop items: keep reading pages until the limit is met or the keys run out.
      for (;;) {
        const page = await this.backend.list(prefix, {
          revision: revision || undefined,
          limit: limit ? Math.max(limit - items.length, 50) : undefined,
          after,
        });
        revision = page.revision;
        for (const kv of page.kvs) {
          if (limit && items.length === limit) {
            more = true;
            break;
          }
          const obj = this.fromKv(kv);
          lastKey = kv.key;
          if (!opts.matches || opts.matches(obj)) items.push(obj);
        }
        if (more || !page.more) break;
        if (limit && items.length === limit) {
          more = page.more;
          break;
        }
        after = page.kvs[page.kvs.length - 1]!.key;
      }
    } catch (err) {
      if (isStorageError(err, 'Compacted') && opts.continue) {
        throw gone(
          'The provided continue parameter is too old to display a consistent list result. You can start a new ' +
            'list without the continue parameter, or use the continue token in this response to retrieve the ' +
            'remainder of the results. Continuing with the provided token results in an inconsistent list - ' +
            'objects that were created, modified, or deleted between the time the first chunk was returned and now ' +
            'may show up in the list.',
        );
      }
      throw fromStorageError(err, this.gr);
    }
    const next = more && lastKey ? encodeContinue(revision, lastKey.slice(prefix.length)) : undefined;
    return { items, revision, next };
  }

  watch(opts: WatchOptions): Promise<CacheWatcher> {
    const rv = opts.resourceVersion;
    const fromRev = rv && rv !== '0' ? parseRv(rv) : undefined;
    return this.cacher.watch(
      { prefix: this.scopePrefix(opts.namespace), matches: opts.matches },
      { fromRev, initialEvents: opts.sendInitialEvents ?? fromRev === undefined },
    );
  }

  // ---- create ---------------------------------------------------------------------------------------------------

  async create(
    namespace: string | undefined,
    input: KObject,
    opts: WriteOptions & { operation?: 'Update' | 'Apply' } = {},
  ): Promise<KObject> {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(this.info);
    obj.kind = this.info.kind;
    this.checkMetadataType(obj);
    const meta = (obj.metadata ??= {});
    if (this.info.namespaced) meta.namespace = namespace;
    else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    for (const k of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) {
      delete meta[k];
    }
    if (this.strategy.generation) meta.generation = 1;
    else delete meta.generation;
    // As upstream: defaults are applied when the body is decoded, before the strategy's PrepareForCreate.
    this.strategy.defaults?.(obj);
    this.strategy.prepareForCreate?.(obj);
    this.check(obj, [...(this.deps.validateMeta?.(obj, this.info) ?? []), ...(this.strategy.validate?.(obj) ?? [])]);
    if (this.info.namespaced && namespace) await this.deps.admitNamespace?.(namespace);
    this.deps.trackManagedFields?.(obj, undefined, opts.fieldManager ?? 'unknown', opts.operation ?? 'Update');
    if (opts.dryRun) return obj;
    await this.strategy.beforeCreate?.(obj);
    try {
      const kv = await this.backend.create(this.key(namespace, meta.name!), this.encode(obj));
      return withRevision(obj, kv);
    } catch (err) {
      await this.strategy.afterDelete?.(obj); // release what beforeCreate allocated
      if (isStorageError(err, 'KeyExists')) throw alreadyExists(this.gr, meta.name!);
      throw fromStorageError(err, this.gr, meta.name);
    }
  }

  /** A body whose metadata has the wrong JSON types does not decode upstream: 400. */
  private checkMetadataType(obj: KObject): void {
    const why = metadataTypeError(obj.metadata, this.info.kind);
    if (!why) return;
    const { kind, version } = this.info;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${why}`);
  }

  private check(obj: KObject, errors: FieldError[]): void {
    if (errors.length) throw invalid(this.gk, obj.metadata?.name ?? obj.metadata?.generateName ?? '', errors);
  }

  // ---- update ---------------------------------------------------------------------------------------------------

  /** PUT: replaces the object (or its status), honouring a resourceVersion precondition in the body. */
  async update(
    namespace: string | undefined,
    name: string,
    input: KObject,
    opts: WriteOptions & { subresource?: Subresource } = {},
  ): Promise<{ object: KObject; created: boolean }> {
    const precondition = input.metadata?.resourceVersion;
    try {
      const object = await this.guaranteedUpdate(namespace, name, () => clone(input), {
        ...opts,
        precondition,
        operation: 'Update',
      });
      return { object, created: false };
    } catch (err) {
      // Create-on-update needs the object's name on the URL (a PUT without one is not an update of anything).
      if (this.strategy.allowCreateOnUpdate && !opts.subresource && isNotFound(err) && !precondition && name) {
        const bodyName = input.metadata?.name;
        if (bodyName !== undefined && bodyName !== name) {
          throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
        }
        const body = isObject(input.metadata) ? { ...input, metadata: { ...input.metadata, name } } : input;
        return { object: await this.create(namespace, body, opts), created: true };
      }
      throw err;
    }
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflicts (apiserver's GuaranteedUpdate). `tryUpdate` gets a
   * copy of the current object; with a resourceVersion `precondition` a stale object is a 409 instead of a retry.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    tryUpdate: UpdateFn,
    opts: WriteOptions & {
      subresource?: Subresource;
      precondition?: string;
      operation?: 'Update' | 'Apply';
      /** For server-internal writes (binding, finalize): skip the kind's update strategy and status carry-over. */
      bypassStrategy?: boolean;
    } = {},
  ): Promise<KObject> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(namespace, name);
      if (opts.precondition && opts.precondition !== current.metadata.resourceVersion) {
        throw conflict(this.gr, name, MODIFIED);
      }
      const updated = await tryUpdate(clone(current));
      const obj = this.prepareUpdate(updated, current, name, namespace, opts.subresource, opts.bypassStrategy);
      this.deps.trackManagedFields?.(obj, current, opts.fieldManager ?? 'unknown', opts.operation ?? 'Update', opts.subresource);
      if (sameStoredObject(obj, current)) return current; // no-op: no write, no new resourceVersion
      if (opts.dryRun) return obj;
      await this.strategy.beforeUpdate?.(obj, current);
      let written = false;
      try {
        const finished = this.finalizable(obj);
        if (finished) {
          await this.backend.delete(key, { expectedModRevision: parseRv(current.metadata.resourceVersion!) });
          written = true;
          await this.strategy.afterUpdate?.(obj, current);
          await this.strategy.afterDelete?.(obj);
          return obj;
        }
        const kv = await this.backend.update(key, this.encode(obj), {
          expectedModRevision: parseRv(current.metadata.resourceVersion!),
        });
        written = true;
        await this.strategy.afterUpdate?.(obj, current);
        return withRevision(obj, kv);
      } catch (err) {
        if (!written) await this.strategy.abortUpdate?.(obj, current); // release what beforeUpdate took
        if (isStorageError(err, 'Conflict') && !opts.precondition && attempt < GUARANTEED_UPDATE_ATTEMPTS) continue;
        throw fromStorageError(err, this.gr, name);
      }
    }
  }

  private prepareUpdate(
    input: KObject,
    current: KObject,
    name: string,
    namespace: string | undefined,
    subresource: Subresource,
    bypassStrategy = false,
  ): KObject {
    let obj: KObject;
    if (bypassStrategy) obj = input;
    else if (subresource === 'status') {
      // The status subresource changes status only (and nothing else of the object).
      obj = clone(current);
      obj.status = input.status;
    } else {
      obj = input;
      this.checkMetadataType(obj);
      obj.metadata ??= {};
      if (this.info.subresources?.includes('status')) obj.status = current.status;
    }
    obj.apiVersion = apiVersionOf(this.info);
    obj.kind = this.info.kind;
    const meta = obj.metadata;
    const cur = current.metadata;
    if (meta.name !== undefined && meta.name !== name) {
      throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    }
    if (meta.uid && meta.uid !== cur.uid) {
      throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${cur.uid}`);
    }
    meta.name = name;
    if (this.info.namespaced) meta.namespace = namespace;
    // Fields the server owns.
    meta.uid = cur.uid;
    meta.creationTimestamp = cur.creationTimestamp;
    meta.resourceVersion = cur.resourceVersion;
    if (cur.deletionTimestamp) {
      meta.deletionTimestamp = cur.deletionTimestamp;
      meta.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.managedFields === undefined && cur.managedFields) meta.managedFields = cur.managedFields;
    if (cur.deletionTimestamp && (meta.finalizers?.length ?? 0) > (cur.finalizers?.length ?? 0)) {
      const added = (meta.finalizers ?? []).filter((f) => !(cur.finalizers ?? []).includes(f));
      if (added.length) {
        throw invalid(this.gk, name, [
          {
            type: 'FieldValueForbidden',
            field: 'metadata.finalizers',
            message: `metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
          },
        ]);
      }
    }
    // As upstream: defaults are applied when the body is decoded, before PrepareForUpdate and the generation check.
    this.strategy.defaults?.(obj);
    if (subresource === 'status' && !bypassStrategy) this.strategy.prepareForStatusUpdate?.(obj, current);
    else if (!bypassStrategy) this.strategy.prepareForUpdate?.(obj, current);
    if (this.strategy.generation) {
      meta.generation = cur.generation ?? 1;
      if (!jsonEqual(specOf(obj), specOf(current))) meta.generation++;
    }
    // Server-internal writes (binding, finalize) bypass the kind's update validation (as upstream's subresource
    // storages do, which do not go through the main resource's ValidateUpdate).
    const errors =
      subresource === 'status'
        ? (this.strategy.validateStatusUpdate?.(obj, current) ?? [])
        : [
            ...(this.deps.validateMeta?.(obj, this.info) ?? []),
            ...(bypassStrategy ? [] : (this.strategy.validateUpdate?.(obj, current) ?? this.strategy.validate?.(obj) ?? [])),
          ];
    this.check(obj, errors);
    return obj;
  }

  /** An object being deleted whose last finalizer is gone (and whose grace period is over) is removed. */
  private finalizable(obj: KObject): boolean {
    const m = obj.metadata;
    return (
      !!m.deletionTimestamp &&
      !m.finalizers?.length &&
      !(m.deletionGracePeriodSeconds ?? 0) &&
      !this.strategy.holdsDeletion?.(obj)
    );
  }

  // ---- delete ---------------------------------------------------------------------------------------------------

  /** Deletes at once, or marks the object for deletion (finalizers, graceful pods): then `finished` is false. */
  async delete(
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<{ object: KObject; finished: boolean }> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(namespace, name);
      const m = current.metadata;
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== m.uid) {
        throw conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${m.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
        throw conflict(
          this.gr,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion}`,
        );
      }
      const obj = clone(current);
      const finalizers = new Set(obj.metadata.finalizers ?? []);
      if (opts.propagationPolicy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      } else if (opts.propagationPolicy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      } else if (opts.propagationPolicy === 'Background') {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      // Clamped so that the deletion timestamp stays a valid date whatever the client asked for.
      const grace = Math.min(this.strategy.gracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0, MAX_GRACE_SECONDS);
      const pending = finalizers.size > 0 || grace > 0 || !!this.strategy.holdsDeletion?.(obj);
      try {
        if (!pending) {
          if (opts.dryRun) return { object: current, finished: true };
          await this.backend.delete(key, { expectedModRevision: parseRv(m.resourceVersion!) });
          await this.strategy.afterDelete?.(current);
          return { object: current, finished: true };
        }
        if (m.deletionTimestamp && grace >= (m.deletionGracePeriodSeconds ?? 0) && sameSet(finalizers, m.finalizers)) {
          return { object: current, finished: false }; // already being deleted
        }
        obj.metadata.finalizers = [...finalizers];
        if (!obj.metadata.finalizers.length) delete obj.metadata.finalizers;
        const at = new Date((this.deps.now?.() ?? new Date()).getTime() + grace * 1000);
        obj.metadata.deletionTimestamp =
          m.deletionTimestamp && grace >= (m.deletionGracePeriodSeconds ?? 0)
            ? m.deletionTimestamp
            : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
        obj.metadata.deletionGracePeriodSeconds = grace;
        this.strategy.prepareForDeletion?.(obj);
        if (opts.dryRun) return { object: obj, finished: false };
        const kv = await this.backend.update(key, this.encode(obj), {
          expectedModRevision: parseRv(m.resourceVersion!),
        });
        return { object: this.fromKv(kv), finished: false };
      } catch (err) {
        if (isStorageError(err, 'Conflict') && !pre?.resourceVersion && attempt < GUARANTEED_UPDATE_ATTEMPTS) continue;
        if (isStorageError(err, 'KeyNotFound')) throw notFound(this.gr, name);
        throw fromStorageError(err, this.gr, name);
      }
    }
  }

  async deleteCollection(listOpts: ListOptions, opts: DeleteOptions = {}): Promise<KList> {
    const list = await this.list({ ...listOpts, limit: undefined, continue: undefined });
    const deleted: KObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push((await this.delete(item.metadata.namespace, item.metadata.name!, opts)).object);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return { ...list, items: deleted };
  }
}

/** The object just written, as a read would return it (what was stored, plus the write's resourceVersion). */
function withRevision(obj: KObject, kv: KeyValue): KObject {
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

const isNotFound = (err: unknown) => (err as { reason?: string })?.reason === 'NotFound';

function specOf(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

function sameSet(a: Set<string>, b: string[] | undefined): boolean {
  const bs = new Set(b ?? []);
  return a.size === bs.size && [...a].every((x) => bs.has(x));
}

/** Equal apart from the bookkeeping a no-op write would change (managedFields timestamps). */
function sameStoredObject(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => ({
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: undefined,
      managedFields: o.metadata.managedFields?.map((f) => ({ ...f, time: undefined })),
    },
  });
  return jsonEqual(strip(a), strip(b));
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return s;
}

export function parseRv(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) {
    throw badRequest(`Invalid value for resourceVersion: "${rv}": must be a non-negative integer`);
  }
  return n;
}

/** Continue tokens carry the list's revision and the last key returned (relative to the list's prefix). */
function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v !== 'meta.k8s.io/v1' || !Number.isSafeInteger(t.rv) || t.rv! <= 0 || typeof t.start !== 'string') {
      throw new Error();
    }
    return { rv: t.rv!, start: t.start! };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
