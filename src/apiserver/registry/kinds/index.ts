/**
 * The per-kind strategies, keyed `<group>/<Kind>` as in RESOURCES. Kinds that need the store (Service allocation)
 * are built from the registry's dependencies.
 */
import type { Backend } from '../../../storage/backend.ts';
import type { Strategy } from '../strategy.ts';
import { ServiceAllocators, type AllocatorOptions } from './allocator.ts';
import { controllerRevisionStrategy, daemonSetStrategy, deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from './apps.ts';
import { cronJobStrategy, jobStrategy } from './batch.ts';
import {
  configMapStrategy,
  coreEventStrategy,
  endpointsStrategy,
  limitRangeStrategy,
  namespaceStrategy,
  nodeStrategy,
  pvcStrategy,
  pvStrategy,
  resourceQuotaStrategy,
  secretStrategy,
  serviceAccountStrategy,
} from './core.ts';
import { endpointSliceStrategy, eventsV1Strategy, hpaStrategy, leaseStrategy, pdbStrategy } from './misc.ts';
import { ingressClassStrategy, ingressStrategy, networkPolicyStrategy } from './networking.ts';
import { podStrategy } from './pod.ts';
import { clusterRoleBindingStrategy, clusterRoleStrategy, roleBindingStrategy, roleStrategy } from './rbac.ts';
import { serviceStrategy } from './service.ts';

export type KindStrategy = Strategy & { keepStatusOnCreate?: boolean };

export interface KindDeps extends AllocatorOptions {
  backend?: Backend;
  /** Shared allocators (otherwise built from `backend` and the options). */
  allocators?: ServiceAllocators;
}

export function kindStrategies(deps: KindDeps = {}): Record<string, KindStrategy> {
  const strategies: Record<string, KindStrategy> = {
    '/Namespace': namespaceStrategy,
    '/Pod': podStrategy,
    '/Endpoints': endpointsStrategy,
    '/ConfigMap': configMapStrategy,
    '/Secret': secretStrategy,
    '/Node': nodeStrategy,
    '/Event': coreEventStrategy,
    '/ServiceAccount': serviceAccountStrategy,
    '/PersistentVolume': pvStrategy,
    '/PersistentVolumeClaim': pvcStrategy,
    '/ResourceQuota': resourceQuotaStrategy,
    '/LimitRange': limitRangeStrategy,
    'apps/Deployment': deploymentStrategy,
    'apps/ReplicaSet': replicaSetStrategy,
    'apps/StatefulSet': statefulSetStrategy,
    'apps/DaemonSet': daemonSetStrategy,
    'apps/ControllerRevision': controllerRevisionStrategy,
    'batch/Job': jobStrategy,
    'batch/CronJob': cronJobStrategy,
    'autoscaling/HorizontalPodAutoscaler': hpaStrategy,
    'policy/PodDisruptionBudget': pdbStrategy,
    'coordination.k8s.io/Lease': leaseStrategy,
    'discovery.k8s.io/EndpointSlice': endpointSliceStrategy,
    'networking.k8s.io/Ingress': ingressStrategy,
    'networking.k8s.io/IngressClass': ingressClassStrategy,
    'networking.k8s.io/NetworkPolicy': networkPolicyStrategy,
    'events.k8s.io/Event': eventsV1Strategy,
    'rbac.authorization.k8s.io/Role': roleStrategy,
    'rbac.authorization.k8s.io/RoleBinding': roleBindingStrategy,
    'rbac.authorization.k8s.io/ClusterRole': clusterRoleStrategy,
    'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingStrategy,
  };
  const allocators = deps.allocators ?? (deps.backend ? new ServiceAllocators(deps.backend, deps) : undefined);
  if (allocators) strategies['/Service'] = serviceStrategy(allocators);
  return strategies;
}

export { ServiceAllocators, type AllocatorOptions };
