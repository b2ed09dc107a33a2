/**
 * The ReplicaSet controller end to end: the real `./k8ts server` driven by stock kubectl. Pods have no node here
 * (no scheduler binds them in this setup), so deleting one is immediate.
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

const rs = (replicas: number) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  });

describe('e2e: replicaset controller', () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  const pods = () =>
    cluster.json<{ items: any[] }>(['get', 'pods', '-n', 'default', '-l', 'app=web', '-o', 'json']).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );

  it('creates the pods of a ReplicaSet, owned by it, and scales down', async () => {
    cluster.ok(['apply', '-f', '-'], { input: rs(3) });
    const uid = cluster.json(['get', 'replicaset', 'web', '-n', 'default', '-o', 'json']).metadata.uid;
    await waitFor('3 pods', 10_000, () => pods().length === 3);
    for (const p of pods()) {
      assert.match(p.metadata.name, /^web-/);
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    await waitFor('status.replicas 3', 10_000, () => cluster.json(['get', 'rs', 'web', '-n', 'default', '-o', 'json']).status?.replicas === 3);
    // Stays at 3 (no double creation once the controller's own creates come back).
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(pods().length, 3);

    cluster.ok(['apply', '-f', '-'], { input: rs(1) });
    await waitFor('1 pod', 10_000, () => pods().length === 1);
    await waitFor('status.replicas 1', 10_000, () => {
      const st = cluster.json(['get', 'rs', 'web', '-n', 'default', '-o', 'json']).status;
      return st?.replicas === 1 && st?.observedGeneration === 2;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(pods().length, 1);
  });

  it('adopts a matching orphan pod and deletes the surplus', async () => {
    const uid = cluster.json(['get', 'replicaset', 'web', '-n', 'default', '-o', 'json']).metadata.uid;
    cluster.ok(['run', 'orphan', '--image=busybox', '--labels=app=web', '-n', 'default']);
    await waitFor('back to 1 owned pod', 10_000, () => {
      const ps = pods();
      return ps.length === 1 && ps[0].metadata.ownerReferences?.[0]?.uid === uid;
    });
  });
});
