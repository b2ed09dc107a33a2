/**
 * Small helpers over parsed JSON values shared by the three patch formats.
 *
 * Every object handled here is a plain JSON object as JSON.parse makes it. Keys are always looked up as own
 * properties, so a document or patch carrying "__proto__", "constructor" or "toString" is treated as plain data:
 * it can neither read inherited members nor change a prototype.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** The own property `key` of `o`, or undefined. */
export function getOwn(o: JsonObject, key: string): JsonValue | undefined {
  return hasOwn(o, key) ? o[key] : undefined;
}

/** Sets an own, enumerable data property; safe for "__proto__". */
export function setOwn(o: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    o[key] = value;
  }
}

export function deleteOwn(o: JsonObject, key: string): void {
  if (hasOwn(o, key)) delete o[key];
}

/** A deep copy of a JSON value. Throws TypeError on anything that is not JSON data (functions, Dates, cycles...). */
export function deepClone<T extends JsonValue>(v: T): T;
export function deepClone(v: unknown): JsonValue;
export function deepClone(v: unknown): JsonValue {
  return cloneAt(v, 0);
}

const MAX_DEPTH = 10_000;

function cloneAt(v: unknown, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new TypeError('JSON value is nested too deeply');
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a JSON number: ${v}`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => cloneAt(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`not a plain JSON object: ${Object.prototype.toString.call(v)}`);
    }
    const out: JsonObject = {};
    for (const key of Object.keys(v)) {
      const child = (v as Record<string, unknown>)[key];
      if (child === undefined) continue; // as JSON.stringify would
      setOwn(out, key, cloneAt(child, depth + 1));
    }
    return out;
  }
  throw new TypeError(`not a JSON value: ${typeof v}`);
}

/**
 * A deep copy of a patch body; `onInvalid` builds the error to throw when it is not JSON data. Properties holding
 * undefined are dropped, as JSON.stringify would.
 */
export function clonePatch(patch: unknown, onInvalid: (message: string) => Error): JsonValue {
  try {
    return deepClone(patch);
  } catch (err) {
    if (err instanceof TypeError) throw onInvalid(`the patch is not JSON data: ${err.message}`);
    throw err;
  }
}

/** Structural equality of JSON values: numbers by value, objects regardless of key order. */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
  }
  return true;
}

/** The JSON kind of a value, as used in error messages and type comparisons. */
export function jsonKind(v: unknown): 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'undefined' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'object') return 'object';
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'undefined') return t;
  return 'undefined';
}

/** A short rendering of a value for error messages. */
export function brief(v: unknown, max = 120): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
