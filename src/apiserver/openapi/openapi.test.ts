import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiVersionOf, groupVersions, RESOURCES, verbsOf } from '../../apimachinery/resources.ts';
import { loadOpenApi, serveOpenApi, type OpenApi } from './index.ts';
import { apiGroupList, apiResourceList, apiVersions } from '../discovery.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let api: OpenApi;
const docJson = (path: string): Json => JSON.parse(api.document(path)!.body.toString('utf8'));
const gvPathOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

before(async () => {
  api = await loadOpenApi();
});

describe('schemas', () => {
  it('every served kind has a schema with its GVK and a description, and a List schema', () => {
    for (const r of RESOURCES) {
      const node = api.schemaFor(r);
      assert.ok(node, `no schema for ${apiVersionOf(r)} ${r.kind}`);
      assert.deepEqual(node.gvk, [{ group: r.group, kind: r.kind, version: r.version }]);
      assert.ok(node.description && node.description.length > 10, `${r.kind} has no description`);
      assert.equal(node.type, 'object');
      for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(node.field(f), `${r.kind}.${f}`);
      const list = api.schemaFor({ ...r, kind: r.kind + 'List' });
      assert.ok(list, `${r.kind}List`);
      assert.equal(list.field('items')?.type, 'array');
      assert.equal(list.field('items')?.items()?.name, node.name);
      assert.equal(list.field('items')?.listType, undefined, 'List items carry no list type');
    }
  });

  it('names follow upstream', () => {
    for (const n of [
      'io.k8s.api.core.v1.Pod',
      'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.autoscaling.v1.Scale',
      'io.k8s.api.core.v1.Binding',
      'io.k8s.api.policy.v1.Eviction',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
      'io.k8s.apimachinery.pkg.api.resource.Quantity',
      'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
      'io.k8s.apimachinery.pkg.runtime.RawExtension',
    ]) {
      assert.ok(api.schemas[n], n);
    }
  });

  it('Deployment.spec.strategy: description, retainKeys, nested properties', () => {
    const strategy = api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' })!.field('spec')!.field('strategy')!;
    assert.match(strategy.description!, /deployment strategy/i);
    assert.equal(strategy.patchStrategy, 'retainKeys');
    assert.equal(strategy.name, 'io.k8s.api.apps.v1.DeploymentStrategy');
    assert.deepEqual(strategy.fieldNames().sort(), ['rollingUpdate', 'type']);
    assert.equal(strategy.field('type')!.type, 'string');
    const maxSurge = strategy.field('rollingUpdate')!.field('maxSurge')!;
    assert.ok(maxSurge.intOrString);
    assert.match(maxSurge.description!, /maximum number of pods/);
    // the raw property is upstream's v3 reference form
    assert.deepEqual((api.schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties!.strategy as Json).allOf, [
      { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' },
    ]);
  });

  it('pod spec merge keys and list maps', () => {
    const spec = api.schemaFor({ group: '', version: 'v1', kind: 'Pod' })!.field('spec')!;
    const containers = spec.field('containers')!;
    assert.equal(containers.patchMergeKey, 'name');
    assert.equal(containers.patchStrategy, 'merge');
    assert.equal(containers.listType, 'map');
    assert.deepEqual(containers.listMapKeys, ['name']);
    const container = containers.items()!;
    assert.equal(container.name, 'io.k8s.api.core.v1.Container');
    const ports = container.field('ports')!;
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    assert.equal(ports.patchMergeKey, 'containerPort');
    assert.equal(container.field('env')!.patchMergeKey, 'name');
    assert.equal(container.field('volumeMounts')!.patchMergeKey, 'mountPath');
    assert.equal(container.field('args')!.listType, 'atomic');
    assert.equal(spec.field('volumes')!.patchStrategy, 'merge,retainKeys');
    assert.deepEqual(spec.field('topologySpreadConstraints')!.listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
    assert.equal(spec.field('tolerations')!.listType, 'atomic');
    assert.equal(spec.field('nodeSelector')!.mapType, 'atomic');
    assert.equal(spec.field('imagePullSecrets')!.items()!.mapType, 'atomic', 'LocalObjectReference is an atomic struct');
    const status = api.schemaFor({ group: '', version: 'v1', kind: 'Pod' })!.field('status')!;
    assert.equal(status.field('conditions')!.patchMergeKey, 'type');
    assert.equal(status.field('hostIPs')!.listType, 'atomic');
    assert.equal(status.field('hostIPs')!.patchMergeKey, 'ip');
    assert.equal(status.field('podIPs')!.listType, 'map');
  });

  it('metadata: labels is a map of strings, finalizers a set, ownerReferences keyed by uid', () => {
    const meta = api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' })!.field('metadata')!;
    assert.equal(meta.name, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    const labels = meta.field('labels')!;
    assert.equal(labels.type, 'object');
    assert.ok(labels.isMap);
    assert.equal(labels.items()!.type, 'string');
    assert.equal(meta.field('finalizers')!.listType, 'set');
    assert.equal(meta.field('finalizers')!.patchStrategy, 'merge');
    assert.deepEqual(meta.field('ownerReferences')!.listMapKeys, ['uid']);
    assert.equal(meta.field('creationTimestamp')!.format, 'date-time');
    assert.equal(meta.field('generation')!.format, 'int64');
    assert.equal(meta.field('managedFields')!.items()!.field('fieldsV1')!.opaque, true);
  });

  it('IntOrString, Quantity, Time, byte and integer formats', () => {
    assert.deepEqual(api.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(api.schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
    assert.deepEqual(api.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
    assert.match(api.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].description!, /fixed-point/);
    assert.equal(api.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    const svcPort = api.schemaFor({ group: '', version: 'v1', kind: 'Service' })!.field('spec')!.field('ports')!;
    assert.deepEqual(svcPort.listMapKeys, ['port', 'protocol']);
    assert.ok(svcPort.items()!.field('targetPort')!.intOrString);
    assert.equal(svcPort.items()!.field('port')!.format, 'int32');
    const limits = api.schema('io.k8s.api.core.v1.ResourceRequirements')!.field('limits')!;
    assert.equal(limits.items()!.name, 'io.k8s.apimachinery.pkg.api.resource.Quantity');
    const data = api.schemaFor({ group: '', version: 'v1', kind: 'Secret' })!.field('data')!;
    assert.equal(data.items()!.format, 'byte');
    const sec = api.schema('io.k8s.api.core.v1.PodSecurityContext')!;
    assert.equal(sec.field('runAsUser')!.format, 'int64');
    assert.equal(sec.field('supplementalGroups')!.items()!.format, 'int64');
  });

  it('conditions of every status that has them merge by type', () => {
    for (const r of RESOURCES) {
      const conditions = api.schemaFor(r)!.field('status')?.field('conditions');
      if (!conditions) continue;
      assert.equal(conditions.patchMergeKey, 'type', `${r.kind}.status.conditions`);
      assert.equal(conditions.patchStrategy, 'merge', `${r.kind}.status.conditions`);
    }
  });
});

describe('documents', () => {
  it('the index lists every group-version and discovery root with a hash URL', () => {
    const idx = api.index();
    for (const gv of groupVersions()) {
      const path = gvPathOf(gv.group, gv.version);
      const entry = idx.paths[path];
      assert.ok(entry, path);
      const doc = api.document(path)!;
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${path}?hash=${doc.hash}`);
      assert.equal(doc.hash, createHash('sha512').update(doc.body).digest('hex').toUpperCase());
      assert.equal(doc.etag, `"${doc.hash}"`);
    }
    for (const p of ['api', 'apis', 'apis/apps', 'version']) assert.ok(idx.paths[p], p);
  });

  it('every $ref in every document resolves within that document', () => {
    for (const path of Object.keys(api.index().paths)) {
      const doc = docJson(path);
      assert.equal(doc.openapi, '3.0.0');
      const schemas = doc.components.schemas;
      const walk = (node: Json, where: string) => {
        if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
        if (!node || typeof node !== 'object') return;
        for (const [k, v] of Object.entries(node)) {
          if (k === '$ref') {
            assert.match(v as string, /^#\/components\/schemas\//, where);
            assert.ok(schemas[(v as string).slice('#/components/schemas/'.length)], `${path}: ${where} -> ${v}`);
          } else walk(v, `${where}.${k}`);
        }
      };
      walk(doc, path);
    }
  });

  it("satisfies kubectl's server-side field validation check for every kind (every patch operation of the GVK)", () => {
    for (const r of RESOURCES) {
      const doc = docJson(gvPathOf(r.group, r.version));
      const patches = Object.values(doc.paths as Record<string, Json>)
        .map((item) => item.patch)
        .filter((op) => op && op['x-kubernetes-group-version-kind']?.kind === r.kind && op['x-kubernetes-group-version-kind']?.group === r.group);
      if (!verbsOf(r).includes('patch')) continue;
      assert.ok(patches.length >= 1, `no patch operation for ${r.kind}`);
      for (const op of patches) {
        const names = (op.parameters as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
        for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(names.includes(n), `${op.operationId}: ${n}`);
        assert.ok(op.requestBody.content['application/strategic-merge-patch+json'], op.operationId);
        assert.ok(op.requestBody.content['application/apply-patch+yaml'], op.operationId);
        assert.ok(op.requestBody.content['application/merge-patch+json'], op.operationId);
        assert.ok(op.requestBody.content['application/json-patch+json'], op.operationId);
      }
      // exactly one component schema carries the kind's GVK (kubectl apply takes the first)
      const carriers = Object.values(doc.components.schemas as Record<string, Json>).filter((s) =>
        (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === r.group && g.version === r.version && g.kind === r.kind),
      );
      assert.equal(carriers.length, 1, r.kind);
    }
  });

  it('operations carry actions, GVKs and the list/delete parameters', () => {
    const doc = docJson('apis/apps/v1');
    const coll = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
    assert.equal(coll.get['x-kubernetes-action'], 'list');
    assert.equal(coll.get.operationId, 'listAppsV1NamespacedDeployment');
    assert.deepEqual(coll.get['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    const listNames = coll.get.parameters.map((p: Json) => p.name);
    for (const n of ['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch', 'allowWatchBookmarks', 'timeoutSeconds', 'sendInitialEvents']) {
      assert.ok(listNames.includes(n), n);
    }
    assert.equal(coll.post['x-kubernetes-action'], 'post');
    assert.equal(coll.delete['x-kubernetes-action'], 'deletecollection');
    const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(item.delete.parameters.map((p: Json) => p.name), ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy']);
    assert.ok(item.parameters.some((p: Json) => p.name === 'pretty'));
    assert.equal(item.put['x-kubernetes-action'], 'put');
    const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
    assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.ok(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'].patch);
    assert.equal(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}'].get['x-kubernetes-action'], 'watch');
    assert.ok(doc.paths['/apis/apps/v1/deployments'].get);
    const core = docJson('api/v1');
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'].kind, 'Eviction');
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].get['x-kubernetes-action'], 'connect');
    assert.ok(core.paths['/api/v1/namespaces/{name}'].get, 'cluster-scoped path');
    assert.ok(!core.paths['/api/v1/namespaces'].delete, 'namespaces have no deletecollection');
    assert.ok(core.components.schemas['io.k8s.api.policy.v1.Eviction']);
  });

  it('serveOpenApi: index, hash caching, ETag, redirects, 404 and 406', () => {
    const idx = serveOpenApi(api, '/openapi/v3')!;
    assert.equal(idx.status, 200);
    const url = (JSON.parse(idx.body.toString()) as Json).paths['apis/apps/v1'].serverRelativeURL;
    const ok = serveOpenApi(api, url, { accept: 'application/json' })!;
    assert.equal(ok.status, 200);
    assert.match(ok.headers['Cache-Control'], /immutable/);
    assert.equal(serveOpenApi(api, url, { 'if-none-match': ok.headers.ETag })!.status, 304);
    const stale = serveOpenApi(api, '/openapi/v3/apis/apps/v1?hash=ABC')!;
    assert.equal(stale.status, 301);
    assert.equal(stale.headers.Location, url);
    assert.equal(serveOpenApi(api, '/openapi/v3/apis/nope/v1')!.status, 404);
    assert.equal(serveOpenApi(api, url, { accept: 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' })!.status, 406);
    assert.equal(serveOpenApi(api, '/api/v1'), undefined);
  });

  it('loads from the on-disk cache quickly', async () => {
    const t = performance.now();
    const again = await loadOpenApi({ lazy: true });
    const ms = performance.now() - t;
    assert.ok(again.schemaFor({ group: '', version: 'v1', kind: 'Pod' }));
    assert.ok(ms < 1000, `warm load took ${ms} ms`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real kubectl against a stub API server that serves discovery and /openapi/v3 from this module.

function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, 'kubectl');
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

interface Recorded {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

function startStub(objects: Map<string, Json>): Promise<{ server: Server; port: number; log: Recorded[] }> {
  const log: Recorded[] = [];
  const gvs = groupVersions();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what = 'not found') =>
    send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: what, reason: 'NotFound', code: 404 });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      log.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
      const u = new URL(req.url!, 'http://stub');
      const oa = serveOpenApi(api, req.url!, req.headers);
      if (oa) {
        res.writeHead(oa.status, oa.headers);
        return res.end(oa.body);
      }
      const path = u.pathname.replace(/\/$/, '');
      // Legacy discovery, from the server's own documents.
      if (path === '/api') return send(res, 200, apiVersions(''));
      if (path === '/apis') return send(res, 200, apiGroupList());
      const gv = gvs.find((g) => path === '/' + gvPathOf(g.group, g.version));
      if (gv) return send(res, 200, apiResourceList(gv.group, gv.version));
      const m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/.exec(path);
      if (m) {
        const key = `${m[1]}/${m[2] ?? ''}`;
        if (req.method === 'GET') return objects.has(key) ? send(res, 200, objects.get(key)) : notFound(res);
        if (req.method === 'POST') return send(res, 201, JSON.parse(body));
        if (req.method === 'PATCH') return send(res, 200, objects.get(key));
      }
      notFound(res);
    });
  };
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, log }));
  });
}

const kubectlPath = findKubectl();

describe('real kubectl against /openapi/v3', { skip: kubectlPath ? false : 'kubectl not installed' }, () => {
  let stub: Awaited<ReturnType<typeof startStub>>;
  let dir: string;
  const objects = new Map<string, Json>();
  const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(
        kubectlPath!,
        [`--server=http://127.0.0.1:${stub.port}`, `--cache-dir=${join(dir, 'cache')}`, ...args],
        { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as Json).code ?? 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-openapi-'));
    writeFileSync(join(dir, 'kubeconfig'), '');
    stub = await startStub(objects);
  });
  after(() => {
    stub?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl explain deployment.spec.strategy', async () => {
    const r = await kubectl(['explain', 'deployment.spec.strategy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GROUP:\s+apps/);
    assert.match(r.stdout, /KIND:\s+Deployment/);
    assert.match(r.stdout, /FIELD: strategy <DeploymentStrategy>/);
    assert.match(r.stdout, /deployment strategy to use/i);
    assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
    assert.match(r.stdout, /type\s+<string>/);
  });

  it('kubectl explain pod --recursive', async () => {
    const r = await kubectl(['explain', 'pod', '--recursive']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /containers\s+<\[\]Container> -required-/);
    assert.match(r.stdout, /maxSurge|port\s+<IntOrString>/);
    assert.match(r.stdout, /creationTimestamp\s+<string>/);
    assert.ok(r.stdout.split('\n').length > 300, 'recursive output is long');
  });

  it('kubectl apply (default --validate=strict) uses server-side field validation, not /openapi/v2', async () => {
    const file = join(dir, 'deploy.yaml');
    writeFileSync(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: app, image: "img:1", ports: [{containerPort: 80}]}
      - {name: side, image: "side:1"}
`,
    );
    stub.log.length = 0;
    const r = await kubectl(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const post = stub.log.find((l) => l.method === 'POST');
    assert.ok(post, 'created');
    assert.match(post.url, /fieldValidation=Strict/);
    assert.ok(!stub.log.some((l) => l.url.startsWith('/openapi/v2')), 'kubectl fell back to /openapi/v2');
  });

  it('kubectl apply computes a strategic merge patch from the v3 merge keys', async () => {
    const file = join(dir, 'deploy.yaml');
    const original = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'img:1' }, { name: 'side', image: 'side:1' }] },
        },
      },
    };
    objects.set('default/web', {
      ...original,
      metadata: {
        ...original.metadata,
        uid: 'u1',
        resourceVersion: '5',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(original) },
      },
    });
    const modified = structuredClone(original);
    modified.spec.template.spec.containers[0].image = 'img:2';
    writeFileSync(file, JSON.stringify(modified));
    stub.log.length = 0;
    const r = await kubectl(['apply', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
    const patch = stub.log.find((l) => l.method === 'PATCH');
    assert.ok(patch, 'patched');
    assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
    assert.match(patch.url, /fieldValidation=Strict/);
    const body = JSON.parse(patch.body);
    // merge by name: only the changed container, plus the order directive
    assert.deepEqual(body.spec.template.spec['$setElementOrder/containers'], [{ name: 'app' }, { name: 'side' }]);
    assert.deepEqual(body.spec.template.spec.containers, [{ image: 'img:2', name: 'app' }]);
    assert.ok(!stub.log.some((l) => l.url.startsWith('/openapi/v2')), 'kubectl fell back to /openapi/v2');
    assert.ok(!/error calculating patch from openapi v3/.test(r.stderr), r.stderr);
  });
});
