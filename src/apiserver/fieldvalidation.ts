/**
 * Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`), as kube-apiserver does it.
 *
 * Upstream decodes request bodies with a strict decoder when the directive is Strict or Warn (the default when the
 * parameter is absent or empty is Warn) and collects two kinds of problems:
 *
 *   unknown field "spec.template.spec.containers[0].foo"     a key the typed schema does not have
 *   duplicate field "metadata.name"                          a key given twice in one JSON object
 *
 * Paths join object keys with '.' and put list indexes in brackets; a top-level list starts with its index
 * ("[0].foo", for JSON patch operations). Maps (labels, data, ...) take any key; RawExtension, FieldsV1 and untyped
 * values (IntOrString, Quantity, apiextensions JSON) are not looked into; a key that is both unknown and duplicated
 * in a typed object is reported once, as unknown. Duplicate keys in YAML come from the YAML decoder instead
 * (`line 5: key "name" already set in map`). Each decode keeps at most 100 problems, without repeats.
 *
 * Order, as upstream reports it:
 *   - JSON create/update body: document order, unknown and duplicate interleaved (one decoding pass);
 *   - YAML create/update body: the YAML duplicate-key error, then unknown fields in sorted-key order (upstream
 *     converts YAML to JSON with sorted keys before decoding);
 *   - merge / strategic merge patch: duplicate keys of the patch body (document order), then unknown fields of the
 *     patched object (sorted-key order);
 *   - JSON patch: `json patch unknown field "[0].foo"` / `json patch duplicate field "[1].path"` for the
 *     operations themselves, then unknown fields of the patched object;
 *   - apply (application/apply-patch+yaml): only duplicate keys, as one YAML error.
 *
 * Strict turns the problems into the verb's error (see the `*StrictError` builders), Warn into one `Warning: 299`
 * header per problem (a multi-line YAML error is split into one warning per line), Ignore drops them.
 */
import YAML, { isAlias, isMap, isScalar, isSeq, LineCounter, type Node as YamlNode } from 'yaml';
import { badRequest, StatusError } from '../apimachinery/status.ts';
import type { SchemaNode } from './openapi/index.ts';

export type FieldValidationMode = 'Strict' | 'Warn' | 'Ignore';
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** Upstream keeps at most this many strict errors per decode (sigs.k8s.io/json). */
export const MAX_STRICT_ERRORS = 100;

export const unknownFieldMessage = (path: string) => `unknown field ${goQuote(path)}`;
export const duplicateFieldMessage = (path: string) => `duplicate field ${goQuote(path)}`;

// ---- the directive ----------------------------------------------------------------------------------------------

/**
 * The effective directive: absent or '' is Warn (upstream's default since ServerSideFieldValidation went GA). Any
 * other value is a 422 Invalid on the verb's options kind, as upstream's ValidateCreateOptions & co. answer it:
 * `CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "foo": supported values: "", "Ignore", "Strict", "Warn"`.
 */
