/**
 * Patch application for PATCH requests: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge
 * patch. Server-side apply (application/apply-patch+yaml) is not handled here.
 *
 * Errors are PatchError subclasses carrying the HTTP code and Status reason to answer with (see errors.ts).
 */

import { MalformedPatchError, InvalidPatchError, UnsupportedPatchTypeError, type PatchFormat } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { isObject, jsonKind, type JsonObject, type JsonValue } from './json.ts';
import { applyMergePatch } from './merge-patch.ts';
import type { SchemaNode } from './schema.ts';
import { applyStrategicMergePatch } from './strategic-merge-patch.ts';

export * from './errors.ts';
export { applyJsonPatch, parseJsonPointer, formatJsonPointer, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
export type { JsonPatchOperation } from './json-patch.ts';
export { applyMergePatch, createMergePatch } from './merge-patch.ts';
export {
  applyStrategicMergePatch,
  DIRECTIVE_MARKER,
  RETAIN_KEYS_DIRECTIVE,
  DELETE_FROM_PRIMITIVE_LIST_PREFIX,
  SET_ELEMENT_ORDER_PREFIX,
} from './strategic-merge-patch.ts';
export { parsePatchStrategy, schemaFromDef } from './schema.ts';
export type { SchemaNode, SchemaDef, ParsedPatchStrategy } from './schema.ts';
export type { JsonValue, JsonObject } from './json.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';

export type PatchType = typeof JSON_PATCH | typeof MERGE_PATCH | typeof STRATEGIC_MERGE_PATCH;

export const PATCH_TYPES: readonly PatchType[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];

/**
 * The patch type named by a Content-Type header (parameters such as "; charset=utf-8" ignored), or undefined if
 * it is none of the three.
 */
export function patchTypeFromContentType(contentType: string | undefined): PatchType | undefined {
  if (!contentType) return undefined;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return (PATCH_TYPES as readonly string[]).includes(mediaType) ? (mediaType as PatchType) : undefined;
}

const FORMAT: Record<PatchType, PatchFormat> = {
  [JSON_PATCH]: 'json-patch',
  [MERGE_PATCH]: 'merge-patch',
  [STRATEGIC_MERGE_PATCH]: 'strategic-merge-patch',
};

/**
 * Applies a patch of the given type to `original` and returns the patched object; `original` is not modified.
 *
 * `patch` is the request body, either already parsed or as raw JSON text (string or bytes), which is then parsed
 * here (400 if it is not JSON). `schema` guides strategic merge patch; without it, or below fields it does not
 * know, strategic merge behaves as a JSON merge patch. The result must be a JSON object: a JSON patch or merge
 * patch that turns the document into anything else is rejected (422 and 400 respectively).
 */
export function applyPatch(original: object, patchType: PatchType, patch: unknown, schema?: SchemaNode): JsonObject {
  const format = FORMAT[patchType];
  if (format === undefined) {
    throw new UnsupportedPatchTypeError(
      `unsupported patch type ${JSON.stringify(patchType)}; supported: ${PATCH_TYPES.join(', ')}`,
    );
  }
  const body = parseBody(patch, format);
  const doc = original as JsonValue;
  switch (format) {
    case 'json-patch': {
      const result = applyJsonPatch(doc, body);
      if (!isObject(result)) {
        throw new InvalidPatchError(`the json patch turns the object into a ${jsonKind(result)}, not a JSON object`, {
          format,
        });
      }
      return result;
    }
    case 'merge-patch': {
      if (!isObject(body)) {
        throw new MalformedPatchError(`a merge patch must be a JSON object, got ${jsonKind(body)}`, { format });
      }
      return applyMergePatch(doc, body) as JsonObject;
    }
    case 'strategic-merge-patch':
      return applyStrategicMergePatch(doc, body, schema);
  }
}

function parseBody(patch: unknown, format: PatchFormat): JsonValue {
  let text: string | undefined;
  if (typeof patch === 'string') text = patch;
  else if (patch instanceof Uint8Array) text = new TextDecoder('utf-8', { fatal: false }).decode(patch);
  if (text === undefined) {
    if (patch === undefined) throw new MalformedPatchError('missing patch body', { format });
    return patch as JsonValue;
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new MalformedPatchError(`the patch body is not valid JSON: ${(err as Error).message}`, {
      format,
      cause: err,
    });
  }
}
