/**
 * JSON Merge Patch (RFC 7386): application/merge-patch+json.
 *
 * An object patch is merged key by key into the target (a non-object target counts as {}): null removes the key,
 * any other value is merged recursively. Anything that is not an object (arrays included) replaces the target
 * wholesale. Arrays are taken as they are; nulls inside them are values, not deletions.
 */

import { MalformedPatchError } from './errors.ts';
import {
  clonePatch,
  deepClone,
  deepEqual,
  deleteOwn,
  getOwn,
  isObject,
  setOwn,
  type JsonObject,
  type JsonValue,
} from './json.ts';

/** Applies a merge patch and returns the result; neither input is modified. */
export function applyMergePatch(target: unknown, patch: unknown): JsonValue {
  const p = clonePatch(patch, (msg) => new MalformedPatchError(msg, { format: 'merge-patch' }));
  if (!isObject(p)) return p;
  const result: JsonObject = isObject(target) ? deepClone(target) : {};
  mergeInto(result, p);
  return result;
}

/** Merges `patch` into `target` in place; both must be private copies (values of `patch` are taken over). */
function mergeInto(target: JsonObject, patch: JsonObject): void {
  for (const key of Object.keys(patch)) {
    const value = patch[key]!;
    if (value === null) {
      deleteOwn(target, key);
    } else if (isObject(value)) {
      const current = getOwn(target, key);
      const next: JsonObject = isObject(current) ? current : {};
      mergeInto(next, value);
      setOwn(target, key, next);
    } else {
      setOwn(target, key, value);
    }
  }
}

/**
 * The merge patch that turns `original` into `modified` (both objects): changed keys with their new values,
 * removed keys as null, nested objects diffed recursively, arrays replaced whole. Applying the result with
 * applyMergePatch(original, ...) yields `modified`, provided `modified` holds no nulls (RFC 7386 cannot express
 * them).
 */
export function createMergePatch(original: JsonObject, modified: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(original)) {
    if (getOwn(modified, key) === undefined) setOwn(patch, key, null);
  }
  for (const key of Object.keys(modified)) {
    const before = getOwn(original, key);
    const after = modified[key]!;
    if (isObject(before) && isObject(after)) {
      const sub = createMergePatch(before, after);
      if (Object.keys(sub).length > 0) setOwn(patch, key, sub);
    } else if (before === undefined || !deepEqual(before, after)) {
      setOwn(patch, key, deepClone(after));
    }
  }
  return patch;
}
