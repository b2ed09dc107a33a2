/**
 * The registry: one generic Store per served resource, each with its kind's strategy, plus namespace lifecycle
 * (no content in a missing or terminating namespace; the four system namespaces always exist).
 */
import type { Backend } from '../../storage/backend.ts';
import type { KObject } from '../../apimachinery/object.ts';
import { RESOURCES, type ResourceInfo } from '../../apimachinery/resources.ts';
import { StatusError, notFound } from '../../apimachinery/status.ts';
import { Store, type StoreDeps } from './store.ts';
import { strategyFor } from './strategies.ts';
import { ServiceAllocators, type AllocatorOptions } from './kinds/allocator.ts';

/** What the registry is configured with beyond the store's dependencies. */
export interface RegistryOptions extends Omit<StoreDeps, 'backend' | 'admitNamespace'> {
  /** Service ClusterIP / NodePort ranges (defaults: 10.43.0.0/16 and 30000-32767). */
  services?: AllocatorOptions;
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class Registry {
  private readonly stores = new Map<string, Store>();
  readonly namespaces: Store;

  readonly serviceAllocators: ServiceAllocators;

  constructor(backend: Backend, opts: RegistryOptions = {}) {
    const { services, ...deps } = opts;
    this.serviceAllocators = new ServiceAllocators(backend, services);
    for (const info of RESOURCES) {
      const store = new Store(info, strategyFor(info, { allocators: this.serviceAllocators }), {
        ...deps,
        backend,
        admitNamespace: (ns) => this.admitNamespace(ns),
      });
      this.stores.set(keyOf(info.group, info.version, info.resource), store);
    }
    this.namespaces = this.store('', 'v1', 'namespaces')!;
  }

  store(group: string, version: string, resource: string): Store | undefined {
    return this.stores.get(keyOf(group, version, resource));
  }

  all(): Store[] {
    return [...this.stores.values()];
  }

  /** Waits for every watch cache and makes sure the system namespaces exist. */
  async start(): Promise<void> {
    await Promise.all(this.all().map((s) => s.cacher.ready));
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.namespaces.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      }
    }
  }

  stop(): void {
    for (const s of this.all()) s.cacher.stop();
  }

  private async admitNamespace(namespace: string): Promise<void> {
    let ns: KObject | undefined = this.namespaces.cacher.get(this.namespaces.key(undefined, namespace));
    if (!ns) {
      try {
        ns = await this.namespaces.get(undefined, namespace);
      } catch {
        throw notFound({ group: '', resource: 'namespaces' }, namespace);
      }
    }
    const phase = (ns.status as { phase?: string } | undefined)?.phase;
    if (ns.metadata.deletionTimestamp || phase === 'Terminating') {
      const message = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw new StatusError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message,
        reason: 'Forbidden',
        details: {
          name: namespace,
          kind: 'namespaces',
          causes: [{ reason: 'NamespaceTerminating', message, field: 'metadata.namespace' }],
        },
        code: 403,
      });
    }
  }
}

const keyOf = (group: string, version: string, resource: string) => `${group}/${version}/${resource}`;

export type { ResourceInfo };
