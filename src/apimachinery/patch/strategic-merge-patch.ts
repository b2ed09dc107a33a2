/**
 * Strategic merge patch: application/strategic-merge-patch+json, as kube-apiserver applies it to built-in types
 * (the apply half of k8s.io/apimachinery/pkg/util/strategicpatch, reimplemented).
 *
 * What it does, by value kind, with the schema node of the field (see schema.ts):
 *  - objects merge key by key; a null value deletes the key; a field whose patchStrategy is 'replace' is replaced.
 *  - lists whose patchStrategy is 'merge' are merged: lists of objects by patchMergeKey (an item with a known key
 *    is merged into the existing one, a new one is added), lists of scalars as sets (union, duplicates dropped).
 *  - every other list is replaced whole ("atomic"), as is any list or object of a field the schema does not know
 *    (JSON merge patch behaviour).
 *
 * Directives:
 *  - `$patch: replace` in an object: the object becomes the rest of that patch object.
 *  - `$patch: delete` in an object: the object becomes {} (upstream keeps the key with an empty object; a new key
 *    with `$patch: delete` is not added).
 *  - `$patch: merge` in an object or merge-list item: ignored (the default). Upstream rejects it ("unknown patch
 *    type" / "merging lists cannot yet be specified"); accepting it is harmless.
 *  - `{<mergeKey>: v, $patch: delete}` in a merge list: every item with that key is removed.
 *  - `{$patch: replace}` (any item carrying `$patch: replace`) in a merge list: the list becomes the patch's other
 *    items.
 *  - `$deleteFromPrimitiveList/<field>: [...]`: those values are removed from the scalar list <field>.
 *  - `$setElementOrder/<field>: [...]`: after merging, the merge list <field> is ordered as given (items by their
 *    merge key, or scalar values); items the list does not name (added by others on the server) keep their
 *    relative order and are interleaved by their position in the live list.
 *  - `$retainKeys: [...]`: keys of the live object not in the list are dropped before merging; a patch key not in
 *    the list is an error (400).
 * Keys starting with "$" that are none of these are ordinary data (CRD schemas have `$ref`, `$schema`).
 *
 * Ordering of a merge list without `$setElementOrder` follows upstream: items named by the patch come in patch
 * order, live-only items in live order, and the two are interleaved by the live positions; an item new to the list
 * is emitted at the point the patch order reaches it, so `kubectl patch` adding a container puts it first.
 *
 * Values copied from the patch into the result (new keys, replaced lists and objects) never carry patch
 * artefacts: nulls inside them are dropped and directives are applied or removed, the way upstream discards null
 * values and directive-bearing objects from values it takes over.
 */

import { InvalidPatchError, MalformedPatchError, StrategicMergePatchError } from './errors.ts';
import {
  brief,
  clonePatch,
  deepClone,
  deepEqual,
  deleteOwn,
  getOwn,
  hasOwn,
  isObject,
  jsonKind,
  setOwn,
  type JsonObject,
  type JsonValue,
} from './json.ts';
import { parsePatchStrategy, type SchemaNode } from './schema.ts';

export const DIRECTIVE_MARKER = '$patch';
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/**
 * Applies a strategic merge patch to `original` and returns the result; neither input is modified.
 * `patch` must be a JSON object (MalformedPatchError otherwise). Without a schema every field is unknown and the
 * result is that of a JSON merge patch, with directives still honoured.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema?: SchemaNode): JsonObject {
  const p = clonePatch(patch, (msg) => new MalformedPatchError(msg, { format: 'strategic-merge-patch' }));
  if (!isObject(p)) {
    throw new MalformedPatchError(`a strategic merge patch must be a JSON object, got ${jsonKind(p)}`, {
      format: 'strategic-merge-patch',
    });
  }
  const base: JsonObject = isObject(original) ? deepClone(original) : {};
  return mergeMap(base, p, schema, '');
}

/** Marks "no value": the key is to be left out. */
const ABSENT: unique symbol = Symbol('absent');
type Maybe = JsonValue | typeof ABSENT;

