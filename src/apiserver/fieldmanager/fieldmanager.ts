/**
 * The field manager: ownership bookkeeping for every write, and server-side apply.
 *
 *   updateManagedFields(newObj, oldObj, manager, 'Update', subresource, { schema })
 *       for create / update / patch: the manager takes ownership of what it added or changed, every other
 *       manager loses what was changed or removed. One Update entry per manager + apiVersion + subresource, its
 *       time refreshed when it took something. Nothing changed → managedFields untouched (a no-op stays a no-op).
 *
 *   apply(live, applied, manager, { force, schema, apiVersion, kind })
 *       merges the applied configuration into the live object (or into nothing: apply creates), takes ownership
 *       of exactly what the configuration sets, removes what this manager applied before and no longer sets
 *       (unless someone else owns it), and refuses (409 Conflict) to change a value another manager owns unless
 *       forced (then that manager loses it).
 *
 * The behaviours of upstream's layered managers are kept: metadata the server owns is never owned
 * (stripMeta); an object with no managedFields is first given to "before-first-apply" so its existing values
 * conflict; kubectl's own apply migrating from client-side apply may take the fields of its last-applied
 * annotation without conflicts, and keeps that annotation in sync; at most 10 Update entries (the oldest are
 * merged into "ancient-changes").
 */
import { jsonEqual, type KObject } from '../../apimachinery/object.ts';
import { StatusError, badRequest, internalError, type StatusCause } from '../../apimachinery/status.ts';
import { FieldSet, pathString, type Path } from './fieldpath.ts';
import {
  cloneManaged,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  managedEqual,
  managerIdentity,
  printManager,
  type Managed,
  type Operation,
  type VersionedSet,
} from './managed.ts';
import { SType, type FieldSchema } from './schema.ts';
import {
  compare,
  ensureNamedFieldsAreMembers,
  isObj,
  merge,
  removeItems,
  SchemaError,
  stripNulls,
  toFieldSet,
  type Comparison,
} from './typed.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const BEFORE_FIRST_APPLY = 'before-first-apply';
export const ANCIENT_CHANGES = 'ancient-changes';
export const MAX_UPDATE_MANAGERS = 10;

export interface FieldManagerOptions {
  /** The schema of the kind (OpenAPI SchemaNode); without it everything is deduced from the values. */
  schema?: FieldSchema;
  now?: () => Date;
}

type Obj = Record<string, unknown>;

/** The metadata the server owns: never part of anyone's fields (upstream's stripMeta, a non-recursive difference). */
const STRIPPED = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f) => ['f:metadata', `f:${f}`],
  ),
);

const stripMeta = (s: FieldSet) => s.difference(STRIPPED);

const timeOf = (now?: () => Date) => (now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');

const withoutManagedFields = (obj: KObject): Obj => {
  const { managedFields: _mf, ...metadata } = obj.metadata ?? {};
  return { ...obj, metadata };
};

// ---- conflicts -------------------------------------------------------------------------------------------------

export interface Conflict {
  /** manager identity (JSON) */
  manager: string;
  path: Path;
}

class ApplyConflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

function conflictsFromManagers(sets: Map<string, FieldSet>): Conflict[] {
  const out: Conflict[] = [];
  for (const id of [...sets.keys()].sort()) for (const path of sets.get(id)!.paths()) out.push({ manager: id, path });
  return out;
}

/** 409 Conflict as upstream's NewApplyConflict: one FieldManagerConflict cause per field. */
export function conflictError(conflicts: Conflict[]): StatusError {
  let message: string;
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    message = `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${pathString(c.path)}`;
  } else {
    const byManager = new Map<string, Path[]>();
    for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.path]);
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${printManager(id)}:`);
      for (const p of byManager.get(id)!) lines.push(`- ${pathString(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Conflict',
    details: { causes },
    code: 409,
  });
}

// ---- the updater (structured-merge-diff's merge.Updater) -------------------------------------------------------

type Filter = (s: FieldSet) => FieldSet;

/**
 * Every manager but `workflow` loses the fields that change from `oldObj` to `newObj` (a conflict unless forced)
 * and the fields removed; managers left with nothing are dropped. Mutates `fields`.
 */
