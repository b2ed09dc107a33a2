/**
 * Decodes Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`) into the plain
 * object the JSON encoding of the same Go object would have produced, so the rest of the server never sees the
 * difference. client-go's typed clients send this and do not fall back to JSON on a 415: with kubectl 1.32 that is
 * every `kubectl create <kind>` generator, `kubectl create job --from`, `kubectl debug --copy-to`, `kubectl auth
 * can-i` / `whoami`, `kubectl create token`, and drain's DELETE fallback (DeleteOptions). (`kubectl run`, `kubectl
 * delete` and drain's Eviction happen to send JSON.)
 *
 * Envelope: the 4 magic bytes `k8s\0`, then a runtime.Unknown message:
 *   1 typeMeta {1 apiVersion, 2 kind}   2 raw (the object's own message bytes)   3 contentEncoding   4 contentType
 *
 * Mapping to JSON (see types.ts for the type vocabulary and flags):
 *   - proto2 presence: a pointer field on the wire is set, even to a zero value (`replicas: 0`, `gracePeriodSeconds: 0`);
 *     a non-pointer scalar is always on the wire, so a zero value is dropped when the JSON tag has omitempty and kept
 *     otherwise (`containerPort: 0`, `name: ""`), exactly as encoding/json would do;
 *   - non-pointer structs are always on the wire and become objects even when empty (`status: {}`, `resources: {}`);
 *   - repeated and map fields are left out when empty (JSON would say `null` for some; absent is what our handlers expect);
 *   - metav1.Time → "2024-01-02T03:04:05Z" (seconds precision; an empty Time is JSON `null`, e.g. creationTimestamp),
 *     MicroTime → 6 fractional digits, Duration → Go duration string, IntOrString → number or string,
 *     Quantity → string, RawExtension / FieldsV1 → the JSON they carry, bytes → base64;
 *   - int64 → number; unknown fields are skipped.
 */
import { StatusError, badRequest, unsupportedMediaType } from '../status.ts';
import { KINDS, MESSAGES } from './table.generated.ts';
import { F_INLINE, F_MAP, F_OMITEMPTY, F_POINTER, F_REPEATED, type FieldSpec } from './types.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The 4-byte prefix of every Kubernetes protobuf object: "k8s\0". */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** A protobuf body the server cannot accept. `code` is the HTTP status to answer with. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
  constructor(
    message: string,
    readonly code: 400 | 415 = 400,
    readonly reason: 'BadRequest' | 'UnsupportedMediaType' = code === 415 ? 'UnsupportedMediaType' : 'BadRequest',
  ) {
    super(message);
  }
}

/** The Kubernetes Status error (400 BadRequest / 415 UnsupportedMediaType) to answer a ProtobufDecodeError with. */
export function toStatusError(err: ProtobufDecodeError): StatusError {
  return err.code === 415 ? unsupportedMediaType(err.message) : badRequest(err.message);
}

/** True for `application/vnd.kubernetes.protobuf` with or without parameters. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

const kindIndex = new Map<string, string>(KINDS.map(([apiVersion, kind, message]) => [`${apiVersion}/${kind}`, message]));

/** The message a top-level apiVersion + kind decodes as, if supported. DeleteOptions is accepted under any group version. */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  if (kind === 'DeleteOptions') return 'meta/v1.DeleteOptions';
  return kindIndex.get(`${apiVersion}/${kind}`);
}

/** Every apiVersion/kind the decoder accepts (for diagnostics and tests). */
export function supportedProtobufKinds(): { apiVersion: string; kind: string }[] {
  return KINDS.filter(([a]) => a !== 'meta/v1').map(([apiVersion, kind]) => ({ apiVersion, kind }));
}

/**
 * Decodes a `k8s\0`-prefixed protobuf body. apiVersion/kind come from the envelope's typeMeta; `expected` fills them in
 * when the envelope leaves them empty (it does not override what the body says: the caller compares, as for JSON).
 */