export function parseFieldValidation(value: string | null | undefined, optionsKind: OptionsKind = 'CreateOptions'): FieldValidationMode {
  if (value === null || value === undefined || value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  const detail = `Unsupported value: ${goQuote(value)}: supported values: "", "Ignore", "Strict", "Warn"`;
  return invalidStatus({ group: 'meta.k8s.io', kind: optionsKind }, [
    { reason: 'FieldValueNotSupported', field: 'fieldValidation', message: detail },
  ]);
}

export interface CheckOptions {
  /** names the options kind in the 422 for an invalid directive (default CreateOptions) */
  optionsKind?: OptionsKind;
  /** the error Strict throws; default: 400 BadRequest "strict decoding error: <problems, comma-separated>" */
  strictError?: (problems: string[]) => StatusError;
}

/**
 * Applies the directive to the problems found: Strict throws (when there is any problem), Warn (and an absent
 * directive) returns the warning texts to send, Ignore returns none. An invalid directive throws the 422 of
 * parseFieldValidation whether or not there are problems.
 */
export function checkFieldValidation(
  mode: string | null | undefined,
  problems: readonly string[],
  opts: CheckOptions = {},
): { warnings: string[] } {
  const m = parseFieldValidation(mode, opts.optionsKind);
  if (m === 'Ignore' || problems.length === 0) return { warnings: [] };
  if (m === 'Strict') throw (opts.strictError ?? defaultStrictError)([...problems]);
  return { warnings: problems.flatMap(splitYamlWarnings) };
}

/** Whether the directive asks for the (costlier) problem search at all. */
export const wantsFieldValidation = (mode: string | null | undefined, optionsKind?: OptionsKind) =>
  parseFieldValidation(mode, optionsKind) !== 'Ignore';

const strictDecodingError = (problems: readonly string[]) => `strict decoding error: ${problems.join(', ')}`;

const defaultStrictError = (problems: string[]) => badRequest(strictDecodingError(problems));

/**
 * Create and update (also /status and other subresource PUTs): 400 BadRequest, as upstream's transformDecodeError
 * words it: `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"`.
 * `body` gives the kind and apiVersion written in the request (either may be missing: the endpoint's are used).
 */
export function decodeStrictError(
  body: { kind?: unknown; apiVersion?: unknown } | undefined,
  expected: { kind: string; version: string },
): (problems: string[]) => StatusError {
  return (problems) => {
    const kind = typeof body?.kind === 'string' && body.kind ? body.kind : expected.kind;
    const apiVersion = typeof body?.apiVersion === 'string' && body.apiVersion ? body.apiVersion : '';
    const version = apiVersion ? apiVersion.slice(apiVersion.indexOf('/') + 1) : expected.version;
    return badRequest(`${kind} in version ${goQuote(version)} cannot be handled as a ${expected.kind}: ${strictDecodingError(problems)}`);
  };
}

/**
 * JSON, merge and strategic merge patch: 422 Invalid on an unnamed, kindless object, the field being "patch":
 * ` "" is invalid: patch: Invalid value: "<value>": strict decoding error: ...` (the leading space is upstream's).
 * The value is the patched object as JSON for JSON and merge patch, the patch as Go prints a map for strategic
 * merge patch (see patchInvalidValue).
 */
export function patchStrictError(invalidValue: string): (problems: string[]) => StatusError {
  return (problems) => {
    const detail = `Invalid value: ${goQuote(invalidValue)}: ${strictDecodingError(problems)}`;
    return invalidStatus({ group: '', kind: '' }, [{ reason: 'FieldValueInvalid', field: 'patch', message: detail }]);
  };
}

/** Server-side apply: 400 `error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 10: ...`. */
export const applyStrictError = (problems: string[]) => badRequest(`error strict decoding YAML: ${problems.join(', ')}`);

/** The `value` of patchStrictError, as upstream prints it for each patch type. */
export function patchInvalidValue(patchType: string, patchBody: string, patched: unknown): string {
  if (patchType === 'application/strategic-merge-patch+json') {
    try {
      return goPrint(JSON.parse(patchBody));
    } catch {
      return patchBody;
    }
  }
  return goJson(patched);
}

function invalidStatus(gk: { group: string; kind: string }, causes: { reason: string; field: string; message: string }[]): never {
  const qualified = gk.group ? `${gk.kind}.${gk.group}` : gk.kind;
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const message = `${qualified} "" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
  const details: Record<string, unknown> = {};
  if (gk.group) details.group = gk.group;
  if (gk.kind) details.kind = gk.kind;
  details.causes = causes;
  throw new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Invalid',
    details,
    code: 422,
  });
}

// Upstream's parseYAMLWarnings: a YAML strict error becomes one warning per line; anything else stays whole.
const YAML_SHORT_PREFIX = 'yaml: unmarshal errors:\n';
const YAML_LONG_PREFIX = 'error converting YAML to JSON: yaml: unmarshal errors:\n';

function splitYamlWarnings(problem: string): string[] {
  let rest: string;
  if (problem.startsWith(YAML_SHORT_PREFIX)) rest = problem.slice(YAML_SHORT_PREFIX.length);
  else if (problem.startsWith(YAML_LONG_PREFIX)) rest = problem.slice(YAML_LONG_PREFIX.length);
  else return [problem];
  return rest.split('\n').map((s) => s.trim());
}

// ---- the problems of each request kind --------------------------------------------------------------------------

/**
 * Problems in a create/update body. `mediaType` is the body's (application/json, application/yaml); for YAML pass
 * the already decoded object as `decoded` to save a second parse.
 */
export function bodyProblems(text: string, mediaType: string, schema: SchemaNode | undefined, decoded?: unknown): string[] {
  if (mediaType === 'application/yaml') {
    const problems: string[] = [];
    const yamlError = yamlDuplicateKeyError(text);
    if (yamlError) problems.push(yamlError);
    const obj = decoded !== undefined ? decoded : parseYamlQuietly(text);
    problems.push(...findUnknownFields(obj, schema, { sortKeys: true }).map(unknownFieldMessage));
    return problems;
  }
  // no schema (a kind served untyped): decoded into a map, so only duplicates count
  return scanJson(text, schema ? shapeOf(schema) : ANY).map(problemMessage);
}

/**
 * Problems of a JSON, merge or strategic merge patch: those of the patch body, then the unknown fields of the
 * patched object. Unknown fields the stored object already had are not blamed on the patch (upstream's stored
 * objects never have any; pass `current` to keep it that way whatever the storage holds).
 */
export function patchProblems(
  patchType: string,
  patchBody: string,
  patched: unknown,
  schema: SchemaNode | undefined,
  current?: unknown,
): string[] {
  const own =
    patchType === 'application/json-patch+json'
      ? scanJson(patchBody, JSON_PATCH_SHAPE).map((p) => `json patch ${problemMessage(p)}`)
      : findDuplicateFields(patchBody).map(duplicateFieldMessage);
  let unknown = findUnknownFields(patched, schema, { sortKeys: true });
  if (current !== undefined && unknown.length) {
    const before = new Set(findUnknownFields(current, schema));
    unknown = unknown.filter((p) => !before.has(p));
  }
  return [...own, ...unknown.map(unknownFieldMessage)];
}

/** Problems of an apply-patch+yaml body: its duplicate keys, as the one error upstream's YAML decoder returns. */
export function applyProblems(yamlText: string): string[] {
  const err = yamlDuplicateKeyError(yamlText);
  return err ? [`error converting YAML to JSON: ${err}`] : [];
}

// ---- shapes: what the strict decoder knows of each place --------------------------------------------------------

/**
 * struct: fixed fields (others are unknown); map: any key, values of one shape; list: items of one shape; any: an
 * untyped JSON value (keys free, duplicates still reported); skip: decoded as a whole (scalars, IntOrString,
 * Quantity, RawExtension, FieldsV1, apiextensions JSON): nothing inside is checked.
 */
type Shape =
  | { k: 'struct'; field(name: string): Shape | undefined }
  | { k: 'map'; value(): Shape }
  | { k: 'list'; item(): Shape }
  | { k: 'any' }
  | { k: 'skip' };

const ANY: Shape = { k: 'any' };
const SKIP: Shape = { k: 'skip' };

/** Go types with no fields: every key given is unknown. Other schemas without properties hold raw JSON. */
const EMPTY_STRUCTS = new Set([
  'io.k8s.api.apiserverinternal.v1alpha1.StorageVersionSpec',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceStatus',
]);

/** Fields the Go type has but the generated schema lacks (kubernetes-types leaves out JSONSchemaProps' x-kubernetes-*). */
const EXTRA_FIELDS: Record<string, ReadonlySet<string>> = {
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': new Set([
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-list-type',
    'x-kubernetes-map-type',
    'x-kubernetes-validations',
  ]),
};

function shapeOf(node: SchemaNode | undefined): Shape {
  if (!node) return SKIP;
  if (node.type === 'array') {
    return { k: 'list', item: () => shapeOf(node.items()) };
  }
  if (node.preserveUnknownFields) {
    // known fields keep their schema, the rest is free (CRD-style x-kubernetes-preserve-unknown-fields)
    const values = node.isMap ? node.items() : undefined;
    return { k: 'struct', field: (name) => (node.field(name) ? shapeOf(node.field(name)) : values ? shapeOf(values) : ANY) };
  }
  if (node.type !== 'object') return SKIP;
  if (node.isMap) return { k: 'map', value: () => shapeOf(node.items()) };
  if (node.opaque && !(node.name && EMPTY_STRUCTS.has(node.name))) return SKIP;
  const extra = node.name ? EXTRA_FIELDS[node.name] : undefined;
  return {
    k: 'struct',
    field(name) {
      const f = node.field(name);
      if (f) return shapeOf(f);
      return extra?.has(name) ? SKIP : undefined;
    },
  };
}

/** JSON patch operations decode into []struct{op, path, from string; value interface{}} upstream. */
const JSON_PATCH_OP: Shape = {
  k: 'struct',
  field: (name) => (name === 'value' ? ANY : name === 'op' || name === 'path' || name === 'from' ? SKIP : undefined),
};
const JSON_PATCH_SHAPE: Shape = { k: 'list', item: () => JSON_PATCH_OP };

const childPath = (path: string, key: string) => (path ? `${path}.${key}` : key);

// ---- unknown fields in a decoded object -------------------------------------------------------------------------

/**
 * Paths of the fields of `obj` its schema does not know, at most MAX_STRICT_ERRORS. Keys are visited in the
 * object's own order, or sorted as Go's encoding/json orders map keys (`sortKeys`), which is the order upstream
 * reports them in for YAML bodies and patched objects. No schema: nothing is unknown.
 */
export function findUnknownFields(obj: unknown, schema: SchemaNode | undefined, opts: { sortKeys?: boolean } = {}): string[] {
  const out: string[] = [];
  if (!schema) return out;
  const walk = (value: unknown, shape: Shape, path: string, depth: number): void => {
    if (out.length >= MAX_STRICT_ERRORS || depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      if (shape.k !== 'list' && shape.k !== 'any') return;
      const item = shape.k === 'list' ? shape.item() : ANY;
      if (item.k === 'skip' || item.k === 'any') return;
      value.forEach((v, i) => walk(v, item, `${path}[${i}]`, depth + 1));
      return;
    }
    if (shape.k !== 'struct' && shape.k !== 'map') return;
    const keys = Object.keys(value);
    if (opts.sortKeys) keys.sort(compareGo);
    for (const key of keys) {
      const child = shape.k === 'map' ? shape.value() : shape.field(key);
      if (!child) {
        if (out.length < MAX_STRICT_ERRORS) out.push(childPath(path, key));
        continue;
      }
      if (child.k !== 'skip' && child.k !== 'any') walk((value as Record<string, unknown>)[key], child, childPath(path, key), depth + 1);
    }
  };
  walk(obj, shapeOf(schema), '', 0);
  return out;
}

/** Go sorts map keys by their UTF-8 bytes; comparing code points gives the same order. */
function compareGo(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done) return y.done ? 0 : -1;
    if (y.done) return 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

// ---- duplicate (and unknown) keys in JSON text ------------------------------------------------------------------

interface Problem {
  type: 'unknown' | 'duplicate';
  path: string;
}

const problemMessage = (p: Problem) => (p.type === 'unknown' ? unknownFieldMessage(p.path) : duplicateFieldMessage(p.path));

/**
 * Paths of the keys given more than once in one object of a JSON text (JSON.parse silently keeps the last), in
 * document order, at most MAX_STRICT_ERRORS: what upstream reports for a body decoded into an untyped map (merge
 * and strategic merge patches). A text that is not JSON yields what was found before the error.
 */
export function findDuplicateFields(jsonText: string): string[] {
  return scanJson(jsonText, ANY).map((p) => p.path);
}

/** Nesting deeper than this is not looked into (Go's decoder refuses 10000 levels; objects never come close). */
const MAX_DEPTH = 1000;

class SyntaxStop extends Error {}

const LITERAL = /true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * One pass over JSON text with the strict decoder's view of it: unknown keys of typed objects and duplicate keys,
 * in document order, repeated messages dropped, at most MAX_STRICT_ERRORS. A key both unknown and duplicated is
 * reported once, as unknown; values under unknown keys and `skip` shapes are not looked into.
 */
function scanJson(text: string, root: Shape): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  const report = (type: Problem['type'], path: string) => {
    if (out.length >= MAX_STRICT_ERRORS) return;
    const key = `${type}\u0000${path}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ type, path });
  };
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const expect = (ch: string) => {
    ws();
    if (text[i] !== ch) throw new SyntaxStop();
    i++;
  };
  /** A string token at i; returns its decoded value. */
  const str = (): string => {
    if (text.charCodeAt(i) !== 0x22) throw new SyntaxStop();
    const start = i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i++);
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c === 0x22) {
        const raw = text.slice(start, i);
        if (!escaped) return raw.slice(1, -1);
        try {
          return JSON.parse(raw) as string;
        } catch {
          throw new SyntaxStop();
        }
      }
    }
    throw new SyntaxStop();
  };
  /** Skips one value at i without looking inside (iterative: no depth limit). */
  const skip = () => {
    ws();
    let depth = 0;
    do {
      ws();
      const c = text[i];
      if (c === '"') str();
      else if (c === '{' || c === '[') {
        depth++;
        i++;
      } else if (c === '}' || c === ']') {
        depth--;
        i++;
      } else if (c === ',' || c === ':') i++;
      else if (c === undefined) throw new SyntaxStop();
      else {
        LITERAL.lastIndex = i;
        if (!LITERAL.test(text)) throw new SyntaxStop();
        i = LITERAL.lastIndex;
      }
    } while (depth > 0);
  };
  const value = (shape: Shape, path: string, depth: number): void => {
    ws();
    const c = text[i];
    if (shape.k === 'skip' || depth > MAX_DEPTH || (c !== '{' && c !== '[')) return skip();
    if (c === '[') {
      if (shape.k !== 'list' && shape.k !== 'any') return skip();
      const item = shape.k === 'list' ? shape.item() : ANY;
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let idx = 0; ; idx++) {
        value(item, `${path}[${idx}]`, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (shape.k === 'list') return skip();
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    const keys = new Set<string>();
    for (;;) {
      ws();
      const key = str();
      expect(':');
      const p = childPath(path, key);
      const child = shape.k === 'struct' ? shape.field(key) : shape.k === 'map' ? shape.value() : ANY;
      if (!child) {
        report('unknown', p);
        skip();
      } else {
        if (keys.has(key)) report('duplicate', p);
        value(child, p, depth + 1);
      }
      keys.add(key);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      expect('}');
      return;
    }
  };
  try {
    value(root, '', 0);
  } catch (err) {
    if (!(err instanceof SyntaxStop)) throw err;
  }
  return out;
}

// ---- duplicate keys in YAML -------------------------------------------------------------------------------------

/**
 * The `line N: key "k" already set in map` messages of a YAML text, in document order, as upstream's YAML decoder
 * (go-yaml v2, strict) words them: N is the 1-based line of the repeated key. [] when the text does not parse.
 */
export function findYamlDuplicateKeys(yamlText: string): string[] {
  const lineCounter = new LineCounter();
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(yamlText, { version: '1.1', uniqueKeys: false, lineCounter });
  } catch {
    return [];
  }
  if (doc.errors.length) return [];
  const out: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || !node || isAlias(node)) return;
    if (isSeq(node)) {
      for (const item of node.items) walk(item, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      if (isScalar(key) && key.value !== '<<') {
        const id = `${typeof key.value}:${String(key.value)}`;
        if (seen.has(id)) {
          const line = key.range ? lineCounter.linePos(key.range[0]).line : 0;
          out.push(`line ${line}: key ${goKey(key.value)} already set in map`);
        }
        seen.add(id);
      }
      walk(pair.value, depth + 1);
    }
  };
  walk(doc.contents, 0);
  return out;
}