// ---------------------------------------------------------------------------------------------------------------
// Errors

function smpError(path: string, message: string): StrategicMergePatchError {
  return new StrategicMergePatchError(path ? `${path}: ${message}` : message, {
    format: 'strategic-merge-patch',
    path: path || undefined,
  });
}

function badFormat(path: string, message: string): MalformedPatchError {
  return new MalformedPatchError(path ? `${path}: ${message}` : message, {
    format: 'strategic-merge-patch',
    path: path || undefined,
  });
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema lookups

function fieldSchema(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!schema) return undefined;
  return schema.field(key) ?? schema.items();
}

function strategyOf(schema: SchemaNode | undefined, path: string): string {
  const parsed = parsePatchStrategy(schema?.patchStrategy);
  if (!parsed) throw smpError(path, `unexpected patch strategy ${JSON.stringify(schema?.patchStrategy)}`);
  return parsed.strategy;
}

/**
 * The merge key of a merge list: patchMergeKey, or else the only x-kubernetes-list-map-keys entry. (Upstream
 * knows only patchMergeKey and fails such a list with "cannot merge lists without merge key".)
 */
function mergeKeyOf(schema: SchemaNode | undefined): string | undefined {
  if (schema?.patchMergeKey) return schema.patchMergeKey;
  const keys = schema?.listMapKeys;
  return keys && keys.length === 1 ? keys[0] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Maps

/**
 * Merges `patch` into `original` and returns the result. Both are private copies and are consumed: `original` is
 * modified in place and directive keys are removed from `patch`.
 */
function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined, path: string): JsonObject {
  if (hasOwn(patch, DIRECTIVE_MARKER)) {
    const directive = patch[DIRECTIVE_MARKER];
    deleteOwn(patch, DIRECTIVE_MARKER);
    switch (directive) {
      case 'replace':
        return mergeMap({}, patch, schema, path);
      case 'delete':
        return {};
      case 'merge':
        break;
      default:
        throw smpError(path, `unknown patch type ${brief(directive)} in ${brief(patch)}`);
    }
  }

  applyRetainKeys(original, patch, path);
  applySetElementOrder(original, patch, schema, path);

  const deletions: Array<[field: string, values: JsonValue]> = [];
  for (const key of Object.keys(patch)) {
    const patchValue = patch[key]!;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      deletions.push([directiveField(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX, path), patchValue]);
      continue;
    }
    if (patchValue === null) {
      deleteOwn(original, key);
      continue;
    }
    const childPath = join(path, key);
    const merged = mergeValue(getOwn(original, key), patchValue, fieldSchema(schema, key), childPath);
    if (merged === ABSENT) deleteOwn(original, key);
    else setOwn(original, key, merged);
  }

  for (const [field, values] of deletions) {
    const fieldPath = join(path, `${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/${field}`);
    if (!Array.isArray(values)) throw badFormat(fieldPath, `must be a list, got ${jsonKind(values)}`);
    const current = getOwn(original, field);
    if (!Array.isArray(current)) continue; // nothing to delete from
    setOwn(
      original,
      field,
      current.filter((v) => !values.some((d) => deepEqual(d, v))),
    );
  }
  return original;
}

/** The field named by a `$directive/<field>` key; 400 if the key is not of that form. */
function directiveField(key: string, prefix: string, path: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badFormat(path, `invalid directive key ${JSON.stringify(key)}: expected "${prefix}/<field>"`);
  }
  return key.slice(slash + 1);
}