export function decodeKubernetesProtobuf(
  body: Uint8Array,
  expected?: { apiVersion: string; kind: string },
): Record<string, unknown> {
  if (body.length < 4 || !PROTOBUF_MAGIC.every((b, i) => body[i] === b)) {
    throw new ProtobufDecodeError('protobuf body does not start with the Kubernetes magic prefix "k8s\\x00"');
  }
  const unknown = decodeUnknown(body.subarray(4));
  const apiVersion = unknown.apiVersion || expected?.apiVersion || '';
  const kind = unknown.kind || expected?.kind || '';
  if (!kind) throw new ProtobufDecodeError('protobuf body has no kind in its typeMeta');
  if (unknown.contentEncoding) {
    throw new ProtobufDecodeError(`protobuf body uses unsupported contentEncoding "${unknown.contentEncoding}"`, 415);
  }
  const innerType = (unknown.contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (innerType === 'application/json') {
    const obj = parseJson(unknown.raw, 'raw JSON in protobuf envelope');
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new ProtobufDecodeError('raw JSON in protobuf envelope is not an object');
    return obj as Record<string, unknown>;
  }
  if (innerType && innerType !== PROTOBUF_MEDIA_TYPE) {
    throw new ProtobufDecodeError(`protobuf body carries unsupported contentType "${unknown.contentType}"`, 415);
  }
  const message = messageForKind(apiVersion, kind);
  if (!message) {
    throw new ProtobufDecodeError(
      `no protobuf decoder for ${apiVersion ? `${apiVersion}, ` : ''}Kind=${kind}; send application/json instead`,
      415,
    );
  }
  const obj = decodeMessage(unknown.raw, message, `${kind}`);
  return { kind, ...(apiVersion ? { apiVersion } : {}), ...obj };
}

// ---------------------------------------------------------------------------------------------------------------
// Wire format

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

class Reader {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly path: string,
  ) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  fail(what: string): never {
    throw new ProtobufDecodeError(`malformed protobuf at ${this.path} (byte ${this.pos}): ${what}`);
  }
  /** A varint as an unsigned 64-bit BigInt. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    this.fail('varint longer than 10 bytes');
  }
  /** A small non-negative varint (tags, lengths) as a number. */
  uint32(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) this.fail('varint too large');
        return result;
      }
      mul *= 128;
    }
    this.fail('varint longer than 10 bytes');
  }
  bytes(): Uint8Array {
    const len = this.uint32();
    if (len > this.buf.length - this.pos) this.fail(`length ${len} runs past the end of the data`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  fixed(n: 4 | 8): Uint8Array {
    if (n > this.buf.length - this.pos) this.fail('truncated fixed-width value');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number, field: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.fixed(8);
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.fixed(4);
        return;
      case WIRE_START_GROUP:
        for (;;) {
          if (this.done) this.fail(`unterminated group ${field}`);
          const tag = this.uint32();
          if ((tag & 7) === WIRE_END_GROUP) {
            if (tag >>> 3 !== field) this.fail('mismatched end of group');
            return;
          }
          this.skip(tag & 7, tag >>> 3);
        }
      default:
        this.fail(`invalid wire type ${wire}`);
    }
  }
  /** Iterates over (field, wireType) pairs; the callback must consume the value. */
  fields(each: (field: number, wire: number) => void): void {
    while (!this.done) {
      const tag = this.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) this.fail('field number 0');
      if (wire === WIRE_END_GROUP) this.fail('unexpected end of group');
      each(field, wire);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const text = (b: Uint8Array) => utf8.decode(b);

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(text(bytes));
  } catch (err) {
    throw new ProtobufDecodeError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function decodeUnknown(buf: Uint8Array) {
  const r = new Reader(buf, 'runtime.Unknown');
  const out: { apiVersion: string; kind: string; raw: Uint8Array; contentEncoding: string; contentType: string } = {
    apiVersion: '',
    kind: '',
    raw: new Uint8Array(0),
    contentEncoding: '',
    contentType: '',
  };
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_LEN) {
      const tm = new Reader(r.bytes(), 'runtime.Unknown.typeMeta');
      tm.fields((f, w) => {
        if (f === 1 && w === WIRE_LEN) out.apiVersion = text(tm.bytes());
        else if (f === 2 && w === WIRE_LEN) out.kind = text(tm.bytes());
        else tm.skip(w, f);
      });
    } else if (field === 2 && wire === WIRE_LEN) out.raw = r.bytes();
    else if (field === 3 && wire === WIRE_LEN) out.contentEncoding = text(r.bytes());
    else if (field === 4 && wire === WIRE_LEN) out.contentType = text(r.bytes());
    else r.skip(wire, field);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

const MAX_DEPTH = 64;

/** Per-message lookup: field number → spec, built lazily from the generated table. */
const fieldMaps = new Map<string, Map<number, FieldSpec>>();
function fieldsOf(message: string): Map<number, FieldSpec> {
  let m = fieldMaps.get(message);
  if (!m) {
    const specs = MESSAGES[message];
    if (!specs) throw new Error(`protobuf table has no message ${message}`);
    m = new Map(specs.map((s) => [s[0], s]));
    fieldMaps.set(message, m);
  }
  return m;
}

const isMessage = (type: string) => type.includes('.');
const isScalar = (type: string) => !isMessage(type) && !WELL_KNOWN.has(type);
const isVarintType = (type: string) => type === 'bool' || type === 'int32' || type === 'int64';

function toInt64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}
function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** A scalar read with the wire type already checked. */
function readScalar(r: Reader, type: string): unknown {
  switch (type) {
    case 'string':
      return text(r.bytes());
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      return r.varint() !== 0n;
    case 'int32':
      return toInt32(r.varint());
    case 'int64':
      return toInt64(r.varint());
    case 'double': {
      const b = r.fixed(8);
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    default:
      throw new Error(`not a scalar type: ${type}`);
  }
}

function expectedWire(type: string): number {
  if (isVarintType(type)) return WIRE_VARINT;
  if (type === 'double') return WIRE_FIXED64;
  return WIRE_LEN;
}

/** Decodes a length-delimited value of a non-scalar type (message or well-known). */
function decodeValue(bytes: Uint8Array, type: string, path: string, depth: number): unknown {
  switch (type) {
    case 'time':
    case 'microtime':
      return decodeTimestamp(bytes, type, path);
    case 'duration':
      return decodeDuration(bytes, path);
    case 'quantity':
      return decodeQuantity(bytes, path);
    case 'intorstring':
      return decodeIntOrString(bytes, path);
    case 'rawextension':
    case 'fieldsv1':
      return decodeRawBytes(bytes, path);
    case 'stringlist':
      return decodeStringList(bytes, path);
    default:
      return decodeMessage(bytes, type, path, depth + 1);
  }
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function decodeMessage(buf: Uint8Array, message: string, path: string, depth = 0): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new ProtobufDecodeError(`protobuf nesting deeper than ${MAX_DEPTH} at ${path}`);
  const specs = fieldsOf(message);
  const r = new Reader(buf, path);
  const values = new Map<number, unknown>();
  r.fields((field, wire) => {
    const spec = specs.get(field);
    if (!spec) {
      r.skip(wire, field);
      return;
    }
    const [, json, type, flags] = spec;
    const fieldPath = `${path}.${json || type.slice(type.lastIndexOf('.') + 1)}`;
    const mismatch = (): never =>
      r.fail(`field ${field} (${json || 'inline'}) has wire type ${wire}, expected ${expectedWire(flags & F_MAP ? 'map' : type)}`);

    if (flags & F_MAP) {
      if (wire !== WIRE_LEN) mismatch();
      const entry = decodeMapEntry(r.bytes(), type, fieldPath, depth);
      let m = values.get(field) as Record<string, unknown> | undefined;
      if (!m) values.set(field, (m = {}));
      m[entry[0]] = entry[1];
      return;
    }
    if (flags & F_REPEATED) {
      let list = values.get(field) as unknown[] | undefined;
      if (!list) values.set(field, (list = []));
      if (!isMessage(type) && type !== 'string' && type !== 'bytes' && !isWellKnown(type) && wire === WIRE_LEN) {
        // packed repeated scalars
        const packed = new Reader(r.bytes(), fieldPath);
        while (!packed.done) list.push(readScalar(packed, type));
        return;
      }
      if (wire !== expectedWire(type)) mismatch();
      list.push(isMessage(type) || isWellKnown(type) ? decodeValue(r.bytes(), type, `${fieldPath}[${list.length}]`, depth) : readScalar(r, type));
      return;
    }
    if (wire !== expectedWire(type)) mismatch();
    if (isMessage(type) || isWellKnown(type)) values.set(field, decodeValue(r.bytes(), type, fieldPath, depth));
    else values.set(field, readScalar(r, type));
  });

  // Emit in Go struct order (the table's order), as encoding/json does.
  const out: Record<string, unknown> = {};
  for (const [num, json, type, flags] of specs.values()) {
    if (!values.has(num)) continue;
    const v = values.get(num);
    if (flags & F_INLINE) {
      Object.assign(out, v as Record<string, unknown>);
      continue;
    }
    if (flags & (F_REPEATED | F_MAP)) {
      // empty lists/maps never reach the wire, so anything collected here is non-empty
      out[json] = v;
      continue;
    }
    // encoding/json's omitempty only ever drops scalars (structs such as IntOrString or Quantity are never "empty")
    if (!(flags & F_POINTER) && flags & F_OMITEMPTY && isScalar(type) && isZero(v)) continue;
    out[json] = v;
  }
  return out;
}

const WELL_KNOWN = new Set(['time', 'microtime', 'duration', 'quantity', 'intorstring', 'rawextension', 'fieldsv1', 'stringlist']);
function isWellKnown(type: string): boolean {
  return WELL_KNOWN.has(type);
}

function decodeMapEntry(buf: Uint8Array, valueType: string, path: string, depth: number): [string, unknown] {
  const r = new Reader(buf, path);
  let key = '';
  let value: unknown;
  let seen = false;
  r.fields((field, wire) => {
    if (field === 1) {
      if (wire !== WIRE_LEN) r.fail('map key is not length-delimited');
      key = text(r.bytes());
    } else if (field === 2) {
      if (wire !== expectedWire(valueType)) r.fail(`map value has wire type ${wire}`);
      value = isMessage(valueType) || isWellKnown(valueType) ? decodeValue(r.bytes(), valueType, `${path}[${key}]`, depth) : readScalar(r, valueType);
      seen = true;
    } else r.skip(wire, field);
  });
  if (!seen) {
    // an absent value is the zero value of its type
    value = isMessage(valueType) || isWellKnown(valueType) ? decodeValue(new Uint8Array(0), valueType, `${path}[${key}]`, depth) : zeroOf(valueType);
  }
  return [key, value];
}

function zeroOf(type: string): unknown {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Well-known types

/** metav1.Time / MicroTime: {1 seconds int64, 2 nanos int32}. Empty message = zero time = JSON null. */
function decodeTimestamp(buf: Uint8Array, type: 'time' | 'microtime', path: string): string | null {
  if (buf.length === 0) return null;
  const r = new Reader(buf, path);
  let seconds = 0n;
  let nanos = 0;
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_VARINT) seconds = BigInt.asIntN(64, r.varint());
    else if (field === 2 && wire === WIRE_VARINT) nanos = toInt32(r.varint());
    else r.skip(wire, field);
  });
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) r.fail(`timestamp ${seconds}s out of range`);
  const base = d.toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS (UTC)
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) r.fail(`timestamp ${seconds}s out of range`);
  if (type === 'time') return `${base}Z`;
  const micros = Math.min(999999, Math.max(0, Math.floor(nanos / 1000)));
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

