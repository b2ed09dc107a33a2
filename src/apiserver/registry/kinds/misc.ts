/**
 * The lighter kinds: HorizontalPodAutoscaler (autoscaling/v2), PodDisruptionBudget (policy/v1), Lease
 * (coordination.k8s.io/v1), EndpointSlice (discovery.k8s.io/v1), Event (events.k8s.io/v1).
 */
import { isIP } from 'node:net';
import { nameIsDNSSubdomain, validatePathSegmentName } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import { duplicate, goStruct, intOrStringText, invalid, notSupported, raw, required, type Errs } from './errors.ts';
import { canonicalOrThrow } from './quantity.ts';
import {
  arr,
  immutable,
  isObj,
  isValidPercent,
  specOf,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateQualifiedName,
  IS_NEGATIVE,
  type J,
  PROTOCOLS,
} from './util.ts';

// ---- HorizontalPodAutoscaler ----------------------------------------------------------------------------------------

const SCALE_UP = () => ({
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
});
const SCALE_DOWN = () => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function fillRules(rules: unknown, defaults: J): J {
  if (!isObj(rules)) return defaults;
  for (const k of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) if (rules[k] != null) defaults[k] = rules[k];
  return defaults;
}

function canonicalTarget(target: unknown, kind: string): void {
  if (!isObj(target)) return;
  for (const k of ['value', 'averageValue']) if (target[k] != null) target[k] = canonicalOrThrow(target[k], kind, 'autoscaling/v2');
}

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

export const hpaStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    spec.minReplicas ??= 1;
    if (arr(spec.metrics).length === 0) {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
    }
    if (isObj(spec.behavior)) {
      spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, SCALE_UP());
      spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, SCALE_DOWN());
    }
    for (const m of arr(spec.metrics)) {
      for (const k of ['resource', 'containerResource', 'pods', 'object', 'external']) canonicalTarget(m?.[k]?.target, 'HorizontalPodAutoscaler');
    }
  },
  prepareForCreate(obj) {
    obj.status = { desiredReplicas: 0 };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
      errs.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
    }
    const max = spec.maxReplicas ?? 0;
    if (max < 1) errs.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
    if (typeof spec.minReplicas === 'number' && max < spec.minReplicas) {
      errs.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
    }
    const ref: J = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    for (const f of ['kind', 'name']) {
      if (!ref[f]) errs.push(required(`spec.scaleTargetRef.${f}`));
      else errs.push(...validatePathSegmentName(String(ref[f]), false).map((m) => invalid(`spec.scaleTargetRef.${f}`, ref[f], m)));
    }
    arr(spec.metrics).forEach((m, i) => {
      const p = `spec.metrics[${i}]`;
      if (!m.type) errs.push(required(`${p}.type`, 'must specify a metric source type'));
      else if (!METRIC_TYPES.includes(m.type)) errs.push(notSupported(`${p}.type`, m.type, METRIC_TYPES));
    });
    return errs;
  },
});

// ---- PodDisruptionBudget --------------------------------------------------------------------------------------------

function positiveIntOrPercent(v: unknown, field: string): Errs {
  if (typeof v === 'string') {
    const errs = isValidPercent(v).map((m) => raw('FieldValueInvalid', field, intOrStringText(v), m));
    if (!errs.length && Number(v.slice(0, -1)) > 100) errs.push(raw('FieldValueInvalid', field, intOrStringText(v), 'must not be greater than 100%'));
    return errs;
  }
  return typeof v === 'number' && v < 0 ? [invalid(field, v, IS_NEGATIVE)] : [];
}

export const pdbStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  prepareForCreate(obj) {
    obj.status = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    if (spec.minAvailable != null && spec.maxUnavailable != null) {
      errs.push(raw('FieldValueInvalid', 'spec', goStruct('policy.PodDisruptionBudgetSpec', spec), 'minAvailable and maxUnavailable cannot be both set'));
    }
    if (spec.minAvailable != null) errs.push(...positiveIntOrPercent(spec.minAvailable, 'spec.minAvailable'));
    if (spec.maxUnavailable != null) errs.push(...positiveIntOrPercent(spec.maxUnavailable, 'spec.maxUnavailable'));
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (spec.unhealthyPodEvictionPolicy != null && !['AlwaysAllow', 'IfHealthyBudget'].includes(spec.unhealthyPodEvictionPolicy)) {
      errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
    }
    return errs;
  },
});