/** `$retainKeys`: drop keys of `original` not listed; every non-null patch key must be listed. */
function applyRetainKeys(original: JsonObject, patch: JsonObject, path: string): void {
  if (!hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const list = patch[RETAIN_KEYS_DIRECTIVE];
  deleteOwn(patch, RETAIN_KEYS_DIRECTIVE);
  const where = join(path, RETAIN_KEYS_DIRECTIVE);
  if (!Array.isArray(list)) throw badFormat(where, `must be a list, got ${jsonKind(list)}`);
  const retain = new Set<unknown>(list);
  for (const key of Object.keys(patch)) {
    if (patch[key] === null) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!retain.has(key)) {
      throw badFormat(
        where,
        `the patch sets ${JSON.stringify(key)}, which is not in the $retainKeys list ${brief(list)}`,
      );
    }
  }
  for (const key of Object.keys(original)) {
    if (!retain.has(key)) deleteOwn(original, key);
  }
}

/**
 * `$setElementOrder/<field>`: merges the patch list of <field> (if any) into the live list and orders the result;
 * the patch list is consumed so the main loop does not merge it again.
 */
function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  schema: SchemaNode | undefined,
  path: string,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const order = patch[key]!;
    deleteOwn(patch, key);
    const field = directiveField(key, SET_ELEMENT_ORDER_PREFIX, path);
    const fieldPath = join(path, field);
    if (!Array.isArray(order)) {
      throw badFormat(join(path, key), `must be a list, got ${jsonKind(order)}`);
    }
    const listSchema = fieldSchema(schema, field);
    // Only merge lists have an order to keep; elsewhere the directive has nothing to act on.
    if (strategyOf(listSchema, fieldPath) !== 'merge') continue;

    const live = getOwn(original, field);
    const patchList = getOwn(patch, field);
    const liveList = Array.isArray(live) ? live : undefined;
    if (patchList !== undefined && !Array.isArray(patchList)) continue; // null or a non-list: handled as a plain key
    if (liveList === undefined && patchList === undefined) continue;

    const mergeKey = mergeKeyOf(listSchema);
    if (patchList !== undefined) validateAgainstOrder(patchList, order, mergeKey, fieldPath);

    const merged =
      patchList === undefined
        ? liveList!
        : mergeList(liveList ?? [], patchList, listSchema, fieldPath);
    deleteOwn(patch, field);

    // Objects are identified by their merge key, scalars by value.
    let byKey = identity;
    if (merged.some(isObject)) {
      if (mergeKey === undefined) {
        setOwn(original, field, merged); // a list of objects without a merge key has no order to apply
        continue;
      }
      for (const item of order) {
        if (!isObject(item) || !hasOwn(item, mergeKey)) {
          throw smpError(
            fieldPath,
            `$setElementOrder item ${brief(item)} has no merge key ${JSON.stringify(mergeKey)}`,
          );
        }
      }
      byKey = byMergeKey(mergeKey);
    }
    setOwn(original, field, orderList(merged, order, liveList ?? [], byKey));
  }
}

/**
 * The items of a patch list other than `$patch` ones must appear in the `$setElementOrder` list, in the same
 * relative order.
 */
