import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { findResource } from '../../apimachinery/resources.ts';
import type { Client, RequestOptions } from '../../client/client.ts';
import { StatusError } from '../../client/errors.ts';
import type { EventHandler, SharedInformerFactory } from '../../client/informer.ts';
import type { KubeObject, Resource } from '../../client/kinds.ts';
import { CONTENT_REMAINING_REQUEUE_MS, NamespaceController, namespacedResources } from './controller.ts';

/** ConfigMaps as if their resource served no deletecollection: emptied by list + delete. */
const CONFIGMAPS: Resource = { ...findResource('', 'v1', 'configmaps')!, verbs: ['get', 'list', 'delete'] };
const SERVICES = findResource('', 'v1', 'services')! as Resource; // serves deletecollection

/** A fake API: objects by `resource/namespace/name`; finalizers keep an object (marked) on delete. */
class FakeApi {
  objects = new Map<string, KubeObject>();
  namespaces = new Map<string, Namespace>();
  calls: string[] = [];
  finalized: Namespace[] = [];
  failLists = false;

  client(): Client {
    const items = (res: Resource, ns: string | undefined) =>
      [...this.objects].filter(([k]) => k.startsWith(`${res.resource}/${ns}/`)).map(([, o]) => o);
    const del = (res: Resource, ns: string, name: string) => {
      const key = `${res.resource}/${ns}/${name}`;
      const obj = this.objects.get(key);
      if (!obj) throw new StatusError({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 } as never);
      if (obj.metadata?.finalizers?.length) this.objects.set(key, { ...obj, metadata: { ...obj.metadata, deletionTimestamp: 'now' } });
      else this.objects.delete(key);
    };
    const fake = {
      listAll: async (res: Resource, ns: string | undefined) => {
        this.calls.push(`list ${res.resource}`);
        if (this.failLists) throw new StatusError({ kind: 'Status', status: 'Failure', reason: 'InternalError', code: 500 } as never);
        return { metadata: {}, items: items(res, ns) };
      },
      delete: async (res: Resource, ns: string, name: string) => {
        this.calls.push(`delete ${res.resource}/${name}`);
        del(res, ns, name);
        return {};
      },
      request: async (opts: RequestOptions) => {
        const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)$/.exec(opts.path);
        assert.ok(m && opts.method === 'DELETE', `unexpected request ${opts.method} ${opts.path}`);
        this.calls.push(`deletecollection ${m[2]}`);
        const res = findResource('', 'v1', m[2]!)! as Resource;
        for (const o of items(res, m[1])) if (!o.metadata?.deletionTimestamp) del(res, m[1]!, o.metadata!.name!);
        return {};
      },
      namespaces: {
        get: async (name: string) => structuredClone(this.namespaces.get(name)!),
        finalize: async (ns: Namespace) => {
          this.finalized.push(ns);
          return ns;
        },
      },
    };
    return fake as unknown as Client;
  }
}

function setup(api: FakeApi) {
  const handlers: EventHandler<Namespace>[] = [];
  const informer = {
    lister: { get: (name: string) => api.namespaces.get(name) },
    addEventHandler: (h: EventHandler<Namespace>) => void handlers.push(h),
    waitForSync: async () => true,
  };
  const informers = { informerFor: () => informer } as unknown as SharedInformerFactory;
  const controller = new NamespaceController({
    informers,
    client: api.client(),
    resources: [CONFIGMAPS, SERVICES],
    log: pino({ level: 'silent' }),
  });
  return { controller, handlers };
}

const terminating = (name: string): Namespace => ({
  metadata: { name, deletionTimestamp: '2026-01-01T00:00:00Z' },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Terminating' },
});

describe('NamespaceController', () => {
  it('namespacedResources: every namespaced, deletable kind and no cluster-scoped one', () => {
    const names = namespacedResources().map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource));
    for (const n of ['pods', 'configmaps', 'secrets', 'deployments.apps', 'leases.coordination.k8s.io']) assert.ok(names.includes(n), n);
    for (const n of ['namespaces', 'nodes', 'persistentvolumes', 'clusterroles.rbac.authorization.k8s.io']) assert.ok(!names.includes(n), n);
  });

  it('queues only namespaces being deleted', () => {
    const api = new FakeApi();
    const { controller, handlers } = setup(api);
    handlers[0]!.onAdd!({ metadata: { name: 'live' } }, true);
    handlers[0]!.onUpdate!(terminating('a'), terminating('a'));
    handlers[0]!.onAdd!(terminating('b'), false);
    assert.equal(controller.queue.len(), 2);
  });

  it('does nothing for a namespace that is gone, live, or already finalized', async () => {
    const api = new FakeApi();
    const { controller } = setup(api);
    api.namespaces.set('live', { metadata: { name: 'live' }, spec: { finalizers: ['kubernetes'] } });
    api.namespaces.set('done', { ...terminating('done'), spec: { finalizers: [] } });
    for (const name of ['gone', 'live', 'done']) assert.deepEqual(await controller.sync(name), {});
    assert.deepEqual(api.calls, []);
    assert.deepEqual(api.finalized, []);
  });

  it('deletes the content (deletecollection where served), then finalizes without "kubernetes"', async () => {
    const api = new FakeApi();
    const { controller } = setup(api);
    api.namespaces.set('doomed', { ...terminating('doomed'), spec: { finalizers: ['kubernetes', 'example.com/other'] } });
    api.objects.set('configmaps/doomed/a', { metadata: { name: 'a', namespace: 'doomed' } });
    api.objects.set('services/doomed/s', { metadata: { name: 's', namespace: 'doomed' } });
    api.objects.set('configmaps/kept/b', { metadata: { name: 'b', namespace: 'kept' } });

    assert.deepEqual(await controller.sync('doomed'), {});
    assert.deepEqual(api.calls, ['list configmaps', 'delete configmaps/a', 'list configmaps', 'deletecollection services', 'list services']);
    assert.deepEqual([...api.objects.keys()], ['configmaps/kept/b']);
    assert.equal(api.finalized.length, 1);
    assert.deepEqual(api.finalized[0]!.spec!.finalizers, ['example.com/other']);
  });

  it('requeues while an object held by a finalizer remains; finalizes once it is gone', async () => {
    const api = new FakeApi();
    const { controller } = setup(api);
    api.namespaces.set('held', terminating('held'));
    api.objects.set('configmaps/held/pinned', { metadata: { name: 'pinned', namespace: 'held', finalizers: ['example.com/hold'] } });

    assert.deepEqual(await controller.sync('held'), { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS });
    assert.deepEqual(api.finalized, []);
    api.calls = [];
    assert.deepEqual(await controller.sync('held'), { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS });
    assert.ok(!api.calls.some((c) => c.startsWith('delete configmaps')), 'an object already marked is not deleted again');

    api.objects.delete('configmaps/held/pinned'); // its finalizer was removed
    assert.deepEqual(await controller.sync('held'), {});
    assert.equal(api.finalized.length, 1);
  });

  it('throws on API errors so the worker retries with backoff', async () => {
    const api = new FakeApi();
    const { controller } = setup(api);
    api.namespaces.set('x', terminating('x'));
    api.failLists = true;
    await assert.rejects(controller.sync('x'), (err: unknown) => err instanceof StatusError && err.code === 500);
    assert.deepEqual(api.finalized, []);
  });
});
