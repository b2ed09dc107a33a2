import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { pino } from 'pino';
import type { Client } from '../../client/client.ts';
import { FakeClock } from '../../client/clock.ts';
import { StatusError } from '../../client/errors.ts';
import type { EventHandler, SharedInformerFactory } from '../../client/informer.ts';
import type { KubeObject } from '../../client/kinds.ts';
import {
  calculateStatus,
  ControllerExpectations,
  EXPECTATIONS_TIMEOUT_MS,
  podsToDelete,
  ReplicaSetController,
} from './controller.ts';

/** A fake informer: a map of objects by `ns/name`, the handlers registered on it, `emit*` to play watch events. */
class FakeInformer<T extends KubeObject> {
  objects = new Map<string, T>();
  handlers: EventHandler<T>[] = [];
  lister = {
    get: (ns: string, name: string) => this.objects.get(`${ns}/${name}`),
    listInNamespace: (ns: string) => [...this.objects.values()].filter((o) => o.metadata?.namespace === ns),
  };
  addEventHandler(h: EventHandler<T>) {
    this.handlers.push(h);
  }
  addIndexers() {}
  async waitForSync() {
    return true;
  }
  set(o: T) {
    this.objects.set(`${o.metadata!.namespace}/${o.metadata!.name}`, o);
  }
  emitAdd(o: T) {
    this.set(o);
    for (const h of this.handlers) h.onAdd?.(o, false);
  }
  emitDelete(o: T) {
    this.objects.delete(`${o.metadata!.namespace}/${o.metadata!.name}`);
    for (const h of this.handlers) h.onDelete?.(o);
  }
}

const notFound = () => new StatusError({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 } as never);

/** A fake API server: created pods get names and uids but reach the informer only when `deliver()` is called. */
class FakeApi {
  calls: string[] = [];
  created: Pod[] = [];
  deleted: string[] = [];
  statuses: ReplicaSet[] = [];
  patches: unknown[] = [];
  private n = 0;

  client(): Client {
    return {
      pods: {
        create: async (ns: string, pod: Pod) => {
          const name = `${pod.metadata!.generateName}${++this.n}`;
          const out: Pod = { ...pod, metadata: { ...pod.metadata, name, namespace: ns, uid: `pod-uid-${this.n}`, resourceVersion: `${this.n}` } };
          this.calls.push(`create ${name}`);
          this.created.push(out);
          return out;
        },
        delete: async (ns: string, name: string) => {
          this.calls.push(`delete ${name}`);
          this.deleted.push(`${ns}/${name}`);
          return {};
        },
        patch: async (_ns: string, name: string, type: string, body: unknown) => {
          this.calls.push(`patch ${name} ${type}`);
          this.patches.push(body);
          const refs = (body as { path: string; value: unknown }[]).find((op) => op.path === '/metadata/ownerReferences')!.value;
          return { metadata: { name, namespace: 'default', ownerReferences: refs } };
        },
      },
      replicaSets: {
        updateStatus: async (rs: ReplicaSet) => {
          this.calls.push('updateStatus');
          this.statuses.push(rs);
          return rs;
        },
        get: async () => {
          throw notFound();
        },
      },
    } as unknown as Client;
  }
}

function setup() {
  const api = new FakeApi();
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const rsInformer = new FakeInformer<ReplicaSet>();
  const podInformer = new FakeInformer<Pod>();
  const informers = {
    informerFor: (res: { resource: string }) => (res.resource === 'pods' ? podInformer : rsInformer),
  } as unknown as SharedInformerFactory;
  const controller = new ReplicaSetController({ informers, client: api.client(), clock, log: pino({ level: 'silent' }) });
  /** Lets the watch catch up: every created pod reaches the pod informer. */
  const deliver = () => {
    for (const p of api.created.splice(0)) podInformer.emitAdd(p);
  };
  return { api, clock, rsInformer, podInformer, controller, deliver };
}

function replicaSet(replicas: number, extra: Partial<ReplicaSet['spec']> = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 4, resourceVersion: '10' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      ...extra,
    },
  };
}

const ownerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true };