function validateAgainstOrder(
  patchList: JsonValue[],
  order: JsonValue[],
  mergeKey: string | undefined,
  path: string,
): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = patchList.filter((v) => !(isObject(v) && hasOwn(v, DIRECTIVE_MARKER)));
  const keyOf = (v: JsonValue): unknown => {
    if (mergeKey === undefined) return v;
    if (!isObject(v)) {
      throw smpError(path, `expected an object with merge key ${JSON.stringify(mergeKey)}, got ${brief(v)}`);
    }
    if (!hasOwn(v, mergeKey)) throw smpError(path, `${brief(v)} has no merge key ${JSON.stringify(mergeKey)}`);
    return v[mergeKey];
  };
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) {
    if (sameKey(keyOf(items[p]!), keyOf(order[o]!))) p++;
  }
  if (p < items.length) {
    throw smpError(
      path,
      `the order of the patch list ${brief(patchList)} does not match ` +
        `the ${SET_ELEMENT_ORDER_PREFIX} list ${brief(order)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Merges a non-null patch value into the live value (undefined when the key is absent). */
function mergeValue(
  live: JsonValue | undefined,
  patch: JsonValue,
  schema: SchemaNode | undefined,
  path: string,
): Maybe {
  if (live === undefined || live === null) return materialize(patch, schema, path);
  if (isObject(live) && isObject(patch)) {
    if (strategyOf(schema, path) === 'replace') return materialize(patch, schema, path);
    return mergeMap(live, patch, schema, path);
  }
  if (Array.isArray(live) && Array.isArray(patch)) {
    if (strategyOf(schema, path) === 'merge') return mergeList(live, patch, schema, path);
    return atomicList(patch, schema, path);
  }
  // Scalars, and values whose kind changes, are replaced.
  return materialize(patch, schema, path);
}

/** A patch value applied to nothing: what it becomes when taken over into the result. */
function materialize(patch: JsonValue, schema: SchemaNode | undefined, path: string): Maybe {
  if (isObject(patch)) {
    if (hasOwn(patch, DIRECTIVE_MARKER) && patch[DIRECTIVE_MARKER] === 'delete') return ABSENT;
    return mergeMap({}, patch, schema, path);
  }
  if (Array.isArray(patch)) {
    if (strategyOf(schema, path) === 'merge') return mergeList([], patch, schema, path);
    return atomicList(patch, schema, path);
  }
  return patch;
}

/** A list that replaces the live one whole: items carrying `$patch` are dropped, the rest taken over. */
function atomicList(patch: JsonValue[], schema: SchemaNode | undefined, path: string): JsonValue[] {
  const itemSchema = schema?.items();
  const out: JsonValue[] = [];
  patch.forEach((item, i) => {
    if (isObject(item) && hasOwn(item, DIRECTIVE_MARKER)) return;
    const v = item === null ? null : materialize(item, itemSchema, `${path}[${i}]`);
    if (v !== ABSENT) out.push(v);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Merge lists

/** Merges a patch list into a live list with merge semantics. Live items are private copies and are consumed. */
function mergeList(live: JsonValue[], patch: JsonValue[], schema: SchemaNode | undefined, path: string): JsonValue[] {
  if (live.length === 0 && patch.length === 0) return live;
  const kind = elementKind(live, patch, path);

  if (kind !== 'object') {
    const merged = uniqueScalars([...live, ...patch]);
    return orderList(merged, patch, live, identity);
  }

  const mergeKey = mergeKeyOf(schema);
  if (mergeKey === undefined) throw smpError(path, 'cannot merge lists of objects without a merge key');
  const itemSchema = schema?.items();
  const itemPath = (v: JsonObject): string => `${path}[${mergeKey}=${brief(getOwn(v, mergeKey), 60)}]`;

  // Directive items first: deletions apply to the live list, a replace marker replaces it.
  let base = live as JsonObject[];
  const items: JsonObject[] = [];
  let replace = false;
  for (const raw of patch as JsonObject[]) {
    if (!hasOwn(raw, DIRECTIVE_MARKER)) {
      items.push(raw);
      continue;
    }
    const directive = raw[DIRECTIVE_MARKER];
    switch (directive) {
      case 'delete': {
        if (!hasOwn(raw, mergeKey)) {
          throw smpError(path, `delete directive ${brief(raw)} has no merge key ${JSON.stringify(mergeKey)}`);
        }
        const target = raw[mergeKey];
        base = base.filter((v) => !(hasOwn(v, mergeKey) && sameKey(v[mergeKey], target)));
        break;
      }
      case 'replace':
        replace = true;
        break;
      case 'merge':
        deleteOwn(raw, DIRECTIVE_MARKER);
        if (Object.keys(raw).length > 0) items.push(raw);
        break;
      default:
        throw smpError(path, `unknown patch type ${brief(directive)} in ${brief(raw)}`);
    }
  }

  if (replace) {
    const out: JsonValue[] = [];
    for (const item of items) {
      const v = materialize(item, itemSchema, itemPath(item));
      if (v !== ABSENT) out.push(v);
    }
    return out;
  }

  const merged: JsonObject[] = [...base];
  for (const item of items) {
    if (!hasOwn(item, mergeKey)) {
      throw smpError(path, `${brief(item)} has no merge key ${JSON.stringify(mergeKey)}`);
    }
    const key = item[mergeKey];
    const at = merged.findIndex((v) => hasOwn(v, mergeKey) && sameKey(v[mergeKey], key));
    if (at >= 0) {
      merged[at] = mergeMap(merged[at]!, item, itemSchema, itemPath(item));
    } else {
      const v = materialize(item, itemSchema, itemPath(item));
      if (isObject(v)) merged.push(v);
    }
  }
  return orderList(merged, items, base, byMergeKey(mergeKey));
}

type Kind = ReturnType<typeof jsonKind>;

/** All items of both lists must be of one kind, and not lists. */
function elementKind(live: JsonValue[], patch: JsonValue[], path: string): Kind {
  let kind: Kind | undefined;
  for (const v of [...live, ...patch]) {
    const k = jsonKind(v);
    if (k === 'array') {
      throw new InvalidPatchError(`${path}: lists of lists are not supported`, {
        format: 'strategic-merge-patch',
        path,
      });
    }
    if (kind === undefined) kind = k;
    else if (kind !== k) {
      throw smpError(path, `list items are not all of one type: ${brief(live)} and ${brief(patch)}`);
    }
  }
  return kind ?? 'null';
}

function uniqueScalars(values: JsonValue[]): JsonValue[] {
  const seen = new Set<JsonValue>();
  const out: JsonValue[] = [];
  for (const v of values) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

type KeyFn = (v: JsonValue) => unknown;

const identity: KeyFn = (v) => v;

function byMergeKey(mergeKey: string): KeyFn {
  return (v) => (isObject(v) ? getOwn(v, mergeKey) : undefined);
}

/** Merge keys and scalar items compare as Go interface values do: same type, same value. */
function sameKey(a: unknown, b: unknown): boolean {
  return a === b;
}

/**
 * Orders a merged list. Items named by `patchOrder` come in that order; the others ("server-only") keep the order
 * of `serverOrder` (the live list); the two runs are interleaved: at each step the server-only item is taken
 * first only if both it and the next patch item are in the live list and it comes earlier there.
 */
function orderList(merged: JsonValue[], patchOrder: JsonValue[], serverOrder: JsonValue[], keyOf: KeyFn): JsonValue[] {
  const patchIndex = firstIndex(patchOrder, keyOf);
  const serverIndex = firstIndex(serverOrder, keyOf);
  const fromPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of merged) (patchIndex.has(keyOf(v)) ? fromPatch : serverOnly).push(v);
  sortByIndex(fromPatch, patchIndex, keyOf);
  sortByIndex(serverOnly, serverIndex, keyOf);

  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length && j < fromPatch.length) {
    const li = serverIndex.get(keyOf(serverOnly[i]!));
    const ri = serverIndex.get(keyOf(fromPatch[j]!));
    if (li !== undefined && ri !== undefined && li < ri) out.push(serverOnly[i++]!);
    else out.push(fromPatch[j++]!);
  }
  while (i < serverOnly.length) out.push(serverOnly[i++]!);
  while (j < fromPatch.length) out.push(fromPatch[j++]!);
  return out;
}

function firstIndex(list: JsonValue[], keyOf: KeyFn): Map<unknown, number> {
  const index = new Map<unknown, number>();
  list.forEach((v, i) => {
    const k = keyOf(v);
    if (!index.has(k)) index.set(k, i);
  });
  return index;
}

/** Stable sort by position in an index; items not in it go last, in their current order. */
function sortByIndex(list: JsonValue[], index: Map<unknown, number>, keyOf: KeyFn): void {
  const pos = (v: JsonValue): number => index.get(keyOf(v)) ?? Number.MAX_SAFE_INTEGER;
  list.sort((a, b) => pos(a) - pos(b));
}
