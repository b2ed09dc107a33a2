/**
 * The real `./k8ts server` driven by the machine's stock kubectl: the API is judged by the real client.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { kubectlVersionBin, startCluster, type Cluster } from '../support/cluster.ts';

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
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules:
  - host: web.example
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
  namespace: shop
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox
            args: [date]
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
    assert.match(first, /ingress.networking.k8s.io\/web created/);
    assert.match(first, /cronjob.batch\/tick created/);

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
    const everything = c.ok(['get', 'all', '-n', 'shop']);
    assert.match(everything, /^deployment.apps\/web\s/m);
    assert.match(everything, /^service\/web\s+ClusterIP\s+10\.43\./m);
    assert.match(everything, /^cronjob.batch\/tick\s/m);
    const explained = c.ok(['explain', 'pod', '--recursive']);
    assert.match(explained, /^\s+containers\s+<\[\]Container> -required-$/m);
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

  it('create of every kind kubectl can generate (protobuf bodies), then describe of every resource works', () => {
    c.ok(['create', 'namespace', 'kinds']);
    const n = ['-n', 'kinds'];
    c.ok(['run', 'p1', '--image=busybox', ...n, '--', 'sleep', '3600']);
    c.ok(['create', 'deployment', 'd1', '--image=busybox', '--replicas=2', ...n]);
    c.ok(['create', 'job', 'j1', '--image=busybox', ...n]);
    c.ok(['create', 'cronjob', 'c1', '--image=busybox', '--schedule=*/5 * * * *', ...n]);
    c.ok(['create', 'service', 'clusterip', 's1', '--tcp=80:8080', ...n]);
    c.ok(['create', 'service', 'nodeport', 's2', '--tcp=80:8080', ...n]);
    c.ok(['create', 'secret', 'generic', 'sec', '--from-literal=a=b', ...n]);
    c.ok(['create', 'serviceaccount', 'sa1', ...n]);
    c.ok(['create', 'role', 'r1', '--verb=get', '--resource=pods', ...n]);
    c.ok(['create', 'rolebinding', 'rb1', '--role=r1', '--user=u', ...n]);
    c.ok(['create', 'quota', 'q1', '--hard=pods=10', ...n]);
    c.ok(['create', 'pdb', 'pdb1', '--selector=app=x', '--min-available=1', ...n]);
    c.ok(['create', 'ingress', 'ing1', '--rule=foo.com/bar=s1:80', ...n]);
    const svc = c.json<any>(['get', 'service', 's1', ...n]);
    assert.match(svc.spec.clusterIP, /^10\.43\.\d+\.\d+$/, 'a ClusterIP from the service range');
    const np = c.json<any>(['get', 'service', 's2', ...n]);
    assert.ok(np.spec.ports[0].nodePort >= 30000 && np.spec.ports[0].nodePort <= 32767);
    const job = c.json<any>(['get', 'job', 'j1', ...n]);
    assert.equal(job.spec.template.metadata.labels['batch.kubernetes.io/job-name'], 'j1');
    const pod = c.json<any>(['get', 'pod', 'p1', ...n]);
    assert.equal(pod.spec.restartPolicy, 'Always');
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(pod.status.phase, 'Pending');
    for (const r of c.ok(['api-resources', '-o', 'name']).trim().split('\n')) {
      const out = c.kubectl(['describe', r, '-A']);
      assert.equal(out.code, 0, `describe ${r}: ${out.stderr}`);
    }
  });

  it('invalid objects are refused with upstream-style errors and nothing is stored', () => {
    const neg = c.kubectl(['create', 'deployment', 'neg', '--image=busybox', '--replicas=-1', '-n', 'shop']);
    assert.notEqual(neg.code, 0);
    assert.match(neg.stderr, /Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);
    const badName = c.kubectl(['create', 'configmap', 'Bad_Name', '-n', 'shop']);
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /a lowercase RFC 1123 subdomain must consist of/);
    const unknown = c.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unk', namespace: 'shop' }, data: {}, bogus: 1 }),
    });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /strict decoding error: unknown field "bogus"/);
    assert.equal(c.kubectl(['get', 'cm', 'unk', '-n', 'shop']).code, 1);
    assert.equal(c.kubectl(['get', 'deploy', 'neg', '-n', 'shop']).code, 1);
  });

  it('diff shows a change before apply; apply -k; edit with EDITOR; wait for jsonpath and delete', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-kz-'));
    try {
      const changed = MANIFEST.replace('replicas: 2', 'replicas: 3');
      const diff = c.kubectl(['diff', '-f', '-'], { input: changed });
      assert.equal(diff.code, 1, diff.stderr);
      assert.match(diff.stdout, /^-\s+replicas: \d+$/m);
      assert.match(diff.stdout, /^\+\s+replicas: 3$/m);
      fs.writeFileSync(path.join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kz\ndata:\n  a: b\n');
      fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'namespace: shop\nresources:\n- cm.yaml\nlabels:\n- pairs:\n    team: blue\n');
      assert.match(c.ok(['apply', '-k', dir]), /configmap\/kz created/);
      assert.equal(c.json<any>(['get', 'cm', 'kz', '-n', 'shop']).metadata.labels.team, 'blue');
      const editor = path.join(dir, 'editor.sh');
      fs.writeFileSync(editor, '#!/bin/sh\nsed -i "s/a: b/a: edited/" "$1"\n', { mode: 0o755 });
      c.ok(['edit', 'cm', 'kz', '-n', 'shop'], { env: { EDITOR: editor } });
      assert.equal(c.json<any>(['get', 'cm', 'kz', '-n', 'shop']).data.a, 'edited');
      c.ok(['wait', '--for=jsonpath={.data.a}=edited', 'cm/kz', '-n', 'shop', '--timeout=10s']);
      setTimeout(() => c.kubectl(['delete', 'cm', 'kz', '-n', 'shop']), 500);
      const waited = await new Promise<{ code: number | null }>((resolve) => {
        import('node:child_process').then(({ spawn }) => {
          const p = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'wait', '--for=delete', 'cm/kz', '-n', 'shop', '--timeout=20s']);
          p.on('exit', (code) => resolve({ code }));
        });
      });
      assert.equal(waited.code, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const minor of [27, 33]) {
    it(`kubectl 1.${minor}: apply (with validation), get, explain`, () => {
      const bin = kubectlVersionBin(minor);
      const out = c.ok(['apply', '-f', '-'], { input: MANIFEST.replace(/name: shop/g, `name: v${minor}`).replace(/namespace: shop/g, `namespace: v${minor}`), bin });
      assert.match(out, /deployment.apps\/web created/);
      assert.match(c.ok(['get', 'deploy', '-n', `v${minor}`], { bin }), /^web\s+0\/2/m);
      assert.match(c.ok(['explain', 'deployment.spec.strategy'], { bin }), /DeploymentStrategy/);
    });
  }

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
