/**
 * Per-kind strategies. Each kind gets the generic behaviour (status reset on create for kinds with a status
 * subresource, generation for kinds with a spec that controllers act on) plus what is specific to it: defaults,
 * validation and allocation, in kinds/ (one file per kind or group).
 */
import type { ResourceInfo } from '../../apimachinery/resources.ts';
import type { Strategy } from './strategy.ts';
import { kindStrategies, type KindDeps } from './kinds/index.ts';

export { qosClass } from './kinds/pod.ts';

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

/**
 * What the strategies need from the registry: the storage backend (Service ClusterIP / NodePort allocation keeps
 * its state there) or prebuilt allocators, and the allocation ranges.
 */
export type StrategyDeps = KindDeps;

export function strategyFor(info: ResourceInfo, deps: StrategyDeps = {}): Strategy {
  const id = `${info.group}/${info.kind}`;
  const { keepStatusOnCreate, ...specific } = kindStrategies(deps)[id] ?? {};
  const hasStatus = info.subresources?.includes('status') ?? false;
  return {
    generation: GENERATION_KINDS.has(id),
    ...specific,
    prepareForCreate(obj) {
      if (hasStatus && !keepStatusOnCreate) delete obj.status;
      specific.prepareForCreate?.(obj);
    },
  };
}
