/** networking.k8s.io/v1: Ingress, IngressClass, NetworkPolicy (networking/v1 defaults.go, networking/validation). */
import { isDNS1123Subdomain, nameIsDNS1035Label, nameIsDNSSubdomain, validatePathSegmentName, validateNamespaceName } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import { forbidden, invalid, notSupported, raw, required, tooLong, type Errs } from './errors.ts';
import {
  arr,
  child,
  immutable,
  isObj,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  specOf,
  validateDomainPrefixedPath,
  validateLabelSelector,
  type J,
} from './util.ts';
import { isIP } from 'node:net';

// ---- Ingress --------------------------------------------------------------------------------------------------------

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateTypedLocalObjectReference(ref: J, field: string): Errs {
  const errs: Errs = [];
  if (ref.apiGroup != null) errs.push(...isDNS1123Subdomain(String(ref.apiGroup)).map((m) => invalid(`${field}.apiGroup`, ref.apiGroup, m)));
  if (!ref.kind) errs.push(required(`${field}.kind`));
  else errs.push(...validatePathSegmentName(String(ref.kind), false).map((m) => invalid(`${field}.kind`, ref.kind, m)));
  if (!ref.name) errs.push(required(`${field}.name`));
  else errs.push(...validatePathSegmentName(String(ref.name), false).map((m) => invalid(`${field}.name`, ref.name, m)));
  return errs;
}