function updateOwners(
  oldObj: Obj,
  newObj: Obj,
  fields: Map<string, VersionedSet>,
  workflow: string,
  force: boolean,
  t: SType,
  ignore?: Filter,
): Comparison {
  const c = compare(oldObj, newObj, t);
  const cmp: Comparison = ignore ? { added: ignore(c.added), modified: ignore(c.modified), removed: ignore(c.removed) } : c;
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, vs] of fields) {
    if (id === workflow) continue;
    const clash = vs.set.intersection(changed);
    if (!clash.empty()) conflicts.set(id, clash);
  }
  if (!force && conflicts.size) throw new ApplyConflicts(conflictsFromManagers(conflicts));
  for (const [id, clash] of conflicts) {
    const vs = fields.get(id)!;
    fields.set(id, { ...vs, set: vs.set.difference(clash) });
  }
  if (!cmp.removed.empty()) {
    for (const [id, vs] of fields) if (id !== workflow) fields.set(id, { ...vs, set: vs.set.difference(cmp.removed) });
  }
  for (const [id, vs] of fields) if (vs.set.empty()) fields.delete(id);
  return cmp;
}

/** An Update: the manager gains what it added or changed (merged into its entry), the others lose it. */
function updateManaged(oldObj: Obj, newObj: Obj, managed: Managed, id: string, apiVersion: string, t: SType, now: string): Managed {
  const m = cloneManaged(managed);
  const CURRENT = '\0current-operation';
  const cmp = updateOwners(oldObj, newObj, m.fields, CURRENT, true, t);
  const taken = stripMeta(cmp.modified.union(cmp.added).difference(cmp.removed));
  if (!taken.empty()) {
    const prev = m.fields.get(id);
    m.fields.set(id, { set: prev ? taken.union(prev.set) : taken, apiVersion, applied: false });
    m.times.set(id, now);
  }
  capUpdateManagers(m);
  return m;
}

/** At most MAX_UPDATE_MANAGERS Update entries: the oldest are merged into one "ancient-changes" entry per version. */
function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  const seconds = (id: string) => {
    const t = m.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) || 0 : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = m.fields.get(id)!;
    const bucket = managerIdentity({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      m.fields.set(bucket, m.fields.get(first)!);
      m.fields.delete(first);
    }
    m.fields.set(bucket, { set: vs.set.union(m.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: false });
    m.fields.delete(id);
    m.times.set(bucket, m.times.get(id));
    length--;
  }
}

// ---- Update ----------------------------------------------------------------------------------------------------

/** Reset form: `managedFields: []` or `[{}]` clears the bookkeeping (as upstream). */
function isReset(mf: unknown): boolean {
  if (!Array.isArray(mf)) return false;
  if (mf.length === 0) return true;
  return mf.length === 1 && isObj(mf[0]) && Object.keys(mf[0]).length === 0;
}

function decodeOrEmpty(mf: unknown): Managed {
  try {
    return decodeManagedFields(mf);
  } catch {
    return emptyManaged();
  }
}

/**
 * Records the ownership of an ordinary write in `newObj.metadata.managedFields` (in place). `oldObj` is the
 * stored object (undefined on create). A client may set managedFields itself (kept if valid, as upstream; `[]`
 * clears them); on the status subresource the stored ones are used. Apply writes are recorded by apply().
 */
export function updateManagedFields(
  newObj: KObject,
  oldObj: KObject | undefined,
  manager: string,
  operation: Operation = 'Update',
  subresource?: string,
  opts: FieldManagerOptions = {},
): void {
  if (operation === 'Apply') return;
  const meta = (newObj.metadata ??= {});
  const liveMf = oldObj?.metadata?.managedFields;
  let source: unknown;
  let managed: Managed;
  if (subresource) {
    source = liveMf;
    managed = decodeOrEmpty(liveMf);
  } else if (isReset(meta.managedFields)) {
    source = undefined;
    managed = emptyManaged();
  } else {
    try {
      managed = decodeManagedFields(meta.managedFields);
      source = meta.managedFields;
      if (!managed.fields.size) throw new Error('empty');
    } catch {
      source = liveMf;
      managed = decodeOrEmpty(liveMf);
    }
  }
  // An existing object without bookkeeping is left alone until its first apply (upstream's skipNonApplied).
  if (!managed.fields.size && oldObj) {
    delete meta.managedFields;
    return;
  }
  const apiVersion = String(newObj.apiVersion ?? oldObj?.apiVersion ?? '');
  const id = managerIdentity({ manager: manager || 'unknown', operation: 'Update', apiVersion, subresource });
  let result: Managed;
  try {
    result = updateManaged(oldObj ? withoutManagedFields(oldObj) : {}, withoutManagedFields(newObj), managed, id, apiVersion, SType.of(opts.schema), timeOf(opts.now));
  } catch {
    // As upstream's UpdateNoErrors: keep what the stored object had.
    if (liveMf) meta.managedFields = liveMf;
    else delete meta.managedFields;
    return;
  }
  if (source !== undefined && managedEqual(result, managed)) {
    meta.managedFields = source as typeof meta.managedFields;
    return;
  }
  const encoded = encodeManagedFields(result);
  if (encoded) meta.managedFields = encoded as typeof meta.managedFields;
  else delete meta.managedFields;
}

