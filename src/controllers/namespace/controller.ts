/**
 * The namespace controller: empties a namespace that is being deleted, then lets it go.
 *
 * Deleting a namespace only marks it (deletionTimestamp, phase Terminating); the API server keeps it while
 * `spec.finalizers` holds "kubernetes". This controller deletes every namespaced object in it, kind by kind, waits
 * until none is left (objects with finalizers and graceful pods take their time), and then removes "kubernetes"
 * through `namespaces/NAME/finalize`, after which the API server deletes the namespace.
 *
 *   namespace informer ──onAdd/onUpdate──► WorkQueue (name) ──► sync(name)
 *                                                                 │ cached and deletionTimestamp set?
 *                                                                 │ for every namespaced kind: deletecollection
 *                                                                 │   (or list + delete), Background propagation
 *                                                                 │ anything left → { requeueAfterMs }
 *                                                                 └ nothing left → finalize (drop "kubernetes")
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { RESOURCES, verbsOf } from '../../apimachinery/resources.ts';
import type { Client, DeleteOptions } from '../../client/client.ts';
import { resourcePath } from '../../client/client.ts';
import { realClock, type Clock } from '../../client/clock.ts';
import { isNotFound } from '../../client/errors.ts';
import type { SharedInformer, SharedInformerFactory } from '../../client/informer.ts';
import { NAMESPACES, type KubeObject, type Resource } from '../../client/kinds.ts';
import { runWorkers, WorkQueue } from '../../client/workqueue.ts';
import { logger, type Logger } from '../../util/log.ts';

/** The finalizer the API server puts in every namespace's spec.finalizers; only this controller removes it. */
export const FINALIZER_KUBERNETES = 'kubernetes';

/** How long to wait before looking again at a namespace whose content is still going away. */
export const CONTENT_REMAINING_REQUEUE_MS = 1_500;

/**
 * The kinds whose objects live in namespaces and can be listed and deleted: what a namespace's deletion empties.
 * A resource served under two group-versions (core/v1 and events.k8s.io/v1 Events) is listed under both; the second
 * pass finds nothing left, which is harmless.
 */
export function namespacedResources(): Resource[] {
  return RESOURCES.filter((r) => r.namespaced && verbsOf(r).includes('list') && verbsOf(r).includes('delete'));
}

export interface NamespaceControllerDeps {
  informers: SharedInformerFactory;
  client: Client;
  clock?: Clock;
  /** The kinds to empty (default: every namespaced kind in RESOURCES). */
  resources?: readonly Resource[];
  log?: Logger;
}

/** What one pass over a namespace's content found. */
export interface ContentResult {
  /** Objects still present after the pass, by resource (`deployments.apps`), only where some remain. */
  remaining: Map<string, number>;
}

export class NamespaceController {
  readonly queue: WorkQueue<string>;
  private readonly client: Client;
  private readonly informer: SharedInformer<Namespace>;
  private readonly resources: readonly Resource[];
  private readonly log: Logger;

  constructor(deps: NamespaceControllerDeps) {
    this.client = deps.client;
    this.resources = deps.resources ?? namespacedResources();
    this.log = deps.log ?? logger('namespace-controller');
    this.queue = new WorkQueue<string>({ name: 'namespace', clock: deps.clock ?? realClock });
    this.informer = deps.informers.informerFor(NAMESPACES);
    this.informer.addEventHandler({
      onAdd: (ns) => this.enqueue(ns),
      onUpdate: (_old, ns) => this.enqueue(ns),
      // A deleted namespace needs nothing more.
    });
  }

  /** Waits for the namespace cache, then runs `workers` sync loops until the signal aborts. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.informer.waitForSync(signal))) return;
    this.log.info({ workers }, 'namespace controller started');
    await runWorkers(this.queue, workers, (name) => this.sync(name), signal, {
      onError: (name, err) => this.log.warn({ err, namespace: name }, 'syncing namespace failed; will retry'),
    });
  }

  /** Only namespaces being deleted have work; the others are not queued at all. */
  private enqueue(ns: Namespace): void {
    const name = ns.metadata?.name;
    if (name && ns.metadata?.deletionTimestamp) this.queue.add(name);
  }

  /**
   * Level-based: reads the cached namespace; gone, not being deleted, or already finalized → nothing to do.
   * Otherwise deletes its content; requeues while any remains; finalizes once it is empty.
   * @throws on any API error but NotFound (the worker retries with backoff)
   */
  async sync(name: string): Promise<{ requeueAfterMs?: number }> {
    const cached = this.informer.lister.get(name);
    if (!cached?.metadata?.deletionTimestamp) return {};
    if (!(cached.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return {};

    const { remaining } = await this.deleteContent(name);
    if (remaining.size > 0) {
      this.log.info({ namespace: name, remaining: Object.fromEntries(remaining) }, 'namespace content remaining');
      return { requeueAfterMs: CONTENT_REMAINING_REQUEUE_MS };
    }
    await this.finalize(name);
    return {};
  }

  /**
   * Deletes every object in the namespace (deletecollection where the kind supports it, else one by one), then lists
   * again to count what is still there (objects held by finalizers, pods in their grace period).
   */
  async deleteContent(namespace: string): Promise<ContentResult> {
    const remaining = new Map<string, number>();
    const opts: DeleteOptions = { propagationPolicy: 'Background' };
    for (const res of this.resources) {
      if (verbsOf(res).includes('deletecollection')) {
        await this.client.request({
          method: 'DELETE',
          path: resourcePath(res, namespace, undefined, undefined, 'list'),
          body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy },
        });
      } else {
        const list = await this.client.listAll<KubeObject>(res, namespace);
        for (const obj of list.items) {
          if (obj.metadata?.deletionTimestamp) continue; // already going; deleting again changes nothing
          try {
            await this.client.delete(res, namespace, obj.metadata!.name!, opts);
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      }
      const left = await this.client.listAll<KubeObject>(res, namespace);
      if (left.items.length > 0) remaining.set(res.group ? `${res.resource}.${res.group}` : res.resource, left.items.length);
    }
    return { remaining };
  }

  /** Removes "kubernetes" from spec.finalizers of the namespace as the API server has it now. */
  private async finalize(name: string): Promise<void> {
    let ns: Namespace;
    try {
      ns = await this.client.namespaces.get(name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const finalizers = ns.spec?.finalizers ?? [];
    if (!ns.metadata?.deletionTimestamp || !finalizers.includes(FINALIZER_KUBERNETES)) return;
    const updated: Namespace = { ...ns, spec: { ...ns.spec, finalizers: finalizers.filter((f) => f !== FINALIZER_KUBERNETES) } };
    try {
      await this.client.namespaces.finalize(updated);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.log.info({ namespace: name }, 'namespace emptied and finalized');
  }
}