/** The YAML decoder's error for duplicate keys (`yaml: unmarshal errors:\n  line 5: ...`), or undefined. */
export function yamlDuplicateKeyError(yamlText: string): string | undefined {
  const lines = findYamlDuplicateKeys(yamlText);
  return lines.length ? `yaml: unmarshal errors:\n  ${lines.join('\n  ')}` : undefined;
}

function parseYamlQuietly(text: string): unknown {
  try {
    return YAML.parseDocument(text, { version: '1.1', uniqueKeys: false }).toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** A YAML key as Go's %#v prints it: strings quoted, numbers and booleans bare. */
function goKey(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

// ---- Warning headers --------------------------------------------------------------------------------------------

/** Upstream's limits on warning headers: past 4096 characters in all, each warning is cut to 256. */
const WARNING_TOTAL_RUNES = 4 * 1024;
const WARNING_ITEM_RUNES = 256;

/**
 * One Warning header value, `299 - "text"` with `"` and `\` escaped (upstream's NewWarningHeader). Undefined for
 * an empty text or one with control characters (upstream drops those). The value is UTF-8 spelled as latin1,
 * which is how Node's setHeader writes bytes verbatim: pass it on unchanged.
 */
export function formatWarningHeader(text: string, agent = '-', code = 299): string | undefined {
  if (!text || /\p{Cc}|[\ud800-\udfff]/u.test(text)) return undefined;
  const header = `${String(code).padStart(3, '0')} ${agent || '-'} "${text.replace(/["\\]/g, '\\$&')}"`;
  return Buffer.from(header, 'utf8').toString('latin1');
}

/**
 * Collects a response's warnings the way upstream's recorder does: repeats dropped, and once they pass 4096
 * characters in all, each one cut to 256 characters.
 *
 *   const rec = new WarningRecorder(); rec.add(...warnings); res.setHeader('Warning', rec.headers());
 */
export class WarningRecorder {
  private readonly texts: string[] = [];
  private readonly recorded = new Set<string>();

  add(...texts: string[]): this {
    for (const t of texts) {
      if (!t || this.recorded.has(t)) continue;
      this.recorded.add(t);
      this.texts.push(t);
    }
    return this;
  }

  get size(): number {
    return this.texts.length;
  }

  /** The Warning header values, in the order added (empty when there is nothing to send). */
  headers(): string[] {
    const runes = (t: string) => [...t].length;
    const total = this.texts.reduce((sum, t) => sum + (formatWarningHeader(t) ? runes(t) : 0), 0);
    const truncating = total > WARNING_TOTAL_RUNES;
    const out: string[] = [];
    let written = 0;
    for (const t of this.texts) {
      if (truncating && written >= WARNING_TOTAL_RUNES) break;
      const text = truncating && runes(t) > WARNING_ITEM_RUNES ? [...t].slice(0, WARNING_ITEM_RUNES).join('') : t;
      const h = formatWarningHeader(text);
      if (!h) continue;
      written += runes(text);
      out.push(h);
    }
    return out;
  }
}

/** Warning header values for these texts (a WarningRecorder in one call). */
export const warningHeaders = (texts: readonly string[]): string[] => new WarningRecorder().add(...texts).headers();

// ---- Go formatting ----------------------------------------------------------------------------------------------

/** Go's strconv.Quote / %q: printable characters kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c === 0x07) out += '\\a';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0b) out += '\\v';
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** A JSON number as Go's %v prints the int64 or float64 it decodes to. */
function goNumber(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  if (Object.is(v, -0)) return '-0';
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 21) return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(v);
}

/** A decoded JSON value as Go's %+v prints a map[string]interface{}: `map[a:1 b:[x y]]`, keys sorted. */
export function goPrint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort(compareGo)
      .map((k) => `${k}:${goPrint(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** JSON as Go's encoding/json writes a map: keys sorted, <, >, &, U+2028 and U+2029 escaped. */
export function goJson(v: unknown): string {
  const enc = (x: unknown): string => {
    if (Array.isArray(x)) return `[${x.map(enc).join(',')}]`;
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort(compareGo);
      return `{${keys.map((k) => `${JSON.stringify(k)}:${enc(o[k])}`).join(',')}}`;
    }
    return JSON.stringify(x) ?? 'null';
  };
  return enc(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
