/**
 * Per-kind strategies. Each kind gets the generic behaviour (status reset on create for kinds with a status
 * subresource, generation for kinds with a spec that controllers act on) plus what is specific to it.
 */
import type { KObject } from '../../apimachinery/object.ts';
import type { ResourceInfo } from '../../apimachinery/resources.ts';
import type { Strategy } from './strategy.ts';

/** Kinds whose metadata.generation upstream maintains. */
const GENERATION_KINDS = new Set([
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy',
  '/PersistentVolumeClaim',
]);

type Status = Record<string, unknown> | undefined;

const namespace: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const spec = ((obj.spec as { finalizers?: string[] } | undefined) ??= {});
    obj.spec = spec;
    if (!spec.finalizers?.includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through the finalize subresource.
    obj.spec = old.spec;
  },
  holdsDeletion: (obj) => ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length ?? 0) > 0,
  prepareForDeletion(obj) {
    obj.status = { ...((obj.status as Status) ?? {}), phase: 'Terminating' };
  },
};

const pod: Strategy = {
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
  },
  /** A pod on a node is deleted gracefully: the kubelet stops it, then deletes it with grace 0. */
  gracePeriod(obj, requested) {
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? 30);
  },
};

const OVERRIDES: Record<string, Strategy> = {
  '/Namespace': namespace,
  '/Pod': pod,
};

export function strategyFor(info: ResourceInfo): Strategy {
  const id = `${info.group}/${info.kind}`;
  const specific = OVERRIDES[id] ?? {};
  const hasStatus = info.subresources?.includes('status') ?? false;
  return {
    generation: GENERATION_KINDS.has(id),
    ...specific,
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status;
      specific.prepareForCreate?.(obj);
    },
  };
}

/** The pod's QoS class from its containers' requests and limits (Guaranteed, Burstable, BestEffort). */
export function qosClass(pod: KObject): string {
  type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
  const spec = pod.spec as { containers?: { resources?: Res }[]; initContainers?: { resources?: Res }[] } | undefined;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const { requests = {}, limits = {} } = c.resources ?? {};
    for (const r of ['cpu', 'memory']) {
      if (requests[r] || limits[r]) any = true;
      const req = requests[r] ?? limits[r];
      if (!limits[r] || req !== limits[r]) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
