/**
 * Namespace deletion end to end: the real `./k8ts server` (with its controller manager) driven by stock kubectl.
 * `kubectl delete ns` waits until the namespace is gone, which needs the namespace controller to empty it and
 * finalize it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../support/cluster.ts';

async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('e2e: namespace deletion', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  it('the controller manager holds its lease in kube-system', async () => {
    await waitFor('the lease', 10_000, () => cluster.kubectl(['get', 'lease', '-n', 'kube-system', 'k8ts-controller-manager']).code === 0);
    const lease = cluster.json(['get', 'lease', '-n', 'kube-system', 'k8ts-controller-manager', '-o', 'json']);
    assert.ok(lease.spec.holderIdentity, 'a holder');
  });

  it('kubectl delete ns empties the namespace and returns once it is gone', () => {
    cluster.ok(['create', 'ns', 'doomed']);
    cluster.ok(['create', 'configmap', 'x', '-n', 'doomed', '--from-literal=a=b']);
    cluster.ok(['create', 'deployment', 'd', '--image=busybox', '-n', 'doomed']);
    cluster.ok(['create', 'secret', 'generic', 's', '-n', 'doomed', '--from-literal=a=b']);
    const started = Date.now();
    cluster.ok(['delete', 'ns', 'doomed', '--timeout=20s']);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);

    const ns = cluster.kubectl(['get', 'ns', 'doomed']);
    assert.notEqual(ns.code, 0);
    assert.match(ns.stderr, /NotFound|not found/);
    for (const [kind, name] of [['configmap', 'x'], ['deployment', 'd'], ['secret', 's']] as const) {
      const r = cluster.kubectl(['get', kind, name, '-n', 'doomed']);
      assert.notEqual(r.code, 0, `${kind} ${name} is gone`);
      assert.match(r.stderr, /NotFound|not found/);
    }
    const all = cluster.json(['get', 'configmaps,deployments,secrets', '-A', '-o', 'json']);
    assert.deepEqual(all.items.filter((o: any) => o.metadata.namespace === 'doomed'), []);
  });

  it('an object held by a finalizer keeps its namespace Terminating until the finalizer goes', async () => {
    cluster.ok(['create', 'ns', 'held']);
    cluster.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'pinned', namespace: 'held', finalizers: ['example.com/hold'] },
      }),
    });
    cluster.ok(['delete', 'ns', 'held', '--wait=false']);
    // The configmap is marked for deletion but stays; the namespace waits for it.
    await waitFor('the configmap to be marked', 10_000, () => {
      const r = cluster.kubectl(['get', 'configmap', 'pinned', '-n', 'held', '-o', 'json']);
      return r.code === 0 && !!JSON.parse(r.stdout).metadata.deletionTimestamp;
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const ns = cluster.json(['get', 'ns', 'held', '-o', 'json']);
    assert.equal(ns.status.phase, 'Terminating');
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);

    cluster.ok(['patch', 'configmap', 'pinned', '-n', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    await waitFor('the namespace to go', 15_000, () => cluster.kubectl(['get', 'ns', 'held']).code !== 0);
    assert.match(cluster.kubectl(['get', 'ns', 'held']).stderr, /NotFound|not found/);
  });

  it('after a restart the new controller manager takes over and deletes namespaces', async () => {
    await cluster.restart();
    cluster.ok(['create', 'ns', 'again']);
    cluster.ok(['create', 'configmap', 'y', '-n', 'again']);
    cluster.ok(['delete', 'ns', 'again', '--timeout=20s']);
    assert.notEqual(cluster.kubectl(['get', 'configmap', 'y', '-n', 'again']).code, 0);
  });
});
