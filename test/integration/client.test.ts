/**
 * src/client against the real `./k8ts server`: CRUD and errors, watch streaming, an informer that syncs, follows
 * changes, survives a server restart (re-listing after the 410 the restarted server gives its old resourceVersion),
 * and two leader electors sharing one Lease.
 *
 * The server listens on a fixed port so that a restart keeps the kubeconfig's URL, as a real control plane does.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Node, Pod } from 'kubernetes-types/core/v1.js';
import { startCluster, type Cluster } from '../support/cluster.ts';
import { Client } from '../../src/client/client.ts';
import { isAlreadyExists, isConflict, isNotFound, isResourceExpired, StatusError } from '../../src/client/errors.ts';
import { DeletedFinalStateUnknown, deletedObject, SharedInformerFactory } from '../../src/client/informer.ts';
import { CONFIGMAPS } from '../../src/client/kinds.ts';
import { LeaderElector, LeaseLock } from '../../src/client/leaderelection.ts';
import { pino } from 'pino';

const NS = 'client-it';
const silent = pino({ level: 'silent' });

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('client against the real API server', () => {
  let cluster: Cluster;
  let client: Client;

  before(async () => {
    cluster = await startCluster({ extraArgs: ['--listen', `127.0.0.1:${await freePort()}`] });
    client = await Client.fromKubeconfig(cluster.kubeconfig, { userAgent: 'client-it/1.0' });
    await client.namespaces.create({ metadata: { name: NS } });
  });
  after(async () => {
    client?.close();
    await cluster?.destroy();
  });

  it('CRUD with typed results; 404, 409 AlreadyExists and 409 Conflict as StatusError', async () => {
    const created = await client.configMaps.create(NS, { metadata: { name: 'crud', labels: { t: 'crud' } }, data: { a: '1' } });
    assert.equal(created.kind, 'ConfigMap');
    assert.ok(created.metadata?.uid && created.metadata.resourceVersion);

    const dup = await client.configMaps.create(NS, { metadata: { name: 'crud' } }).catch((e) => e);
    assert.ok(dup instanceof StatusError && isAlreadyExists(dup), String(dup));
    assert.equal(dup.code, 409);

    const missing = await client.configMaps.get(NS, 'nope').catch((e) => e);
    assert.ok(missing instanceof StatusError && isNotFound(missing));
    assert.equal(missing.status.details?.name, 'nope');

    const updated = await client.configMaps.update({ ...created, data: { a: '2' } });
    assert.equal(updated.data?.a, '2');
    const stale = await client.configMaps.update({ ...created, data: { a: '3' } }).catch((e) => e);
    assert.ok(stale instanceof StatusError && isConflict(stale), String(stale));

    const merged = await client.configMaps.patch(NS, 'crud', 'merge', { data: { b: 'x' } });
    assert.deepEqual(merged.data, { a: '2', b: 'x' });
    const jsonPatched = await client.configMaps.patch(NS, 'crud', 'json', [{ op: 'remove', path: '/data/a' }]);
    assert.deepEqual(jsonPatched.data, { b: 'x' });
    const strategic = await client.configMaps.patch(NS, 'crud', 'strategic', { metadata: { labels: { s: '1' } } });
    assert.deepEqual(strategic.metadata?.labels, { t: 'crud', s: '1' });

    const listed = await client.configMaps.list(NS, { labelSelector: { t: 'crud' } });
    assert.deepEqual(listed.items.map((c) => c.metadata?.name), ['crud']);
    assert.ok(Number(listed.metadata.resourceVersion) >= Number(strategic.metadata?.resourceVersion));

    const wrongUid = await client.configMaps.delete(NS, 'crud', { preconditions: { uid: 'not-the-uid' } }).catch((e) => e);
    assert.ok(wrongUid instanceof StatusError && wrongUid.code === 409, String(wrongUid));
    await client.configMaps.delete(NS, 'crud', { preconditions: { uid: created.metadata!.uid! } });
    assert.ok(isNotFound(await client.configMaps.get(NS, 'crud').catch((e) => e)));
  });

  it('listAll pages through with limit/continue at one resourceVersion', async () => {
    for (let i = 0; i < 5; i++) await client.configMaps.create(NS, { metadata: { name: `page-${i}`, labels: { t: 'page' } } });
    const all = await client.configMaps.listAll(NS, { labelSelector: 't=page', limit: 2 });
    assert.deepEqual(all.items.map((c) => c.metadata?.name), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    assert.ok(all.metadata.resourceVersion);
    assert.equal(all.metadata.continue, undefined);
  });

  it('status and binding subresources: updateStatus on a node, bind a pod once', async () => {
    await client.nodes.create({ metadata: { name: 'it-node' } });
    const node = await client.nodes.get('it-node');
    const withStatus = await client.nodes.updateStatus({
      ...node,
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
    } as Node);
    assert.equal(withStatus.status?.conditions?.[0]?.type, 'Ready');

    const pod = await client.pods.create(NS, {
      metadata: { name: 'bind-me' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    } as Pod);
    await client.pods.bind(NS, 'bind-me', 'it-node', { uid: pod.metadata!.uid });
    const bound = await client.pods.get(NS, 'bind-me');
    assert.equal(bound.spec?.nodeName, 'it-node');
    const again = await client.pods.bind(NS, 'bind-me', 'other').catch((e) => e);
    assert.ok(isConflict(again), String(again));
  });

  it('watch streams ADDED, MODIFIED, DELETED from a resourceVersion and ends quietly on abort', async () => {
    const start = await client.configMaps.create(NS, { metadata: { name: 'w-start' } });
    const ac = new AbortController();
    const w = await client.configMaps.watch(NS, { resourceVersion: start.metadata!.resourceVersion, allowWatchBookmarks: true, signal: ac.signal });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of w) {
        if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
        seen.push(`${ev.type} ${ev.object.metadata?.name} ${ev.object.data?.v ?? ''}`.trim());
        if (seen.length === 3) ac.abort();
      }
    })();
    await client.configMaps.create(NS, { metadata: { name: 'w' }, data: { v: '1' } });
    await client.configMaps.patch(NS, 'w', 'merge', { data: { v: '2' } });
    await client.configMaps.delete(NS, 'w');
    await reading;
    assert.deepEqual(seen, ['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
  });

  it('an informer syncs, sees add/update/delete, survives a restart and re-lists after the 410', async () => {
    await client.namespaces.create({ metadata: { name: 'inf' } });
    await client.configMaps.create('inf', { metadata: { name: 'before' } });
    const factory = new SharedInformerFactory(client, { backoff: { initialMs: 100, maxMs: 1_000 } });
    const informer = factory.informerFor(CONFIGMAPS, { namespace: 'inf' });
    assert.equal(factory.informerFor(CONFIGMAPS, { namespace: 'inf' }), informer, 'shared');
    const seen: string[] = [];
    informer.addEventHandler({
      onAdd: (cm: ConfigMap) => seen.push(`add ${cm.metadata?.name}`),
      onUpdate: (old: ConfigMap, cur: ConfigMap) => {
        if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) seen.push(`update ${cur.metadata?.name} ${cur.data?.v}`);
      },
      onDelete: (obj) => seen.push(`delete ${deletedObject(obj).metadata?.name}${obj instanceof DeletedFinalStateUnknown ? ' (tombstone)' : ''}`),
    });
    const ac = new AbortController();
    factory.start(ac.signal);
    try {
      assert.equal(await factory.waitForCacheSync(AbortSignal.timeout(10_000)), true);
      assert.deepEqual(seen, ['add before']);

      await client.configMaps.create('inf', { metadata: { name: 'x' }, data: { v: '1' } });
      await client.configMaps.patch('inf', 'x', 'merge', { data: { v: '2' } });
      await client.configMaps.delete('inf', 'before');
      await until('add/update/delete', () => seen.includes('delete before'));
      assert.deepEqual(seen, ['add before', 'add x', 'update x 2', 'delete before']);
      assert.equal(informer.lister.get('inf', 'x')?.data?.v, '2');

      // Move the store's revision past everything the informer has seen, then restart: the restarted server's
      // watch cache starts at the current revision, so the informer's resourceVersion is too old (410).
      await client.secrets.create('inf', { metadata: { name: 'bump' } });
      const listsBefore = informer.stats.lists;
      await cluster.restart();
      // Changes made right after the restart, possibly before the informer is back.
      await client.configMaps.delete('inf', 'x');
      await client.configMaps.create('inf', { metadata: { name: 'after' }, data: { v: '1' } });
      await until('catch-up after the restart', () => informer.lister.get('inf', 'after') !== undefined && !informer.lister.get('inf', 'x'), 20_000);
      assert.ok(informer.stats.relistsAfterExpired >= 1, `re-listed after 410 (${JSON.stringify(informer.stats)})`);
      assert.ok(informer.stats.lists > listsBefore);
      assert.ok(seen.some((s) => s.startsWith('delete x')), seen.join(', '));
      assert.ok(seen.includes('add after'), seen.join(', '));
      assert.deepEqual(informer.lister.list().map((c) => c.metadata?.name), ['after']);

      // And it keeps following after the restart.
      await client.configMaps.patch('inf', 'after', 'merge', { data: { v: '2' } });
      await until('update after the restart', () => seen.includes('update after 2'));
    } finally {
      ac.abort();
      await factory.shutdown();
    }
    assert.equal(informer.state, 'stopped');
  });

  it('a consistent list, and a watch from its resourceVersion, right after a write to another resource', async () => {
    // The watch cache learns the store revision from its store watch's progress, not only from its own events.
    await client.nodes.create({ metadata: { name: `elsewhere-${Date.now()}` } });
    const page = await client.configMaps.list(NS, { limit: 500 });
    const w = await client.configMaps.watch(NS, { resourceVersion: page.metadata.resourceVersion, signal: AbortSignal.timeout(1_000) });
    w.close();
    await client.configMaps.list(NS, { signal: AbortSignal.timeout(1_000) });
  });

  it('a watch from a resourceVersion older than the server remembers is 410 Expired', async () => {
    // The restart above reset the watch cache's window to the revision at start.
    const err = await client.configMaps.watch(NS, { resourceVersion: '1' }).catch((e) => e);
    assert.ok(isResourceExpired(err), String(err));
    assert.equal(err.code, 410);
  });

  it('two electors on one Lease: one leads; the other takes over when it releases, or when its lease expires', async () => {
    const timings = { leaseDurationMs: 1_000, renewDeadlineMs: 700, retryPeriodMs: 200 };
    const leading = new Set<string>();
    let maxLeaders = 0;
    const start = (id: string, extra: { releaseOnCancel?: boolean } = {}) => {
      const ac = new AbortController();
      const elector = new LeaderElector({
        lock: new LeaseLock(client.leases, NS, 'it-lock', id),
        ...timings,
        ...extra,
        log: silent,
        onStartedLeading: (signal) => {
          leading.add(id);
          maxLeaders = Math.max(maxLeaders, leading.size);
          signal.addEventListener('abort', () => leading.delete(id));
        },
      });
      return { ac, elector, done: elector.run(ac.signal) };
    };
    const a = start('a');
    await until('a leads', () => leading.has('a'));
    const b = start('b', { releaseOnCancel: false });
    await new Promise((r) => setTimeout(r, 1_500)); // longer than the lease: a keeps renewing it
    assert.deepEqual([...leading], ['a']);
    const lease = await client.leases.get(NS, 'it-lock');
    assert.equal(lease.spec?.holderIdentity, 'a');
    assert.equal(lease.spec?.leaseDurationSeconds, 1);

    // a shuts down and releases: b takes the lease at its next retry.
    const releasedAt = Date.now();
    a.ac.abort();
    await a.done;
    await until('b takes over', () => leading.has('b'));
    assert.ok(Date.now() - releasedAt < 1_000, 'a released lease is taken at the next retry, not after it expires');
    assert.equal((await client.leases.get(NS, 'it-lock')).spec?.leaseTransitions, 1);

    // b dies without releasing: c must wait for the lease to expire.
    const c = start('c');
    await new Promise((r) => setTimeout(r, 500));
    b.ac.abort();
    await b.done;
    const diedAt = Date.now();
    assert.equal((await client.leases.get(NS, 'it-lock')).spec?.holderIdentity, 'b');
    await until('c takes over', () => leading.has('c'), 10_000);
    // Its last renewal was at most one retry period before it died.
    assert.ok(Date.now() - diedAt >= 600, `c waited for the lease to expire (${Date.now() - diedAt} ms)`);
    const final = await client.leases.get(NS, 'it-lock');
    assert.equal(final.spec?.holderIdentity, 'c');
    assert.equal(final.spec?.leaseTransitions, 2);
    assert.equal(maxLeaders, 1, 'never two leaders at once');
    c.ac.abort();
    await c.done;
    assert.equal((await client.leases.get(NS, 'it-lock')).spec?.holderIdentity, '', 'released on shutdown');
  });
});
