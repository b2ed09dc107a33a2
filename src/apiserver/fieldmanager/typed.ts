/**
 * Schema-guided operations on JSON objects (structured-merge-diff's typed package): the field set of an object,
 * the comparison of two objects, the merge of an applied configuration into a live object, and the removal of a
 * set of fields from an object.
 *
 * Live objects are read leniently (undeclared fields are deduced; an item that cannot be keyed makes its list
 * atomic; duplicate keys are owned as a whole). An applied configuration is read strictly (`strict: true`): the
 * same cases are errors, reported as SchemaError with the path upstream prints.
 */
import { jsonEqual } from '../../apimachinery/object.ts';
import { FieldSet, fieldElement, fieldName, isFieldElement, pathString, type PathElement } from './fieldpath.ts';
import { itemElement, SType } from './schema.ts';

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
  }
}

export interface ReadOptions {
  /** An applied configuration: undeclared fields, unkeyable items and duplicate keys are errors. */
  strict?: boolean;
}

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Item {
  pe: PathElement;
  value: unknown;
  /** another item of the list has the same key */
  dup: boolean;
}

/**
 * The items of a non-atomic list with their path elements, or undefined when the list must be handled as a whole
 * (lenient reading of an item that cannot be keyed).
 */
function listItems(list: unknown[], t: SType, path: PathElement[], opts: ReadOptions): Item[] | undefined {
  const items: Item[] = [];
  const seen = new Map<PathElement, Item>();
  for (let i = 0; i < list.length; i++) {
    const { pe, reason } = itemElement(t, list[i]);
    if (!pe) {
      if (opts.strict) throw new SchemaError(pathString(path), `element ${i}: ${reason}`);
      return undefined;
    }
    const item: Item = { pe, value: list[i], dup: false };
    const prev = seen.get(pe);
    if (prev) {
      if (opts.strict) {
        throw new SchemaError(pathString(path), `duplicate entries for key ${pathString([pe]).replace(/^\./, '')}`);
      }
      prev.dup = item.dup = true;
    } else seen.set(pe, item);
    items.push(item);
  }
  return items;
}

const emptyish = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

type Kind = 'list' | 'map' | 'scalar' | 'none';
const kindOf = (v: unknown): Kind =>
  v === undefined || v === null ? 'none' : Array.isArray(v) ? 'list' : isObj(v) ? 'map' : 'scalar';

/** The shape both sides share (a side that is absent or null takes the other's); 'mismatch' if they differ. */
function sharedKind(l: unknown, r: unknown): Kind | 'mismatch' {
  const kl = kindOf(l);
  const kr = kindOf(r);
  if (kl === 'none') return kr;
  if (kr === 'none') return kl;
  return kl === kr ? kl : 'mismatch';
}

// ---- field sets ------------------------------------------------------------------------------------------------

/**
 * The fields an object sets: every scalar; every list item of a set or list map (and what is under it); every map
 * entry; struct fields only when null or empty (they are implied by their children otherwise); atomic lists and
 * objects as a whole.
 */
export function toFieldSet(value: unknown, t: SType, opts: ReadOptions = {}): FieldSet {
  const set = new FieldSet();
  walkSet(value, t, [], set, opts);
  return set;
}

function walkSet(v: unknown, t: SType, path: PathElement[], set: FieldSet, opts: ReadOptions): void {
  if (Array.isArray(v)) {
    if (t.listRelationship === 'atomic') {
      set.insert(path);
      return;
    }
    const items = listItems(v, t, path, opts);
    if (!items) {
      set.insert(path);
      return;
    }
    for (const it of items) {
      const p = [...path, it.pe];
      if (!it.dup) walkSet(it.value, t.elem(), p, set, opts);
      set.insert(p);
    }
    return;
  }
  if (isObj(v)) {
    if (t.mapAtomic) {
      set.insert(path);
      return;
    }
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue;
      const p = [...path, fieldElement(k)];
      const ft = t.field(k);
      if (!ft && opts.strict && t.strict) throw new SchemaError(pathString(p), 'field not declared in schema');
      walkSet(val, ft ?? SType.DEDUCED, p, set, opts);
      if (val === null || (isObj(val) && Object.keys(val).length === 0) || !t.declares(k)) set.insert(p);
    }
    return;
  }
  set.insert(path);
}

