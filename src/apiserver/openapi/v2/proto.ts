/**
 * Encodes a Swagger 2.0 document as the gnostic protobuf message `openapi.v2.Document` (gnostic-models
 * openapiv2/OpenAPIv2.proto), the representation client-go's `OpenAPISchema()` asks for with
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` and decodes with proto.Unmarshal.
 *
 * Mapping rules (as gnostic's own JSON/YAML -> protobuf compiler applies them):
 * - a JSON object used as a map (paths, definitions, properties, responses, ...) is a repeated `Named*` message of
 *   (name = 1, value = 2) pairs, in the object's key order;
 * - keys starting with `x-` go to the message's `vendor_extension` field as `NamedAny`, whose `Any.yaml` (field 2)
 *   holds the value as YAML text (here JSON, which YAML parsers read as flow style); kube-openapi and kubectl
 *   yaml.Unmarshal it;
 * - oneof wrappers pick their branch from the value: a parameter by its `in` (body / query / path / header /
 *   formData), an `additionalProperties` by being a schema or a boolean, a `$ref` item as a JsonReference;
 * - `type` is a TypeItem (repeated string), `items` an ItemsItem (repeated Schema), `default` / `example` / `enum`
 *   values are `Any` with YAML text;
 * - proto3 scalars equal to their default ('' / false / 0) are left out; messages are always written when present,
 *   even empty (Go then sees a non-nil message, e.g. `properties: {}` stays "has properties").
 *
 * Only the wire types gnostic needs: varint (0), 64-bit (1, for doubles) and length-delimited (2).
 */

import type { Json } from './swagger.ts';

const CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * A protobuf writer that needs no second pass: a nested message's length is known when it ends, so its header
 * (tag + length) goes into a slot reserved when it began. Output bytes accumulate in large chunks.
 */
export class ProtoWriter {
  private parts: Uint8Array[] = [];
  private buf = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private segStart = 0;
  /** bytes in `parts` */
  private flushed = 0;
  private frames: { slot: number; start: number; field: number }[] = [];

  private get length() {
    return this.flushed + this.pos - this.segStart;
  }

  private flushSegment() {
    if (this.pos > this.segStart) {
      this.parts.push(this.buf.subarray(this.segStart, this.pos));
      this.flushed += this.pos - this.segStart;
      this.segStart = this.pos;
    }
  }

  private ensure(n: number) {
    if (this.pos + n <= this.buf.length) return;
    this.flushSegment();
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, n));
    this.pos = this.segStart = 0;
  }

  private rawVarint(n: number) {
    this.ensure(10);
    writeVarint(this.buf, this.pos, n);
    this.pos += varintSize(n);
  }

  private tag(field: number, wireType: number) {
    this.rawVarint(field * 8 + wireType);
  }

  /** string field; '' is the proto3 default and is left out unless `always` (repeated elements) */
  string(field: number, s: string | undefined, always = false) {
    if (s === undefined || s === null || (s === '' && !always)) return;
    const str = String(s);
    const n = Buffer.byteLength(str, 'utf8');
    this.tag(field, 2);
    this.rawVarint(n);
    this.ensure(n);
    this.buf.write(str, this.pos, n, 'utf8');
    this.pos += n;
  }

  strings(field: number, list: readonly string[] | undefined) {
    for (const s of list ?? []) this.string(field, s, true);
  }

  bool(field: number, b: unknown) {
    if (b !== true) return;
    this.tag(field, 0);
    this.rawVarint(1);
  }

  /** a bool written even when false (a oneof branch, whose presence is the information) */
  rawBool(field: number, b: boolean) {
    this.tag(field, 0);
    this.rawVarint(b ? 1 : 0);
  }

  /** int64 field (varint); non-negative integers only, as every int64 in the gnostic model is */
  int64(field: number, n: unknown) {
    if (typeof n !== 'number' || !Number.isFinite(n) || n === 0) return;
    if (n < 0 || !Number.isInteger(n)) throw new Error(`protobuf: unsupported int64 value ${n}`);
    this.tag(field, 0);
    this.rawVarint(n);
  }

  double(field: number, d: unknown) {
    if (typeof d !== 'number' || d === 0) return;
    this.tag(field, 1);
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** Starts an embedded message in `field`; end it with `end()`. */
  begin(field: number) {
    this.flushSegment();
    this.frames.push({ slot: this.parts.length, start: this.length, field });
    this.parts.push(EMPTY);
  }

  end() {
    const f = this.frames.pop();
    if (!f) throw new Error('protobuf: end() without begin()');
    const len = this.length - f.start;
    const key = f.field * 8 + 2;
    const header = Buffer.allocUnsafe(varintSize(key) + varintSize(len));
    writeVarint(header, 0, key);
    writeVarint(header, varintSize(key), len);
    this.parts[f.slot] = header;
    this.flushed += header.length;
  }

  /** `field` as an embedded message written by `body` */
  message(field: number, body: () => void) {
    this.begin(field);
    body();
    this.end();
  }

  finish(): Buffer {
    if (this.frames.length) throw new Error('protobuf: unterminated message');
    this.flushSegment();
    return Buffer.concat(this.parts, this.flushed);
  }
}

