/**
 * Creating X.509 v3 certificates with Node's crypto (keys, SHA-256 signatures) and the DER encoder in der.ts, and
 * reading back the fields Node's X509Certificate does not expose in a usable form (raw subject, key identifier, SANs).
 */
import crypto from 'node:crypto';
import net from 'node:net';
import { promisify } from 'node:util';
import * as der from './der.ts';

const generateKeyPair = promisify(crypto.generateKeyPair);

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

const KU = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

export interface Subject {
  commonName: string;
  organizations?: string[];
}

export interface CertSpec {
  subject: Subject;
  notBefore: Date;
  notAfter: Date;
  /** The key the certificate is for. */
  publicKey: crypto.KeyObject;
  /** Self-signed when absent. */
  issuer?: { cert: crypto.X509Certificate; key: crypto.KeyObject };
  /** When self-signed, the key that signs (the private half of publicKey). */
  selfSigningKey?: crypto.KeyObject;
  isCA?: boolean;
  usages?: ('serverAuth' | 'clientAuth')[];
  dnsNames?: string[];
  ips?: string[];
}

/** A fresh ECDSA P-256 key pair (sub-millisecond, and accepted by Go's and OpenSSL's TLS). */
export async function newKeyPair(): Promise<{ privateKey: crypto.KeyObject; publicKey: crypto.KeyObject }> {
  return generateKeyPair('ec', { namedCurve: 'prime256v1' });
}

export const keyToPem = (key: crypto.KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;

export function certToPem(derBytes: Uint8Array): string {
  const b64 = Buffer.from(derBytes).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Builds, signs and returns a certificate as PEM. */
export function createCertificate(spec: CertSpec): string {
  const signingKey = spec.issuer?.key ?? spec.selfSigningKey;
  if (!signingKey) throw new Error('createCertificate: a self-signed certificate needs selfSigningKey');
  const sigAlg = signatureAlgorithm(signingKey);
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const ski = keyIdentifier(spki);
  const subject = encodeName(spec.subject);
  const issuerName = spec.issuer ? certSubjectDer(spec.issuer.cert) : subject;
  const authorityKeyId = spec.issuer ? certSubjectKeyId(spec.issuer.cert) : ski;

  const exts: Buffer[] = [];
  const ext = (id: string, critical: boolean, value: Buffer) =>
    exts.push(der.seq(der.oid(id), ...(critical ? [der.bool(true)] : []), der.octetString(value)));

  if (spec.isCA) {
    ext(OID.keyUsage, true, der.namedBits([KU.digitalSignature, KU.keyCertSign, KU.cRLSign]));
    ext(OID.basicConstraints, true, der.seq(der.bool(true)));
  } else {
    const bits = [KU.digitalSignature];
    if (spec.publicKey.asymmetricKeyType === 'rsa') bits.push(KU.keyEncipherment);
    ext(OID.keyUsage, true, der.namedBits(bits));
    if (spec.usages?.length) ext(OID.extKeyUsage, false, der.seq(...spec.usages.map((u) => der.oid(OID[u]))));
    ext(OID.basicConstraints, true, der.seq());
  }
  ext(OID.subjectKeyIdentifier, false, der.octetString(ski));
  if (authorityKeyId) ext(OID.authorityKeyIdentifier, false, der.seq(der.implicitPrimitive(0, authorityKeyId)));
  const sans = [
    ...(spec.dnsNames ?? []).map((d) => der.implicitPrimitive(2, der.ia5(checkDnsName(d)))),
    ...(spec.ips ?? []).map((ip) => der.implicitPrimitive(7, ipBytes(ip))),
  ];
  if (sans.length) ext(OID.subjectAltName, false, der.seq(...sans));

  const tbs = der.seq(
    der.explicit(0, der.uint(2)), // v3
    der.uint(serialNumber()),
    sigAlg,
    issuerName,
    der.seq(der.time(spec.notBefore), der.time(spec.notAfter)),
    subject,
    spki,
    der.explicit(3, der.seq(...exts)),
  );
  const signature = crypto.sign('sha256', tbs, signingKey); // ECDSA: DER Ecdsa-Sig-Value; RSA: PKCS#1 v1.5
  return certToPem(der.seq(tbs, sigAlg, der.bitStringBytes(signature)));
}

function signatureAlgorithm(key: crypto.KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return der.seq(der.oid(OID.ecdsaWithSha256));
    case 'rsa':
      return der.seq(der.oid(OID.sha256WithRsa), der.nul());
    default:
      throw new Error(`unsupported CA key type ${key.asymmetricKeyType}: use an EC or RSA key`);
  }
}

/** 128 random bits, positive (Go rejects negative serials), never zero. */
function serialNumber(): Buffer {
  const b = crypto.randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}

/** One RDN per attribute, each O then CN (Go's pkix order), UTF8String values. */
export function encodeName({ commonName, organizations = [] }: Subject): Buffer {
  const rdn = (type: string, value: string) => der.set(der.seq(der.oid(type), der.utf8String(value)));
  return der.seq(...organizations.map((o) => rdn(OID.organization, o)), rdn(OID.commonName, commonName));
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, bitString] = der.children(spki, der.read(spki));
  if (!bitString) throw new Error('malformed SubjectPublicKeyInfo');
  return crypto.createHash('sha1').update(der.content(spki, bitString).subarray(1)).digest();
}