/** Adds every named struct field on the way to a member (upstream's EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(set: FieldSet, t: SType): FieldSet {
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  for (const [pe, child] of set.children) {
    let ct: SType = SType.DEDUCED;
    if (isFieldElement(pe)) {
      const name = fieldName(pe);
      if (t.declares(name)) out.members.add(pe);
      ct = t.fieldOrDeduced(name);
    } else if (pe.startsWith('k:')) ct = t.elem();
    out.children.set(pe, ensureNamedFieldsAreMembers(child, ct));
  }
  return out;
}

// ---- comparison ------------------------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * What changed from `lhs` to `rhs`: leaves that appear, change or disappear; a list item, map entry or struct that
 * appears (or disappears) is itself added (removed) along with everything under it.
 */
export function compare(lhs: unknown, rhs: unknown, t: SType): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  walkCompare(lhs, rhs, t, [], c);
  return c;
}

function leafRule(l: unknown, r: unknown, path: PathElement[], c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
  else if (!jsonEqual(l, r)) c.modified.insert(path);
}

function walkCompare(l: unknown, r: unknown, t: SType, path: PathElement[], c: Comparison): void {
  const kind = sharedKind(l, r);
  const bothEmpty = emptyish(l) && emptyish(r);
  if (kind === 'list' && !bothEmpty && t.listRelationship !== 'atomic') {
    const li = listItems(Array.isArray(l) ? l : [], t, path, {});
    const ri = listItems(Array.isArray(r) ? r : [], t, path, {});
    if (li && ri) {
      const lm = groupItems(li);
      const rm = groupItems(ri);
      for (const pe of new Set([...lm.keys(), ...rm.keys()])) {
        const lg = lm.get(pe);
        const rg = rm.get(pe);
        const p = [...path, pe];
        if ((lg && lg.length > 1) || (rg && rg.length > 1)) {
          leafRule(lg?.map((i) => i.value), rg?.map((i) => i.value), p, c);
        } else walkCompare(lg?.[0]!.value, rg?.[0]!.value, t.elem(), p, c);
      }
      itemHook(l, r, path, c);
      return;
    }
  } else if (kind === 'map' && !bothEmpty && !t.mapAtomic) {
    const lo = isObj(l) ? l : {};
    const ro = isObj(r) ? r : {};
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      if (lo[k] === undefined && ro[k] === undefined) continue;
      walkCompare(lo[k], ro[k], t.fieldOrDeduced(k), [...path, fieldElement(k)], c);
    }
    itemHook(l, r, path, c);
    return;
  }
  leafRule(l, r, path, c);
}

