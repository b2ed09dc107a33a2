/**
 * JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): application/json-patch+json.
 *
 * Operations apply in order to a copy of the document; the first one that fails aborts the whole patch and the
 * input is left untouched. Departures from the letter of the RFC, all matching kube-apiserver (which uses
 * evanphx/json-patch v4 with its defaults):
 *  - array indices may be negative and then count from the end (-1 is the last element; for "add", -1 appends);
 *  - indices with leading zeros ("01") are read as decimal numbers.
 * Where the RFC and that library differ in a way no client relies on, the RFC wins: an add/replace/test without
 * "value" is an error (the library would use null), and an invalid "~" escape in a pointer is an error.
 */

import { InvalidPatchError, MalformedPatchError, PatchTooLargeError } from './errors.ts';
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

/** kube-apiserver refuses JSON patches with more operations than this (413). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

export type JsonPatchOperation =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: JsonValue };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/**
 * Splits a JSON Pointer into its unescaped reference tokens. "" is the whole document. Throws InvalidPatchError for
 * a pointer not starting with "/" or holding a "~" not followed by 0 or 1.
 */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (pointer[0] !== '/') {
    throw new InvalidPatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`, {
      format: 'json-patch',
      path: pointer,
    });
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw new InvalidPatchError(
          `invalid JSON pointer ${JSON.stringify(pointer)}: "~" must be followed by "0" or "1"`,
          { format: 'json-patch', path: pointer },
        );
      }
      // RFC 6901 §4: ~1 first, then ~0, so that "~01" becomes "~1" and not "/".
      return token.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

/** Builds a JSON Pointer from unescaped reference tokens. */
export function formatJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/**
 * Applies a JSON patch to a document and returns the patched copy. `patch` is the parsed request body.
 * Throws MalformedPatchError (400) if it is not a list of objects, PatchTooLargeError (413) past 10,000
 * operations, InvalidPatchError (422) if an operation is unknown, incomplete or fails.
 */
export function applyJsonPatch(document: unknown, patch: unknown): JsonValue {
  const ops = validateShape(clonePatch(patch, (msg) => new MalformedPatchError(msg, { format: 'json-patch' })));
  const holder = new Holder(deepClone(document));
  ops.forEach((raw, index) => {
    const op = parseOperation(raw, index);
    try {
      applyOperation(holder, op);
    } catch (err) {
      if (err instanceof OpFailure) {
        throw new InvalidPatchError(`json patch operation ${index} (${describe(op)}) failed: ${err.message}`, {
          format: 'json-patch',
          path: err.pointer ?? op.path,
        });
      }
      throw err;
    }
  });
  return holder.root;
}

function validateShape(patch: unknown): JsonObject[] {
  if (!Array.isArray(patch)) {
    throw new MalformedPatchError(`a json patch must be a JSON array of operations, got ${jsonKind(patch)}`, {
      format: 'json-patch',
    });
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new PatchTooLargeError(
      `the allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
      { format: 'json-patch' },
    );
  }
  patch.forEach((op, i) => {
    if (!isObject(op)) {
      throw new MalformedPatchError(`json patch operation ${i} must be a JSON object, got ${jsonKind(op)}`, {
        format: 'json-patch',
      });
    }
  });
  return patch as JsonObject[];
}

function parseOperation(raw: JsonObject, index: number): JsonPatchOperation {
  const fail = (msg: string): never => {
    throw new InvalidPatchError(`json patch operation ${index}: ${msg}`, { format: 'json-patch' });
  };
  const op = getOwn(raw, 'op');
  if (typeof op !== 'string') return fail(op === undefined ? 'missing "op"' : '"op" must be a string');
  if (!OPS.has(op)) return fail(`unknown operation ${JSON.stringify(op)}`);
  const path = getOwn(raw, 'path');
  if (typeof path !== 'string') return fail(path === undefined ? `"${op}" requires "path"` : '"path" must be a string');
  switch (op) {
    case 'add':
    case 'replace':
    case 'test': {
      if (!hasOwn(raw, 'value')) return fail(`"${op}" requires "value"`);
      return { op, path, value: raw['value']! };
    }
    case 'remove':
      return { op, path };
    default: {
      const from = getOwn(raw, 'from');
      if (typeof from !== 'string') {
        return fail(from === undefined ? `"${op}" requires "from"` : '"from" must be a string');
      }
      return { op: op as 'move' | 'copy', from, path };
    }
  }
}

function describe(op: JsonPatchOperation): string {
  return 'from' in op ? `${op.op} ${op.from} -> ${op.path}` : `${op.op} ${op.path}`;
}

/** An operation failure; turned into an InvalidPatchError naming the operation. */
class OpFailure extends Error {
  constructor(
    message: string,
    readonly pointer?: string,
  ) {
    super(message);
  }
}

/** Holds the document so the root itself can be replaced. */
class Holder {
  constructor(public root: JsonValue) {}
}

