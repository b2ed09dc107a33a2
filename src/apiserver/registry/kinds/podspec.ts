/**
 * PodSpec defaulting and validation shared by Pods and every kind with a pod template (core/v1 defaults.go and
 * core/validation ValidatePodSpec / ValidatePodTemplateSpec, with upstream's wording).
 *
 * Defaults split as upstream: SetDefaults_PodSpec / container / probe / volume defaults apply to every PodSpec;
 * SetDefaults_Pod (requests from limits, enableServiceLinks, hostNetwork host ports) only to Pods.
 */
import { validateAnnotations, validateLabels, nameIsDNSSubdomain, isValidLabelValue, isQualifiedName } from '../../../apimachinery/validation.ts';
import {
  duplicate,
  forbidden,
  fromV,
  invalid,
  notFound,
  notSupported,
  raw,
  required,
  type Errs,
} from './errors.ts';
import { canonicalOrThrow, canonicalizeResourceList, compareQuantity, parseQuantity, formatQuantity } from './quantity.ts';
import {
  arr,
  child,
  has,
  inclusiveRange,
  isConfigMapKey,
  isEnvVarName,
  isHTTPHeaderName,
  isObj,
  isValidPortName,
  isValidPortNum,
  MAX_INT32,
  nonNegative,
  same,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateIP,
  validatePortNumOrName,
  validateQualifiedName,
  type J,
  PROTOCOLS,
} from './util.ts';

/** Who owns the PodSpec: for decode errors, and the few checks that differ for Pods. */
export interface PodContext {
  kind: string;
  apiVersion: string;
  isPod: boolean;
}

// =====================================================================================================================
// Defaults
// =====================================================================================================================

/** The tag upstream's parsers.ParseImageName finds: "latest" when neither tag nor digest, "" when unparseable. */
export function imageTag(image: string): string {
  if (!image) return '';
  let name = image;
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return '';
  }
  let tag = '';
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return '';
  }
  const parts = name.split('/');
  const first = parts[0]!;
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? parts.slice(1) : parts;
  if (hasDomain && !/^[A-Za-z0-9.-]+(?::[0-9]+)?$/.test(first)) return '';
  const component = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
  if (path.length === 0 || !path.every((c) => component.test(c))) return '';
  if (!tag && !digest) return 'latest';
  return tag;
}

function defaultHandler(h: unknown): void {
  if (!isObj(h) || !isObj(h.httpGet)) return;
  h.httpGet.path ||= '/';
  h.httpGet.scheme ||= 'HTTP';
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p);
}

function defaultContainer(c: J, ctx: PodContext): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of arr(c.ports)) if (isObj(p)) p.protocol ||= 'TCP';
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
  for (const e of arr(c.env)) {
    if (isObj(e) && isObj(e.valueFrom) && isObj(e.valueFrom.fieldRef)) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  // (a Go struct field without a pointer: upstream always serializes it, `resources: {}` when empty)
  if (!isObj(c.resources)) c.resources = {};
  canonicalizeResourceList(c.resources.limits, ctx.kind, ctx.apiVersion);
  canonicalizeResourceList(c.resources.requests, ctx.kind, ctx.apiVersion);
}

function defaultVolume(v: J, ctx: PodContext): void {
  if (Object.keys(v).filter((k) => k !== 'name' && v[k] != null).length === 0) v.emptyDir = {};
  if (isObj(v.secret) && v.secret.defaultMode == null) v.secret.defaultMode = 420;
  if (isObj(v.configMap) && v.configMap.defaultMode == null) v.configMap.defaultMode = 420;
  if (isObj(v.downwardAPI)) {
    if (v.downwardAPI.defaultMode == null) v.downwardAPI.defaultMode = 420;
    for (const f of arr(v.downwardAPI.items)) if (isObj(f.fieldRef)) f.fieldRef.apiVersion ||= 'v1';
  }
  if (isObj(v.projected)) {
    if (v.projected.defaultMode == null) v.projected.defaultMode = 420;
    for (const s of arr(v.projected.sources)) {
      if (isObj(s.serviceAccountToken) && s.serviceAccountToken.expirationSeconds == null) s.serviceAccountToken.expirationSeconds = 3600;
      if (isObj(s.downwardAPI)) for (const f of arr(s.downwardAPI.items)) if (isObj(f.fieldRef)) f.fieldRef.apiVersion ||= 'v1';
    }
  }
  if (isObj(v.hostPath) && v.hostPath.type == null) v.hostPath.type = '';
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit != null) v.emptyDir.sizeLimit = canonicalOrThrow(v.emptyDir.sizeLimit, ctx.kind, ctx.apiVersion);
  const claim = isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate) ? v.ephemeral.volumeClaimTemplate : undefined;
  if (claim && isObj(claim.spec)) defaultPVCSpec(claim.spec, ctx.kind, ctx.apiVersion);
}

/** SetDefaults_PersistentVolumeClaimSpec (+ its ResourceLists). */
export function defaultPVCSpec(spec: J, kind: string, apiVersion: string): void {
  spec.volumeMode ??= 'Filesystem';
  if (isObj(spec.resources)) {
    canonicalizeResourceList(spec.resources.requests, kind, apiVersion);
    canonicalizeResourceList(spec.resources.limits, kind, apiVersion);
  }
}