/** metav1.Duration: {1 duration int64 nanoseconds} → Go's time.Duration.String(). */
function decodeDuration(buf: Uint8Array, path: string): string {
  const r = new Reader(buf, path);
  let ns = 0n;
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_VARINT) ns = BigInt.asIntN(64, r.varint());
    else r.skip(wire, field);
  });
  return formatGoDuration(ns);
}

/** Formats nanoseconds the way Go's time.Duration.String does ("1h2m3.5s", "500ms", "1.5µs", "0s"). */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  if (u === 0n) return '0s';
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let prec: number;
    if (u < 1_000n) {
      unit = 'ns';
      prec = 0;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      prec = 3;
    } else {
      unit = 'ms';
      prec = 6;
    }
    const [intPart, frac] = splitFrac(u, prec);
    out = `${intPart}${frac}${unit}`;
  } else {
    const [secs, frac] = splitFrac(u, 9);
    u = secs;
    out = `${u % 60n}${frac}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

/** Splits v into v / 10^prec and a ".fraction" string without trailing zeros ("" when the fraction is 0). */
function splitFrac(v: bigint, prec: number): [bigint, string] {
  if (prec === 0) return [v, ''];
  const scale = 10n ** BigInt(prec);
  const frac = v % scale;
  if (frac === 0n) return [v / scale, ''];
  return [v / scale, `.${frac.toString().padStart(prec, '0').replace(/0+$/, '')}`];
}

/** resource.Quantity: {1 string}. An empty Quantity is the zero quantity, "0" in JSON. */
function decodeQuantity(buf: Uint8Array, path: string): string {
  const r = new Reader(buf, path);
  let s = '';
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_LEN) s = text(r.bytes());
    else r.skip(wire, field);
  });
  return s === '' ? '0' : s;
}

/** intstr.IntOrString: {1 type int64 (0 = Int, 1 = String), 2 intVal int32, 3 strVal string}. */
function decodeIntOrString(buf: Uint8Array, path: string): number | string {
  const r = new Reader(buf, path);
  let kind = 0;
  let intVal = 0;
  let strVal = '';
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_VARINT) kind = toInt64(r.varint());
    else if (field === 2 && wire === WIRE_VARINT) intVal = toInt32(r.varint());
    else if (field === 3 && wire === WIRE_LEN) strVal = text(r.bytes());
    else r.skip(wire, field);
  });
  if (kind === 1) return strVal;
  if (kind !== 0) r.fail(`IntOrString has unknown type ${kind}`);
  return intVal;
}

/** A named []string used as a map value (ExtraValue): {1 repeated string items} → array. */
function decodeStringList(buf: Uint8Array, path: string): string[] {
  const r = new Reader(buf, path);
  const items: string[] = [];
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_LEN) items.push(text(r.bytes()));
    else r.skip(wire, field);
  });
  return items;
}

/**
 * runtime.RawExtension {1 raw} and metav1.FieldsV1 {1 Raw}: both carry serialized JSON and appear inline in the
 * JSON form. No bytes = JSON null. A raw that is itself a `k8s\0` protobuf object is decoded recursively.
 */
function decodeRawBytes(buf: Uint8Array, path: string): unknown {
  const r = new Reader(buf, path);
  let raw: Uint8Array | undefined;
  r.fields((field, wire) => {
    if (field === 1 && wire === WIRE_LEN) raw = r.bytes();
    else r.skip(wire, field);
  });
  if (!raw || raw.length === 0) return null;
  if (raw.length >= 4 && PROTOBUF_MAGIC.every((b, i) => raw![i] === b)) return decodeKubernetesProtobuf(raw);
  return parseJson(raw, path);
}