export function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number) {
  if (n < 0 || !Number.isSafeInteger(n)) throw new Error(`protobuf: varint out of range: ${n}`);
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos] = n;
}

// ---------------------------------------------------------------------------------------------------------------
// gnostic openapi.v2 messages (field numbers from OpenAPIv2.proto)

/** YAML text of a JSON value; JSON is valid YAML flow style and gnostic/kube-openapi read it back with a YAML parser */
export const yamlOf = (v: unknown): string => JSON.stringify(v);

const isExt = (k: string) => k.startsWith('x-');

/** NamedAny entries for the `x-` keys of `o` */
function vendorExtensions(w: ProtoWriter, field: number, o: Record<string, Json>) {
  for (const [k, v] of Object.entries(o)) {
    if (!isExt(k) || v === undefined) continue;
    w.message(field, () => {
      w.string(1, k);
      w.message(2, () => anyValue(w, v));
    });
  }
}

/** Any { google.protobuf.Any value = 1; string yaml = 2; } */
function anyValue(w: ProtoWriter, v: Json) {
  w.string(2, yamlOf(v));
}

function anyField(w: ProtoWriter, field: number, v: Json) {
  if (v === undefined) return;
  w.message(field, () => anyValue(w, v));
}

/** a repeated Named<T> field for a JSON object used as a map */
function named(w: ProtoWriter, field: number, map: Record<string, Json> | undefined, value: (v: Json) => void, skipExt = false) {
  for (const [k, v] of Object.entries(map ?? {})) {
    if (skipExt && isExt(k)) continue;
    w.message(field, () => {
      w.string(1, k, true);
      w.message(2, () => value(v));
    });
  }
}

export function writeDocument(w: ProtoWriter, d: Json) {
  w.string(1, d.swagger);
  if (d.info) w.message(2, () => writeInfo(w, d.info));
  w.string(3, d.host);
  w.string(4, d.basePath);
  w.strings(5, d.schemes);
  w.strings(6, d.consumes);
  w.strings(7, d.produces);
  if (d.paths) {
    w.message(8, () => {
      // Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
      vendorExtensions(w, 1, d.paths);
      named(w, 2, d.paths, (item) => writePathItem(w, item), true);
    });
  }
  if (d.definitions) w.message(9, () => named(w, 1, d.definitions, (s) => writeSchema(w, s)));
  if (d.parameters) w.message(10, () => named(w, 1, d.parameters, (p) => writeParameter(w, p)));
  if (d.responses) w.message(11, () => named(w, 1, d.responses, (r) => writeResponse(w, r)));
  for (const req of d.security ?? []) w.message(12, () => writeSecurityRequirement(w, req));
  if (d.securityDefinitions) w.message(13, () => named(w, 1, d.securityDefinitions, (s) => writeSecurityDefinition(w, s)));
  for (const t of d.tags ?? []) w.message(14, () => writeTag(w, t));
  if (d.externalDocs) w.message(15, () => writeExternalDocs(w, d.externalDocs));
  vendorExtensions(w, 16, d);
}