function itemHook(l: unknown, r: unknown, path: PathElement[], c: Comparison): void {
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

function groupItems(items: Item[]): Map<PathElement, Item[]> {
  const m = new Map<PathElement, Item[]>();
  for (const it of items) {
    const g = m.get(it.pe);
    if (g) g.push(it);
    else m.set(it.pe, [it]);
  }
  return m;
}

// ---- merge -----------------------------------------------------------------------------------------------------

/**
 * Merges `rhs` (an applied configuration) into `lhs` (the live object): what rhs sets wins, what only lhs has
 * stays; granular maps merge entry by entry, set and map lists item by item (rhs items that are new go after the
 * lhs item they follow in rhs, or at the end); atomic values are replaced whole.
 */
export function merge(lhs: unknown, rhs: unknown, t: SType): unknown {
  return walkMerge(lhs, rhs, t, []);
}

function walkMerge(l: unknown, r: unknown, t: SType, path: PathElement[]): unknown {
  if (r === undefined) return l;
  if (l === undefined) return structuredClone(r);
  const kind = sharedKind(l, r);
  const bothEmpty = emptyish(l) && emptyish(r);
  if (kind === 'list' && !bothEmpty && t.listRelationship !== 'atomic') {
    const li = listItems(Array.isArray(l) ? l : [], t, path, {});
    const ri = listItems(Array.isArray(r) ? r : [], t, path, {});
    if (li && ri) return mergeItems(li, ri, t, path);
  } else if (kind === 'map' && !bothEmpty && !t.mapAtomic) {
    const lo = isObj(l) ? l : {};
    const ro = isObj(r) ? r : {};
    const out: Obj = {};
    for (const k of Object.keys(lo)) {
      const v = walkMerge(lo[k], ro[k], t.fieldOrDeduced(k), [...path, fieldElement(k)]);
      if (v !== undefined) out[k] = v;
    }
    for (const k of Object.keys(ro)) {
      if (k in out || lo[k] !== undefined) continue;
      const v = walkMerge(undefined, ro[k], t.fieldOrDeduced(k), [...path, fieldElement(k)]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return structuredClone(r);
}

function mergeItems(li: Item[], ri: Item[], t: SType, path: PathElement[]): unknown[] {
  const rm = new Map<PathElement, Item>(ri.map((i) => [i.pe, i]));
  const inLive = new Set(li.map((i) => i.pe));
  // rhs items missing from lhs are placed after the rhs item they follow (that is in lhs), else at the end.
  const after = new Map<PathElement | undefined, Item[]>();
  let anchor: PathElement | undefined;
  let started = false;
  for (const it of ri) {
    if (inLive.has(it.pe)) {
      anchor = it.pe;
      started = true;
      continue;
    }
    const key = started ? anchor : '\0start';
    const g = after.get(key);
    if (g) g.push(it);
    else after.set(key, [it]);
  }
  const out: unknown[] = [];
  const emitNew = (key: PathElement | undefined) => {
    for (const it of after.get(key) ?? []) out.push(walkMerge(undefined, it.value, t.elem(), [...path, it.pe]));
    after.delete(key);
  };
  const done = new Set<PathElement>();
  emitNew('\0start');
  for (const it of li) {
    const r = rm.get(it.pe);
    if (it.dup) {
      // Duplicates in the live list: an applied item with that key replaces them all.
      if (r) {
        if (!done.has(it.pe)) out.push(structuredClone(r.value));
      } else out.push(it.value);
    } else {
      const v = walkMerge(it.value, r?.value, t.elem(), [...path, it.pe]);
      if (v !== undefined) out.push(v);
    }
    if (!done.has(it.pe)) {
      done.add(it.pe);
      emitNew(it.pe);
    }
  }
  for (const key of [...after.keys()]) emitNew(key);
  return out;
}

// ---- removal ---------------------------------------------------------------------------------------------------

/**
 * `value` without the members of `set` (a member takes what is under it along). A list or map left empty by the
 * removal becomes null, as upstream (the caller drops nulls).
 */
export function removeItems(value: unknown, set: FieldSet, t: SType): unknown {
  if (set.empty()) return value;
  if (Array.isArray(value)) {
    if (!value.length || t.listRelationship === 'atomic') return value;
    const items = listItems(value, t, [], {});
    if (!items) return value;
    const out: unknown[] = [];
    for (const it of items) {
      if (set.members.has(it.pe)) continue;
      const sub = set.children.get(it.pe);
      out.push(sub ? removeItems(it.value, sub, t.elem()) : it.value);
    }
    return out.length ? out : null;
  }
  if (isObj(value)) {
    if (!Object.keys(value).length || t.mapAtomic) return value;
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const pe = fieldElement(k);
      if (set.members.has(pe)) continue;
      const sub = set.children.get(pe);
      out[k] = sub ? removeItems(v, sub, t.fieldOrDeduced(k)) : v;
    }
    return Object.keys(out).length ? out : null;
  }
  return value;
}

/** Drops null-valued map entries, recursively (what decoding into typed objects does upstream). */
export function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripNulls(v)) as T;
  if (isObj(value)) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = stripNulls(v);
    return out as T;
  }
  return value;
}
