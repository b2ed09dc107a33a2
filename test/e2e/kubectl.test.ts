/**
 * The real `./k8ts server` driven by the machine's stock kubectl: the API is judged by the real client.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../support/cluster.ts';

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
data:
  password: aHVudGVyMg==
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: { app: web }
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: busybox:1.36
        args: [httpd, -f]
        env:
        - name: MODE
          value: one
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        args: [sleep, "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: { app: web }
  ports:
  - port: 80
    targetPort: 80
`;

describe('kubectl against k8ts server', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('version, api-versions and api-resources come from discovery', () => {
    const v = c.json<{ serverVersion: { major: string; minor: string } }>(['version']);
    assert.equal(v.serverVersion.major, '1');
    const versions = c.ok(['api-versions']).split('\n');
    for (const gv of ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'coordination.k8s.io/v1']) {
      assert.ok(versions.includes(gv), `api-versions lists ${gv}`);
    }
    const resources = c.ok(['api-resources', '--no-headers']);
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  it('system namespaces exist; namespaces are created Active', () => {
    const names = c.json<{ items: { metadata: { name: string } }[] }>(['get', 'namespaces']).items.map((n) => n.metadata.name);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(ns), ns);
    c.ok(['create', 'namespace', 'team-a']);
    const ns = c.json<{ status: { phase: string }; metadata: { uid: string; creationTimestamp: string } }>(['get', 'ns', 'team-a']);
    assert.equal(ns.status.phase, 'Active');
    assert.match(ns.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(ns.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('apply of a multi-document file creates, re-apply is unchanged, a change is configured and merged by key', () => {
    const first = c.ok(['apply', '-f', '-'], { input: MANIFEST });
    assert.match(first, /namespace\/shop created/);
    assert.match(first, /configmap\/settings created/);
    assert.match(first, /deployment.apps\/web created/);
    assert.match(first, /service\/web created/);

    const again = c.ok(['apply', '-f', '-'], { input: MANIFEST });
    for (const line of again.trim().split('\n')) assert.match(line, /unchanged$/, line);

    const changed = MANIFEST.replace('image: busybox:1.36\n        args: [httpd, -f]', 'image: busybox:1.37\n        args: [httpd, -f]').replace(
      'value: one',
      'value: two',
    );
    const out = c.ok(['apply', '-f', '-'], { input: changed });
    assert.match(out, /deployment.apps\/web configured/);
    assert.match(out, /configmap\/settings unchanged/);
    const d = c.json<any>(['get', 'deployment', 'web', '-n', 'shop']);
    const [web, sidecar] = d.spec.template.spec.containers;
    assert.equal(web.name, 'web');
    assert.equal(web.image, 'busybox:1.37');
    assert.deepEqual(web.env, [{ name: 'MODE', value: 'two' }]);
    assert.equal(sidecar.name, 'sidecar', 'the other container is kept (merged by name)');
    assert.equal(d.metadata.generation, 2, 'a spec change bumps generation');
  });

  it('get: -A, -o wide/yaml/jsonpath/custom-columns, labels, field selectors, sort', () => {
    const all = c.ok(['get', 'configmaps', '-A']);
    assert.match(all, /^NAMESPACE\s+NAME\s+DATA\s+AGE/m);
    assert.match(all, /^shop\s+settings\s+1\s+/m);
    const wide = c.ok(['get', 'deploy', '-n', 'shop', '-o', 'wide']);
    assert.match(wide, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/m);
    assert.match(c.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml']), /color: blue/);
    assert.equal(c.ok(['get', 'cm', 'settings', '-n', 'shop', '-o', 'jsonpath={.data.color}']), 'blue');
    assert.match(
      c.ok(['get', 'deploy', '-n', 'shop', '-o', 'custom-columns=N:.metadata.name,R:.spec.replicas', '--no-headers']),
      /^web\s+2$/m,
    );
    assert.match(c.ok(['get', 'deploy', '-n', 'shop', '--show-labels']), /app=web/);
    assert.match(c.ok(['get', 'deploy', '-n', 'shop', '-l', 'app=web', '-o', 'name']), /deployment.apps\/web/);
    assert.equal(c.ok(['get', 'deploy', '-n', 'shop', '-l', 'app!=web', '-o', 'name']).trim(), '');
    assert.match(c.ok(['get', 'cm', '-A', '--field-selector', 'metadata.name=settings', '-o', 'name']), /settings/);
    c.ok(['create', 'configmap', 'aaa', '-n', 'shop', '--from-literal=k=v']);
    const sorted = c.ok(['get', 'cm', '-n', 'shop', '--sort-by', '.metadata.name', '-o', 'name']).trim().split('\n');
    assert.deepEqual(sorted.filter((n) => n !== 'configmap/kube-root-ca.crt'), ['configmap/aaa', 'configmap/settings']);
    const bad = c.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=1']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /field label not supported: spec.bogus/);
  });

  it('label, annotate, patch (merge, json, strategic), scale', () => {
    c.ok(['label', 'cm', 'settings', '-n', 'shop', 'tier=gold']);
    c.ok(['annotate', 'cm', 'settings', '-n', 'shop', 'note=hello']);
    let cm = c.json<any>(['get', 'cm', 'settings', '-n', 'shop']);
    assert.equal(cm.metadata.labels.tier, 'gold');
    assert.equal(cm.metadata.annotations.note, 'hello');
    c.ok(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'merge', '-p', '{"data":{"size":"L"}}']);
    c.ok(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'json', '-p', '[{"op":"remove","path":"/data/color"}]']);
    cm = c.json<any>(['get', 'cm', 'settings', '-n', 'shop']);
    assert.deepEqual(cm.data, { size: 'L' });
    c.ok(['patch', 'deploy', 'web', '-n', 'shop', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}}}']);
    const d = c.json<any>(['get', 'deploy', 'web', '-n', 'shop']);
    assert.deepEqual(d.spec.template.spec.containers.map((x: any) => `${x.name}=${x.image}`), ['web=busybox:1.37', 'sidecar=busybox:2']);
    c.ok(['scale', 'deploy', 'web', '-n', 'shop', '--replicas', '5']);
    assert.equal(c.json<any>(['get', 'deploy', 'web', '-n', 'shop']).spec.replicas, 5);
    const badPatch = c.kubectl(['patch', 'cm', 'settings', '-n', 'shop', '--type', 'json', '-p', '[{"op":"remove","path":"/data/nope"}]']);
    assert.notEqual(badPatch.code, 0);
  });

  it('a stale update is a 409 Conflict; an unknown kind/namespace is a 404', () => {
    const cm = c.json<any>(['get', 'cm', 'settings', '-n', 'shop']);
    c.ok(['label', 'cm', 'settings', '-n', 'shop', 'bump=1']);
    cm.data = { size: 'XL' };
    const r = c.kubectl(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Operation cannot be fulfilled on configmaps "settings": the object has been modified/);
    const missing = c.kubectl(['get', 'cm', 'nope', '-n', 'shop']);
    assert.match(missing.stderr, /configmaps "nope" not found/);
    const noNs = c.kubectl(['create', 'configmap', 'x', '-n', 'does-not-exist']);
    assert.match(noNs.stderr, /namespaces "does-not-exist" not found/);
  });

  it('delete by name, by label and --all', () => {
    for (const n of ['d1', 'd2', 'd3']) c.ok(['create', 'configmap', n, '-n', 'team-a']);
    c.ok(['label', 'cm', 'd2', 'd3', '-n', 'team-a', 'group=x']);
    assert.match(c.ok(['delete', 'cm', 'd1', '-n', 'team-a']), /configmap "d1" deleted/);
    assert.match(c.ok(['delete', 'cm', '-l', 'group=x', '-n', 'team-a']), /configmap "d2" deleted/);
    c.ok(['create', 'configmap', 'd4', '-n', 'team-a']);
    c.ok(['delete', 'cm', '--all', '-n', 'team-a']);
    assert.equal(c.ok(['get', 'cm', '-n', 'team-a', '-o', 'name']).trim(), '');
  });

  it('get -w streams a change made by another kubectl', async () => {
    const { spawn } = await import('node:child_process');
    const w = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'cm', '-n', 'shop', '-w', '--output-watch-events']);
    let out = '';
    w.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => /^ADDED\s+settings\s/m.test(out), 10_000);
      c.ok(['create', 'configmap', 'watched', '-n', 'shop']);
      await waitFor(() => /^ADDED\s+watched\s+0\s/m.test(out), 10_000);
      c.ok(['label', 'configmap', 'watched', '-n', 'shop', 'x=y']);
      await waitFor(() => /^MODIFIED\s+watched\s/m.test(out), 10_000);
      c.ok(['delete', 'configmap', 'watched', '-n', 'shop']);
      await waitFor(() => /^DELETED\s+watched\s/m.test(out), 10_000);
    } finally {
      w.kill();
    }
  });

  it('an anonymous request gets 401; health endpoints answer', async () => {
    const url = new URL(c.url);
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get({ host: url.hostname, port: url.port, path, rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    assert.equal(await get('/api/v1/namespaces'), 401);
    assert.equal(await get('/readyz'), 200);
  });

  it('everything survives a restart; resourceVersions keep increasing', async () => {
    const before = c.json<any>(['get', 'deploy', 'web', '-n', 'shop']);
    await c.restart();
    const afterRestart = c.json<any>(['get', 'deploy', 'web', '-n', 'shop']);
    assert.equal(afterRestart.metadata.uid, before.metadata.uid);
    assert.equal(afterRestart.metadata.resourceVersion, before.metadata.resourceVersion);
    c.ok(['label', 'deploy', 'web', '-n', 'shop', 'after=restart']);
    const labelled = c.json<any>(['get', 'deploy', 'web', '-n', 'shop']);
    assert.ok(Number(labelled.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  });
});

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
