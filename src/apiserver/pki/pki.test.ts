import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig, writeKubeconfig } from '../../client/kubeconfig.ts';
import { certSans, ipBytes } from './cert.ts';
import { ensurePki, userFromSocket, type Pki } from './index.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-pki-'));
const dirs: string[] = [];
const newDir = () => {
  const d = tmp();
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const x509 = (pem: string) => new crypto.X509Certificate(pem);
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;
const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe('ensurePki', () => {
  it('creates a CA, a serving certificate and an admin certificate, keys 0600', async () => {
    const dir = newDir();
    const t0 = performance.now();
    const pki = await ensurePki(dir, { hosts: ['k8ts.example'], ips: ['10.43.0.1'] });
    const ms = performance.now() - t0;
    console.log(`# ensurePki first run: ${ms.toFixed(1)} ms`);
    assert.ok(ms < 1000, `first ensurePki took ${ms} ms`);
    assert.deepEqual(pki.generated.map((g) => path.basename(g.file)), ['ca.crt', 'apiserver.crt', 'admin.crt']);

    assert.equal(pki.dir, path.join(dir, 'pki'));
    assert.equal(mode(pki.dir), 0o700);
    for (const f of [pki.caKeyPath, pki.serverKeyPath, pki.adminKeyPath]) assert.equal(mode(f), 0o600, f);
    for (const [file, pem] of [
      [pki.caCertPath, pki.caCert],
      [pki.serverCertPath, pki.serverCert],
      [pki.serverKeyPath, pki.serverKey],
      [pki.adminCertPath, pki.adminCert],
      [pki.adminKeyPath, pki.adminKey],
    ] as const) {
      assert.equal(fs.readFileSync(file, 'utf8'), pem, file);
      assert.match(pem, /^-----BEGIN (CERTIFICATE|PRIVATE KEY)-----\n/);
    }

    const ca = x509(pki.caCert);
    assert.equal(ca.ca, true);
    assert.equal(ca.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(ca.verify(ca.publicKey), 'self-signed');
    assert.ok(Math.abs(days(ca.validFrom, ca.validTo) - 3650) < 1);
    assert.ok(ca.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(pki.caKeyPath))));

    const server = x509(pki.serverCert);
    assert.equal(server.ca, false);
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.ok(server.checkPrivateKey(crypto.createPrivateKey(pki.serverKey)));
    assert.ok(Math.abs(days(server.validFrom, server.validTo) - 365) < 1);
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    const sans = certSans(server);
    for (const h of [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      os.hostname().toLowerCase(),
      'k8ts.example',
    ]) {
      assert.ok(sans.dns.has(h), `SAN ${h}`);
      assert.equal(server.checkHost(h), h);
    }
    for (const ip of ['127.0.0.1', '::1', '10.43.0.1']) {
      assert.ok(sans.ipHex.has(ipBytes(ip).toString('hex')), `SAN ${ip}`);
      assert.equal(server.checkIP(ip), ip);
    }

    const admin = x509(pki.adminCert);
    assert.equal(admin.subject, 'O=system:masters\nCN=k8ts-admin');
    assert.deepEqual(admin.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.ok(admin.checkIssued(ca) && admin.verify(ca.publicKey));
  });

  it('reuses the files on a second call, and reissues only the serving certificate for a new SAN', async () => {
    const dir = newDir();
    const first = await ensurePki(dir, { hosts: [], ips: [] });
    const t0 = performance.now();
    const second = await ensurePki(dir, { hosts: [], ips: [] });
    console.log(`# ensurePki reuse: ${(performance.now() - t0).toFixed(1)} ms`);
    assert.deepEqual(second.generated, []);
    assert.equal(second.caCert, first.caCert);
    assert.equal(second.serverCert, first.serverCert);
    assert.equal(second.adminCert, first.adminCert);
    assert.equal(second.adminKey, first.adminKey);

    const third = await ensurePki(dir, { hosts: ['api.k8ts.example'], ips: ['10.43.0.1'] });
    assert.deepEqual(third.generated.map((g) => path.basename(g.file)), ['apiserver.crt']);
    assert.match(third.generated[0]!.reason, /does not cover api\.k8ts\.example, 10\.43\.0\.1/);
    assert.equal(third.caCert, first.caCert);
    assert.equal(third.adminCert, first.adminCert);
    assert.notEqual(third.serverCert, first.serverCert);
    assert.equal(x509(third.serverCert).checkIP('10.43.0.1'), '10.43.0.1');

    // A subset of what is covered needs nothing new.
    const fourth = await ensurePki(dir, { hosts: [], ips: ['10.43.0.1'] });
    assert.deepEqual(fourth.generated, []);
    assert.equal(fourth.serverCert, third.serverCert);
  });

  it('reissues a leaf that is broken, mismatched or from another CA, but never replaces the CA silently', async () => {
    const dir = newDir();
    const pki = await ensurePki(dir, { hosts: [], ips: [] });

    fs.writeFileSync(pki.serverCertPath, 'garbage');
    const other = await ensurePki(newDir(), { hosts: [], ips: [] });
    fs.writeFileSync(pki.adminKeyPath, other.adminKey); // a key that does not match admin.crt
    let again = await ensurePki(dir, { hosts: [], ips: [] });
    assert.deepEqual(
      again.generated.map((g) => `${path.basename(g.file)}: ${g.reason.replace(/ \(.*/, '')}`),
      ['apiserver.crt: unreadable', 'admin.crt: its key does not match'],
    );
    assert.equal(again.caCert, pki.caCert);

    fs.writeFileSync(pki.adminCertPath, other.adminCert);
    fs.writeFileSync(pki.adminKeyPath, other.adminKey, { mode: 0o644 });
    again = await ensurePki(dir, { hosts: [], ips: [] });
    assert.deepEqual(again.generated.map((g) => g.reason), ['not signed by the current CA']);
    assert.equal(mode(pki.adminKeyPath), 0o600);

    const shortLived = await again.issueClientCert({ commonName: 'k8ts-admin', organizations: ['system:masters'], days: 10 });
    fs.writeFileSync(pki.adminCertPath, shortLived.cert);
    fs.writeFileSync(pki.adminKeyPath, shortLived.key);
    again = await ensurePki(dir, { hosts: [], ips: [] });
    assert.match(again.generated[0]?.reason ?? '', /^expires /);
    const someoneElse = await again.issueClientCert({ commonName: 'someone' });
    fs.writeFileSync(pki.adminCertPath, someoneElse.cert);
    fs.writeFileSync(pki.adminKeyPath, someoneElse.key);
    again = await ensurePki(dir, { hosts: [], ips: [] });
    assert.deepEqual(again.generated.map((g) => g.reason), ['subject is CN=someone, not CN=k8ts-admin, O=system:masters']);

    // A half-written CA from an interrupted first run (nothing issued from it yet) is started over...
    const fresh = newDir();
    fs.mkdirSync(path.join(fresh, 'pki'));
    fs.writeFileSync(path.join(fresh, 'pki', 'ca.key'), other.serverKey);
    assert.equal((await ensurePki(fresh, { hosts: [], ips: [] })).generated.length, 3);
    // ...but one that certificates were issued from is an error naming the missing file.
    fs.rmSync(pki.caKeyPath);
    await assert.rejects(ensurePki(dir, { hosts: [], ips: [] }), (err: Error) => {
      assert.match(err.message, new RegExp(`${pki.caKeyPath} is missing`));
      return true;
    });
    fs.writeFileSync(pki.caKeyPath, other.serverKey);
    await assert.rejects(ensurePki(dir, { hosts: [], ips: [] }), /is not the private key of/);
  });

  it('concurrent first calls agree on one CA', async () => {
    const dir = newDir();
    const all = await Promise.all([1, 2, 3].map(() => ensurePki(dir, { hosts: [], ips: [] })));
    assert.equal(new Set(all.map((p) => p.caCert)).size, 1);
    assert.equal(new Set(all.map((p) => p.serverCert)).size, 1);
    assert.equal(all.flatMap((p) => p.generated).length, 3, 'CA, apiserver and admin generated once each');
    assert.ok(!fs.existsSync(path.join(dir, 'pki', '.lock')));
  });

  it('issues client certificates for other components, e.g. a kubelet', async () => {
    const pki = await ensurePki(newDir(), { hosts: [], ips: [] });
    const kubelet = await pki.issueClientCert({ commonName: 'system:node:worker-1', organizations: ['system:nodes'], days: 30 });
    const x = x509(kubelet.cert);
    assert.equal(x.subject, 'O=system:nodes\nCN=system:node:worker-1');
    assert.ok(x.verify(x509(pki.caCert).publicKey));
    assert.ok(x.checkPrivateKey(crypto.createPrivateKey(kubelet.key)));
    assert.ok(Math.abs(days(x.validFrom, x.validTo) - 30) < 1);
    await assert.rejects(pki.issueClientCert({ commonName: '' }), /non-empty commonName/);
  });
});

describe('TLS with the cluster PKI', () => {
  let pki: Pki;
  let dir: string;
  let server: https.Server;
  let port: number;

  before(async () => {
    dir = newDir();
    pki = await ensurePki(dir, { hosts: [], ips: [] });
    server = https.createServer(
      { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        const user = userFromSocket(req.socket as tls.TLSSocket);
        res.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.url === '/version' ? { major: '1', minor: '32', gitVersion: 'v1.32.0-k8ts', user } : { user }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(opts: https.RequestOptions): Promise<{ status: number; body: { user?: { name: string; groups: string[] } } }> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/whoami', ca: pki.caCert, agent: false, ...opts }, (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('(a) the admin certificate authenticates as k8ts-admin in system:masters', async () => {
    const r = await get({ cert: pki.adminCert, key: pki.adminKey });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.user, { name: 'k8ts-admin', groups: ['system:masters'] });
  });

  it('the serving certificate verifies for localhost too, and an issued kubelet certificate authenticates', async () => {
    const r = await get({ host: 'localhost', servername: 'localhost', cert: pki.adminCert, key: pki.adminKey });
    assert.equal(r.body.user?.name, 'k8ts-admin');
    const kubelet = await pki.issueClientCert({ commonName: 'system:node:n1', organizations: ['system:nodes', 'extra'] });
    const r2 = await get({ cert: kubelet.cert, key: kubelet.key });
    assert.deepEqual(r2.body.user, { name: 'system:node:n1', groups: ['system:nodes', 'extra'] });
  });

  it('(b) no client certificate: connected, but no user', async () => {
    const r = await get({});
    assert.equal(r.status, 401);
    assert.equal(r.body.user, undefined);
  });

  it('(c) a client certificate from another CA, or one without clientAuth, is not authorized', async () => {
    const stranger = await ensurePki(newDir(), { hosts: [], ips: [] });
    const r = await get({ cert: stranger.adminCert, key: stranger.adminKey });
    assert.equal(r.status, 401);
    assert.equal(r.body.user, undefined);
    const r2 = await get({ cert: pki.serverCert, key: pki.serverKey }); // our CA, but serverAuth only
    assert.equal(r2.status, 401);
  });

  it('(d) kubectl (Go TLS) accepts the certificates, with the written admin kubeconfig', async () => {
    const kubectl = which('kubectl');
    assert.ok(kubectl, 'kubectl must be on PATH (the platform ships it; the e2e tests need it)');
    const file = path.join(dir, 'admin.kubeconfig');
    await writeKubeconfig(file, { server: `https://127.0.0.1:${port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    assert.equal(mode(file), 0o600);
    const env = { ...process.env, HOME: dir, NO_PROXY: '*', no_proxy: '*', KUBECONFIG: '' };
    const { stdout } = await promisify(execFile)(kubectl, ['--kubeconfig', file, 'get', '--raw', '/whoami'], { env, timeout: 30_000 });
    assert.deepEqual(JSON.parse(stdout), { user: { name: 'k8ts-admin', groups: ['system:masters'] } });
    // With the server addressed as localhost, the DNS SAN is what Go checks.
    const file2 = path.join(dir, 'localhost.kubeconfig');
    await writeKubeconfig(file2, { server: `https://localhost:${port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    const r2 = await promisify(execFile)(kubectl, ['--kubeconfig', file2, 'get', '--raw', '/whoami'], { env, timeout: 30_000 });
    assert.equal(JSON.parse(r2.stdout).user.name, 'k8ts-admin');
    // And Go does verify: trusting another CA fails.
    const stranger = await ensurePki(newDir(), { hosts: [], ips: [] });
    const file3 = path.join(dir, 'stranger.kubeconfig');
    await writeKubeconfig(file3, { server: `https://127.0.0.1:${port}`, caPem: stranger.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    await assert.rejects(
      promisify(execFile)(kubectl, ['--kubeconfig', file3, 'get', '--raw', '/whoami'], { env, timeout: 30_000 }),
      (err: Error & { stderr: string }) => /certificate signed by unknown authority/.test(err.stderr),
    );
  });

  it('(e) @kubernetes/client-node loads the kubeconfig and makes authenticated requests', async () => {
    const file = path.join(dir, 'client-node.kubeconfig');
    await writeKubeconfig(file, { server: `https://127.0.0.1:${port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(file);
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    assert.ok(opts.ca && opts.cert && opts.key, 'CA, client certificate and key all come from the kubeconfig');
    const r = await get(opts);
    assert.deepEqual(r.body.user, { name: 'k8ts-admin', groups: ['system:masters'] });
    // And through its own generated API client (fetch + its agent).
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.gitVersion, 'v1.32.0-k8ts');
  });
});

describe('kubeconfig', () => {
  it('round-trips what writeKubeconfig wrote', async () => {
    const dir = newDir();
    const file = path.join(dir, 'sub', 'config');
    await writeKubeconfig(file, { server: 'https://127.0.0.1:6443', caPem: 'CA PEM\n', certPem: 'CERT\n', keyPem: 'KEY\n' });
    assert.equal(mode(file), 0o600);
    const kc = await loadKubeconfig(file);
    assert.deepEqual(kc, {
      file,
      contextName: 'k8ts',
      clusterName: 'k8ts',
      userName: 'k8ts-admin',
      server: 'https://127.0.0.1:6443',
      ca: 'CA PEM\n',
      cert: 'CERT\n',
      key: 'KEY\n',
    });
  });

  it('reads file references relative to the kubeconfig, tokens, and a named context', async () => {
    const dir = newDir();
    fs.mkdirSync(path.join(dir, 'certs'));
    fs.writeFileSync(path.join(dir, 'certs', 'ca.crt'), 'CA');
    fs.writeFileSync(path.join(dir, 'certs', 'a.crt'), 'CERT');
    fs.writeFileSync(path.join(dir, 'a.key'), 'KEY');
    fs.writeFileSync(path.join(dir, 'tok'), 'secret-token\n');
    const file = path.join(dir, 'config');
    fs.writeFileSync(
      file,
      `apiVersion: v1
kind: Config
current-context: one
clusters:
- name: c1
  cluster: { server: 'https://a:1', certificate-authority: certs/ca.crt }
- name: c2
  cluster: { server: 'https://b:2', insecure-skip-tls-verify: true }
users:
- name: u1
  user: { client-certificate: certs/a.crt, client-key: ${path.join(dir, 'a.key')} }
- name: u2
  user: { tokenFile: tok }
- name: u3
  user: { client-certificate-data: ${Buffer.from('C').toString('base64')} }
contexts:
- { name: one, context: { cluster: c1, user: u1 } }
- { name: two, context: { cluster: c2, user: u2 } }
- { name: three, context: { cluster: c1, user: u3 } }
- { name: four, context: { cluster: nope, user: u1 } }
`,
    );
    const one = await loadKubeconfig(file);
    assert.deepEqual([one.server, one.ca, one.cert, one.key, one.token], ['https://a:1', 'CA', 'CERT', 'KEY', undefined]);
    const two = await loadKubeconfig(file, 'two');
    assert.deepEqual([two.server, two.ca, two.token, two.insecureSkipTlsVerify], ['https://b:2', undefined, 'secret-token', true]);
    await assert.rejects(loadKubeconfig(file, 'three'), {
      message: `kubeconfig ${file}: user "u3" has a client certificate but no client key (client-key-data or client-key)`,
    });
    await assert.rejects(loadKubeconfig(file, 'four'), { message: `kubeconfig ${file}: no cluster named "nope" in clusters (it has "c1", "c2")` });
    await assert.rejects(loadKubeconfig(file, 'five'), /no context named "five" in contexts/);
    fs.rmSync(path.join(dir, 'certs', 'ca.crt'));
    await assert.rejects(loadKubeconfig(file), new RegExp(`cluster "c1" certificate-authority ${path.join(dir, 'certs', 'ca.crt')} cannot be read \\(ENOENT\\)`));
    await assert.rejects(loadKubeconfig(path.join(dir, 'missing')), { message: `kubeconfig ${path.join(dir, 'missing')}: no such file` });
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\ncontexts: [{ name: x, context: { cluster: y } }]\n');
    await assert.rejects(loadKubeconfig(file), { message: `kubeconfig ${file}: no current-context is set; name a context (one of x)` });
  });
});

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
