/**
 * Reading and writing kubeconfig files (the format kubectl uses: clusters, users and contexts, plus current-context).
 *
 * writeKubeconfig writes a single-context file with everything embedded (base64 *-data fields), mode 0600, so the
 * file alone is enough to reach the cluster. loadKubeconfig resolves one context to what a client needs to connect,
 * reading embedded data or files (paths relative to the kubeconfig's directory, as kubectl resolves them).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

export interface WriteKubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  caPem: string;
  /** PEM client certificate and key. */
  certPem: string;
  keyPem: string;
  /** Default `k8ts`. */
  clusterName?: string;
  /** Default `k8ts-admin`. */
  userName?: string;
  /** Default: the cluster name. */
  contextName?: string;
}

/** Writes a kubeconfig (mode 0600, replaced atomically), creating its directory if needed. */
export async function writeKubeconfig(file: string, opts: WriteKubeconfigOptions): Promise<void> {
  const cluster = opts.clusterName ?? 'k8ts';
  const user = opts.userName ?? 'k8ts-admin';
  const context = opts.contextName ?? cluster;
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } }],
    users: [
      { name: user, user: { 'client-certificate-data': b64(opts.certPem), 'client-key-data': b64(opts.keyPem) } },
    ],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
    preferences: {},
  };
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    await fsp.writeFile(tmp, YAML.stringify(doc, { lineWidth: 0 }), { mode: 0o600, flag: 'wx' });
    await fsp.chmod(tmp, 0o600);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

export interface Kubeconfig {
  /** The file it came from. */
  file: string;
  contextName: string;
  clusterName: string;
  /** undefined when the context names no user. */
  userName?: string;
  server: string;
  /** PEM of the CA to trust; undefined means the system's trust store (or none with insecureSkipTlsVerify). */
  ca?: string;
  /** PEM client certificate and key (always both or neither). */
  cert?: string;
  key?: string;
  /** Bearer token (from `token` or `tokenFile`). */
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** `tls-server-name`: the name to verify the server's certificate against instead of the URL's host. */
  tlsServerName?: string;
}

/** `$KUBECONFIG` (its first entry) or `~/.kube/config`. */
export function defaultKubeconfigPath(): string {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(path.delimiter).find(Boolean);
  return fromEnv ?? path.join(os.homedir(), '.kube', 'config');
}

/**
 * Loads `context` (default: the file's current-context) from a kubeconfig. Errors name the file and what is missing
 * or wrong, e.g. `kubeconfig /x/config: user "admin" has client-certificate-data but no client key`.
 */
export async function loadKubeconfig(file: string, context?: string): Promise<Kubeconfig> {
  const fail = (msg: string): never => {
    throw new Error(`kubeconfig ${file}: ${msg}`);
  };
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return fail(e.code === 'ENOENT' ? 'no such file' : `cannot read it (${e.code ?? e.message})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    return fail(`not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isObject(doc)) return fail('not a kubeconfig (expected a mapping with clusters, users and contexts)');

  const named = (kind: 'clusters' | 'users' | 'contexts', key: 'cluster' | 'user' | 'context', name: string) => {
    const list = Array.isArray(doc[kind]) ? (doc[kind] as unknown[]) : [];
    const entry = list.find((e) => isObject(e) && e.name === name);
    if (!isObject(entry)) {
      const names = list.filter(isObject).map((e) => JSON.stringify(e.name));
      const has = names.length ? `it has ${names.join(', ')}` : `${kind} is empty`;
      return fail(`no ${key} named "${name}" in ${kind} (${has})`);
    }
    return isObject(entry[key]) ? entry[key] : {};
  };

  const contextName = context ?? str(doc['current-context']);
  if (!contextName) {
    const names = (Array.isArray(doc.contexts) ? doc.contexts : []).filter(isObject).map((c) => c.name);
    return fail(`no current-context is set; name a context${names.length ? ` (one of ${names.join(', ')})` : ''}`);
  }
  const ctx = named('contexts', 'context', contextName);
  const clusterName = str(ctx.cluster) ?? fail(`context "${contextName}" names no cluster`);
  const cluster = named('clusters', 'cluster', clusterName);
  const server = str(cluster.server) ?? fail(`cluster "${clusterName}" has no server`);

  const dir = path.dirname(path.resolve(file));
  /** PEM text from `<field>-data` (base64) or `<field>` (a path). */
  const pem = (obj: Record<string, unknown>, field: string, what: string): string | undefined => {
    const data = str(obj[`${field}-data`]);
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const ref = str(obj[field]);
    if (!ref) return undefined;
    const abs = path.resolve(dir, ref.startsWith('~/') ? path.join(os.homedir(), ref.slice(2)) : ref);
    try {
      return fs.readFileSync(abs, 'utf8');
    } catch (err) {
      return fail(`${what} ${field} ${abs} cannot be read (${errCode(err)})`);
    }
  };

  const out: Kubeconfig = { file, contextName, clusterName, server };
  const ca = pem(cluster, 'certificate-authority', `cluster "${clusterName}"`);
  if (ca) out.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTlsVerify = true;
  const tlsServerName = str(cluster['tls-server-name']);
  if (tlsServerName) out.tlsServerName = tlsServerName;

  const userName = str(ctx.user);
  if (userName) {
    out.userName = userName;
    const user = named('users', 'user', userName);
    const who = `user "${userName}"`;
    const cert = pem(user, 'client-certificate', who);
    const key = pem(user, 'client-key', who);
    if (cert && !key) fail(`${who} has a client certificate but no client key (client-key-data or client-key)`);
    if (key && !cert) {
      fail(`${who} has a client key but no client certificate (client-certificate-data or client-certificate)`);
    }
    if (cert && key) Object.assign(out, { cert, key });
    let token = str(user.token);
    const tokenFile = str(user.tokenFile);
    if (!token && tokenFile) {
      const abs = path.resolve(dir, tokenFile);
      try {
        token = fs.readFileSync(abs, 'utf8').trim();
      } catch (err) {
        fail(`${who} tokenFile ${abs} cannot be read (${errCode(err)})`);
      }
    }
    if (token) out.token = token;
    if (!out.cert && !out.token && (user.exec || user['auth-provider'])) {
      fail(`${who} uses ${user.exec ? 'an exec credential plugin' : 'an auth-provider'}, which k8ts does not support`);
    }
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
