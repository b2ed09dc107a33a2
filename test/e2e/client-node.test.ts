/**
 * The official JavaScript client (@kubernetes/client-node 1.4) against the real `./k8ts server`: typed CRUD, a
 * paginated list with limit/continue, and an informer that sees add, update and delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../support/cluster.ts';

describe('@kubernetes/client-node against k8ts', () => {
  let c: Cluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  before(async () => {
    c = await startCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
  });
  after(async () => {
    await c?.destroy();
  });

  it('creates, reads and pages through a list with limit/continue at one resourceVersion', async () => {
    for (let i = 0; i < 7; i++) {
      await core.createNamespacedConfigMap({
        namespace: 'cn',
        body: { metadata: { name: `page-${i}`, labels: { set: 'paging' } }, data: { i: String(i) } },
      });
    }
    const names: string[] = [];
    let token: string | undefined;
    let rv: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'cn', limit: 3, _continue: token, labelSelector: 'set=paging' });
      pages++;
      names.push(...page.items.map((cm) => cm.metadata!.name!));
      rv ??= page.metadata?.resourceVersion;
      assert.equal(page.metadata?.resourceVersion, rv, 'every page is read at the first page\'s resourceVersion');
      token = page.metadata?._continue;
      if (pages === 1) {
        // A change after the first page must not appear in later pages.
        await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'page-9', labels: { set: 'paging' } } } });
      }
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
    const got = await core.readNamespacedConfigMap({ name: 'page-3', namespace: 'cn' });
    assert.equal(got.data?.i, '3');
  });

  it('an informer sees add, update and delete', async () => {
    const path = '/api/v1/namespaces/cn/configmaps';
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'cn' }));
    const seen: string[] = [];
    informer.on('add', (cm) => seen.push(`add ${cm.metadata?.name}`));
    informer.on('update', (cm) => seen.push(`update ${cm.metadata?.name} ${cm.data?.v ?? ''}`));
    informer.on('delete', (cm) => seen.push(`delete ${cm.metadata?.name}`));
    await informer.start();
    try {
      await waitFor(() => seen.includes('add page-0'), 10_000, seen);
      await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'inf' }, data: { v: '1' } } });
      await waitFor(() => seen.includes('add inf'), 10_000, seen);
      await core.patchNamespacedConfigMap(
        { name: 'inf', namespace: 'cn', body: { data: { v: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor(() => seen.includes('update inf 2'), 10_000, seen);
      await core.deleteNamespacedConfigMap({ name: 'inf', namespace: 'cn' });
      await waitFor(() => seen.includes('delete inf'), 10_000, seen);
    } finally {
      await informer.stop();
    }
  });
});

async function waitFor(cond: () => boolean, ms: number, seen: string[]): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out; seen: ${seen.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
