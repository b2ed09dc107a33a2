/** Pod (pkg/registry/core/pod/strategy.go): defaults, validation, update rules, status on create, QoS. */
import type { KObject } from '../../../apimachinery/object.ts';
import { nameIsDNSSubdomain } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import { forbidden, type Errs } from './errors.ts';
import {
  defaultPodOnly,
  defaultPodSpec,
  validateContainersOnlyForPod,
  validatePodSpec,
  validatePodSpecUpdate,
} from './podspec.ts';
import { parseQuantity } from './quantity.ts';
import { arr, isObj, specOf, type J } from './util.ts';

const CTX = { kind: 'Pod', apiVersion: 'v1', isPod: true };

/** The pod's QoS class (upstream qos.ComputePodQOS over containers and init containers, cpu and memory). */
export function qosClass(pod: KObject): string {
  const spec = (isObj(pod.spec) ? pod.spec : {}) as J;
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const nanos = (v: unknown): bigint => {
    try {
      return parseQuantity(v).nanos;
    } catch {
      return 0n;
    }
  };
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    const res = isObj(c?.resources) ? c.resources : {};
    for (const r of ['cpu', 'memory']) {
      const req = nanos(res.requests?.[r]);
      if (req > 0n) requests.set(r, (requests.get(r) ?? 0n) + req);
    }
    const found = new Set<string>();
    for (const r of ['cpu', 'memory']) {
      const lim = nanos(res.limits?.[r]);
      if (lim > 0n) {
        found.add(r);
        limits.set(r, (limits.get(r) ?? 0n) + lim);
      }
    }
    if (found.size < 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
    if (requests.size !== limits.size) guaranteed = false;
  }
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    defaultPodSpec(spec, CTX);
    defaultPodOnly(spec);
  },
  prepareForCreate(obj) {
    const status: J = { phase: 'Pending', qosClass: qosClass(obj) };
    if (arr(specOf(obj).schedulingGates).length > 0) {
      status.conditions = [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
          lastProbeTime: null,
          lastTransitionTime: null,
        },
      ];
    }
    obj.status = status;
  },
  prepareForStatusUpdate(obj, old) {
    // The QoS class is fixed at creation; old kubelets drop it on status writes (upstream backfills it).
    const status = (isObj(obj.status) ? obj.status : (obj.status = {})) as J;
    if (!status.qosClass) {
      const oldQos = (old.status as J | undefined)?.qosClass;
      if (oldQos) status.qosClass = oldQos;
    }
  },
  validate: (obj) => [...validatePodSpec(obj.spec, 'spec', { isPod: true }), ...validateContainersOnlyForPod(specOf(obj))],
  validateCreate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    // ephemeral containers only come through the ephemeralcontainers subresource
    if (arr(spec.ephemeralContainers).length > 0) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
    if (spec.nodeName && arr(spec.schedulingGates).length > 0) {
      errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
    }
    return errs;
  },
  validateUpdate: (obj, old) => validatePodSpecUpdate(specOf(obj), specOf(old)),
  /** A pod on a node is deleted gracefully: the kubelet stops it, then deletes it with grace 0. */
  gracePeriod(obj, requested) {
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? 30);
  },
});
