/**
 * The schema metadata strategic merge patch needs, as the OpenAPI layer provides it.
 *
 * A node describes one value. For an object with named fields, field(name) gives the node of that field; for an
 * array, items() gives the node of its elements; for a map (additionalProperties), items() gives the node of its
 * values. The patch metadata sits on the node of the field it applies to, as the x-kubernetes-* extensions do in
 * the published OpenAPI: PodSpec's `containers` field node is the array node with patchStrategy 'merge' and
 * patchMergeKey 'name', and its items() is the Container node.
 *
 * Where a node is missing (a field the schema does not know), strategic merge falls back to JSON merge patch
 * behaviour for that subtree: objects merge key by key, lists are replaced.
 */
export interface SchemaNode {
  /** OpenAPI type: 'object', 'array', 'string', 'integer', ... (informational; patching goes by the data). */
  type?: string;
  /** The node of an object's field, or undefined if unknown. */
  field(name: string): SchemaNode | undefined;
  /** The node of an array's items, or of a map's values; undefined if unknown. */
  items(): SchemaNode | undefined;
  /** x-kubernetes-patch-strategy: 'merge', 'replace', 'retainKeys', or a pair such as 'merge,retainKeys'. */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key: the key identifying the items of a merge list of objects. */
  patchMergeKey?: string;
  /** x-kubernetes-list-type. Not used by strategic merge patch (upstream ignores it too); carried for other users. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys. Used only as a fallback merge key: see mergeKeyOf in strategic-merge-patch.ts. */
  listMapKeys?: string[];
}

/** A patchStrategy string split into its retainKeys flag and its other strategy ('' when none). */
export interface ParsedPatchStrategy {
  retainKeys: boolean;
  strategy: '' | 'merge' | 'replace' | string;
}

/**
 * Splits a patchStrategy. Accepts '', one strategy, or retainKeys plus one other in either order; returns
 * undefined for anything else (upstream: "unexpected patch strategy").
 */
export function parsePatchStrategy(value: string | undefined): ParsedPatchStrategy | undefined {
  if (!value) return { retainKeys: false, strategy: '' };
  const parts = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) return { retainKeys: false, strategy: '' };
  if (parts.length === 1) {
    return parts[0] === 'retainKeys' ? { retainKeys: true, strategy: '' } : { retainKeys: false, strategy: parts[0]! };
  }
  if (parts.length === 2) {
    if (parts[0] === 'retainKeys') return { retainKeys: true, strategy: parts[1]! };
    if (parts[1] === 'retainKeys') return { retainKeys: true, strategy: parts[0]! };
  }
  return undefined;
}

/**
 * A plain description of a schema, for hand-written schemas and test fixtures. `properties` are an object's
 * fields, `items` an array's elements, `additionalProperties` a map's values. Object identity may be shared and
 * cyclic (a recursive type refers to itself).
 */
export interface SchemaDef {
  type?: string;
  properties?: Record<string, SchemaDef>;
  items?: SchemaDef;
  additionalProperties?: SchemaDef;
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

/** A SchemaNode over a SchemaDef. */
export function schemaFromDef(def: SchemaDef): SchemaNode {
  const cache = new Map<SchemaDef, SchemaNode>();
  const node = (d: SchemaDef): SchemaNode => {
    let n = cache.get(d);
    if (n) return n;
    n = {
      type: d.type,
      patchStrategy: d.patchStrategy,
      patchMergeKey: d.patchMergeKey,
      listType: d.listType,
      listMapKeys: d.listMapKeys,
      field: (name) => {
        const props = d.properties;
        const p = props && Object.prototype.hasOwnProperty.call(props, name) ? props[name] : undefined;
        return p ? node(p) : undefined;
      },
      items: () => {
        const i = d.items ?? d.additionalProperties;
        return i ? node(i) : undefined;
      },
    };
    cache.set(d, n);
    return n;
  };
  return node(def);
}
