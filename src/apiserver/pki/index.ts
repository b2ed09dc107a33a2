/**
 * The cluster's PKI under `<data-dir>/pki/`:
 *
 *   ca.crt, ca.key                the cluster CA (ECDSA P-256, 10 years); every other certificate is signed by it
 *   apiserver.crt, apiserver.key  the API server's serving certificate (1 year)
 *   admin.crt, admin.key          the admin client certificate: CN k8ts-admin, O system:masters (1 year)
 *
 * ensurePki() creates what is missing and reuses what is there. A leaf certificate is reissued when it is unreadable,
 * does not match its key, was not signed by the current CA, expires within 30 days, or (serving certificate) does not
 * cover the requested names. The CA is never replaced silently: a broken CA is an error that names the file.
 *
 * Everything is PEM; keys are PKCS#8 and written 0600 (the directory 0700). Files are replaced by rename, and a lock
 * file serializes concurrent ensurePki calls on the same directory (from this process or another).
 *
 * Client certificates are verified by Node's TLS server (`requestCert: true, rejectUnauthorized: false,
 * ca: pki.caCert`); userFromSocket/userFromPeerCertificate turn a verified peer certificate into a user (CN → name,
 * O → groups), as Kubernetes' x509 authenticator does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import { certSans, createCertificate, ipBytes, keyToPem, newKeyPair, type Subject } from './cert.ts';

const DAY = 86_400_000;
export const CA_DAYS = 3650;
export const LEAF_DAYS = 365;
/** A leaf certificate expiring within this many days is reissued by ensurePki. */
export const RENEW_BEFORE_DAYS = 30;
/** notBefore is backdated this much so that a peer whose clock is slightly behind accepts a fresh certificate. */
const BACKDATE_MS = 5 * 60_000;

export const ADMIN_USER = 'k8ts-admin';
export const ADMIN_GROUP = 'system:masters';

/** The names every API server serving certificate covers, besides the machine's hostname and the requested ones. */
export const DEFAULT_SERVER_HOSTS = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
export const DEFAULT_SERVER_IPS = ['127.0.0.1', '::1'];

export interface PkiOptions {
  /** Extra DNS names for the serving certificate (an entry that is an IP address is treated as one). */
  hosts: string[];
  /** Extra IP addresses for the serving certificate, e.g. the first service IP 10.43.0.1. */
  ips: string[];
}

