/**
 * The little DER (ASN.1 Distinguished Encoding Rules) that certificates need: an encoder for the structures k8ts
 * writes and a reader for the few fields it reads back (subject, key identifier, SANs).
 *
 * Written by hand rather than with @peculiar/x509 because that library cannot be imported without a global
 * `reflect-metadata` polyfill (its dependency tsyringe throws at load) and costs ~340 ms to load on the `k8ts up`
 * startup path; certificates need only a dozen ASN.1 types.
 */

// ---- encoder ----

export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let header: number[];
  if (n < 0x80) header = [tag, n];
  else {
    const lenBytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) lenBytes.unshift(v & 0xff);
    header = [tag, 0x80 | lenBytes.length, ...lenBytes];
  }
  return Buffer.concat([Buffer.from(header), content]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, Buffer.concat(items));
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));
export const nul = (): Buffer => tlv(0x05, Buffer.alloc(0));
export const octetString = (b: Uint8Array): Buffer => tlv(0x04, b);
export const utf8String = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
/** IA5String content (dNSName) must be ASCII. */
export const ia5 = (s: string): Buffer => Buffer.from(s, 'ascii');
/** [n] EXPLICIT: a constructed context-specific wrapper. */
export const explicit = (n: number, inner: Uint8Array): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT on a primitive type: the content with the context-specific tag. */
export const implicitPrimitive = (n: number, content: Uint8Array): Buffer => tlv(0x80 | n, content);

/** A non-negative INTEGER from big-endian magnitude bytes (minimal encoding, a leading 0x00 if the top bit is set). */
export function uint(bytes: Uint8Array | number): Buffer {
  let b: Buffer;
  if (typeof bytes === 'number') {
    const arr: number[] = [];
    for (let v = bytes; v > 0; v = Math.floor(v / 256)) arr.unshift(v & 0xff);
    b = Buffer.from(arr);
  } else b = Buffer.from(bytes);
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Buffer.from([0]);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING holding whole bytes (signatures, keys). */
export const bitStringBytes = (b: Uint8Array): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

/** A BIT STRING of named bits (KeyUsage): bit 0 is the top bit of the first byte; trailing zeros are dropped. */
export function namedBits(bits: number[]): Buffer {
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (max & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050; always UTC with seconds and no fraction. */
export function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const year = d.getUTCFullYear();
  const rest = [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    .map((n) => p(n))
    .join('') + 'Z';
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${p(year % 100)}${rest}`, 'ascii'));
  return tlv(0x18, Buffer.from(`${p(year, 4)}${rest}`, 'ascii'));
}

// ---- reader ----

export interface Node {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function read(buf: Uint8Array, at = 0): Node {
  if (at + 2 > buf.length) throw new Error('DER: truncated');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let len = buf[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: unsupported length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > buf.length) throw new Error('DER: truncated');
  return { tag, start: at, contentStart: p, end: p + len };
}

export function children(buf: Uint8Array, node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.contentStart; p < node.end; ) {
    const c = read(buf, p);
    out.push(c);
    p = c.end;
  }
  return out;
}

export const content = (buf: Uint8Array, n: Node): Buffer => Buffer.from(buf.subarray(n.contentStart, n.end));
export const whole = (buf: Uint8Array, n: Node): Buffer => Buffer.from(buf.subarray(n.start, n.end));