function pod(name: string, opts: { ready?: boolean; readySince?: string; node?: string; phase?: string; labels?: Record<string, string>; owned?: boolean; created?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: opts.labels ?? { app: 'web', tier: 'front' },
      creationTimestamp: opts.created ?? '2025-12-31T00:00:00Z',
      ...(opts.owned === false ? {} : { ownerReferences: [ownerRef] }),
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? (opts.ready ? 'Running' : 'Pending'),
      conditions: opts.ready ? [{ type: 'Ready', status: 'True', lastTransitionTime: opts.readySince ?? '2025-12-31T00:00:00Z' }] : [],
    },
  };
}

describe('ReplicaSetController', () => {
  it('scale up: creates exactly the missing pods once, even if sync runs again before the watch catches up', async () => {
    const { api, rsInformer, podInformer, controller, deliver } = setup();
    rsInformer.set(replicaSet(3));
    podInformer.set(pod('web-existing'));

    await controller.sync('default/web');
    const creates = () => api.calls.filter((c) => c.startsWith('create')).length;
    assert.equal(creates(), 2);
    const made = api.created.map((p) => p.metadata!);
    for (const m of made) {
      assert.equal(m.generateName, 'web-');
      assert.deepEqual(m.labels, { app: 'web', tier: 'front' });
      assert.deepEqual(m.ownerReferences, [{ ...ownerRef, blockOwnerDeletion: true }]);
    }
    assert.deepEqual(controller.expectations.pending('default/web'), { add: 2, del: 0 });

    await controller.sync('default/web'); // the watch has not delivered the new pods yet
    await controller.sync('default/web');
    assert.equal(creates(), 2, 'no second round of creates while expectations are pending');

    deliver();
    assert.ok(controller.expectations.satisfied('default/web'));
    assert.equal(controller.queue.len(), 1, 'the owner was enqueued');
    await controller.sync('default/web');
    assert.equal(creates(), 2, 'enough pods now');
    assert.equal(api.statuses.at(-1)!.status!.replicas, 3);
  });

  it('a failed create lowers the expectations and skips the rest of the slow-start batches', async () => {
    const { api, rsInformer, controller } = setup();
    rsInformer.set(replicaSet(5));
    const client = api.client();
    let calls = 0;
    (client.pods as unknown as { create: () => Promise<Pod> }).create = async () => {
      calls++;
      throw new StatusError({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'quota' } as never);
    };
    const c2 = new ReplicaSetController({
      informers: { informerFor: (r: { resource: string }) => (r.resource === 'pods' ? new FakeInformer<Pod>() : rsInformer) } as unknown as SharedInformerFactory,
      client,
      log: pino({ level: 'silent' }),
    });
    void controller;
    await assert.rejects(c2.sync('default/web'), (err: unknown) => err instanceof StatusError && err.code === 403);
    assert.equal(calls, 1, 'the first batch of one failed; no further batches');
    assert.ok(c2.expectations.satisfied('default/web'));
    const st = api.statuses.at(-1)!.status!;
    assert.equal(st.conditions?.[0]?.type, 'ReplicaFailure');
    assert.equal(st.conditions?.[0]?.reason, 'FailedCreate');
  });

  it('scale down: deletes the surplus, unscheduled and not-ready pods first, and waits for the deletions', async () => {
    const { api, rsInformer, podInformer, controller } = setup();
    rsInformer.set(replicaSet(1));
    podInformer.set(pod('ready-on-node', { ready: true, node: 'n1' }));
    podInformer.set(pod('pending-no-node'));
    podInformer.set(pod('running-not-ready', { phase: 'Running', node: 'n1' }));

    await controller.sync('default/web');
    assert.deepEqual(api.deleted.sort(), ['default/pending-no-node', 'default/running-not-ready']);
    assert.deepEqual(controller.expectations.pending('default/web'), { add: 0, del: 2 });

    await controller.sync('default/web');
    assert.equal(api.deleted.length, 2, 'no second round of deletes before they are observed');

    // Seen first as terminating, then gone: each counts once.
    const doomed = podInformer.objects.get('default/pending-no-node')!;
    podInformer.emitDelete(doomed);
    podInformer.emitDelete(doomed);
    assert.deepEqual(controller.expectations.pending('default/web'), { add: 0, del: 1 });
    podInformer.emitDelete(podInformer.objects.get('default/running-not-ready')!);
    assert.ok(controller.expectations.satisfied('default/web'));
    await controller.sync('default/web');
    assert.equal(api.deleted.length, 2);
    assert.equal(api.statuses.at(-1)!.status!.replicas, 1);
  });

  it('expectations expire after 5 minutes (a lost watch event does not wedge the ReplicaSet)', async () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations('ns/a', 2);
    e.creationObserved('ns/a');
    assert.equal(e.satisfied('ns/a'), false);
    await clock.advance(EXPECTATIONS_TIMEOUT_MS + 1);
    assert.equal(e.satisfied('ns/a'), true);
  });

  it('status: replicas, fullyLabeled, ready, available honouring minReadySeconds, observedGeneration', async () => {
    const { api, rsInformer, podInformer, controller, clock } = setup();
    rsInformer.set(replicaSet(4, { minReadySeconds: 30 }));
    const now = clock.now();
    podInformer.set(pod('a', { ready: true, readySince: new Date(now - 60_000).toISOString() })); // available
    podInformer.set(pod('b', { ready: true, readySince: new Date(now - 10_000).toISOString() })); // ready, not yet available
    podInformer.set(pod('c', { labels: { app: 'web' } })); // not fully labeled
    podInformer.set(pod('d', { phase: 'Failed' })); // inactive: not counted
    podInformer.set({ ...pod('e'), metadata: { ...pod('e').metadata, ownerReferences: [{ ...ownerRef, uid: 'other' }] } }); // someone else's
    podInformer.set(pod('f'));

    await controller.sync('default/web');
    assert.deepEqual(api.statuses.at(-1)!.status, {
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 4,
      conditions: undefined,
    });
    assert.equal(api.calls.filter((c) => c.startsWith('create') || c.startsWith('delete')).length, 0);

    // Writes nothing when the status is unchanged.
    rsInformer.set({ ...replicaSet(4, { minReadySeconds: 30 }), status: api.statuses.at(-1)!.status });
    const before = api.statuses.length;
    await controller.sync('default/web');
    assert.equal(api.statuses.length, before);

    assert.deepEqual(calculateStatus(replicaSet(1), [], now), {
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 4,
    });
  });

  it('adopts a matching orphan with a JSON patch naming this ReplicaSet as controller', async () => {
    const { api, rsInformer, podInformer, controller } = setup();
    rsInformer.set(replicaSet(1));
    podInformer.set(pod('orphan', { owned: false }));
    podInformer.set(pod('stranger', { owned: false, labels: { app: 'other' } }));
    await controller.sync('default/web');
    assert.deepEqual(api.calls.filter((c) => c !== 'updateStatus'), ['patch orphan json']);
    const ops = api.patches[0] as { op: string; path: string; value: unknown }[];
    assert.deepEqual(ops[0], { op: 'test', path: '/metadata/uid', value: 'uid-orphan' });
    assert.equal(api.statuses.at(-1)!.status!.replicas, 1);
  });

  it('NotFound: forgets the expectations; pod events enqueue the owner (or, for orphans, the selecting RS)', async () => {
    const { api, rsInformer, podInformer, controller } = setup();
    controller.expectations.expectCreations('default/gone', 3);
    assert.deepEqual(await controller.sync('default/gone'), {});
    assert.equal(controller.expectations.pending('default/gone'), undefined);
    assert.deepEqual(api.calls, []);

    rsInformer.set(replicaSet(1));
    podInformer.emitAdd(pod('x', { owned: false, labels: { app: 'nope' } }));
    assert.equal(controller.queue.len(), 0);
    podInformer.emitAdd(pod('y', { owned: false }));
    assert.equal(controller.queue.len(), 1);
    assert.equal(await controller.queue.get(), 'default/web');
  });

  it('podsToDelete ranks unscheduled < pending < not ready < ready recently < ready long, newer first', () => {
    const pods = [
      pod('old-ready', { ready: true, node: 'n', readySince: '2025-01-01T00:00:00Z' }),
      pod('new-ready', { ready: true, node: 'n', readySince: '2025-06-01T00:00:00Z' }),
      pod('running-unready', { phase: 'Running', node: 'n' }),
      pod('pending-on-node', { node: 'n' }),
      pod('unscheduled'),
    ];
    assert.deepEqual(podsToDelete(pods, 5).map((p) => p.metadata!.name), [
      'unscheduled',
      'pending-on-node',
      'running-unready',
      'new-ready',
      'old-ready',
    ]);
  });
});