export interface IssuedCert {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export interface Pki {
  dir: string;
  /** PEM of the cluster CA certificate (what clients and servers trust). */
  caCert: string;
  caCertPath: string;
  caKeyPath: string;
  serverCert: string;
  serverKey: string;
  serverCertPath: string;
  serverKeyPath: string;
  /** The DNS names and IPs the serving certificate was checked (or issued) to cover. */
  serverHosts: string[];
  serverIps: string[];
  adminCert: string;
  adminKey: string;
  adminCertPath: string;
  adminKeyPath: string;
  /** What this call (re)created and why, for the caller to log; empty when everything was reused. */
  generated: { file: string; reason: string }[];
  /** A client certificate signed by the cluster CA, e.g. a kubelet's: CN `system:node:<name>`, O `system:nodes`. */
  issueClientCert(opts: { commonName: string; organizations?: string[]; days?: number }): Promise<IssuedCert>;
  /** A serving certificate signed by the cluster CA (e.g. for a kubelet's own HTTPS endpoint). */
  issueServingCert(opts: { commonName: string; hosts?: string[]; ips?: string[]; days?: number }): Promise<IssuedCert>;
}

interface Ca {
  cert: crypto.X509Certificate;
  key: crypto.KeyObject;
  certPem: string;
}

/** Creates or reuses the cluster PKI under `<dataDir>/pki/`. */
export async function ensurePki(dataDir: string, opts: PkiOptions): Promise<Pki> {
  const dir = path.join(dataDir, 'pki');
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const p = {
    caCert: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    serverCert: path.join(dir, 'apiserver.crt'),
    serverKey: path.join(dir, 'apiserver.key'),
    adminCert: path.join(dir, 'admin.crt'),
    adminKey: path.join(dir, 'admin.key'),
  };
  const { hosts, ips } = serverNames(opts);
  const generated: Pki['generated'] = [];

  const release = await lockDir(dir);
  try {
    let ca = await loadCa(p.caCert, p.caKey, [p.serverCert, p.adminCert]);
    if (!ca) {
      ca = await createCa(p.caCert, p.caKey);
      generated.push({ file: p.caCert, reason: 'no CA yet' });
    }
    const theCa = ca;

    const serverProblem = (x: crypto.X509Certificate) => {
      const have = certSans(x);
      const missing = [
        ...hosts.filter((h) => !have.dns.has(h)),
        ...ips.filter((ip) => !have.ipHex.has(ipBytes(ip).toString('hex'))),
      ];
      return missing.length ? `does not cover ${missing.join(', ')}` : undefined;
    };
    const server = await ensureLeaf(p.serverCert, p.serverKey, ca, generated, serverProblem, () =>
      issue(theCa, { subject: { commonName: 'kube-apiserver' }, usages: ['serverAuth'], hosts, ips }),
    );

    const adminProblem = (x: crypto.X509Certificate) => {
      const lines = x.subject.split('\n');
      return lines.includes(`CN=${ADMIN_USER}`) && lines.includes(`O=${ADMIN_GROUP}`)
        ? undefined
        : `subject is ${x.subject.replace(/\n/g, ', ')}, not CN=${ADMIN_USER}, O=${ADMIN_GROUP}`;
    };
    const admin = await ensureLeaf(p.adminCert, p.adminKey, ca, generated, adminProblem, () =>
      issue(theCa, { subject: { commonName: ADMIN_USER, organizations: [ADMIN_GROUP] }, usages: ['clientAuth'] }),
    );

    return {
      dir,
      caCert: ca.certPem,
      caCertPath: p.caCert,
      caKeyPath: p.caKey,
      serverCert: server.cert,
      serverKey: server.key,
      serverCertPath: p.serverCert,
      serverKeyPath: p.serverKey,
      serverHosts: hosts,
      serverIps: ips,
      adminCert: admin.cert,
      adminKey: admin.key,
      adminCertPath: p.adminCert,
      adminKeyPath: p.adminKey,
      generated,
      issueClientCert: ({ commonName, organizations = [], days = LEAF_DAYS }) =>
        issue(theCa, { subject: { commonName, organizations }, usages: ['clientAuth'], days }),
      issueServingCert: ({ commonName, hosts = [], ips = [], days = LEAF_DAYS }) => {
        const names = serverNames({ hosts, ips }, false);
        return issue(theCa, { subject: { commonName }, usages: ['serverAuth'], ...names, days });
      },
    };
  } finally {
    release();
  }
}

/**
 * The user a client certificate authenticates, as Kubernetes' x509 authenticator maps it: CN → name, each O → a
 * group. undefined when the certificate was not verified against the server's `ca` (`authorized` is the socket's
 * `authorized`: with `rejectUnauthorized: false` an unverified certificate still reaches the server), when there is no
 * certificate, or when its CN is empty.
 */
export function userFromPeerCertificate(
  cert: tls.PeerCertificate | Record<string, never> | undefined,
  authorized: boolean,
): { name: string; groups: string[] } | undefined {
  if (!authorized || !cert || !('subject' in cert) || !cert.subject) return undefined;
  const values = (v: unknown): string[] =>
    v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  const subject = cert.subject as unknown as Record<string, unknown>;
  const name = values(subject.CN)[0];
  if (!name) return undefined;
  return { name, groups: values(subject.O) };
}

/** userFromPeerCertificate for a server-side TLS socket (e.g. `req.socket` of a node:https request). */
/** The user of a TLS connection is fixed at the handshake: parse its certificate once per connection. */
const socketUsers = new WeakMap<tls.TLSSocket, { name: string; groups: string[] } | null>();

export function userFromSocket(socket: tls.TLSSocket): { name: string; groups: string[] } | undefined {
  let user = socketUsers.get(socket);
  if (user === undefined) {
    user = userFromSocketUncached(socket) ?? null;
    socketUsers.set(socket, user);
  }
  return user ?? undefined;
}

function userFromSocketUncached(socket: tls.TLSSocket): { name: string; groups: string[] } | undefined {
  return userFromPeerCertificate(socket.getPeerCertificate(), socket.authorized);
}

// ---- internals ----

/** DNS names (lower-cased, deduplicated) and IPs for a serving certificate; IP-looking hosts count as IPs. */
function serverNames(opts: PkiOptions, withDefaults = true): { hosts: string[]; ips: string[] } {
  const hosts = new Set<string>();
  const ips = new Map<string, string>(); // by address bytes: ::1 and 0:0::1 are one address
  const addIp = (ip: string) => {
    if (!net.isIP(ip)) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
    const key = ipBytes(ip).toString('hex');
    if (!ips.has(key)) ips.set(key, ip);
  };
  const defaults = withDefaults ? [...DEFAULT_SERVER_HOSTS, os.hostname(), ...DEFAULT_SERVER_IPS] : [];
  for (const h of [...defaults, ...opts.hosts]) {
    const name = h.trim().toLowerCase();
    if (!name) continue;
    if (net.isIP(name)) addIp(name);
    else hosts.add(name);
  }
  for (const ip of opts.ips) addIp(ip.trim());
  return { hosts: [...hosts], ips: [...ips.values()] };
}

async function issue(
  ca: Ca,
  spec: { subject: Subject; usages: ('serverAuth' | 'clientAuth')[]; hosts?: string[]; ips?: string[]; days?: number },
): Promise<IssuedCert> {
  if (!spec.subject.commonName) throw new Error('a certificate needs a non-empty commonName');
  const days = spec.days ?? LEAF_DAYS;
  if (!(days > 0)) throw new Error(`certificate validity must be a positive number of days, not ${days}`);
  const keys = await newKeyPair();
  const now = Date.now();
  // A leaf outliving its CA would be rejected by verifiers anyway: cap it at the CA's expiry.
  const caEnd = Date.parse(ca.cert.validTo);
  const cert = createCertificate({
    subject: spec.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + days * DAY, Number.isNaN(caEnd) ? Infinity : caEnd)),
    publicKey: keys.publicKey,
    issuer: { cert: ca.cert, key: ca.key },
    usages: spec.usages,
    dnsNames: spec.hosts,
    ips: spec.ips,
  });
  return { cert, key: keyToPem(keys.privateKey) };
}