function checkDnsName(name: string): string {
  if (!/^[\x21-\x7e]+$/.test(name)) throw new Error(`SAN ${JSON.stringify(name)} is not an ASCII DNS name`);
  return name;
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes of an iPAddress SAN. */
export function ipBytes(ip: string): Buffer {
  const kind = net.isIP(ip);
  if (kind === 4) return Buffer.from(ip.split('.').map(Number));
  if (kind !== 6) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
  let text = ip.replace(/%.*$/, '');
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    tail = v4[1]!.split('.').map(Number);
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tail.length) Buffer.from(tail).copy(out, 12);
  return out;
}

// ---- reading certificates ----

interface TbsFields {
  subject: der.Node;
  extensions: der.Node[];
}

function tbsFields(raw: Buffer): TbsFields {
  const [tbs] = der.children(raw, der.read(raw));
  if (!tbs) throw new Error('malformed certificate');
  let fields = der.children(raw, tbs);
  if (fields[0]?.tag === 0xa0) fields = fields.slice(1); // version
  // serial, signature, issuer, validity, subject, spki, [1] issuerUID, [2] subjectUID, [3] extensions
  const subject = fields[4];
  if (!subject) throw new Error('malformed certificate');
  const extsWrapper = fields.find((f) => f.tag === 0xa3);
  const extensions = extsWrapper ? der.children(raw, der.children(raw, extsWrapper)[0]!) : [];
  return { subject, extensions };
}

function extensionValue(raw: Buffer, exts: der.Node[], id: string): Buffer | undefined {
  const want = der.oid(id);
  for (const e of exts) {
    const parts = der.children(raw, e);
    if (parts[0] && der.whole(raw, parts[0]).equals(want)) return der.content(raw, parts[parts.length - 1]!);
  }
  return undefined;
}

/** The certificate's subject Name exactly as encoded (a child's issuer must match it byte for byte). */
export function certSubjectDer(cert: crypto.X509Certificate): Buffer {
  return der.whole(cert.raw, tbsFields(cert.raw).subject);
}

/** The subjectKeyIdentifier extension's key id, if the certificate has one. */
export function certSubjectKeyId(cert: crypto.X509Certificate): Buffer | undefined {
  const v = extensionValue(cert.raw, tbsFields(cert.raw).extensions, OID.subjectKeyIdentifier);
  return v && der.content(v, der.read(v));
}

/** DNS names (lower-cased) and IP addresses (as 16-hex/32-hex strings of their bytes) in the SAN extension. */
export function certSans(cert: crypto.X509Certificate): { dns: Set<string>; ipHex: Set<string> } {
  const dns = new Set<string>();
  const ipHex = new Set<string>();
  const v = extensionValue(cert.raw, tbsFields(cert.raw).extensions, OID.subjectAltName);
  if (v) {
    for (const n of der.children(v, der.read(v))) {
      if (n.tag === 0x82) dns.add(der.content(v, n).toString('ascii').toLowerCase());
      else if (n.tag === 0x87) ipHex.add(der.content(v, n).toString('hex'));
    }
  }
  return { dns, ipHex };
}
