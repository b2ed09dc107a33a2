/**
 * The resources components address by name, each a `ResourceInfo` from apimachinery/resources.ts, plus the object
 * type the client and informers hand out for it. `KubeObject` is what every generic piece of the client needs from
 * an object: its metadata.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { findResource, type ResourceInfo } from '../apimachinery/resources.ts';
import type {
  ConfigMap,
  Endpoints,
  Event as CoreEvent,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
} from 'kubernetes-types/core/v1.js';
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** A ResourceInfo tagged with the type of its objects (the tag exists only for the type checker). */
export type Resource<T extends KubeObject = KubeObject> = ResourceInfo & { readonly __object?: T };

export type ObjectOf<R> = R extends Resource<infer T> ? T : KubeObject;

function resource<T extends KubeObject>(group: string, version: string, plural: string): Resource<T> {
  const info = findResource(group, version, plural);
  if (!info) throw new Error(`client: ${group || 'core'}/${version} ${plural} is not in RESOURCES`);
  return info;
}

export const NAMESPACES = resource<Namespace>('', 'v1', 'namespaces');
export const PODS = resource<Pod>('', 'v1', 'pods');
export const NODES = resource<Node>('', 'v1', 'nodes');
export const SERVICES = resource<Service>('', 'v1', 'services');
export const ENDPOINTS = resource<Endpoints>('', 'v1', 'endpoints');
export const CONFIGMAPS = resource<ConfigMap>('', 'v1', 'configmaps');
export const SECRETS = resource<Secret>('', 'v1', 'secrets');
export const EVENTS = resource<CoreEvent>('', 'v1', 'events');
export const SERVICEACCOUNTS = resource<ServiceAccount>('', 'v1', 'serviceaccounts');
export const PERSISTENTVOLUMES = resource<PersistentVolume>('', 'v1', 'persistentvolumes');
export const PERSISTENTVOLUMECLAIMS = resource<PersistentVolumeClaim>('', 'v1', 'persistentvolumeclaims');
export const RESOURCEQUOTAS = resource<ResourceQuota>('', 'v1', 'resourcequotas');
export const LIMITRANGES = resource<LimitRange>('', 'v1', 'limitranges');
export const DEPLOYMENTS = resource<Deployment>('apps', 'v1', 'deployments');
export const REPLICASETS = resource<ReplicaSet>('apps', 'v1', 'replicasets');
export const STATEFULSETS = resource<StatefulSet>('apps', 'v1', 'statefulsets');
export const DAEMONSETS = resource<DaemonSet>('apps', 'v1', 'daemonsets');
export const CONTROLLERREVISIONS = resource<ControllerRevision>('apps', 'v1', 'controllerrevisions');
export const JOBS = resource<Job>('batch', 'v1', 'jobs');
export const CRONJOBS = resource<CronJob>('batch', 'v1', 'cronjobs');
export const HORIZONTALPODAUTOSCALERS = resource<HorizontalPodAutoscaler>('autoscaling', 'v2', 'horizontalpodautoscalers');
export const PODDISRUPTIONBUDGETS = resource<PodDisruptionBudget>('policy', 'v1', 'poddisruptionbudgets');
export const LEASES = resource<Lease>('coordination.k8s.io', 'v1', 'leases');
export const ENDPOINTSLICES = resource<EndpointSlice>('discovery.k8s.io', 'v1', 'endpointslices');
export const INGRESSES = resource<Ingress>('networking.k8s.io', 'v1', 'ingresses');
export const INGRESSCLASSES = resource<IngressClass>('networking.k8s.io', 'v1', 'ingressclasses');
export const NETWORKPOLICIES = resource<NetworkPolicy>('networking.k8s.io', 'v1', 'networkpolicies');
export const EVENTS_V1 = resource<EventsEvent>('events.k8s.io', 'v1', 'events');

/** `namespace/name` (or `name` for cluster-scoped objects): the key of caches and workqueues (MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name ?? ''}` : (m.name ?? '');
}

/** The inverse of objectKey: `ns/name` → { namespace, name }; `name` → { namespace: '', name }. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