function applyOperation(holder: Holder, op: JsonPatchOperation): void {
  switch (op.op) {
    case 'add':
      add(holder, op.path, deepClone(op.value));
      return;
    case 'remove':
      remove(holder, op.path);
      return;
    case 'replace':
      replace(holder, op.path, deepClone(op.value));
      return;
    case 'move': {
      if (op.from === op.path) {
        get(holder, op.from); // must still exist
        return;
      }
      if (op.path.startsWith(op.from + '/')) {
        throw new OpFailure(`cannot move ${op.from} into its own child ${op.path}`, op.path);
      }
      const value = get(holder, op.from);
      remove(holder, op.from);
      add(holder, op.path, value);
      return;
    }
    case 'copy':
      add(holder, op.path, deepClone(get(holder, op.from)));
      return;
    case 'test': {
      const actual = get(holder, op.path);
      if (!deepEqual(actual, op.value)) {
        throw new OpFailure(`test failed: value at ${op.path || '(root)'} is ${brief(actual)}, not ${brief(op.value)}`);
      }
      return;
    }
  }
}

type Location =
  | { kind: 'root' }
  | { kind: 'object'; parent: JsonObject; key: string }
  | { kind: 'array'; parent: JsonValue[]; token: string };

/** Resolves every token but the last; the container found must be an object or an array. */
function locate(holder: Holder, pointer: string): Location {
  const tokens = parseJsonPointerForOp(pointer);
  if (tokens.length === 0) return { kind: 'root' };
  let node: JsonValue = holder.root;
  for (let i = 0; i < tokens.length - 1; i++) {
    node = child(node, tokens[i]!, pointer, formatJsonPointer(tokens.slice(0, i + 1)));
  }
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(node)) return { kind: 'array', parent: node, token: last };
  if (isObject(node)) return { kind: 'object', parent: node, key: last };
  throw new OpFailure(
    `${formatJsonPointer(tokens.slice(0, -1)) || '(root)'} is a ${jsonKind(node)}, not an object or array`,
    pointer,
  );
}

function parseJsonPointerForOp(pointer: string): string[] {
  try {
    return parseJsonPointer(pointer);
  } catch (err) {
    if (err instanceof InvalidPatchError) throw new OpFailure(err.message, pointer);
    throw err;
  }
}

function child(node: JsonValue, token: string, pointer: string, upTo: string): JsonValue {
  if (isObject(node)) {
    if (!hasOwn(node, token)) throw new OpFailure(`path ${upTo} does not exist`, pointer);
    return node[token]!;
  }
  if (Array.isArray(node)) return node[existingIndex(node, token, pointer)]!;
  throw new OpFailure(`cannot descend into ${jsonKind(node)} at ${upTo}`, pointer);
}

/** Parses an array index token; negative indices count from the end (as kube-apiserver accepts). */
function parseIndex(token: string, pointer: string): number {
  if (!/^-?[0-9]+$/.test(token)) throw new OpFailure(`${JSON.stringify(token)} is not an array index`, pointer);
  const n = Number(token);
  if (!Number.isSafeInteger(n)) throw new OpFailure(`array index ${token} out of range`, pointer);
  return n;
}

/** An index into an existing element (get, replace, remove). */
function existingIndex(arr: JsonValue[], token: string, pointer: string): number {
  if (token === '-') throw new OpFailure(`"-" refers to no existing array element`, pointer);
  let idx = parseIndex(token, pointer);
  if (idx < 0) idx += arr.length;
  if (idx < 0 || idx >= arr.length) {
    throw new OpFailure(`array index ${token} out of range (length ${arr.length})`, pointer);
  }
  return idx;
}

function get(holder: Holder, pointer: string): JsonValue {
  const loc = locate(holder, pointer);
  switch (loc.kind) {
    case 'root':
      return holder.root;
    case 'object':
      if (!hasOwn(loc.parent, loc.key)) throw new OpFailure(`path ${pointer} does not exist`, pointer);
      return loc.parent[loc.key]!;
    case 'array':
      return loc.parent[existingIndex(loc.parent, loc.token, pointer)]!;
  }
}

function add(holder: Holder, pointer: string, value: JsonValue): void {
  const loc = locate(holder, pointer);
  switch (loc.kind) {
    case 'root':
      holder.root = value;
      return;
    case 'object':
      setOwn(loc.parent, loc.key, value);
      return;
    case 'array': {
      const arr = loc.parent;
      if (loc.token === '-') {
        arr.push(value);
        return;
      }
      let idx = parseIndex(loc.token, pointer);
      if (idx < 0) idx += arr.length + 1;
      if (idx < 0 || idx > arr.length) {
        throw new OpFailure(`array index ${loc.token} out of range for insertion (length ${arr.length})`, pointer);
      }
      arr.splice(idx, 0, value);
      return;
    }
  }
}

function remove(holder: Holder, pointer: string): void {
  const loc = locate(holder, pointer);
  switch (loc.kind) {
    case 'root':
      throw new OpFailure('cannot remove the whole document', pointer);
    case 'object':
      if (!hasOwn(loc.parent, loc.key)) throw new OpFailure(`path ${pointer} does not exist`, pointer);
      deleteOwn(loc.parent, loc.key);
      return;
    case 'array':
      loc.parent.splice(existingIndex(loc.parent, loc.token, pointer), 1);
      return;
  }
}

function replace(holder: Holder, pointer: string, value: JsonValue): void {
  const loc = locate(holder, pointer);
  switch (loc.kind) {
    case 'root':
      holder.root = value;
      return;
    case 'object':
      if (!hasOwn(loc.parent, loc.key)) throw new OpFailure(`path ${pointer} does not exist`, pointer);
      setOwn(loc.parent, loc.key, value);
      return;
    case 'array':
      loc.parent[existingIndex(loc.parent, loc.token, pointer)] = value;
      return;
  }
}