async function createCa(certPath: string, keyPath: string): Promise<Ca> {
  const keys = await newKeyPair();
  const now = Date.now();
  const certPem = createCertificate({
    subject: { commonName: `k8ts-ca@${Math.floor(now / 1000)}` },
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_DAYS * DAY),
    publicKey: keys.publicKey,
    selfSigningKey: keys.privateKey,
    isCA: true,
  });
  await writeAtomic(keyPath, keyToPem(keys.privateKey), 0o600);
  await writeAtomic(certPath, certPem, 0o644);
  return { cert: new crypto.X509Certificate(certPem), key: keys.privateKey, certPem };
}

/**
 * The CA from disk; undefined if there is none yet. A half-written CA (one file of the two) left by an interrupted
 * first run, before any certificate was issued from it, is also undefined; anything else wrong is an error.
 */
async function loadCa(certPath: string, keyPath: string, issued: string[]): Promise<Ca | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  if (certPem === undefined && keyPem === undefined) return undefined;
  const fix = 'restore it, or delete the whole pki directory to create a new CA (this invalidates every certificate ' +
    'and kubeconfig issued so far)';
  if (certPem === undefined || keyPem === undefined) {
    if (!issued.some((f) => fs.existsSync(f))) return undefined;
    const [missing, present] = certPem === undefined ? [certPath, keyPath] : [keyPath, certPath];
    throw new Error(`${missing} is missing but ${present} exists: ${fix}`);
  }
  let cert: crypto.X509Certificate;
  let key: crypto.KeyObject;
  try {
    cert = new crypto.X509Certificate(certPem);
  } catch (err) {
    throw new Error(`${certPath} is not a PEM certificate (${(err as Error).message}): ${fix}`);
  }
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`${keyPath} is not a PEM private key (${(err as Error).message}): ${fix}`);
  }
  if (!cert.ca) throw new Error(`${certPath} is not a CA certificate (basicConstraints CA:FALSE): ${fix}`);
  if (!cert.checkPrivateKey(key)) throw new Error(`${keyPath} is not the private key of ${certPath}: ${fix}`);
  if (Date.parse(cert.validTo) <= Date.now()) {
    throw new Error(`the cluster CA ${certPath} expired on ${cert.validTo}: ${fix}`);
  }
  await tightenMode(keyPath);
  return { cert, key, certPem };
}