function writeInfo(w: ProtoWriter, i: Json) {
  w.string(1, i.title);
  w.string(2, i.version);
  w.string(3, i.description);
  w.string(4, i.termsOfService);
  if (i.contact) {
    w.message(5, () => {
      w.string(1, i.contact.name);
      w.string(2, i.contact.url);
      w.string(3, i.contact.email);
      vendorExtensions(w, 4, i.contact);
    });
  }
  if (i.license) {
    w.message(6, () => {
      w.string(1, i.license.name);
      w.string(2, i.license.url);
      vendorExtensions(w, 3, i.license);
    });
  }
  vendorExtensions(w, 7, i);
}

function writeExternalDocs(w: ProtoWriter, e: Json) {
  w.string(1, e.description);
  w.string(2, e.url);
  vendorExtensions(w, 3, e);
}

function writeTag(w: ProtoWriter, t: Json) {
  w.string(1, t.name);
  w.string(2, t.description);
  if (t.externalDocs) w.message(3, () => writeExternalDocs(w, t.externalDocs));
  vendorExtensions(w, 4, t);
}

const OPERATION_FIELDS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function writePathItem(w: ProtoWriter, item: Json) {
  w.string(1, item.$ref);
  for (const [method, field] of Object.entries(OPERATION_FIELDS)) {
    if (item[method]) w.message(field, () => writeOperation(w, item[method]));
  }
  for (const p of item.parameters ?? []) w.message(9, () => writeParametersItem(w, p));
  vendorExtensions(w, 10, item);
}

function writeOperation(w: ProtoWriter, op: Json) {
  w.strings(1, op.tags);
  w.string(2, op.summary);
  w.string(3, op.description);
  if (op.externalDocs) w.message(4, () => writeExternalDocs(w, op.externalDocs));
  w.string(5, op.operationId);
  w.strings(6, op.produces);
  w.strings(7, op.consumes);
  for (const p of op.parameters ?? []) w.message(8, () => writeParametersItem(w, p));
  if (op.responses) {
    w.message(9, () => {
      // Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2; }
      named(w, 1, op.responses, (r) => writeResponseValue(w, r), true);
      vendorExtensions(w, 2, op.responses);
    });
  }
  w.strings(10, op.schemes);
  w.bool(11, op.deprecated);
  for (const req of op.security ?? []) w.message(12, () => writeSecurityRequirement(w, req));
  vendorExtensions(w, 13, op);
}

function writeJsonReference(w: ProtoWriter, r: Json) {
  w.string(1, r.$ref);
  w.string(2, r.description);
}

/** ParametersItem { oneof { Parameter parameter = 1; JsonReference json_reference = 2; } } */
function writeParametersItem(w: ProtoWriter, p: Json) {
  if (p.$ref) w.message(2, () => writeJsonReference(w, p));
  else w.message(1, () => writeParameter(w, p));
}

