/**
 * Service (pkg/registry/core/service: strategy.go and storage/alloc.go; core/validation ValidateService): defaults,
 * clusterIP/clusterIPs normalization, IP family initialization, type-change cleanup, validation, and ClusterIP /
 * NodePort allocation through ServiceAllocators.
 */
import type { KObject } from '../../../apimachinery/object.ts';
import { goQuote, nameIsDNS1035Label, validateLabels } from '../../../apimachinery/validation.ts';
import { internalError, invalid as invalidStatus } from '../../../apimachinery/status.ts';
import { AllocationError, familyOf, type IPFamily, type Owner, type ServiceAllocators } from './allocator.ts';
import { defineKind } from './define.ts';
import {
  duplicate,
  forbidden,
  fromV,
  invalid,
  notSupported,
  raw,
  required,
  toFieldErrors,
  type Errs,
} from './errors.ts';
import {
  arr,
  child,
  isObj,
  isValidPortNum,
  same,
  specOf,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateIP,
  validatePortNumOrName,
  validateQualifiedName,
  type J,
  PROTOCOLS,
} from './util.ts';

const GK = { group: '', kind: 'Service' };
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

const isHeadless = (spec: J) => arr<string>(spec.clusterIPs).length === 1 && spec.clusterIPs[0] === 'None';
const needsClusterIP = (spec: J) => spec.type !== 'ExternalName';
const needsNodePort = (spec: J) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const externallyAccessible = (spec: J) =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
const needsHealthCheck = (spec: J) => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
/** LoadBalancers may opt out of node port allocation (requested node ports are still honoured). */
const shouldAllocateNodePorts = (spec: J) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

// ---- defaults and normalization -------------------------------------------------------------------------------------