async function ensureLeaf(
  certPath: string,
  keyPath: string,
  ca: Ca,
  generated: Pki['generated'],
  check: (x: crypto.X509Certificate) => string | undefined,
  make: () => Promise<IssuedCert>,
): Promise<IssuedCert> {
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)]);
  const reason = leafProblem(certPem, keyPem, ca, check);
  if (!reason) {
    await tightenMode(keyPath);
    return { cert: certPem!, key: keyPem! };
  }
  const fresh = await make();
  await writeAtomic(keyPath, fresh.key, 0o600);
  await writeAtomic(certPath, fresh.cert, 0o644);
  generated.push({ file: certPath, reason });
  return fresh;
}

function leafProblem(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: Ca,
  check: (x: crypto.X509Certificate) => string | undefined,
): string | undefined {
  if (certPem === undefined) return 'missing';
  if (keyPem === undefined) return 'its key is missing';
  try {
    const x = new crypto.X509Certificate(certPem);
    const key = crypto.createPrivateKey(keyPem);
    if (!x.checkPrivateKey(key)) return 'its key does not match';
    if (!x.checkIssued(ca.cert) || !x.verify(ca.cert.publicKey)) return 'not signed by the current CA';
    const end = Date.parse(x.validTo);
    if (!(end - Date.now() > RENEW_BEFORE_DAYS * DAY)) return `expires ${x.validTo}`;
    return check(x);
  } catch (err) {
    return `unreadable (${(err as Error).message})`;
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes via a temporary file and rename, so a reader never sees a partial file; `mode` regardless of umask. */
async function writeAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, data, { mode, flag: 'wx' });
    await fsp.chmod(tmp, mode);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** Keys found with looser permissions (copied in by hand) are made 0600. */
async function tightenMode(keyPath: string): Promise<void> {
  try {
    const st = await fsp.stat(keyPath);
    if (st.mode & 0o077) await fsp.chmod(keyPath, st.mode & 0o700);
  } catch {
    // Not ours to fix (e.g. owned by another user): reading it worked, which is what matters here.
  }
}

/**
 * An exclusive lock on the pki directory: `.lock` created with O_EXCL holding our PID. A lock whose owner is dead, or
 * that is older than a minute (generation takes milliseconds), is taken over. Waits up to 10 s.
 */
async function lockDir(dir: string): Promise<() => void> {
  const file = path.join(dir, '.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (lockIsStale(file)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by pid ${readPid(file) ?? '?'})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockIsStale(file: string): boolean {
  let age: number;
  try {
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return false; // released meanwhile: retry the create
  }
  if (age > 60_000) return true;
  const pid = readPid(file);
  if (pid === undefined) return age > 1_000; // being written, or garbage
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