/** Parameter { oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } } */
function writeParameter(w: ProtoWriter, p: Json) {
  if (p.in === 'body') {
    w.message(1, () => {
      w.string(1, p.description);
      w.string(2, p.name);
      w.string(3, p.in);
      w.bool(4, p.required);
      if (p.schema) w.message(5, () => writeSchema(w, p.schema));
      vendorExtensions(w, 6, p);
    });
    return;
  }
  // NonBodyParameter { oneof { header = 1; form_data = 2; query = 3; path = 4; } }: two field layouts
  const branch = ({ header: 1, formData: 2, query: 3, path: 4 } as Record<string, number>)[p.in];
  if (!branch) throw new Error(`protobuf: parameter ${p.name} has an unknown location ${p.in}`);
  w.message(2, () =>
    w.message(branch, () => {
      w.bool(1, p.required);
      w.string(2, p.in);
      w.string(3, p.description);
      w.string(4, p.name);
      // query and formData have allow_empty_value = 5 and every later field one number up
      const o = branch === 2 || branch === 3 ? 1 : 0;
      if (o) w.bool(5, p.allowEmptyValue);
      w.string(5 + o, p.type);
      w.string(6 + o, p.format);
      if (p.items) w.message(7 + o, () => writePrimitivesItems(w, p.items));
      w.string(8 + o, p.collectionFormat);
      anyField(w, 9 + o, p.default);
      w.double(10 + o, p.maximum);
      w.bool(11 + o, p.exclusiveMaximum);
      w.double(12 + o, p.minimum);
      w.bool(13 + o, p.exclusiveMinimum);
      w.int64(14 + o, p.maxLength);
      w.int64(15 + o, p.minLength);
      w.string(16 + o, p.pattern);
      w.int64(17 + o, p.maxItems);
      w.int64(18 + o, p.minItems);
      w.bool(19 + o, p.uniqueItems);
      for (const e of p.enum ?? []) anyField(w, 20 + o, e);
      w.double(21 + o, p.multipleOf);
      vendorExtensions(w, 22 + o, p);
    }),
  );
}

function writePrimitivesItems(w: ProtoWriter, it: Json) {
  w.string(1, it.type);
  w.string(2, it.format);
  if (it.items) w.message(3, () => writePrimitivesItems(w, it.items));
  w.string(4, it.collectionFormat);
  anyField(w, 5, it.default);
  w.double(6, it.maximum);
  w.bool(7, it.exclusiveMaximum);
  w.double(8, it.minimum);
  w.bool(9, it.exclusiveMinimum);
  w.int64(10, it.maxLength);
  w.int64(11, it.minLength);
  w.string(12, it.pattern);
  w.int64(13, it.maxItems);
  w.int64(14, it.minItems);
  w.bool(15, it.uniqueItems);
  for (const e of it.enum ?? []) anyField(w, 16, e);
  w.double(17, it.multipleOf);
  vendorExtensions(w, 18, it);
}

/** ResponseValue { oneof { Response response = 1; JsonReference json_reference = 2; } } */
function writeResponseValue(w: ProtoWriter, r: Json) {
  if (r.$ref) w.message(2, () => writeJsonReference(w, r));
  else w.message(1, () => writeResponse(w, r));
}

function writeResponse(w: ProtoWriter, r: Json) {
  w.string(1, r.description);
  // SchemaItem { oneof { Schema schema = 1; FileSchema file_schema = 2; } }
  if (r.schema) w.message(2, () => w.message(1, () => writeSchema(w, r.schema)));
  if (r.headers) {
    // Headers { repeated NamedHeader additional_properties = 1; }
    w.message(3, () => named(w, 1, r.headers, (h) => writeHeader(w, h)));
  }
  if (r.examples) w.message(4, () => named(w, 1, r.examples, (e) => anyValue(w, e)));
  vendorExtensions(w, 5, r);
}

function writeHeader(w: ProtoWriter, h: Json) {
  w.string(1, h.type);
  w.string(2, h.format);
  if (h.items) w.message(3, () => writePrimitivesItems(w, h.items));
  w.string(4, h.collectionFormat);
  anyField(w, 5, h.default);
  w.double(6, h.maximum);
  w.bool(7, h.exclusiveMaximum);
  w.double(8, h.minimum);
  w.bool(9, h.exclusiveMinimum);
  w.int64(10, h.maxLength);
  w.int64(11, h.minLength);
  w.string(12, h.pattern);
  w.int64(13, h.maxItems);
  w.int64(14, h.minItems);
  w.bool(15, h.uniqueItems);
  for (const e of h.enum ?? []) anyField(w, 16, e);
  w.double(17, h.multipleOf);
  w.string(18, h.description);
  vendorExtensions(w, 19, h);
}