/** SetDefaults_PodSpec and everything below it (containers, probes, volumes). */
export function defaultPodSpec(spec: J, ctx: PodContext): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds == null) spec.terminationGracePeriodSeconds = 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers), ...arr(spec.ephemeralContainers)]) {
    if (isObj(c)) defaultContainer(c, ctx);
  }
  for (const v of arr(spec.volumes)) if (isObj(v)) defaultVolume(v, ctx);
  if (spec.overhead != null) canonicalizeResourceList(spec.overhead, ctx.kind, ctx.apiVersion);
  if (isObj(spec.resources)) {
    canonicalizeResourceList(spec.resources.limits, ctx.kind, ctx.apiVersion);
    canonicalizeResourceList(spec.resources.requests, ctx.kind, ctx.apiVersion);
  }
}

/** SetDefaults_Pod: what only a Pod (not a template) gets. */
export function defaultPodOnly(spec: J): void {
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
    const requests = child(c.resources, 'requests');
    for (const [k, v] of Object.entries(c.resources.limits)) if (!(k in requests)) requests[k] = v;
  }
  if (spec.enableServiceLinks == null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
      for (const p of arr(c?.ports)) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

/** Defaults of a PodTemplateSpec (`spec.template` of the workload kinds). */
export function defaultPodTemplate(template: unknown, ctx: PodContext): void {
  if (!isObj(template)) return;
  defaultPodSpec(child(template, 'spec'), ctx);
}

// =====================================================================================================================
// Validation
// =====================================================================================================================

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const badMode = (m: unknown) => typeof m === 'number' && (m > 0o777 || m < 0);

/** Volume source fields in upstream's checking order, with the (sometimes misspelt) path upstream reports. */
const VOLUME_SOURCES: [key: string, errPath: string][] = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  ['downwardAPI', 'downwarAPI'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

function validatePathNoBacksteps(p: string, field: string): Errs {
  return p.replace(/\\/g, '/').split('/').includes('..') ? [invalid(field, p, "must not contain '..'")] : [];
}

function validateLocalDescendingPath(p: string, field: string): Errs {
  const errs: Errs = [];
  if (p.startsWith('/')) errs.push(invalid(field, p, 'must be a relative path'));
  return [...errs, ...validatePathNoBacksteps(p, field)];
}

function validateLocalNonReservedPath(p: string, field: string): Errs {
  const errs = validateLocalDescendingPath(p, field);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(invalid(field, p, "must not start with '..'"));
  return errs;
}

function validateKeyToPath(kp: J, field: string): Errs {
  const errs: Errs = [];
  if (!kp.key) errs.push(required(`${field}.key`));
  if (!kp.path) errs.push(required(`${field}.path`));
  errs.push(...validateLocalNonReservedPath(String(kp.path ?? ''), `${field}.path`));
  if (badMode(kp.mode)) errs.push(invalid(`${field}.mode`, kp.mode, FILE_MODE_ERROR));
  return errs;
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateSource(key: string, src: J, field: string): Errs {
  const errs: Errs = [];
  switch (key) {
    case 'emptyDir':
      if (src.sizeLimit != null && parseQuantity(src.sizeLimit).nanos < 0n) {
        errs.push(forbidden(`${field}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'hostPath':
      if (!src.path) return [required(`${field}.path`)];
      errs.push(...validatePathNoBacksteps(String(src.path), `${field}.path`));
      if (src.type != null && !HOST_PATH_TYPES.includes(src.type)) errs.push(notSupported(`${field}.type`, src.type, HOST_PATH_TYPES));
      break;
    case 'secret':
      if (!src.secretName) errs.push(required(`${field}.secretName`));
      if (badMode(src.defaultMode)) errs.push(invalid(`${field}.defaultMode`, src.defaultMode, FILE_MODE_ERROR));
      arr(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, `${field}.items[${i}]`)));
      break;
    case 'configMap':
      if (!src.name) errs.push(required(`${field}.name`));
      if (badMode(src.defaultMode)) errs.push(invalid(`${field}.defaultMode`, src.defaultMode, FILE_MODE_ERROR));
      arr(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, `${field}.items[${i}]`)));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) errs.push(required(`${field}.claimName`));
      break;
    case 'nfs':
      if (!src.server) errs.push(required(`${field}.server`));
      if (!src.path) errs.push(required(`${field}.path`));
      if (!String(src.path ?? '').startsWith('/')) errs.push(invalid(`${field}.path`, src.path ?? '', 'must be an absolute path'));
      break;
    case 'downwardAPI':
      if (badMode(src.defaultMode)) errs.push(invalid(`${field}.defaultMode`, src.defaultMode, FILE_MODE_ERROR));
      for (const f of arr(src.items)) errs.push(...validateDownwardAPIFile(f, field));
      break;
    case 'projected':
      if (badMode(src.defaultMode)) errs.push(invalid(`${field}.defaultMode`, src.defaultMode, FILE_MODE_ERROR));
      arr(src.sources).forEach((s, i) => {
        const p = `${field}.sources[${i}]`;
        const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => isObj(s[k]));
        if (isObj(s.secret)) {
          if (!s.secret.name) errs.push(required(`${p}.secret.name`));
          arr(s.secret.items).forEach((kp, j) => errs.push(...validateKeyToPath(kp, `${p}.secret.items[${j}]`)));
        }
        if (isObj(s.configMap)) {
          if (!s.configMap.name) errs.push(required(`${p}.configMap.name`));
          arr(s.configMap.items).forEach((kp, j) => errs.push(...validateKeyToPath(kp, `${p}.configMap.items[${j}]`)));
        }
        if (isObj(s.serviceAccountToken)) {
          const exp = s.serviceAccountToken.expirationSeconds;
          if (typeof exp === 'number' && exp < 600) {
            errs.push(invalid(`${p}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
          }
          if (typeof exp === 'number' && exp > 2 ** 32) {
            errs.push(invalid(`${p}.serviceAccountToken.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
          }
          if (!s.serviceAccountToken.path) errs.push(required(`${field}.path`));
          else errs.push(...validateLocalNonReservedPath(String(s.serviceAccountToken.path), `${field}.path`));
        }
        if (kinds.length > 1) errs.push(forbidden(p, 'may not specify more than 1 volume type per source'));
      });
      break;
    case 'csi':
      if (!src.driver) errs.push(required(`${field}.driver`));
      break;
  }
  return errs;
}

const DOWNWARD_VOLUME_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const DOWNWARD_ENV_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

function validateObjectFieldSelector(fs: J, expressions: string[], field: string): Errs {
  if (!fs.apiVersion) return [required(`${field}.apiVersion`)];
  if (!fs.fieldPath) return [required(`${field}.fieldPath`)];
  const path = String(fs.fieldPath);
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(path) ?? /^([^[]+)\[(.*)\]$/.exec(path);
  if (sub) {
    if (sub[1] === 'metadata.annotations') return validateQualifiedName(sub[2]!.toLowerCase(), field);
    if (sub[1] === 'metadata.labels') return validateQualifiedName(sub[2]!, field);
    return [invalid(field, sub[1], 'does not support subscript')];
  }
  if (!expressions.includes(path)) return [notSupported(`${field}.fieldPath`, path, [...expressions].sort())];
  return [];
}

function validateResourceFieldSelector(fs: J, field: string, volume: boolean): Errs {
  if (volume && !fs.containerName) return [required(`${field}.containerName`)];
  if (!fs.resource) return [required(`${field}.resource`)];
  const r = String(fs.resource);
  if (!RESOURCE_FIELD_PATHS.includes(r) && !r.startsWith('requests.hugepages-') && !r.startsWith('limits.hugepages-')) {
    return [notSupported(`${field}.resource`, r, RESOURCE_FIELD_PATHS)];
  }
  return [];
}

function validateDownwardAPIFile(f: J, field: string): Errs {
  const errs: Errs = [];
  if (!f.path) errs.push(required(`${field}.path`));
  errs.push(...validateLocalNonReservedPath(String(f.path ?? ''), `${field}.path`));
  if (isObj(f.fieldRef)) {
    errs.push(...validateObjectFieldSelector(f.fieldRef, DOWNWARD_VOLUME_PATHS, `${field}.fieldRef`));
    if (isObj(f.resourceFieldRef)) errs.push(invalid(field, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isObj(f.resourceFieldRef)) {
    errs.push(...validateResourceFieldSelector(f.resourceFieldRef, `${field}.resourceFieldRef`, true));
  } else {
    errs.push(required(field, 'one of fieldRef and resourceFieldRef is required'));
  }
  if (badMode(f.mode)) errs.push(invalid(`${field}.mode`, f.mode, FILE_MODE_ERROR));
  return errs;
}

/** ValidateVolumes: the errors, and the names of the volumes that validated (what mounts may refer to). */
function validateVolumes(volumes: unknown, field: string): { errs: Errs; names: Map<string, J> } {
  const errs: Errs = [];
  const names = new Map<string, J>();
  arr(volumes).forEach((vol, i) => {
    const p = `${field}[${i}]`;
    const el: Errs = [];
    if (!isObj(vol)) {
      errs.push(required(p, 'must specify a volume type'));
      return;
    }
    let count = 0;
    for (const [key, errPath] of VOLUME_SOURCES) {
      if (!isObj(vol[key])) continue;
      if (count > 0) el.push(forbidden(`${p}.${errPath}`, 'may not specify more than 1 volume type'));
      else {
        count++;
        el.push(...validateSource(key, vol[key], `${p}.${key}`));
      }
    }
    if (count === 0) el.push(required(p, 'must specify a volume type'));
    const name = typeof vol.name === 'string' ? vol.name : '';
    if (!name) el.push(required(`${p}.name`));
    else el.push(...validateDNS1123Label(name, `${p}.name`));
    if (names.has(name)) el.push(duplicate(`${p}.name`, name));
    if (el.length === 0) names.set(name, vol);
    else errs.push(...el);
  });
  return { errs, names };
}

function validateVolumeMounts(mounts: unknown, volumes: Map<string, J>, container: J, field: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  const devices = new Map(arr(container.volumeDevices).map((d) => [d.name, d.devicePath]));
  arr(mounts).forEach((m, i) => {
    const p = `${field}[${i}]`;
    const name = String(m.name ?? '');
    const mountPath = String(m.mountPath ?? '');
    if (!name) errs.push(required(`${p}.name`));
    if (!volumes.has(name)) errs.push(notFound(`${p}.name`, name));
    if (!mountPath) errs.push(required(`${p}.mountPath`));
    if (seen.has(mountPath)) errs.push(invalid(`${p}.mountPath`, mountPath, 'must be unique'));
    seen.add(mountPath);
    if (devices.has(name)) errs.push(invalid(`${p}.name`, name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(mountPath)) {
      errs.push(invalid(`${p}.mountPath`, mountPath, 'must not already exist as a path in volumeDevices'));
    }
    if (m.subPath) errs.push(...validateLocalDescendingPath(String(m.subPath), `${field}.subPath`));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(String(m.subPathExpr), `${field}.subPathExpr`));
    }
    if (m.mountPropagation != null) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation)) errs.push(notSupported(`${field}.mountPropagation`, m.mountPropagation, supported));
      const privileged = container.securityContext?.privileged === true;
      if (m.mountPropagation === 'Bidirectional' && !privileged) {
        errs.push(forbidden(`${field}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateContainerPorts(ports: unknown, field: string): Errs {
  const errs: Errs = [];
  const names = new Set<string>();
  arr(ports).forEach((port, i) => {
    const p = `${field}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(String(port.name));
      if (msgs.length) msgs.forEach((m) => errs.push(invalid(`${p}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(`${p}.hostPort`, port.hostPort, m)));
    if (!port.protocol) errs.push(required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
  });
  return errs;
}

function validateEnv(env: unknown, field: string): Errs {
  const errs: Errs = [];
  arr(env).forEach((ev, i) => {
    const p = `${field}[${i}]`;
    if (!ev.name) errs.push(required(`${p}.name`));
    else errs.push(...isEnvVarName(String(ev.name)).map((m) => invalid(`${p}.name`, ev.name, m)));
    const vf = ev.valueFrom;
    if (!isObj(vf)) return;
    const vp = `${p}.valueFrom`;
    let n = 0;
    if (isObj(vf.fieldRef)) {
      n++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, DOWNWARD_ENV_PATHS, `${vp}.fieldRef`));
    }
    if (isObj(vf.resourceFieldRef)) {
      n++;
      errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, `${vp}.resourceFieldRef`, false));
    }
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      if (!isObj(vf[ref])) continue;
      n++;
      const name = String(vf[ref].name ?? '');
      errs.push(...nameIsDNSSubdomain(name, false).map((m) => invalid(`${vp}.${ref}.name`, name, m)));
      if (!vf[ref].key) errs.push(required(`${vp}.${ref}.key`));
      else errs.push(...isConfigMapKey(String(vf[ref].key)).map((m) => invalid(`${vp}.${ref}.key`, vf[ref].key, m)));
    }
    if (n === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, field: string): Errs {
  const errs: Errs = [];
  arr(envFrom).forEach((ev, i) => {
    const p = `${field}[${i}]`;
    if (ev.prefix) errs.push(...isEnvVarName(String(ev.prefix)).map((m) => invalid(`${p}.prefix`, ev.prefix, m)));
    let n = 0;
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      if (!isObj(ev[ref])) continue;
      n++;
      const name = String(ev[ref].name ?? '');
      if (!name) errs.push(required(`${p}.${ref}.name`));
      else errs.push(...nameIsDNSSubdomain(name, true).map((m) => invalid(`${p}.${ref}.name`, name, m)));
    }
    if (n === 0) errs.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

// ---- resources ----------------------------------------------------------------------------------------------------

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
/** Native resources may be overcommitted (requests below limits), except huge pages. */
const overcommitAllowed = (name: string) => isNativeResource(name) && !isHugePages(name);

function validateContainerResourceName(name: string, field: string): Errs {
  const errs = isQualifiedName(name).map((m) => invalid(field, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      return [invalid(field, name, 'must be a standard resource for containers')];
    }
  } else if (!isNativeResource(name) && name.startsWith('requests.')) {
    return [invalid(field, name, "doesn't follow extended resource name standard")];
  }
  return [];
}

function validateResourceQuantity(name: string, value: string, field: string): Errs {
  const q = parseQuantity(value);
  const errs: Errs = [];
  if (q.nanos < 0n) errs.push(invalid(field, formatQuantity(q), 'must be greater than or equal to 0'));
  if (!isNativeResource(name) && q.nanos % 10n ** 9n !== 0n) errs.push(raw('FieldValueInvalid', field, formatQuantity(q), 'must be an integer'));
  return errs;
}

/** ValidateContainerResourceRequirements (values are canonical already: defaults ran). */
function validateResources(res: unknown, field: string): Errs {
  if (!isObj(res)) return [];
  const errs: Errs = [];
  const limits: Record<string, string> = isObj(res.limits) ? res.limits : {};
  const requests: Record<string, string> = isObj(res.requests) ? res.requests : {};
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, value] of Object.entries(limits)) {
    const p = `${field}.limits[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...validateResourceQuantity(name, value, p));
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, value] of Object.entries(requests)) {
    const p = `${field}.requests[${name}]`;
    errs.push(...validateContainerResourceName(name, p), ...validateResourceQuantity(name, value, p));
    const limit = limits[name];
    if (limit !== undefined) {
      const cmp = compareQuantity(parseQuantity(value), parseQuantity(limit));
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(invalid(`${field}.requests`, value, `must be equal to ${name} limit of ${limit}`));
      } else if (cmp > 0) {
        errs.push(invalid(`${field}.requests`, value, `must be less than or equal to ${name} limit of ${limit}`));
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (!cpuOrMemory && hugePages) errs.push(forbidden(field, 'HugePages require cpu or memory'));
  arr(res.claims).forEach((c, i) => {
    if (!c.name) errs.push(required(`${field}.claims[${i}]`));
  });
  return errs;
}

// ---- probes and handlers -------------------------------------------------------------------------------------------

function validateHandler(h: J, gracePeriod: number | undefined, field: string, lifecycle: boolean): Errs {
  const errs: Errs = [];
  let n = 0;
  const kinds = lifecycle ? ['exec', 'httpGet', 'tcpSocket', 'sleep'] : ['exec', 'httpGet', 'tcpSocket', 'grpc'];
  for (const kind of kinds) {
    const a = h[kind];
    if (!isObj(a)) continue;
    if (n > 0) {
      errs.push(forbidden(`${field}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const p = `${field}.${kind}`;
    switch (kind) {
      case 'exec':
        if (arr(a.command).length === 0) errs.push(required(`${p}.command`));
        break;
      case 'httpGet':
        if (!a.path) errs.push(required(`${p}.path`));
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        if (!['HTTP', 'HTTPS'].includes(a.scheme)) errs.push(notSupported(`${p}.scheme`, a.scheme ?? '', ['HTTP', 'HTTPS']));
        for (const hd of arr(a.httpHeaders)) {
          errs.push(...isHTTPHeaderName(String(hd.name ?? '')).map((m) => invalid(`${p}.httpHeaders`, hd.name ?? '', m)));
        }
        break;
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, `${p}.port`));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof a.port === 'number' ? a.port : 0, `${p}.port`));
        break;
      case 'sleep': {
        const s = a.seconds;
        if (gracePeriod !== undefined && (typeof s !== 'number' || s < 0 || s > gracePeriod)) {
          errs.push(invalid(p, s ?? 0, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`));
        }
        break;
      }
    }
  }
  if (n === 0) errs.push(required(field, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, gracePeriod: number | undefined, field: string, kind: 'liveness' | 'readiness' | 'startup'): Errs {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, gracePeriod, field, false);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(probe[f], `${field}.${f}`));
  }
  const tgp = probe.terminationGracePeriodSeconds;
  if (typeof tgp === 'number' && tgp <= 0) errs.push(invalid(`${field}.terminationGracePeriodSeconds`, tgp, 'must be greater than 0'));
  if (kind !== 'readiness' && (probe.successThreshold ?? 0) !== 1) {
    errs.push(invalid(`${field}.successThreshold`, probe.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readiness' && tgp != null) {
    errs.push(invalid(`${field}.terminationGracePeriodSeconds`, tgp, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycle(lc: unknown, gracePeriod: number | undefined, field: string): Errs {
  if (!isObj(lc)) return [];
  const errs: Errs = [];
  if (isObj(lc.postStart)) errs.push(...validateHandler(lc.postStart, gracePeriod, `${field}.postStart`, true));
  if (isObj(lc.preStop)) errs.push(...validateHandler(lc.preStop, gracePeriod, `${field}.preStop`, true));
  return errs;
}

const USER_ID_RANGE = inclusiveRange(0, 4294967295);
const idErrs = (v: unknown, field: string): Errs =>
  typeof v === 'number' && (v < 0 || v > 4294967295) ? [invalid(field, v, USER_ID_RANGE)] : [];

function validateSecurityContext(sc: unknown, field: string): Errs {
  if (!isObj(sc)) return [];
  return [...idErrs(sc.runAsUser, `${field}.runAsUser`), ...idErrs(sc.runAsGroup, `${field}.runAsGroup`)];
}

function validatePullPolicy(policy: unknown, field: string): Errs {
  if (!policy) return [required(field)];
  const supported = ['Always', 'IfNotPresent', 'Never'];
  return supported.includes(String(policy)) ? [] : [notSupported(field, policy, supported)];
}

function validateContainerCommon(c: J, volumes: Map<string, J>, field: string): Errs {
  const errs: Errs = [];
  if (!c.name) errs.push(required(`${field}.name`));
  else errs.push(...validateDNS1123Label(String(c.name), `${field}.name`));
  if (!c.image) errs.push(required(`${field}.image`));
  switch (c.terminationMessagePolicy) {
    case 'File':
    case 'FallbackToLogsOnError':
      break;
    case '':
    case undefined:
    case null:
      errs.push(required(`${field}.terminationMessagePolicy`));
      break;
    default:
      errs.push(notSupported(`${field}.terminationMessagePolicy`, c.terminationMessagePolicy, ['File', 'FallbackToLogsOnError']));
  }
  errs.push(...validateContainerPorts(c.ports, `${field}.ports`));
  errs.push(...validateEnv(c.env, `${field}.env`));
  errs.push(...validateEnvFrom(c.envFrom, `${field}.envFrom`));
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, c, `${field}.volumeMounts`));
  errs.push(...validatePullPolicy(c.imagePullPolicy, `${field}.imagePullPolicy`));
  errs.push(...validateResources(c.resources, `${field}.resources`));
  errs.push(...validateSecurityContext(c.securityContext, `${field}.securityContext`));
  return errs;
}

function hostPortConflicts(containers: J[], field: string, acc = new Set<string>(), offset = 0): Errs {
  const errs: Errs = [];
  containers.forEach((c, ci) => {
    arr(c.ports).forEach((p, pi) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? ''}/${p.hostIP ?? ''}/${p.hostPort}`;
      if (acc.has(key)) errs.push(duplicate(`${field}[${ci + offset}].ports[${pi}].hostPort`, key));
      else acc.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: unknown, volumes: Map<string, J>, gracePeriod: number | undefined, field: string): Errs {
  const list = arr(containers);
  if (list.length === 0) return [required(field)];
  const errs: Errs = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = `${field}[${i}]`;
    if (!isObj(c)) return;
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name ?? ''));
    else names.add(c.name);
    if (c.lifecycle != null) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, `${p}.lifecycle`));
    errs.push(...validateProbe(c.livenessProbe, gracePeriod, `${p}.livenessProbe`, 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, gracePeriod, `${p}.readinessProbe`, 'readiness'));
    errs.push(...validateProbe(c.startupProbe, gracePeriod, `${p}.startupProbe`, 'startup'));
    if (c.restartPolicy != null) errs.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(list, field));
  return errs;
}

function validateInitContainers(
  inits: unknown,
  regular: unknown,
  volumes: Map<string, J>,
  gracePeriod: number | undefined,
  field: string,
): Errs {
  const errs: Errs = [];
  const names = new Set(arr(regular).map((c) => c?.name));
  arr(inits).forEach((c, i) => {
    const p = `${field}[${i}]`;
    if (!isObj(c)) return;
    errs.push(...validateContainerCommon(c, volumes, p));
    let restartAlways = false;
    if (c.restartPolicy != null) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    if (names.has(c.name)) errs.push(duplicate(`${p}.name`, c.name ?? ''));
    else if (c.name) names.add(c.name);
    errs.push(...hostPortConflicts([c], field, new Set(), i));
    if (restartAlways) {
      if (c.lifecycle != null) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, `${p}.lifecycle`));
      errs.push(...validateProbe(c.livenessProbe, gracePeriod, `${p}.livenessProbe`, 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, gracePeriod, `${p}.readinessProbe`, 'readiness'));
      errs.push(...validateProbe(c.startupProbe, gracePeriod, `${p}.startupProbe`, 'startup'));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] != null) errs.push(forbidden(`${p}.${f}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}

function validateTaintEffect(effect: string, field: string): Errs {
  const valid = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  return valid.includes(effect) ? [] : [notSupported(field, effect, valid)];
}

export function validateTolerations(tolerations: unknown, field: string): Errs {
  const errs: Errs = [];
  arr(tolerations).forEach((t, i) => {
    const p = `${field}[${i}]`;
    const key = String(t.key ?? '');
    const op = String(t.operator ?? '');
    if (key) errs.push(...isQualifiedName(key).map((m) => invalid(`${p}.key`, key, m)));
    if (!key && op !== 'Exists') {
      errs.push(invalid(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    const value = String(t.value ?? '');
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(invalid(`${p}.operator`, value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(String(t.effect), `${p}.effect`));
  });
  return errs;
}

function validateDNSConfig(spec: J, field: string): Errs {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isObj(cfg)) return [required(field, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(cfg.nameservers).length === 0) {
      return [required(`${field}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
    }
  }
  if (!isObj(cfg)) return [];
  const errs: Errs = [];
  const ns = arr<string>(cfg.nameservers);
  if (ns.length > 3) errs.push(invalid(`${field}.nameservers`, ns, 'must not have more than 3 nameservers'));
  ns.forEach((ip, i) => errs.push(...validateIP(ip, `${field}.nameservers[${i}]`)));
  const searches = arr<string>(cfg.searches);
  if (searches.length > 32) errs.push(invalid(`${field}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalid(`${field}.searches`, searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => {
    if (s !== '.') errs.push(...validateDNS1123Subdomain(String(s).replace(/\.$/, ''), `${field}.searches[${i}]`));
  });
  arr(cfg.options).forEach((o, i) => {
    if (!o.name) errs.push(required(`${field}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(sc: unknown, field: string): Errs {
  if (!isObj(sc)) return [];
  const errs: Errs = [...idErrs(sc.runAsUser, `${field}.runAsUser`), ...idErrs(sc.runAsGroup, `${field}.runAsGroup`), ...idErrs(sc.fsGroup, `${field}.fsGroup`)];
  arr<number>(sc.supplementalGroups).forEach((g, i) => errs.push(...idErrs(g, `${field}.supplementalGroups[${i}]`)));
  return errs;
}

export interface PodSpecOptions {
  /** The resource is a Pod (not a template): hostPort must equal containerPort under hostNetwork. */
  isPod: boolean;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: unknown, field: string, opts: PodSpecOptions): Errs {
  if (!isObj(spec)) return [required(`${field}.containers`)];
  const errs: Errs = [];
  if (spec.terminationGracePeriodSeconds == null) errs.push(required(`${field}.terminationGracePeriodSeconds`));
  const grace = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : undefined;
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes, `${field}.volumes`);
  errs.push(...volErrs);
  errs.push(...validateContainers(spec.containers, volumes, grace, `${field}.containers`));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, volumes, grace, `${field}.initContainers`));
  if (spec.hostNetwork === true) {
    arr(spec.containers).forEach((c, i) =>
      arr(c?.ports).forEach((port, j) => {
        const hp = port.hostPort ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== port.containerPort) {
          errs.push(invalid(`${field}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  switch (spec.restartPolicy) {
    case 'Always':
    case 'OnFailure':
    case 'Never':
      break;
    case '':
    case undefined:
    case null:
      errs.push(required(`${field}.restartPolicy`));
      break;
    default:
      errs.push(notSupported(`${field}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  switch (spec.dnsPolicy) {
    case 'ClusterFirstWithHostNet':
    case 'ClusterFirst':
    case 'Default':
    case 'None':
      break;
    case '':
    case undefined:
    case null:
      errs.push(required(`${field}.dnsPolicy`));
      break;
    default:
      errs.push(notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  }
  errs.push(...fromV(validateLabels(spec.nodeSelector, `${field}.nodeSelector`)));
  errs.push(...validatePodSecurityContext(spec.securityContext, `${field}.securityContext`));
  errs.push(...validateDNSConfig(spec, `${field}.dnsConfig`));
  arr(spec.readinessGates).forEach((g, i) => errs.push(...validateQualifiedName(String(g.conditionType ?? ''), `${field}.readinessGates[${i}].conditionType`)));
  const gates = new Set<string>();
  arr(spec.schedulingGates).forEach((g, i) => {
    const name = String(g.name ?? '');
    errs.push(...validateQualifiedName(name, `${field}.schedulingGates[${i}]`));
    if (gates.has(name)) errs.push(duplicate(`${field}.schedulingGates[${i}]`, name));
    gates.add(name);
  });
  if (spec.serviceAccountName) {
    errs.push(...nameIsDNSSubdomain(String(spec.serviceAccountName), false).map((m) => invalid(`${field}.serviceAccountName`, spec.serviceAccountName, m)));
  }
  if (spec.nodeName) {
    errs.push(...nameIsDNSSubdomain(String(spec.nodeName), false).map((m) => invalid(`${field}.nodeName`, spec.nodeName, m)));
  }
  if (spec.activeDeadlineSeconds != null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) errs.push(invalid(`${field}.activeDeadlineSeconds`, v, inclusiveRange(1, MAX_INT32)));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(String(spec.hostname), `${field}.hostname`));
  if (spec.subdomain) errs.push(...validateDNS1123Label(String(spec.subdomain), `${field}.subdomain`));
  if (arr(spec.tolerations).length) errs.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  arr(spec.hostAliases).forEach((a, i) => {
    errs.push(...validateIP(a.ip, `${field}.hostAliases[${i}].ip`));
    arr<string>(a.hostnames).forEach((h, j) => errs.push(...validateDNS1123Subdomain(String(h), `${field}.hostAliases[${i}].hostnames[${j}]`)));
  });
  if (spec.priorityClassName) {
    errs.push(...nameIsDNSSubdomain(String(spec.priorityClassName), false).map((m) => invalid(`${field}.priorityClassName`, spec.priorityClassName, m)));
  }
  if (spec.runtimeClassName != null) {
    errs.push(...nameIsDNSSubdomain(String(spec.runtimeClassName), false).map((m) => invalid(`${field}.runtimeClassName`, spec.runtimeClassName, m)));
  }
  if (spec.preemptionPolicy != null) {
    if (!spec.preemptionPolicy) errs.push(required(`${field}.preemptionPolicy`));
    else if (!['PreemptLowerPriority', 'Never'].includes(spec.preemptionPolicy)) {
      errs.push(notSupported(`${field}.preemptionPolicy`, spec.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
    }
  }
  if (isObj(spec.os) && !['linux', 'windows'].includes(spec.os.name)) {
    errs.push(notSupported(`${field}.os.name`, spec.os.name ?? '', ['linux', 'windows']));
  }
  return errs;
}

/** Pod-only container checks (validateContainersOnlyForPod). */
export function validateContainersOnlyForPod(spec: J): Errs {
  const errs: Errs = [];
  for (const kind of ['containers', 'initContainers'] as const) {
    arr(spec[kind]).forEach((c, i) => {
      const image = typeof c?.image === 'string' ? c.image : '';
      if (image.length !== image.trim().length) {
        errs.push(invalid(`spec.${kind}[${i}].image`, image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

/** ValidatePodTemplateSpec (labels are reported at `<template>.labels`, as upstream does). */
export function validatePodTemplateSpec(template: unknown, field: string): Errs {
  const t = isObj(template) ? template : {};
  const meta = isObj(t.metadata) ? t.metadata : {};
  const errs: Errs = [
    ...fromV(validateLabels(meta.labels, `${field}.labels`)),
    ...fromV(validateAnnotations(meta.annotations, `${field}.annotations`)),
    ...validatePodSpec(t.spec, `${field}.spec`, { isPod: false }),
  ];
  if (arr(t.spec?.ephemeralContainers).length > 0) {
    errs.push(forbidden(`${field}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

// =====================================================================================================================
// Pod update
// =====================================================================================================================

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A cmp.Diff-like rendering of the top-level fields that differ (upstream appends cmp.Diff of the Go structs). */
export function specDiff(typeName: string, oldSpec: J, newSpec: J): string {
  const goName = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])];
  const lines = [`  ${typeName}{`];
  for (const k of keys) {
    if (same(oldSpec[k] ?? null, newSpec[k] ?? null)) continue;
    if (oldSpec[k] !== undefined) lines.push(`- \t${goName(k)}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec[k] !== undefined) lines.push(`+ \t${goName(k)}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n') + '\n';
}

function containerUpdates(newList: unknown, oldList: unknown, field: string): { errs: Errs; stop: boolean } {
  const n = arr(newList);
  const o = arr(oldList);
  if (n.length !== o.length) return { errs: [forbidden(field, 'pod updates may not add or remove containers')], stop: true };
  const errs: Errs = [];
  n.forEach((c, i) => {
    const image = typeof c?.image === 'string' ? c.image : '';
    if (!image) errs.push(required(`${field}[${i}].image`));
    if (image.trim().length !== image.length) errs.push(invalid(`${field}[${i}].image`, image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

/** The spec part of ValidatePodUpdate (the caller adds metadata and full-spec validation). */
export function validatePodSpecUpdate(newSpec: J, oldSpec: J): Errs {
  const errs: Errs = [];
  for (const kind of ['containers', 'initContainers'] as const) {
    const r = containerUpdates(newSpec[kind], oldSpec[kind], `spec.${kind}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const nAds = newSpec.activeDeadlineSeconds;
  const oAds = oldSpec.activeDeadlineSeconds;
  if (nAds != null) {
    if (nAds < 0 || nAds > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', nAds, inclusiveRange(0, MAX_INT32))];
    if (oAds != null && oAds < nAds) return [...errs, invalid('spec.activeDeadlineSeconds', nAds, 'must be less than or equal to previous value')];
  } else if (oAds != null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  // Only additions to tolerations (tolerationSeconds of existing ones may change).
  const newTols = arr(newSpec.tolerations);
  for (const old of arr(oldSpec.tolerations)) {
    const found = newTols.some((t) => same({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  if (errs.every((e) => e.field !== 'spec.tolerations')) errs.push(...validateTolerations(newSpec.tolerations, 'spec.tolerations'));
  // Only deletions of scheduling gates.
  const oldGates = new Set(arr(oldSpec.schedulingGates).map((g) => g.name));
  arr(newSpec.schedulingGates).forEach((g, i) => {
    if (!oldGates.has(g.name)) {
      errs.push(forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g.name}'`));
    }
  });
  if (same(newSpec, oldSpec)) return errs;
  const munged: J = structuredClone(newSpec);
  arr(munged.containers).forEach((c, i) => (c.image = oldSpec.containers?.[i]?.image));
  arr(munged.initContainers).forEach((c, i) => (c.image = oldSpec.initContainers?.[i]?.image));
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  if (arr(oldSpec.schedulingGates).length > 0) {
    // Gated pods may gain node selectors / node affinity (additions are checked loosely here).
    munged.nodeSelector = oldSpec.nodeSelector;
    if (has(munged, 'affinity') || has(oldSpec, 'affinity')) {
      const a = { ...(munged.affinity ?? {}) };
      if (oldSpec.affinity?.nodeAffinity !== undefined) a.nodeAffinity = oldSpec.affinity.nodeAffinity;
      else delete a.nodeAffinity;
      munged.affinity = Object.keys(a).length || oldSpec.affinity ? a : undefined;
    }
  }
  if (!same(munged, oldSpec)) {
    errs.push(
      forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff('core.PodSpec', oldSpec, munged)}`),
    );
  }
  return errs;
}