// ---- Apply -----------------------------------------------------------------------------------------------------

export interface ApplyOptions extends FieldManagerOptions {
  force?: boolean;
  /** group/version and kind the request is for (or `gvk`); the applied configuration must name them. */
  apiVersion?: string;
  kind?: string;
  gvk?: { group: string; version: string; kind: string };
  /** 'status' when applying to the status subresource */
  subresource?: string;
  /** The kind has a status subresource: the main resource does not apply status, the subresource only status. */
  statusSubresource?: boolean;
}

const STATUS = FieldSet.of(['f:status']);

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const i = av.lastIndexOf('/');
  const group = i >= 0 ? av.slice(0, i) : '';
  const version = i >= 0 ? av.slice(i + 1) : av;
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/**
 * Server-side apply. Returns the object to store, with metadata.managedFields set; throws a StatusError (409 on
 * conflicts, 400 for a configuration that does not fit the schema). `live` undefined: the object is created.
 */
export function apply(live: KObject | undefined, applied: KObject, manager: string, options: ApplyOptions): KObject {
  const gvk = options.gvk;
  const opts = {
    ...options,
    apiVersion: options.apiVersion ?? (gvk ? (gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version) : ''),
    kind: options.kind ?? gvk?.kind ?? '',
  };
  const t = SType.of(opts.schema);
  const now = timeOf(opts.now);
  if (applied.apiVersion !== opts.apiVersion || applied.kind !== opts.kind) {
    throw badRequest(`invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  if (isObj(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const config = stripUndefined(applied) as Obj;
  try {
    toFieldSet(config, t, { strict: true });
  } catch (err) {
    if (!(err instanceof SchemaError)) throw err;
    const meta = (isObj(applied.metadata) ? applied.metadata : {}) as { name?: string; namespace?: string };
    throw badRequest(
      `failed to create typed patch object (${meta.namespace ?? ''}/${meta.name ?? ''}; ${gvkString(opts.apiVersion, opts.kind)}): ${err.message}`,
    );
  }

  let managed: Managed;
  try {
    managed = decodeManagedFields(live?.metadata?.managedFields);
  } catch (err) {
    throw internalError(`failed to decode managed fields: ${(err as Error).message}`);
  }
  const stored = managed;
  const liveObj: Obj = live ? withoutManagedFields(live) : {};
  // An object nobody owns yet: its fields go to "before-first-apply", so that changing them is a conflict.
  if (!managed.fields.size && live) {
    const id = managerIdentity({ manager: BEFORE_FIRST_APPLY, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
    managed = updateManaged({}, liveObj, managed, id, opts.apiVersion, t, now);
  }

  const id = managerIdentity({ manager: manager || 'unknown', operation: 'Apply', subresource: opts.subresource });
  const ctx: ApplyContext = { t, now, id, apiVersion: opts.apiVersion, ...resetRules(opts) };
  let result: { object?: Obj; managed: Managed };
  try {
    result = applyOnce(liveObj, config, managed, !!opts.force, ctx);
  } catch (err) {
    if (!(err instanceof ApplyConflicts)) throw err;
    // kubectl moving from client-side to server-side apply may take what its last-applied annotation sets.
    const allowed = manager === 'kubectl' ? lastAppliedFields(live, t) : undefined;
    if (!allowed) throw conflictError(err.conflicts);
    const remaining = err.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length) throw conflictError(remaining);
    result = applyOnce(liveObj, config, managed, true, ctx);
  }

  const out = (result.object ?? structuredClone(liveObj)) as KObject;
  out.metadata ??= {};
  if (!result.object && live?.metadata?.managedFields && managedEqual(result.managed, stored)) {
    out.metadata.managedFields = live.metadata.managedFields; // nothing changed: keep them as they are
  } else {
    const encoded = encodeManagedFields(result.managed);
    if (encoded) out.metadata.managedFields = encoded as typeof out.metadata.managedFields;
    else delete out.metadata.managedFields;
  }
  // kubectl's server-side apply keeps an existing client-side apply annotation up to date.
  const annotations = out.metadata.annotations;
  if (manager === 'kubectl' && annotations?.[LAST_APPLIED_ANNOTATION]) {
    out.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: buildLastApplied(config) };
  }
  return out;
}

interface ApplyContext {
  t: SType;
  now: string;
  id: string;
  apiVersion: string;
  /** the part of a field set the request may own (resetFields) */
  ignore?: Filter;
  /** puts back what the request may not change */
  reset?: (merged: Obj, live: Obj) => Obj;
}

function resetRules(opts: Pick<ApplyOptions, 'subresource' | 'statusSubresource'>): Pick<ApplyContext, 'ignore' | 'reset'> {
  if (opts.subresource === 'status') {
    return {
      ignore: (s) => {
        const out = new FieldSet();
        if (s.members.has('f:status')) out.members.add('f:status');
        const c = s.children.get('f:status');
        if (c && !c.empty()) out.children.set('f:status', c);
        return out;
      },
      reset: (merged, live) => {
        const { status: _s, ...rest } = live;
        return merged.status === undefined ? { ...rest } : { ...rest, status: merged.status };
      },
    };
  }
  if (opts.statusSubresource) {
    return {
      ignore: (s) => s.recursiveDifference(STATUS),
      reset: (merged, live) => {
        const { status: _s, ...rest } = merged;
        return live.status === undefined ? rest : { ...rest, status: live.status };
      },
    };
  }
  return {};
}

function applyOnce(live: Obj, config: Obj, managed: Managed, force: boolean, ctx: ApplyContext): { object?: Obj; managed: Managed } {
  const { t, id } = ctx;
  const m = cloneManaged(managed);
  let merged = merge(live, config, t) as Obj;
  if (ctx.reset) merged = ctx.reset(merged, live);
  const lastSet = m.fields.get(id);
  let set = toFieldSet(config, t);
  if (ctx.ignore) set = ctx.ignore(set);
  m.fields.set(id, { set, apiVersion: ctx.apiVersion, applied: true });
  merged = prune(merged, m.fields, lastSet, t);
  updateOwners(live, merged, m.fields, id, force, t, ctx.ignore);
  const mine = m.fields.get(id);
  if (mine) {
    const s = stripMeta(mine.set);
    if (s.empty()) m.fields.delete(id);
    else m.fields.set(id, { ...mine, set: s });
  }
  if (jsonEqual(live, merged)) return { managed: m };
  m.times.set(id, ctx.now);
  return { object: stripNulls(merged), managed: m };
}

/**
 * Removes what the applier set last time and no longer sets, unless another manager owns it (upstream's prune:
 * remove, add back what anyone owns, add back what the applier did not own).
 */
function prune(merged: Obj, fields: Map<string, VersionedSet>, lastSet: VersionedSet | undefined, t: SType): Obj {
  if (!lastSet || lastSet.set.empty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, t);
  const last = named(lastSet.set);
  let pruned = (removeItems(merged, last, t) ?? {}) as Obj;
  let owned = new FieldSet();
  for (const vs of fields.values()) owned = owned.union(vs.set);
  const mergedSet = named(toFieldSet(merged, t));
  pruned = (removeItems(merged, mergedSet.difference(named(toFieldSet(pruned, t)).union(named(owned))), t) ?? {}) as Obj;
  const gone = mergedSet.difference(named(toFieldSet(pruned, t))).intersection(last);
  return (removeItems(merged, gone, t) ?? {}) as Obj;
}

function lastAppliedFields(live: KObject | undefined, t: SType): FieldSet | undefined {
  const raw = live?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (!raw) return undefined;
  try {
    return toFieldSet(JSON.parse(raw), t);
  } catch {
    return undefined;
  }
}

/** The applied configuration without the annotation itself, as Go encodes a map (keys sorted) plus a newline. */
function buildLastApplied(config: Obj): string {
  const copy = structuredClone(config);
  const meta = copy.metadata;
  if (isObj(meta) && isObj(meta.annotations)) delete meta.annotations[LAST_APPLIED_ANNOTATION];
  return `${sortedJson(copy)}\n`;
}

function sortedJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function stripUndefined(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}

// ---- wiring ----------------------------------------------------------------------------------------------------

export type SchemaLookup = (gvk: { group: string; version: string; kind: string }) => FieldSchema | undefined;

/** The Store's trackManagedFields hook: Update bookkeeping for every create, update and patch. */
export function managedFieldsTracker(schemaFor: SchemaLookup = () => undefined, opts: { now?: () => Date } = {}) {
  return (obj: KObject, old: KObject | undefined, manager: string, operation: Operation, subresource?: string): void => {
    if (operation === 'Apply') return;
    const av = String(obj.apiVersion ?? '');
    const i = av.lastIndexOf('/');
    const schema = schemaFor({ group: i >= 0 ? av.slice(0, i) : '', version: av.slice(i + 1), kind: String(obj.kind ?? '') });
    updateManagedFields(obj, old, manager, operation, subresource, { schema, now: opts.now });
  };
}