/** SecurityRequirement { repeated NamedStringArray additional_properties = 1; } */
function writeSecurityRequirement(w: ProtoWriter, req: Record<string, string[]>) {
  named(w, 1, req, (scopes: string[]) => w.strings(1, scopes));
}

/** SecurityDefinitionsItem: the branch by `type` (and `flow` for oauth2) */
function writeSecurityDefinition(w: ProtoWriter, s: Json) {
  if (s.type === 'basic') {
    w.message(1, () => {
      w.string(1, s.type);
      w.string(2, s.description);
      vendorExtensions(w, 3, s);
    });
  } else if (s.type === 'apiKey') {
    w.message(2, () => {
      w.string(1, s.type);
      w.string(2, s.name);
      w.string(3, s.in);
      w.string(4, s.description);
      vendorExtensions(w, 5, s);
    });
  } else {
    throw new Error(`protobuf: unsupported security definition type ${s.type}`);
  }
}

const SCHEMA_KEYS = new Set([
  '$ref', 'format', 'title', 'description', 'default', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties',
  'minProperties', 'required', 'enum', 'additionalProperties', 'type', 'items', 'allOf', 'properties',
  'discriminator', 'readOnly', 'xml', 'externalDocs', 'example',
]);

export function writeSchema(w: ProtoWriter, s: Json) {
  for (const k of Object.keys(s)) {
    if (!SCHEMA_KEYS.has(k) && !isExt(k)) throw new Error(`protobuf: schema key ${k} has no place in an OpenAPI v2 schema`);
  }
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  anyField(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength);
  w.int64(12, s.minLength);
  w.string(13, s.pattern);
  w.int64(14, s.maxItems);
  w.int64(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int64(17, s.maxProperties);
  w.int64(18, s.minProperties);
  w.strings(19, s.required);
  for (const e of s.enum ?? []) anyField(w, 20, e);
  if (s.additionalProperties !== undefined) {
    // AdditionalPropertiesItem { oneof { Schema schema = 1; bool boolean = 2; } }
    const ap = s.additionalProperties;
    w.message(21, () => {
      if (typeof ap === 'boolean') {
        // a oneof branch is written even when it holds the default value
        w.rawBool(2, ap);
      } else {
        w.message(1, () => writeSchema(w, ap));
      }
    });
  }
  if (s.type !== undefined) w.message(22, () => w.strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items !== undefined) {
    w.message(23, () => {
      for (const it of Array.isArray(s.items) ? s.items : [s.items]) w.message(1, () => writeSchema(w, it));
    });
  }
  for (const a of s.allOf ?? []) w.message(24, () => writeSchema(w, a));
  if (s.properties) w.message(25, () => named(w, 1, s.properties, (p) => writeSchema(w, p)));
  w.string(26, s.discriminator);
  w.bool(27, s.readOnly);
  if (s.xml) {
    w.message(28, () => {
      w.string(1, s.xml.name);
      w.string(2, s.xml.namespace);
      w.string(3, s.xml.prefix);
      w.bool(4, s.xml.attribute);
      w.bool(5, s.xml.wrapped);
      vendorExtensions(w, 6, s.xml);
    });
  }
  if (s.externalDocs) w.message(29, () => writeExternalDocs(w, s.externalDocs));
  anyField(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

/** The gnostic `openapi.v2.Document` encoding of a Swagger 2.0 document. */
export function encodeDocument(doc: Json): Buffer {
  const w = new ProtoWriter();
  writeDocument(w, doc);
  return w.finish();
}