function validateIngressBackend(b: J, field: string): Errs {
  const hasResource = isObj(b.resource);
  const hasService = isObj(b.service);
  if (hasResource && hasService) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(b.resource, `${field}.resource`);
  if (!hasService) return [invalid(field, '', 'resource or service backend is required')];
  const errs: Errs = [];
  const svc = b.service;
  if (!svc.name) errs.push(required(`${field}.service.name`));
  else errs.push(...nameIsDNS1035Label(String(svc.name), false).map((m) => invalid(`${field}.service.name`, svc.name, m)));
  const port = isObj(svc.port) ? svc.port : {};
  const hasName = !!port.name;
  const hasNumber = !!port.number;
  if (hasName && hasNumber) errs.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (hasName) errs.push(...isValidPortName(String(port.name)).map((m) => invalid(`${field}.service.port.name`, port.name, m)));
  else if (hasNumber) errs.push(...isValidPortNum(port.number).map((m) => invalid(`${field}.service.port.number`, port.number, m)));
  else errs.push(required(field, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(path: J, field: string): Errs {
  if (path.pathType == null) return [required(`${field}.pathType`, 'pathType must be specified')];
  const errs: Errs = [];
  const p = String(path.path ?? '');
  switch (path.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!p.startsWith('/')) errs.push(invalid(`${field}.path`, p, 'must be an absolute path'));
      if (p.length > 0) {
        for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (p.includes(seq)) errs.push(invalid(`${field}.path`, p, `must not contain '${seq}'`));
        for (const suf of ['/..', '/.']) if (p.endsWith(suf)) errs.push(invalid(`${field}.path`, p, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (p.length > 0 && !p.startsWith('/')) errs.push(invalid(`${field}.path`, p, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${field}.pathType`, path.pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(isObj(path.backend) ? path.backend : {}, `${field}.backend`));
  return errs;
}

function validateIngressSpec(spec: J): Errs {
  const errs: Errs = [];
  const rules = arr(spec.rules);
  if (rules.length === 0 && !isObj(spec.defaultBackend)) {
    const rendered = spec.rules == null ? '[]networking.IngressRule(nil)' : '[]networking.IngressRule{}';
    errs.push(raw('FieldValueInvalid', 'spec', rendered, 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isObj(spec.defaultBackend)) errs.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = `spec.rules[${i}]`;
    const host = String(rule.host ?? '');
    if (host) {
      if (isIP(host)) errs.push(invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      errs.push(...msgs.map((m) => invalid(`${p}.host`, host, m)));
    }
    if (isObj(rule.http)) {
      const paths = arr(rule.http.paths);
      if (paths.length === 0) errs.push(required(`${p}.http.paths`));
      paths.forEach((path, j) => errs.push(...validateHTTPPath(isObj(path) ? path : {}, `${p}.http.paths[${j}]`)));
    }
  });
  arr(spec.tls).forEach((tls, i) => {
    arr<string>(tls.hosts).forEach((host, j) => {
      const msgs = String(host).includes('*') ? isWildcardDNS1123Subdomain(String(host)) : isDNS1123Subdomain(String(host));
      errs.push(...msgs.map((m) => invalid(`spec.tls[${i}].hosts[${j}]`, host, m)));
    });
    if (tls.secretName) {
      errs.push(...nameIsDNSSubdomain(String(tls.secretName), false).map((m) => invalid(`spec.tls[${i}].secretName`, tls.secretName, m)));
    }
  });
  if (spec.ingressClassName != null) {
    errs.push(...nameIsDNSSubdomain(String(spec.ingressClassName), false).map((m) => invalid('spec.ingressClassName', spec.ingressClassName, m)));
  }
  return errs;
}

export const ingressStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  validate: (obj) => validateIngressSpec(specOf(obj)),
  validateCreate(obj) {
    const annotation = obj.metadata.annotations?.['kubernetes.io/ingress.class'];
    const className = specOf(obj).ingressClassName;
    if (annotation !== undefined && className != null && annotation !== className) {
      return [invalid('annotations.kubernetes.io/ingress.class', annotation, 'must match `ingressClassName` when both are specified')];
    }
    return [];
  },
});

// ---- IngressClass ---------------------------------------------------------------------------------------------------

export const ingressClassStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: false,
  defaults(obj) {
    const params = specOf(obj).parameters;
    if (isObj(params) && params.scope == null) params.scope = 'Cluster';
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    const controller = String(spec.controller ?? '');
    if (!controller) errs.push(required('spec.controller'));
    else {
      if (Buffer.byteLength(controller) > 250) errs.push(tooLong('spec.controller', 250));
      errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
    }
    const params = spec.parameters;
    if (isObj(params)) {
      const p = 'spec.parameters';
      if (params.apiGroup != null) errs.push(...isDNS1123Subdomain(String(params.apiGroup)).map((m) => invalid(`${p}.apiGroup`, params.apiGroup, m)));
      if (!params.kind) errs.push(required(`${p}.kind`));
      else errs.push(...validatePathSegmentName(String(params.kind), false).map((m) => invalid(`${p}.kind`, params.kind, m)));
      if (!params.name) errs.push(required(`${p}.name`));
      else errs.push(...validatePathSegmentName(String(params.name), false).map((m) => invalid(`${p}.name`, params.name, m)));
      if (params.scope == null) errs.push(required(`${p}.scope`));
      else if (!['Cluster', 'Namespace'].includes(params.scope)) errs.push(notSupported(`${p}.scope`, params.scope, ['Cluster', 'Namespace']));
      else if (params.scope === 'Namespace') {
        if (params.namespace == null) errs.push(required(`${p}.namespace`, "`parameters.scope` is set to 'Namespace'"));
        else errs.push(...validateNamespaceName(String(params.namespace), false).map((m) => invalid(`${p}.namespace`, params.namespace, m)));
      } else if (params.namespace != null) {
        errs.push(forbidden(`${p}.namespace`, "`parameters.scope` is set to 'Cluster'"));
      }
    }
    return errs;
  },
  validateUpdate: (obj, old) => immutable(specOf(obj).controller, specOf(old).controller, 'spec.controller'),
  updateChecksFirst: true,
});

// ---- NetworkPolicy --------------------------------------------------------------------------------------------------

function validatePolicyPort(port: J, field: string): Errs {
  const errs: Errs = [];
  if (port.protocol != null && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) {
    errs.push(notSupported(`${field}.protocol`, port.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  if (port.port != null) {
    if (typeof port.port === 'number') {
      errs.push(...isValidPortNum(port.port).map((m) => invalid(`${field}.port`, port.port, m)));
      if (port.endPort != null) {
        if (port.endPort < port.port) errs.push(invalid(`${field}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
        errs.push(...isValidPortNum(port.endPort).map((m) => invalid(`${field}.endPort`, port.endPort, m)));
      }
    } else {
      if (port.endPort != null) errs.push(invalid(`${field}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
      errs.push(...isValidPortName(String(port.port)).map((m) => invalid(`${field}.port`, port.port, m)));
    }
  } else if (port.endPort != null) {
    errs.push(invalid(`${field}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validatePeer(peer: J, field: string): Errs {
  const errs: Errs = [];
  let n = 0;
  if (isObj(peer.podSelector)) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, `${field}.podSelector`));
  }
  if (isObj(peer.namespaceSelector)) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${field}.namespaceSelector`));
  }
  if (isObj(peer.ipBlock)) {
    n++;
    if (!peer.ipBlock.cidr) errs.push(required(`${field}.ipBlock.cidr`));
  }
  if (n === 0) errs.push(required(field, 'must specify a peer'));
  else if (n > 1 && isObj(peer.ipBlock)) errs.push(forbidden(field, 'may not specify both ipBlock and another peer'));
  return errs;
}

export const networkPolicyStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    for (const rule of [...arr(spec.ingress), ...arr(spec.egress)]) for (const p of arr(rule?.ports)) if (isObj(p)) p.protocol ??= 'TCP';
    if (arr(spec.policyTypes).length === 0) spec.policyTypes = arr(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [...validateLabelSelector(child(spec, 'podSelector'), 'spec.podSelector')];
    arr(spec.ingress).forEach((rule, i) => {
      arr(rule.ports).forEach((p, j) => errs.push(...validatePolicyPort(p, `spec.ingress[${i}].ports[${j}]`)));
      arr(rule.from).forEach((p, j) => errs.push(...validatePeer(p, `spec.ingress[${i}].from[${j}]`)));
    });
    arr(spec.egress).forEach((rule, i) => {
      arr(rule.ports).forEach((p, j) => errs.push(...validatePolicyPort(p, `spec.egress[${i}].ports[${j}]`)));
      arr(rule.to).forEach((p, j) => errs.push(...validatePeer(p, `spec.egress[${i}].to[${j}]`)));
    });
    const types = arr<string>(spec.policyTypes);
    if (types.length > 2) return [...errs, invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
    types.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
    });
    return errs;
  },
});
