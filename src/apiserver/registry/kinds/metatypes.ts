/**
 * JSON type checks of ObjectMeta: a body whose metadata has the wrong JSON types does not decode upstream, which
 * answers 400 with encoding/json's wording. Run by the store before anything reads the metadata.
 */
const jsonType = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'object' : typeof v;

/** The decode error (`json: cannot unmarshal …`) for a body of kind `kind`, or undefined when the metadata is fine. */
export function metadataTypeError(metadata: unknown, kind: string): string | undefined {
  if (metadata == null) return undefined;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    return `json: cannot unmarshal ${jsonType(metadata)} into Go struct field ${kind}.metadata of type v1.ObjectMeta`;
  }
  const m = metadata as Record<string, unknown>;
  const bad = (got: unknown, field: string, goType: string) =>
    `json: cannot unmarshal ${jsonType(got)} into Go struct field ObjectMeta.metadata.${field} of type ${goType}`;
  for (const f of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion']) {
    if (m[f] != null && typeof m[f] !== 'string') return bad(m[f], f, f === 'uid' ? 'types.UID' : 'string');
  }
  for (const f of ['labels', 'annotations']) {
    const v = m[f];
    if (v == null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) return bad(v, f, 'map[string]string');
    for (const x of Object.values(v as object)) if (x !== null && typeof x !== 'string') return bad(x, f, 'string');
  }
  if (m.finalizers != null) {
    if (!Array.isArray(m.finalizers)) return bad(m.finalizers, 'finalizers', '[]string');
    for (const x of m.finalizers as unknown[]) if (x !== null && typeof x !== 'string') return bad(x, 'finalizers', 'string');
  }
  if (m.ownerReferences != null) {
    if (!Array.isArray(m.ownerReferences)) return bad(m.ownerReferences, 'ownerReferences', '[]v1.OwnerReference');
    for (const r of m.ownerReferences as unknown[]) {
      if (r !== null && (typeof r !== 'object' || Array.isArray(r))) return bad(r, 'ownerReferences', 'v1.OwnerReference');
      const ref = (r ?? {}) as Record<string, unknown>;
      for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (ref[f] != null && typeof ref[f] !== 'string') return bad(ref[f], `ownerReferences.${f}`, 'string');
      for (const f of ['controller', 'blockOwnerDeletion']) if (ref[f] != null && typeof ref[f] !== 'boolean') return bad(ref[f], `ownerReferences.${f}`, 'bool');
    }
  }
  if (m.generation != null && typeof m.generation !== 'number') return bad(m.generation, 'generation', 'int64');
  return undefined;
}