function defaultService(obj: KObject): void {
  const spec = specOf(obj);
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of arr(spec.ports)) {
    if (!isObj(p)) continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy == null && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

/** normalizeClusterIPs: keep clusterIP and clusterIPs in step for clients that set only one of them. */
function normalizeClusterIPs(spec: J, old: J | undefined): void {
  if (!old) {
    if (spec.clusterIP && arr(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (arr(old.clusterIPs).length > 0 && arr(spec.clusterIPs).length === 0 && (old.clusterIP ?? '') === (spec.clusterIP ?? '')) {
    spec.clusterIPs = old.clusterIPs;
  }
  if ((old.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (old.clusterIP && !spec.clusterIP && same(old.clusterIPs ?? null, spec.clusterIPs ?? null)) delete spec.clusterIPs;
    if (spec.clusterIP && same(old.clusterIPs ?? null, spec.clusterIPs ?? null)) spec.clusterIPs = [spec.clusterIP];
  }
}

/** patchAllocatedValues: an update that omits allocated values (clusterIP, nodePorts, healthCheckNodePort) keeps them. */
function patchAllocatedValues(spec: J, old: J): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP) spec.clusterIP = old.clusterIP;
    if (arr(spec.clusterIPs).length === 0 && arr(old.clusterIPs).length > 0) spec.clusterIPs = old.clusterIPs;
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const nodePortFor = (port: J) =>
      arr(old.ports).find((o) => o.port === port.port && (o.protocol ?? 'TCP') === (port.protocol ?? 'TCP') && o.nodePort)?.nodePort;
    for (const p of arr(spec.ports)) if (isObj(p) && !p.nodePort) p.nodePort = nodePortFor(p) ?? p.nodePort;
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
}

const nodePortsOf = (spec: J): number[] => arr(spec.ports).map((p) => p?.nodePort).filter((n): n is number => typeof n === 'number' && n > 0);

/** dropTypeDependentFields: a type change wipes what only the old type needed (unless the client changed it too). */
function dropTypeDependentFields(spec: J, old: J, status: J): void {
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (same(old.clusterIPs ?? null, spec.clusterIPs ?? null) && (old.clusterIP ?? '') === (spec.clusterIP ?? '')) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(old.ipFamilies ?? null, spec.ipFamilies ?? null)) delete spec.ipFamilies;
    if ((old.ipFamilyPolicy ?? null) === (spec.ipFamilyPolicy ?? null)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(spec) && same(nodePortsOf(old), nodePortsOf(spec))) {
    for (const p of arr(spec.ports)) if (isObj(p)) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && (old.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)) {
    delete spec.healthCheckNodePort;
  }
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && old.allocateLoadBalancerNodePorts != null) {
    if (old.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  }
  if (old.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && (old.loadBalancerClass ?? null) === (spec.loadBalancerClass ?? null)) {
    delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(spec) && (old.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')) {
    delete spec.externalTrafficPolicy;
  }
  if (spec.type !== 'LoadBalancer') status.loadBalancer = {};
}

// ---- validation -----------------------------------------------------------------------------------------------------

/** `%#v` of the internal core.ServicePort key upstream reports duplicates with. */
const goServicePortKey = (protocol: string, port: number) =>
  `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;

function validateServicePort(sp: J, requireName: boolean, names: Set<string>, field: string): Errs {
  const errs: Errs = [];
  if (requireName && !sp.name) errs.push(required(`${field}.name`));
  else if (sp.name) {
    errs.push(...validateDNS1123Label(String(sp.name), `${field}.name`));
    if (names.has(sp.name)) errs.push(duplicate(`${field}.name`, sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(`${field}.port`, sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(`${field}.protocol`));
  else if (!PROTOCOLS.includes(sp.protocol)) errs.push(notSupported(`${field}.protocol`, sp.protocol, PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort, `${field}.targetPort`));
  if (sp.appProtocol != null) errs.push(...validateQualifiedName(String(sp.appProtocol), `${field}.appProtocol`));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields. */
function validateClusterIPsRelated(spec: J): Errs {
  if (spec.type === 'ExternalName') return [];
  const errs: Errs = [];
  const ips = arr<string>(spec.clusterIPs);
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length > 0) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  arr<string>(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy != null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(ip, `spec.clusterIPs[${i}]`);
    if (e.length) badIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && familyOf(ips[0]!) === familyOf(ips[1]!)) {
    errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec) && ips.length > 0) {
    const fams = arr<string>(spec.ipFamilies);
    ips.forEach((ip, i) => {
      if (i >= fams.length) return;
      if (fams[i] === 'IPv4' && familyOf(ip) === 'IPv6') errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && familyOf(ip) !== 'IPv6') errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function isValidCIDR(v: string): boolean {
  const m = /^(.+)\/(\d+)$/.exec(v);
  if (!m) return false;
  const fam = familyOf(m[1]!);
  const bits = Number(m[2]);
  return fam !== undefined && bits <= (fam === 'IPv4' ? 32 : 128);
}

function validateNonSpecialIP(ip: string, field: string): Errs {
  const errs: Errs = [];
  if (ip === '0.0.0.0' || ip === '::') errs.push(invalid(field, ip, `may not be unspecified (${ip})`));
  if (/^127\./.test(ip) || ip === '::1') errs.push(invalid(field, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (/^169\.254\./.test(ip) || /^fe[89ab]/i.test(ip)) errs.push(invalid(field, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (/^224\.0\.0\./.test(ip) || /^ff02:/i.test(ip)) {
    errs.push(invalid(field, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

/** ValidateService (create, and the tail of update). */
function validateService(obj: KObject): Errs {
  const spec = specOf(obj);
  const errs: Errs = [];
  const ports = arr(spec.ports);
  const headless = isHeadless(spec);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  switch (spec.type) {
    case 'LoadBalancer':
    case 'NodePort':
      if (headless) errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
      break;
    case 'ExternalName': {
      if (arr(spec.clusterIPs).length > 0) errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (arr(spec.ipFamilies).length > 0) errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy != null) errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = String(spec.externalName ?? '').replace(/\.$/, '');
      if (cname) errs.push(...validateDNS1123Subdomain(cname, 'spec.externalName'));
      else errs.push(required('spec.externalName'));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(isObj(p) ? p : {}, ports.length > 1, names, `spec.ports[${i}]`)));
  if (spec.selector != null) errs.push(...fromV(validateLabels(spec.selector, 'spec.selector')));
  if (!spec.sessionAffinity) errs.push(required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const p = 'spec.sessionAffinityConfig';
    if (!isObj(cfg)) errs.push(required(p, 'when session affinity type is ClientIP'));
    else if (!isObj(cfg.clientIP)) errs.push(required(`${p}.clientIP`, 'when session affinity type is ClientIP'));
    else if (typeof cfg.clientIP.timeoutSeconds !== 'number') errs.push(required(`${p}.clientIP.timeoutSeconds`, 'when session affinity type is ClientIP'));
    else if (cfg.clientIP.timeoutSeconds <= 0 || cfg.clientIP.timeoutSeconds > 86400) {
      errs.push(invalid(`${p}.clientIP.timeoutSeconds`, cfg.clientIP.timeoutSeconds, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig != null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelated(spec));
  arr<string>(spec.externalIPs).forEach((ip, i) => {
    const e = validateIP(ip, `spec.externalIPs[${i}]`);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, `spec.externalIPs[${i}]`)));
  });
  if (!spec.type) errs.push(required('spec.type'));
  else if (!TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p?.nodePort) errs.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p?.nodePort) return;
    const key = `${p.protocol}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p?.protocol ?? ''}/${p?.port ?? 0}`;
    if (portKeys.has(key)) errs.push(raw('FieldValueDuplicate', `spec.ports[${i}]`, goServicePortKey(p?.protocol ?? '', p?.port ?? 0)));
    portKeys.add(key);
  });
  const ranges = arr<string>(spec.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    const p = 'spec.LoadBalancerSourceRanges';
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const v = String(r).trim();
      if (!isValidCIDR(v)) errs.push(invalid(`${p}[${i}]`, v, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    });
  }
  if (spec.allocateLoadBalancerNodePorts != null && spec.type !== 'LoadBalancer') {
    errs.push(forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts == null) errs.push(required('allocateLoadBalancerNodePorts'));
  if (spec.loadBalancerClass != null) {
    if (spec.type !== 'LoadBalancer') errs.push(forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
    else errs.push(...validateQualifiedName(String(spec.loadBalancerClass), 'spec.loadBalancerClass'));
  }
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy) {
      errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    }
  } else if (!spec.externalTrafficPolicy) errs.push(required('spec.externalTrafficPolicy'));
  else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (!needsHealthCheck(spec)) {
    if (spec.healthCheckNodePort) {
      errs.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (spec.healthCheckNodePort) {
    // (0 is allocated after validation here; upstream allocates before)
    errs.push(...isValidPortNum(spec.healthCheckNodePort).map((m) => invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, m)));
  }
  if (spec.internalTrafficPolicy == null) {
    if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) errs.push(required('spec.internalTrafficPolicy'));
  } else if (!['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.trafficDistribution != null && spec.trafficDistribution !== 'PreferClose') {
    errs.push(notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/** validateUpgradeDowngradeClusterIPs / IPFamilies and the health check node port rule of ValidateServiceUpdate. */
function validateServiceUpdate(obj: KObject, old: KObject): Errs {
  const spec = specOf(obj);
  const o = specOf(old);
  const errs: Errs = [];
  if (spec.type !== 'ExternalName' && o.type !== 'ExternalName' && !(isHeadless(spec) && isHeadless(o))) {
    const n = arr<string>(spec.clusterIPs);
    const p = arr<string>(o.clusterIPs);
    if (p.length === n.length) {
      p.forEach((ip, i) => {
        if (ip !== n[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, n, 'may not change once set'));
      });
    } else if (p.length > n.length) {
      if (n.length === 0) errs.push(invalid('spec.clusterIPs[0]', n, 'primary clusterIP can not be unset'));
      if (p.length > 0 && n.length > 0 && n[0] !== p[0]) errs.push(invalid('spec.clusterIPs[0]', n, 'may not change once set'));
      if (n.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (p.length > 0 && n[0] !== p[0]) {
      errs.push(invalid('spec.clusterIPs[0]', n, 'may not change once set'));
    }
  }
  if (spec.type !== 'ExternalName' && o.type !== 'ExternalName' && isHeadless(spec) === isHeadless(o) && !isHeadless(spec)) {
    const n = arr<string>(spec.ipFamilies);
    const p = arr<string>(o.ipFamilies);
    if (p.length === n.length) {
      if (p.some((f, i) => f !== n[i])) errs.push(invalid('spec.ipFamilies[0]', n, 'may not change once set'));
    } else if (p.length > n.length) {
      if (arr(spec.clusterIPs).length === 0) errs.push(invalid('spec.ipFamilies[0]', n, 'primary ipFamily can not be unset'));
      if (n.length > 0 && n[0] !== p[0]) errs.push(invalid('spec.ipFamilies[0]', arr<string>(spec.clusterIPs), 'may not change once set'));
      if (n.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        errs.push(invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
      }
    } else if (p.length > 0 && n.length > 0 && n[0] !== p[0]) {
      errs.push(invalid('spec.ipFamilies[0]', arr<string>(spec.clusterIPs), 'may not change once set'));
    }
  }
  if (o.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && (o.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)) {
    errs.push(invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, FIELD_IMMUTABLE_LB));
  }
  if (needsHealthCheck(o) && needsHealthCheck(spec) && spec.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return errs;
}
const FIELD_IMMUTABLE_LB = 'may not change once set';

// ---- IP families ----------------------------------------------------------------------------------------------------

const otherFamily = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');

/** initIPFamilyFields: policy and families from the request and the cluster's families; problems are returned. */
function initIPFamilyFields(spec: J, old: J | undefined, families: IPFamily[]): Errs {
  if (spec.type === 'ExternalName') return [];
  const selectorless = Object.keys(spec.selector ?? {}).length === 0;
  if (spec.ipFamilyPolicy == null) {
    if (old?.ipFamilyPolicy != null) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else if (spec.clusterIP === 'None' && selectorless) spec.ipFamilyPolicy = 'RequireDualStack';
    else spec.ipFamilyPolicy = 'SingleStack';
  }
  const pre = validateClusterIPsRelated(spec);
  if (pre.length) return pre;
  const errs: Errs = [];
  const policy = spec.ipFamilyPolicy;
  if (old) {
    if (policy === 'SingleStack') {
      if (same(old.clusterIPs ?? null, spec.clusterIPs ?? null) && arr(spec.clusterIPs).length > 1) spec.clusterIPs = spec.clusterIPs.slice(0, 1);
      if (same(old.ipFamilies ?? null, spec.ipFamilies ?? null) && arr(spec.ipFamilies).length > 1) spec.ipFamilies = spec.ipFamilies.slice(0, 1);
    } else {
      if (arr(spec.clusterIPs).length < arr(old.clusterIPs).length) {
        errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary cluster IP"));
      }
      if (arr(spec.ipFamilies).length < arr(old.ipFamilies).length) {
        errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'SingleStack' to release the secondary IP family"));
      }
    }
  }
  if (policy === 'SingleStack') {
    if (arr(spec.clusterIPs).length === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if (arr(spec.ipFamilies).length === 2) {
      errs.push(invalid('spec.ipFamilyPolicy', policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }
  const ips = arr<string>(spec.clusterIPs);
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === 'None') break;
    const fam = familyOf(ips[i]!)!;
    if (i >= arr(spec.ipFamilies).length) {
      if (!families.includes(fam)) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, `${fam} is not configured on this cluster`));
      else spec.ipFamilies = [...arr(spec.ipFamilies), fam];
    }
  }
  if (errs.length) return errs;
  if (spec.clusterIP === 'None' && selectorless) {
    if (arr(spec.ipFamilies).length === 0) spec.ipFamilies = [families[0]];
    if (spec.ipFamilies.length < 2 && policy !== 'SingleStack') spec.ipFamilies = [...spec.ipFamilies, otherFamily(spec.ipFamilies[0])];
    return [];
  }
  if (policy === 'RequireDualStack' && families.length < 2) {
    errs.push(invalid('spec.ipFamilyPolicy', policy, 'this cluster is not configured for dual-stack services'));
  }
  arr<IPFamily>(spec.ipFamilies).forEach((f, i) => {
    if (!families.includes(f)) errs.push(invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (errs.length) return errs;
  if (arr(spec.ipFamilies).length === 0) spec.ipFamilies = [families[0]];
  if (policy !== 'SingleStack' && spec.ipFamilies.length === 1 && families.length === 2) spec.ipFamilies = [...spec.ipFamilies, otherFamily(spec.ipFamilies[0])];
  return [];
}

// ---- allocation -----------------------------------------------------------------------------------------------------

interface Held {
  ips: string[];
  ports: number[];
}

/** What a Service holds from the allocators. */
function held(obj: KObject): Held {
  const spec = specOf(obj);
  const ips = needsClusterIP(spec) ? arr<string>(spec.clusterIPs).filter((ip) => ip && ip !== 'None') : [];
  const ports = new Set(nodePortsOf(spec));
  if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  return { ips, ports: [...ports] };
}

const ownerOf = (obj: KObject): Owner => ({ namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' });

/** Undoes what one allocation pass took when a later step fails. */
class Txn {
  readonly ips: string[] = [];
  readonly ports: number[] = [];
  constructor(
    private readonly alloc: ServiceAllocators,
    readonly owner: Owner,
  ) {}
  async revert(): Promise<void> {
    for (const ip of this.ips) await this.alloc.releaseIP(this.owner, ip);
    for (const p of this.ports) await this.alloc.releasePort(this.owner, p);
  }
}

function allocationInvalid(obj: KObject, field: string, value: unknown, err: AllocationError) {
  return invalidStatus(GK, obj.metadata.name ?? '', toFieldErrors([invalid(field, value, err.message)]));
}

async function allocClusterIPs(alloc: ServiceAllocators, obj: KObject, txn: Txn): Promise<void> {
  const spec = specOf(obj);
  if (!needsClusterIP(spec) || isHeadless(spec)) return;
  const families = arr<IPFamily>(spec.ipFamilies);
  const ips = [...arr<string>(spec.clusterIPs)];
  while (ips.length < families.length) ips.push('');
  spec.clusterIPs = ips;
  for (let i = 0; i < families.length; i++) {
    const requested = ips[i] ?? '';
    if (requested && txn.ips.includes(requested)) continue;
    try {
      const ip = await alloc.allocateIP(txn.owner, requested);
      txn.ips.push(ip);
      ips[i] = ip;
    } catch (err) {
      if (!(err instanceof AllocationError)) throw err;
      if (!requested) throw internalError(`failed to allocate a serviceIP: ${err.message}`);
      throw allocationInvalid(obj, 'spec.clusterIPs', ips, new AllocationError(err.reason, `failed to allocate IP ${requested}: ${err.message}`));
    }
  }
  spec.clusterIP = ips[0];
}

async function allocPort(alloc: ServiceAllocators, obj: KObject, txn: Txn, port: number, field: string): Promise<number> {
  try {
    const p = await alloc.allocatePort(txn.owner, port);
    if (!txn.ports.includes(p)) txn.ports.push(p);
    return p;
  } catch (err) {
    if (!(err instanceof AllocationError)) throw err;
    if (!port) throw internalError(`failed to allocate a nodePort: ${err.message}`);
    throw allocationInvalid(obj, field, port, err);
  }
}

/** initNodePorts / updateNodePorts: ports with the same port number share one node port. */
async function allocNodePorts(alloc: ServiceAllocators, obj: KObject, old: KObject | undefined, txn: Txn): Promise<void> {
  const spec = specOf(obj);
  if (!needsNodePort(spec)) return;
  const oldPorts = new Set(old ? held(old).ports : []);
  const byServicePort = new Map<number, number>();
  const ports = arr(spec.ports);
  for (let i = 0; i < ports.length; i++) {
    const sp = ports[i]!;
    if (!sp.nodePort && !shouldAllocateNodePorts(spec)) continue;
    const field = `spec.ports[${i}].nodePort`;
    const shared = byServicePort.get(sp.port);
    if (sp.nodePort) {
      if (!oldPorts.has(sp.nodePort) && !txn.ports.includes(sp.nodePort)) await allocPort(alloc, obj, txn, sp.nodePort, field);
    } else if (shared) {
      sp.nodePort = shared;
    } else {
      const requested = ports.find((p) => p.port === sp.port && p.nodePort)?.nodePort;
      sp.nodePort = requested && (oldPorts.has(requested) || txn.ports.includes(requested)) ? requested : await allocPort(alloc, obj, txn, requested ?? 0, field);
    }
    if (!byServicePort.has(sp.port)) byServicePort.set(sp.port, sp.nodePort);
  }
  if (needsHealthCheck(spec)) {
    const hc = spec.healthCheckNodePort ?? 0;
    if (hc && oldPorts.has(hc)) return;
    try {
      spec.healthCheckNodePort = await alloc.allocatePort(txn.owner, hc);
      txn.ports.push(spec.healthCheckNodePort);
    } catch (err) {
      if (!(err instanceof AllocationError)) throw err;
      throw internalError(hc ? `failed to allocate requested HealthCheck NodePort ${hc}: ${err.message}` : `failed to allocate a HealthCheck NodePort ${hc}: ${err.message}`);
    }
  }
}

async function releaseAll(alloc: ServiceAllocators, owner: Owner, h: Held): Promise<void> {
  for (const ip of h.ips) await alloc.releaseIP(owner, ip);
  for (const p of h.ports) await alloc.releasePort(owner, p);
}

const minus = (a: Held, b: Held): Held => ({ ips: a.ips.filter((x) => !b.ips.includes(x)), ports: a.ports.filter((x) => !b.ports.includes(x)) });

// ---- the strategy ---------------------------------------------------------------------------------------------------

export function serviceStrategy(alloc: ServiceAllocators) {
  /** IP family problems found while preparing an object, reported by its validation. */
  const familyErrors = new WeakMap<KObject, Errs>();
  return defineKind({
    name: nameIsDNS1035Label,
    namespaced: true,
    defaults: defaultService,
    prepareForCreate(obj) {
      obj.status = { loadBalancer: {} };
      const spec = specOf(obj);
      normalizeClusterIPs(spec, undefined);
      familyErrors.set(obj, initIPFamilyFields(spec, undefined, alloc.families));
    },
    prepareForUpdate(obj, old) {
      const spec = specOf(obj);
      const o = specOf(old);
      patchAllocatedValues(spec, o);
      normalizeClusterIPs(spec, o);
      dropTypeDependentFields(spec, o, child(obj as unknown as J, 'status'));
      familyErrors.set(obj, initIPFamilyFields(spec, o, alloc.families));
    },
    // Family problems are found where upstream allocates (before validation): they are then the only errors.
    validate: (obj) => (familyErrors.get(obj)?.length ? familyErrors.get(obj)! : validateService(obj)),
    validateUpdate: (obj, old) => (familyErrors.get(obj)?.length ? [] : validateServiceUpdate(obj, old)),
    updateChecksFirst: true,
    async beforeCreate(obj) {
      const txn = new Txn(alloc, ownerOf(obj));
      try {
        await allocClusterIPs(alloc, obj, txn);
        await allocNodePorts(alloc, obj, undefined, txn);
      } catch (err) {
        await txn.revert();
        throw err;
      }
    },
    async beforeUpdate(obj, old) {
      const txn = new Txn(alloc, ownerOf(obj));
      try {
        const spec = specOf(obj);
        if (!needsClusterIP(specOf(old)) && needsClusterIP(spec)) await allocClusterIPs(alloc, obj, txn);
        await allocNodePorts(alloc, obj, old, txn);
      } catch (err) {
        await txn.revert();
        throw err;
      }
    },
    afterUpdate: (obj, old) => releaseAll(alloc, ownerOf(old), minus(held(old), held(obj))),
    abortUpdate: (obj, old) => releaseAll(alloc, ownerOf(obj), minus(held(obj), held(old))),
    afterDelete: (obj) => releaseAll(alloc, ownerOf(obj), held(obj)),
  });
}
