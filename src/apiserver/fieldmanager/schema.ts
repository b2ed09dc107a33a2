/**
 * What structured merge needs to know about a place in an object, read from the OpenAPI SchemaNode (or from the
 * narrower patch SchemaNode, or from nothing at all):
 *
 *   lists   atomic (owned and replaced as a whole; the default), set (items by value: v:...), or map (items by
 *           their keys: k:{...}). x-kubernetes-list-type wins; else patch strategy "merge" means a map keyed by the
 *           patch merge key, or a set without one (as upstream's OpenAPI → SMD schema conversion).
 *   objects a struct (named fields), or a map (additionalProperties); either may be atomic
 *           (x-kubernetes-map-type / +structType=atomic: owned and replaced as a whole) or granular.
 *   unknown "deduced": maps granular with deduced values, lists atomic, the rest leaves (upstream's untyped
 *           schema). Used where there is no schema, under preserve-unknown-fields, and for opaque types.
 */
import { keyElement, valueElement, type PathElement } from './fieldpath.ts';

/** The schema navigation the field manager uses: the OpenAPI SchemaNode satisfies it; most members are optional. */
export interface FieldSchema {
  type?: string;
  field(name: string): FieldSchema | undefined;
  items(): FieldSchema | undefined;
  fieldNames?(): string[];
  isMap?: boolean;
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  intOrString?: boolean;
  preserveUnknownFields?: boolean;
  opaque?: boolean;
  raw?: object;
}

export type ListRelationship = 'atomic' | 'set' | 'map';

/** A resolved, memoized view of one place in the schema. */
export class SType {
  /** No schema: maps granular (values deduced), lists atomic. */
  static readonly DEDUCED = new SType(undefined, 'deduced');
  /** Inside a deduced list: everything atomic. */
  static readonly ATOMIC = new SType(undefined, 'atomic');

  private static readonly memo = new WeakMap<object, SType>();

  static of(node: FieldSchema | undefined): SType {
    if (!node) return SType.DEDUCED;
    const key = node.raw ?? node;
    let t = SType.memo.get(key);
    if (!t) SType.memo.set(key, (t = new SType(node, 'typed')));
    return t;
  }

  private readonly fields = new Map<string, SType | null>();
  private elemType: SType | undefined;

  private constructor(
    readonly node: FieldSchema | undefined,
    readonly mode: 'typed' | 'deduced' | 'atomic',
  ) {}

  private get typed(): FieldSchema | undefined {
    const n = this.node;
    if (!n || this.mode !== 'typed') return undefined;
    if (n.opaque) return undefined;
    return n;
  }

  // ---- lists ---------------------------------------------------------------------------------------------------

  get listRelationship(): ListRelationship {
    const n = this.typed;
    if (!n) return 'atomic';
    if (n.listType) return n.listType;
    const strategy = (n.patchStrategy ?? '').split(',').map((s) => s.trim());
    if (strategy.includes('merge')) return n.patchMergeKey ? 'map' : 'set';
    return 'atomic';
  }

  get listKeys(): string[] {
    const n = this.typed;
    if (!n) return [];
    if (n.listType === 'map') return n.listMapKeys ?? (n.patchMergeKey ? [n.patchMergeKey] : []);
    if (!n.listType && this.listRelationship === 'map' && n.patchMergeKey) return [n.patchMergeKey];
    return [];
  }

  /** The type of list items or map values. */
  elem(): SType {
    if (this.elemType) return this.elemType;
    let t: SType;
    if (this.mode === 'atomic') t = SType.ATOMIC;
    else if (this.mode === 'deduced') t = SType.DEDUCED; // for maps; lists of deduced are atomic anyway
    else if (this.node!.opaque) t = SType.DEDUCED;
    else {
      const items = this.node!.items();
      t = items ? SType.of(items) : SType.DEDUCED;
    }
    return (this.elemType = t);
  }

  /** A default for a missing list-map key (upstream takes it from the schema; `protocol` defaults to TCP). */
  keyDefault(name: string): unknown {
    const f = this.elem().typed?.field(name);
    const raw = (f?.raw ?? {}) as { default?: unknown };
    if (raw.default !== undefined) return raw.default;
    if (name === 'protocol') return 'TCP';
    return undefined;
  }

  // ---- objects -------------------------------------------------------------------------------------------------

  /** Owned and replaced as a whole (x-kubernetes-map-type: atomic, or inside an atomic list). */
  get mapAtomic(): boolean {
    if (this.mode === 'atomic') return true;
    return this.typed?.mapType === 'atomic';
  }

  /** A struct with named fields, as opposed to a map or an untyped object. */
  get isStruct(): boolean {
    const n = this.typed;
    return !!n && n.type === 'object' && !n.isMap && (n.fieldNames ? n.fieldNames().length > 0 : true);
  }

  /** Whether `name` is a declared field of this struct. */
  declares(name: string): boolean {
    return this.isStruct && this.field(name) !== undefined;
  }

  /** Unknown fields are an error in an applied configuration (a typed struct without preserve-unknown-fields). */
  get strict(): boolean {
    const n = this.typed;
    return this.isStruct && !n!.preserveUnknownFields && !n!.isMap;
  }

  /** The type of a struct field (undefined if undeclared) — for maps, the value type. */
  field(name: string): SType | undefined {
    if (this.mode === 'atomic') return SType.ATOMIC;
    if (this.mode === 'deduced') return SType.DEDUCED;
    const cached = this.fields.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const n = this.node!;
    let t: SType | undefined;
    if (n.opaque) t = SType.DEDUCED;
    else if (n.isMap) t = this.elem();
    else {
      const f = n.field(name);
      t = f ? SType.of(f) : undefined;
    }
    this.fields.set(name, t ?? null);
    return t;
  }

  /** The type of the value under `name`, falling back to deduced for undeclared fields. */
  fieldOrDeduced(name: string): SType {
    return this.field(name) ?? SType.DEDUCED;
  }
}

/**
 * The path element of one list item: k:{...} for a list map, v:... for a set. Undefined when the item cannot be
 * keyed (a missing key without a default, or a non-object in a list map): `reason` says why.
 */
export function itemElement(list: SType, item: unknown): { pe?: PathElement; reason?: string } {
  const rel = list.listRelationship;
  if (rel === 'set') return { pe: valueElement(item) };
  if (rel !== 'map') return {};
  const keys = list.listKeys;
  if (!keys.length) return { pe: valueElement(item) };
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { reason: 'associative list with keys may not have non-map elements' };
  }
  const o = item as Record<string, unknown>;
  const k: Record<string, unknown> = {};
  for (const name of keys) {
    let v = o[name];
    if (v === undefined || v === null) v = list.keyDefault(name);
    if (v === undefined) {
      return { reason: `associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)` };
    }
    k[name] = v;
  }
  return { pe: keyElement(k) };
}