// ---- Lease ----------------------------------------------------------------------------------------------------------

export const leaseStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  allowCreateOnUpdate: true,
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
      errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
    }
    if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
      errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, IS_NEGATIVE));
    }
    return errs;
  },
});

// ---- EndpointSlice --------------------------------------------------------------------------------------------------

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export const endpointSliceStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    for (const p of arr(obj.ports)) {
      if (!isObj(p)) continue;
      p.name ??= '';
      p.protocol ??= 'TCP';
    }
  },
  validate(obj) {
    const e = obj as J;
    const errs: Errs = [];
    const type = e.addressType;
    if (!type) errs.push(required('addressType'));
    else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
    arr(e.endpoints).forEach((ep, i) => {
      const p = `endpoints[${i}]`;
      const addrs = arr<string>(ep.addresses);
      if (addrs.length === 0) errs.push(required(`${p}.addresses`, 'must contain at least 1 address'));
      else if (addrs.length > 100) errs.push(raw('FieldValueTooMany', `${p}.addresses`, String(addrs.length), 'must have at most 100 items'));
      addrs.forEach((a, j) => {
        const ap = `${p}.addresses[${j}]`;
        if (type === 'IPv4' && isIP(String(a)) !== 4) errs.push(invalid(ap, a, 'must be a valid IPv4 address'));
        if (type === 'IPv6' && isIP(String(a)) !== 6) errs.push(invalid(ap, a, 'must be a valid IPv6 address'));
        if (type === 'FQDN') errs.push(...validateDNS1123Subdomain(String(a).replace(/\.$/, ''), ap));
      });
      if (ep.hostname != null) errs.push(...validateDNS1123Label(String(ep.hostname), `${p}.hostname`));
      if (ep.nodeName != null) errs.push(...nameIsDNSSubdomain(String(ep.nodeName), false).map((m) => invalid(`${p}.nodeName`, ep.nodeName, m)));
    });
    const names = new Set<string>();
    arr(e.ports).forEach((port, i) => {
      const p = `ports[${i}]`;
      const name = String(port.name ?? '');
      if (name) errs.push(...validateDNS1123Label(name, `${p}.name`));
      if (names.has(name)) errs.push(duplicate(`${p}.name`, name));
      names.add(name);
      if (port.protocol == null) errs.push(required(`${p}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
      if (port.appProtocol != null) errs.push(...validateQualifiedName(String(port.appProtocol), `${p}.appProtocol`));
    });
    return errs;
  },
  validateUpdate: (obj, old) => immutable((obj as J).addressType, (old as J).addressType, 'addressType'),
});

// ---- Event (events.k8s.io/v1) ---------------------------------------------------------------------------------------

export const eventsV1Strategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  allowCreateOnUpdate: true,
  validate(obj) {
    const e = obj as J;
    const errs: Errs = [];
    if (!e.eventTime) errs.push(required('eventTime'));
    if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${e.type ?? ''}`));
    if (e.deprecatedFirstTimestamp) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
    if (e.deprecatedLastTimestamp) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
    if (e.deprecatedCount) errs.push(invalid('count', '', 'needs to be unset'));
    if (e.deprecatedSource && (e.deprecatedSource.component || e.deprecatedSource.host)) errs.push(invalid('source', '', 'needs to be unset'));
    const ns = obj.metadata.namespace ?? '';
    const regardingNs = e.regarding?.namespace ?? '';
    if (!regardingNs && ns !== 'default' && ns !== 'kube-system') {
      errs.push(invalid('involvedObject.namespace', regardingNs, 'does not match event.namespace'));
    }
    if (!e.reportingController) errs.push(required('reportingController'));
    errs.push(...validateQualifiedName(String(e.reportingController ?? ''), 'reportingController'));
    if (!e.reportingInstance) errs.push(required('reportingInstance'));
    if (!e.action) errs.push(required('action'));
    if (!e.reason) errs.push(required('reason'));
    if (String(e.note ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
    return errs;
  },
});
