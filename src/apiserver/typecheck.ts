/**
 * Type errors in a decoded body, as upstream's typed decoding reports them (a string where an object belongs, a
 * fraction where an integer belongs, …). Upstream refuses such a body with 400 BadRequest before anything else looks
 * at it; k8ts does the same, so strategies and validation only ever see well-typed objects.
 */
import type { SchemaNode } from './openapi/schema-node.ts';

const MAX_DEPTH = 200;

export interface TypeError_ {
  path: string;
  expected: string;
  got: string;
}

const jsonType = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;

/** The first type error in `value` against `schema` (null is accepted everywhere, as Go decodes it to a zero value). */
export function findTypeError(value: unknown, schema: SchemaNode | undefined, path = ''): TypeError_ | undefined {
  return walk(value, schema, path, 0);
}

function walk(value: unknown, schema: SchemaNode | undefined, path: string, depth: number): TypeError_ | undefined {
  if (!schema || value === null || value === undefined) return undefined;
  if (depth > MAX_DEPTH) return { path, expected: 'a shallower object', got: 'an object nested too deeply' };
  if (schema.opaque || schema.preserveUnknownFields) return undefined;
  const got = jsonType(value);
  if (schema.intOrString) {
    return got === 'integer' || got === 'string' ? undefined : { path, expected: 'an integer or a string', got };
  }
  switch (schema.type) {
    case 'string':
      return got === 'string' ? undefined : { path, expected: 'string', got };
    case 'boolean':
      return got === 'boolean' ? undefined : { path, expected: 'boolean', got };
    case 'integer':
      return got === 'integer' ? undefined : { path, expected: 'integer', got };
    case 'number':
      return got === 'integer' || got === 'number' ? undefined : { path, expected: 'number', got };
    case 'array': {
      if (got !== 'array') return { path, expected: 'array', got };
      const item = schema.items();
      const arr = value as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const e = walk(arr[i], item, `${path}[${i}]`, depth + 1);
        if (e) return e;
      }
      return undefined;
    }
    case 'object': {
      if (got !== 'object') return { path, expected: 'object', got };
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const child = schema.isMap ? schema.items() : schema.field(key);
        const e = walk(obj[key], child, path ? `${path}.${key}` : key, depth + 1);
        if (e) return e;
      }
      return undefined;
    }
    default:
      return undefined; // untyped (Quantity accepts strings and numbers)
  }
}

/** Rejects JSON nested deeper than `max` levels (deep nesting would exhaust the stack of later recursive steps). */
export function nestingDepthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}
