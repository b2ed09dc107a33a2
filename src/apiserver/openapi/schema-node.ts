/**
 * Navigation over the component schemas for strategic merge patch and server-side apply.
 *
 * A node stands for one place in an object: the schema written at that place (`raw`: a property, an array's
 * `items`, a map's `additionalProperties`, or a component) and the schema it resolves to after `allOf`/`$ref`
 * (`resolved`). Directives that upstream writes on the field (patch strategy, merge key, list type, list-map keys)
 * are read from `raw`; `mapType` and `preserveUnknownFields` also fall back to the referenced type, where upstream
 * marks atomic structs (`+structType=atomic`).
 */

import { REF_PREFIX, type GVK, type Schema } from './generate.ts';

export interface SchemaNode {
  /** 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'; undefined for IntOrString, Quantity, untyped */
  type?: string;
  format?: string;
  description?: string;
  /** component name when this place refers to a named schema (io.k8s.api.core.v1.Container) */
  name?: string;
  /** object property (follows $ref/allOf) */
  field(name: string): SchemaNode | undefined;
  /** array items, or map values (additionalProperties) */
  items(): SchemaNode | undefined;
  /** property names of an object with a fixed set of fields */
  fieldNames(): string[];
  required: string[];
  /** the GVKs of a top-level kind */
  gvk: GVK[];
  /** object with additionalProperties (a map), as opposed to a struct with properties */
  isMap: boolean;
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
  intOrString?: boolean;
  preserveUnknownFields?: boolean;
  /** an object whose content is not described (RawExtension, FieldsV1, Patch, JSON): treat as an opaque value */
  opaque: boolean;
  /** the schema written at this place */
  raw: object;
  /** the schema after following allOf/$ref */
  resolved: object;
}

export type SchemaLookup = (name: string) => Schema | undefined;

/** Follows `allOf: [x]` and `$ref` chains; returns the final schema and the last component name seen. */
export function resolveSchema(s: Schema, lookup: SchemaLookup): { schema: Schema; name?: string } {
  let cur = s;
  let name: string | undefined;
  for (let i = 0; i < 32; i++) {
    if (cur.allOf && cur.allOf.length === 1 && !cur.properties && !cur.type) {
      cur = cur.allOf[0];
      continue;
    }
    if (cur.$ref) {
      const n = cur.$ref.startsWith(REF_PREFIX) ? cur.$ref.slice(REF_PREFIX.length) : cur.$ref;
      const next = lookup(n);
      if (!next) throw new Error(`openapi: unresolved reference ${cur.$ref}`);
      name = n;
      cur = next;
      continue;
    }
    break;
  }
  return { schema: cur, name };
}

export class Node implements SchemaNode {
  readonly resolved: Schema;
  readonly name?: string;

  constructor(
    readonly raw: Schema,
    private readonly lookup: SchemaLookup,
    name?: string,
  ) {
    const r = resolveSchema(raw, lookup);
    this.resolved = r.schema;
    this.name = r.name ?? name;
  }

  get type() {
    return this.resolved.type;
  }
  get format() {
    return this.resolved.format ?? this.raw.format;
  }
  get description() {
    return this.raw.description ?? this.resolved.description;
  }
  get required() {
    return this.resolved.required ?? [];
  }
  get gvk() {
    return this.resolved['x-kubernetes-group-version-kind'] ?? [];
  }
  get isMap() {
    const ap = this.resolved.additionalProperties;
    return this.resolved.type === 'object' && !!ap && typeof ap === 'object';
  }
  get patchStrategy() {
    return this.raw['x-kubernetes-patch-strategy'];
  }
  get patchMergeKey() {
    return this.raw['x-kubernetes-patch-merge-key'];
  }
  get listType() {
    return this.raw['x-kubernetes-list-type'] ?? this.resolved['x-kubernetes-list-type'];
  }
  get listMapKeys() {
    return this.raw['x-kubernetes-list-map-keys'] ?? this.resolved['x-kubernetes-list-map-keys'];
  }
  get mapType() {
    return this.raw['x-kubernetes-map-type'] ?? this.resolved['x-kubernetes-map-type'];
  }
  get intOrString() {
    return (
      this.resolved.format === 'int-or-string' ||
      this.raw['x-kubernetes-int-or-string'] === true ||
      this.resolved['x-kubernetes-int-or-string'] === true
    );
  }
  get preserveUnknownFields() {
    return this.raw['x-kubernetes-preserve-unknown-fields'] ?? this.resolved['x-kubernetes-preserve-unknown-fields'];
  }
  get opaque() {
    const s = this.resolved;
    return s.type === 'object' && !s.properties && !s.additionalProperties;
  }

  field(name: string): SchemaNode | undefined {
    const prop = this.resolved.properties?.[name];
    return prop ? new Node(prop, this.lookup) : undefined;
  }

  items(): SchemaNode | undefined {
    const s = this.resolved;
    if (s.items) return new Node(s.items, this.lookup);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return new Node(s.additionalProperties, this.lookup);
    return undefined;
  }

  fieldNames(): string[] {
    return Object.keys(this.resolved.properties ?? {});
  }
}
