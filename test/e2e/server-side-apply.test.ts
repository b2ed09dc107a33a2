/**
 * Server-side apply driven by the stock kubectl: `kubectl apply --server-side` from two field managers, conflicts
 * and --force-conflicts, removal of what an applier stops specifying, managedFields bookkeeping, and client-side
 * apply still reporting `unchanged`.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';
import { startCluster, type Cluster } from '../support/cluster.ts';

const NS = `
apiVersion: v1
kind: Namespace
metadata:
  name: ssa
`;

const configMap = (value: string) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: shared
  namespace: ssa
data:
  color: ${value}
`;

const deployment = (replicas: number, sidecar: boolean) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ssa
  labels: { app: web }
spec:
  replicas: ${replicas}
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
        ports:
        - containerPort: 80
${
  sidecar
    ? `      - name: sidecar
        image: busybox:1.36
        args: [sleep, "3600"]
`
    : ''
}`;

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  fieldsType: string;
  fieldsV1: Record<string, any>;
  subresource?: string;
}

describe('kubectl apply --server-side against k8ts', () => {
  let c: Cluster;
  const managed = (args: string[]): ManagedFieldsEntry[] =>
    c.json<{ metadata: { managedFields?: ManagedFieldsEntry[] } }>([...args, '--show-managed-fields']).metadata.managedFields ?? [];

  before(async () => {
    c = await startCluster();
    // a cluster-scoped object, created by apply
    assert.match(c.ok(['apply', '--server-side', '-f', '-'], { input: NS }), /namespace\/ssa serverside-applied/);
  });
  after(async () => {
    await c?.destroy();
  });

  it('creates with --server-side and records an Apply entry for the field manager', () => {
    const out = c.ok(['apply', '--server-side', '--field-manager', 'a', '-f', '-'], { input: configMap('blue') });
    assert.match(out, /configmap\/shared serverside-applied/);
    const entries = managed(['get', 'cm', 'shared', '-n', 'ssa']);
    const a = entries.find((e) => e.manager === 'a');
    assert.ok(a, JSON.stringify(entries));
    assert.equal(a.operation, 'Apply');
    assert.equal(a.apiVersion, 'v1');
    assert.equal(a.fieldsType, 'FieldsV1');
    assert.deepEqual(a.fieldsV1, { 'f:data': { 'f:color': {} } });
    // re-applying the same configuration changes nothing
    const rv = c.json(['get', 'cm', 'shared', '-n', 'ssa']).metadata.resourceVersion;
    c.ok(['apply', '--server-side', '--field-manager', 'a', '-f', '-'], { input: configMap('blue') });
    assert.equal(c.json(['get', 'cm', 'shared', '-n', 'ssa']).metadata.resourceVersion, rv);
  });

  it('a second field manager changing the same field gets a conflict', () => {
    const r = c.kubectl(['apply', '--server-side', '--field-manager', 'b', '-f', '-'], { input: configMap('red') });
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "a": \.data\.color/);
    assert.match(r.stderr, /--force-conflicts/);
    assert.equal(c.json(['get', 'cm', 'shared', '-n', 'ssa']).data.color, 'blue');
  });

  it('the same value is shared ownership, not a conflict', () => {
    c.ok(['apply', '--server-side', '--field-manager', 'c', '-f', '-'], { input: configMap('blue') });
    const entries = managed(['get', 'cm', 'shared', '-n', 'ssa']);
    assert.deepEqual(
      entries.filter((e) => e.operation === 'Apply').map((e) => e.manager).sort(),
      ['a', 'c'],
    );
  });

  it('--force-conflicts takes the field: ownership moves to the new manager', () => {
    const out = c.ok(['apply', '--server-side', '--force-conflicts', '--field-manager', 'b', '-f', '-'], {
      input: configMap('red'),
    });
    assert.match(out, /serverside-applied/);
    assert.equal(c.json(['get', 'cm', 'shared', '-n', 'ssa']).data.color, 'red');
    const entries = managed(['get', 'cm', 'shared', '-n', 'ssa']);
    const b = entries.find((e) => e.manager === 'b');
    assert.deepEqual(b?.fieldsV1, { 'f:data': { 'f:color': {} } });
    // a and c owned nothing else: their entries are gone
    assert.equal(entries.find((e) => e.manager === 'a'), undefined, JSON.stringify(entries));
    assert.equal(entries.find((e) => e.manager === 'c'), undefined, JSON.stringify(entries));
    // now a conflicts with b
    const r = c.kubectl(['apply', '--server-side', '--field-manager', 'a', '-f', '-'], { input: configMap('green') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /conflict with "b": \.data\.color/);
  });

  it('a conflict with an Update manager names its apiVersion', () => {
    c.ok(['patch', 'cm', 'shared', '-n', 'ssa', '--field-manager', 'editor', '--type', 'merge', '-p', '{"data":{"color":"pink"}}']);
    const r = c.kubectl(['apply', '--server-side', '--field-manager', 'b', '-f', '-'], { input: configMap('red') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /conflict with "editor" using v1: \.data\.color/);
  });

  it('a Deployment: a container removed from the applied configuration is removed from the object', () => {
    c.ok(['apply', '--server-side', '-f', '-'], { input: deployment(2, true) });
    const before = c.json(['get', 'deploy', 'web', '-n', 'ssa']);
    assert.deepEqual(
      before.spec.template.spec.containers.map((x: { name: string }) => x.name),
      ['web', 'sidecar'],
    );
    const entry = managed(['get', 'deploy', 'web', '-n', 'ssa']).find((e) => e.manager === 'kubectl');
    assert.equal(entry?.operation, 'Apply');
    const containers = entry!.fieldsV1['f:spec']['f:template']['f:spec']['f:containers'];
    assert.ok(containers['k:{"name":"sidecar"}'], JSON.stringify(containers));
    assert.ok(containers['k:{"name":"web"}']['f:ports']['k:{"containerPort":80,"protocol":"TCP"}']);

    c.ok(['apply', '--server-side', '-f', '-'], { input: deployment(2, false) });
    const after = c.json(['get', 'deploy', 'web', '-n', 'ssa']);
    assert.deepEqual(
      after.spec.template.spec.containers.map((x: { name: string }) => x.name),
      ['web'],
    );
    assert.equal(after.metadata.generation, before.metadata.generation + 1);
    // what the server defaulted (owned by nobody) stays
    assert.deepEqual(after.spec.template.spec.containers[0].ports, before.spec.template.spec.containers[0].ports);
    for (const k of ['revisionHistoryLimit', 'progressDeadlineSeconds', 'strategy']) assert.deepEqual(after.spec[k], before.spec[k], k);
  });

  it('kubectl scale (an Update) takes replicas; the applier conflicts on it, --force-conflicts takes it back', () => {
    c.ok(['scale', 'deploy', 'web', '-n', 'ssa', '--replicas', '4']);
    const entries = managed(['get', 'deploy', 'web', '-n', 'ssa']);
    const updaters = entries.filter((e) => e.operation === 'Update');
    assert.ok(updaters.some((e) => e.fieldsV1['f:spec']?.['f:replicas']), JSON.stringify(entries));
    const applier = entries.find((e) => e.manager === 'kubectl' && e.operation === 'Apply')!;
    assert.equal(applier.fieldsV1['f:spec']['f:replicas'], undefined);

    const r = c.kubectl(['apply', '--server-side', '-f', '-'], { input: deployment(2, false) });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl[^"]*"( with subresource "scale")? using apps\/v1: \.spec\.replicas/);

    c.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: deployment(2, false) });
    assert.equal(c.json(['get', 'deploy', 'web', '-n', 'ssa']).spec.replicas, 2);
  });

  it('get -o yaml --show-managed-fields shows Apply and Update entries', () => {
    c.ok(['label', 'deploy', 'web', '-n', 'ssa', 'tier=frontend']);
    const yaml = c.ok(['get', 'deploy', 'web', '-n', 'ssa', '-o', 'yaml', '--show-managed-fields']);
    assert.match(yaml, /managedFields:/);
    assert.match(yaml, /operation: Apply/);
    assert.match(yaml, /operation: Update/);
    assert.match(yaml, /manager: kubectl-label/);
    assert.match(yaml, /fieldsType: FieldsV1/);
    assert.match(yaml, /f:tier: \{\}/);
    // without the flag kubectl hides them
    assert.doesNotMatch(c.ok(['get', 'deploy', 'web', '-n', 'ssa', '-o', 'yaml']), /managedFields:/);
  });

  it('a dry run changes nothing', () => {
    const rv = c.json(['get', 'deploy', 'web', '-n', 'ssa']).metadata.resourceVersion;
    const out = c.ok(['apply', '--server-side', '--dry-run=server', '-f', '-'], { input: deployment(7, true) });
    assert.match(out, /serverside-applied \(server dry run\)/);
    const now = c.json(['get', 'deploy', 'web', '-n', 'ssa']);
    assert.equal(now.metadata.resourceVersion, rv);
    assert.equal(now.spec.replicas, 2);
  });

  it('client-side apply records kubectl-client-side-apply and a re-apply is unchanged', () => {
    const cm = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: csa
  namespace: ssa
data:
  k: v
`;
    assert.match(c.ok(['apply', '-f', '-'], { input: cm }), /configmap\/csa created/);
    const entries = managed(['get', 'cm', 'csa', '-n', 'ssa']);
    const csa = entries.find((e) => e.manager === 'kubectl-client-side-apply');
    assert.equal(csa?.operation, 'Update', JSON.stringify(entries));
    assert.ok(csa!.fieldsV1['f:data']['f:k']);
    const rv = c.json(['get', 'cm', 'csa', '-n', 'ssa']).metadata.resourceVersion;
    assert.match(c.ok(['apply', '-f', '-'], { input: cm }), /configmap\/csa unchanged/);
    assert.equal(c.json(['get', 'cm', 'csa', '-n', 'ssa']).metadata.resourceVersion, rv);

    // moving it to server-side apply: no conflicts for what kubectl applied client-side
    const changed = cm.replace('k: v', 'k: w');
    assert.match(c.ok(['apply', '--server-side', '-f', '-'], { input: changed }), /serverside-applied/);
    const after = c.json(['get', 'cm', 'csa', '-n', 'ssa']);
    assert.equal(after.data.k, 'w');
    const mf = managed(['get', 'cm', 'csa', '-n', 'ssa']);
    assert.ok(mf.some((e) => e.manager === 'kubectl' && e.operation === 'Apply'), JSON.stringify(mf));
  });

  it('the API: fieldManager is required for apply (422), force only for apply, YAML bodies, 201 on create', async () => {
    const kc = await loadKubeconfig(c.kubeconfig);
    const url = new URL(kc.server);
    const request = (method: string, path: string, contentType: string, body: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = https.request(
          { host: url.hostname, port: url.port, path, method, ca: kc.ca, cert: kc.cert, key: kc.key, headers: { 'Content-Type': contentType } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (d: Buffer) => chunks.push(d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const path = '/api/v1/namespaces/ssa/configmaps/raw';
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  a: "1"\n';

    const missing = await request('PATCH', path, 'application/apply-patch+yaml', yaml);
    assert.equal(missing.status, 422);
    assert.equal(missing.body.reason, 'Invalid');
    assert.equal(missing.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');

    const created = await request('PATCH', `${path}?fieldManager=raw`, 'application/apply-patch+yaml', yaml);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.data.a, '1');
    assert.equal(created.body.metadata.managedFields[0].manager, 'raw');
    assert.equal(created.body.metadata.managedFields[0].operation, 'Apply');

    const again = await request('PATCH', `${path}?fieldManager=raw`, 'application/apply-patch+yaml', yaml);
    assert.equal(again.status, 200);
    assert.equal(again.body.metadata.resourceVersion, created.body.metadata.resourceVersion);

    const clash = await request('PATCH', `${path}?fieldManager=other`, 'application/apply-patch+yaml', yaml.replace('"1"', '"2"'));
    assert.equal(clash.status, 409);
    assert.equal(clash.body.reason, 'Conflict');
    assert.equal(clash.body.message, 'Apply failed with 1 conflict: conflict with "raw": .data.a');
    assert.deepEqual(clash.body.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "raw"', field: '.data.a' }]);

    const forced = await request('PATCH', `${path}?fieldManager=other&force=true`, 'application/apply-patch+yaml', yaml.replace('"1"', '"2"'));
    assert.equal(forced.status, 200);
    assert.equal(forced.body.data.a, '2');

    const forceOnMerge = await request('PATCH', `${path}?force=true`, 'application/merge-patch+json', '{}');
    assert.equal(forceOnMerge.status, 422);
    assert.match(forceOnMerge.body.message, /force: Forbidden: may not be specified for non-apply patch/);

    const unknown = await request('PATCH', `${path}?fieldManager=raw`, 'application/apply-patch+yaml', yaml + 'bogus: 1\n');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /\.bogus: field not declared in schema/);

    const wrongKind = await request('PATCH', `${path}?fieldManager=raw`, 'application/apply-patch+yaml', yaml.replace('ConfigMap', 'Secret'));
    assert.equal(wrongKind.status, 400);
    assert.equal(wrongKind.body.message, 'invalid object type: /v1, Kind=Secret');
  });
});
