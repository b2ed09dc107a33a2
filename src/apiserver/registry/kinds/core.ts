/**
 * core/v1 kinds other than Pod and Service: ConfigMap, Secret, Namespace, PersistentVolumeClaim, PersistentVolume,
 * Endpoints, Event, ServiceAccount, Node, LimitRange, ResourceQuota (core/v1 defaults.go, core/validation,
 * pkg/registry/core/* strategies).
 */
import type { KObject } from '../../../apimachinery/object.ts';
import { isQualifiedName, nameIsDNSSubdomain, validateNamespaceName } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import { forbidden, invalid, notSupported, raw, required, tooLong, type Errs } from './errors.ts';
import { defaultPVCSpec, specDiff } from './podspec.ts';
import { canonicalizeResourceList, compareQuantity, decodeError, parseQuantity } from './quantity.ts';
import {
  arr,
  child,
  immutable,
  isConfigMapKey,
  isObj,
  isValidPortNum,
  same,
  specOf,
  validateDNS1123Label,
  validateIP,
  validateLabelSelector,
  validateQualifiedName,
  IS_NEGATIVE,
  type J,
  PROTOCOLS,
} from './util.ts';

const MAX_SECRET_SIZE = 1024 * 1024;

// ---- base64 data (decode errors are 400s upstream) ----------------------------------------------------------------

/** Go's encoding/base64 StdEncoding check; returns the decoded size or an "illegal base64 data" message. */
function base64Size(v: unknown): number | string {
  if (typeof v !== 'string') return 'illegal base64 data at input byte 0';
  const s = v.replace(/[\r\n]/g, '');
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  const pad = s.indexOf('=');
  if (pad >= 0 && (!/^=*$/.test(s.slice(pad)) || s.length - pad > 2)) return `illegal base64 data at input byte ${pad}`;
  if (s.length % 4 !== 0) return `illegal base64 data at input byte ${s.length - (s.length % 4 || 4)}`;
  return Buffer.from(s, 'base64').length;
}

function checkBase64Map(map: unknown, kind: string): number {
  let size = 0;
  for (const v of Object.values(isObj(map) ? map : {})) {
    const n = base64Size(v);
    if (typeof n === 'string') throw decodeError(kind, 'v1', n);
    size += n;
  }
  return size;
}

// ---- ConfigMap ------------------------------------------------------------------------------------------------------

const immutableContent = (obj: J, old: J, fields: string[]): Errs => {
  if (old.immutable !== true) return [];
  const errs: Errs = [];
  if (obj.immutable !== true) errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!same(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
};

export const configMapStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    checkBase64Map(obj.binaryData, 'ConfigMap');
  },
  validate(obj) {
    const errs: Errs = [];
    let size = 0;
    const data = isObj(obj.data) ? obj.data : {};
    const binary = isObj(obj.binaryData) ? obj.binaryData : {};
    for (const [key, value] of Object.entries(data)) {
      errs.push(...isConfigMapKey(key).map((m) => invalid(`data[${key}]`, key, m)));
      if (key in binary) errs.push(invalid(`data[${key}]`, key, 'duplicate of key present in binaryData'));
      size += Buffer.byteLength(String(value));
    }
    for (const [key, value] of Object.entries(binary)) {
      errs.push(...isConfigMapKey(key).map((m) => invalid(`binaryData[${key}]`, key, m)));
      const n = base64Size(value);
      size += typeof n === 'number' ? n : 0;
    }
    if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
    return errs;
  },
  validateUpdate: (obj, old) => immutableContent(obj as J, old as J, ['data', 'binaryData']),
  updateChecksFirst: true,
});

// ---- Secret ---------------------------------------------------------------------------------------------------------

/** Go's json.Unmarshal into map[string]interface{}: the error text, or undefined. */
function jsonObjectError(b64: string): string | undefined {
  const text = Buffer.from(b64, 'base64').toString('utf8');
  if (text.trim() === '') return 'unexpected end of JSON input';
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    const c = text.trim()[0]!;
    return /[{["\-0-9tfn]/.test(c) ? 'unexpected end of JSON input' : `invalid character '${c}' looking for beginning of value`;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return undefined;
  const t = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : '';
  return t ? `json: cannot unmarshal ${t} into Go value of type map[string]interface {}` : undefined;
}

function validateSecret(obj: KObject): Errs {
  const errs: Errs = [];
  const data: Record<string, string> = isObj(obj.data) ? obj.data : {};
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(`data[${key}]`, key, m)));
    const n = base64Size(value);
    size += typeof n === 'number' ? n : 0;
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const has = (k: string) => k in data;
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(`data[${key}]`));
      else {
        const e = jsonObjectError(data[key]!);
        if (e) errs.push(invalid(`data[${key}]`, '<secret contents redacted>', e));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
  }
  return errs;
}

export const secretStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    obj.type ||= 'Opaque';
    // v1 conversion: stringData is write-only and merged over data.
    if (isObj(obj.stringData)) {
      const data = child(obj as unknown as J, 'data');
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
    delete obj.stringData;
    checkBase64Map(obj.data, 'Secret');
  },
  validate: validateSecret,
  validateUpdate: (obj, old) => [...immutable(obj.type, old.type, 'type'), ...immutableContent(obj as J, old as J, ['data'])],
  updateChecksFirst: true,
});

// ---- Namespace ------------------------------------------------------------------------------------------------------

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const namespaceStrategy = defineKind({
  name: validateNamespaceName,
  namespaced: false,
  defaults(obj) {
    if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const spec = specOf(obj);
    const finalizers = arr<string>(spec.finalizers);
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers change only through the finalize subresource.
    obj.spec = old.spec;
  },
  validate(obj) {
    const errs: Errs = [];
    for (const f of arr<string>(specOf(obj).finalizers)) {
      errs.push(...isQualifiedName(String(f)).map((m) => invalid('spec.finalizers', f, m)));
      if (!String(f).includes('/') && !STANDARD_FINALIZERS.has(f)) {
        errs.push(invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
      }
    }
    return errs;
  },
  validateStatusUpdate(obj) {
    const phase = (obj.status as J | undefined)?.phase ?? '';
    if (!obj.metadata.deletionTimestamp && phase !== 'Active') {
      return [invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty")];
    }
    if (obj.metadata.deletionTimestamp && phase !== 'Terminating') {
      return [invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty")];
    }
    return [];
  },
  holdsDeletion: (obj) => arr((obj.spec as J | undefined)?.finalizers).length > 0,
  prepareForDeletion(obj) {
    obj.status = { ...((obj.status as J | undefined) ?? {}), phase: 'Terminating' };
  },
});

// ---- PersistentVolumeClaim ------------------------------------------------------------------------------------------

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function validatePVCSpec(spec: J, field: string): Errs {
  const errs: Errs = [];
  const modes = arr<string>(spec.accessModes);
  if (modes.length === 0) errs.push(required(`${field}.accessModes`, 'at least 1 access mode is required'));
  if (spec.selector != null) errs.push(...validateLabelSelector(spec.selector, `${field}.selector`));
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!ACCESS_MODES.includes(m)) errs.push(notSupported(`${field}.accessModes`, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(m)) other = true;
  }
  if (rwop && other) errs.push(forbidden(`${field}.accessModes`, 'may not use ReadWriteOncePod with other access modes'));
  const storage = spec.resources?.requests?.storage;
  const sp = `${field}.resources[storage]`;
  if (storage === undefined) errs.push(required(sp));
  else if (parseQuantity(storage).nanos <= 0n) errs.push(invalid(sp, storage, 'must be greater than zero'));
  if (spec.storageClassName) errs.push(...nameIsDNSSubdomain(String(spec.storageClassName), false).map((m) => invalid(`${field}.storageClassName`, spec.storageClassName, m)));
  if (spec.volumeMode != null && !['Block', 'Filesystem'].includes(spec.volumeMode)) {
    errs.push(notSupported(`${field}.volumeMode`, spec.volumeMode, ['Block', 'Filesystem']));
  }
  for (const ref of ['dataSource', 'dataSourceRef'] as const) {
    const ds = spec[ref];
    if (!isObj(ds)) continue;
    if (!ds.name) errs.push(required(`${field}.${ref}.name`));
    if (!ds.kind) errs.push(required(`${field}.${ref}.kind`));
    if (!ds.apiGroup && ds.kind !== 'PersistentVolumeClaim') {
      errs.push(invalid(`${field}.${ref}`, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
    }
  }
  return errs;
}

export const pvcStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    defaultPVCSpec(specOf(obj), 'PersistentVolumeClaim', 'v1');
    if (isObj(obj.status)) obj.status.phase ||= 'Pending';
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate: (obj) => validatePVCSpec(specOf(obj), 'spec'),
  validateUpdate(obj, old) {
    const spec = specOf(obj);
    const oldSpec = specOf(old);
    const errs: Errs = [];
    const newClone: J = structuredClone(spec);
    const oldClone: J = structuredClone(oldSpec);
    if (!oldSpec.volumeName) oldClone.volumeName = newClone.volumeName; // bound once by the PV controller
    if (oldClone.storageClassName == null && newClone.storageClassName != null && !old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class']) {
      newClone.storageClassName = oldClone.storageClassName; // setting a class on a class-less claim
    }
    const bound = (obj.status as J | undefined)?.phase === 'Bound';
    if (bound && isObj(newClone.resources?.requests)) newClone.resources.requests.storage = oldSpec.resources?.requests?.storage;
    if (bound && newClone.volumeAttributesClassName != null) newClone.volumeAttributesClassName = oldClone.volumeAttributesClassName;
    if (!same(newClone, oldClone)) {
      errs.push(
        forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', oldClone, newClone)}`),
      );
    }
    const newSize = spec.resources?.requests?.storage;
    const oldSize = oldSpec.resources?.requests?.storage;
    if (newSize !== undefined && oldSize !== undefined && compareQuantity(parseQuantity(newSize), parseQuantity(oldSize)) < 0) {
      const capacity = (old.status as J | undefined)?.capacity?.storage ?? '0';
      if (compareQuantity(parseQuantity(newSize), parseQuantity(capacity)) <= 0) {
        errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
      }
    }
    errs.push(...immutable(spec.volumeMode, oldSpec.volumeMode, 'volumeMode'));
    return errs;
  },
});

// ---- PersistentVolume -----------------------------------------------------------------------------------------------

export const pvStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: false,
  defaults(obj) {
    const spec = specOf(obj);
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    canonicalizeResourceList(spec.capacity, 'PersistentVolume', 'v1');
    if (isObj(obj.status)) obj.status.phase ||= 'Pending';
  },
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending' };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [];
    const modes = arr<string>(spec.accessModes);
    if (modes.length === 0) errs.push(required('spec.accessModes'));
    for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(notSupported('spec.accessModes', m, ACCESS_MODES));
    if (!isObj(spec.capacity) || spec.capacity.storage === undefined) errs.push(required('spec.capacity'));
    if (!['Delete', 'Recycle', 'Retain'].includes(spec.persistentVolumeReclaimPolicy)) {
      errs.push(notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy ?? '', ['Delete', 'Recycle', 'Retain']));
    }
    if (spec.volumeMode != null && !['Block', 'Filesystem'].includes(spec.volumeMode)) {
      errs.push(notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']));
    }
    return errs;
  },
});

// ---- Endpoints ------------------------------------------------------------------------------------------------------

export const endpointsStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  allowCreateOnUpdate: true,
  defaults(obj) {
    for (const ss of arr(obj.subsets)) for (const p of arr(ss?.ports)) if (isObj(p)) p.protocol ||= 'TCP';
  },
  validate(obj) {
    const errs: Errs = [];
    arr(obj.subsets).forEach((ss, i) => {
      const p = `subsets[${i}]`;
      if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0) {
        errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
      }
      for (const kind of ['addresses', 'notReadyAddresses'] as const) {
        arr(ss[kind]).forEach((a, j) => {
          const ap = `${p}.${kind}[${j}]`;
          errs.push(...validateIP(a.ip, `${ap}.ip`));
          if (a.hostname) errs.push(...validateDNS1123Label(String(a.hostname), `${ap}.hostname`));
          if (a.nodeName != null) errs.push(...nameIsDNSSubdomain(String(a.nodeName), false).map((m) => invalid(`${ap}.nodeName`, a.nodeName, m)));
        });
      }
      const ports = arr(ss.ports);
      ports.forEach((port, j) => {
        const pp = `${p}.ports[${j}]`;
        if (ports.length > 1 && !port.name) errs.push(required(`${pp}.name`));
        else if (port.name) errs.push(...validateDNS1123Label(String(port.name), `${pp}.name`));
        errs.push(...isValidPortNum(port.port ?? 0).map((m) => invalid(`${pp}.port`, port.port ?? 0, m)));
        if (!port.protocol) errs.push(required(`${pp}.protocol`));
        else if (!PROTOCOLS.includes(port.protocol)) errs.push(notSupported(`${pp}.protocol`, port.protocol, PROTOCOLS));
        if (port.appProtocol != null) errs.push(...validateQualifiedName(String(port.appProtocol), `${pp}.appProtocol`));
      });
    });
    return errs;
  },
});

// ---- Event (core/v1: upstream's "legacy" event validation, which is all v1 gets) -------------------------------------

export const coreEventStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  allowCreateOnUpdate: true,
  validate(obj) {
    const e = obj as J;
    const errs: Errs = [];
    const ns = obj.metadata.namespace ?? '';
    const involvedNs = e.involvedObject?.namespace ?? '';
    if (!e.eventTime) {
      if (!involvedNs ? ns !== '' && ns !== 'default' : ns !== involvedNs) {
        errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      }
    } else {
      if (!involvedNs && ns !== 'default' && ns !== 'kube-system') {
        errs.push(invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
      }
      if (!e.reportingComponent) errs.push(required('reportingComponent'));
      errs.push(...validateQualifiedName(String(e.reportingComponent ?? ''), 'reportingComponent'));
      if (!e.reportingInstance) errs.push(required('reportingInstance'));
      if (String(e.reportingInstance ?? '').length > 128) errs.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
      if (!e.action) errs.push(required('action'));
      if (String(e.action ?? '').length > 128) errs.push(invalid('action', '', 'can have at most 128 characters'));
      if (!e.reason) errs.push(required('reason'));
      if (String(e.reason ?? '').length > 128) errs.push(invalid('reason', '', 'can have at most 128 characters'));
      if (String(e.message ?? '').length > 1024) errs.push(invalid('message', '', 'can have at most 1024 characters'));
    }
    return errs;
  },
});

// ---- ServiceAccount, Node -------------------------------------------------------------------------------------------

export const serviceAccountStrategy = defineKind({ name: nameIsDNSSubdomain, namespaced: true });

export const nodeStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: false,
  keepStatusOnCreate: true,
  validate(obj) {
    const errs: Errs = [];
    const seen = new Map<string, Set<string>>();
    arr(specOf(obj).taints).forEach((t, i) => {
      const p = `metadata.taints[${i}]`;
      errs.push(...isQualifiedName(String(t.key ?? '')).map((m) => invalid(`${p}.key`, t.key ?? '', m)));
      if (!t.effect) errs.push(required(`${p}.effect`));
      else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) {
        errs.push(notSupported(`${p}.effect`, t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
      }
      const keys = seen.get(t.effect) ?? new Set<string>();
      if (keys.has(t.key)) errs.push(raw('FieldValueDuplicate', p, JSON.stringify(t), 'taints must be unique by key and effect pair'));
      keys.add(t.key);
      seen.set(t.effect, keys);
    });
    return errs;
  },
  validateUpdate(obj, old) {
    const spec = specOf(obj);
    const o = specOf(old);
    const errs: Errs = [];
    if (arr(o.podCIDRs).length > 0 && !same(o.podCIDRs, spec.podCIDRs)) {
      errs.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (o.providerID && o.providerID !== spec.providerID) {
      errs.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
    return errs;
  },
});

// ---- LimitRange, ResourceQuota ----------------------------------------------------------------------------------------

export const limitRangeStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  allowCreateOnUpdate: true,
  defaults(obj) {
    for (const item of arr(specOf(obj).limits)) {
      if (!isObj(item)) continue;
      for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
        canonicalizeResourceList(item[k], 'LimitRange', 'v1');
      }
      if (item.type !== 'Container') continue;
      // SetDefaults_LimitRangeItem: default ← max, defaultRequest ← default ← min
      const def = child(item, 'default');
      const defReq = child(item, 'defaultRequest');
      for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
      for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
      for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
    }
  },
  validate(obj) {
    const errs: Errs = [];
    const types = new Set<string>();
    arr(specOf(obj).limits).forEach((item, i) => {
      const p = `spec.limits[${i}]`;
      const t = String(item.type ?? '');
      if (!t.includes('/') && !['Pod', 'Container', 'PersistentVolumeClaim'].includes(t)) {
        errs.push(invalid(`${p}.type`, t, 'must be a standard limit type or fully qualified'));
      }
      if (types.has(t)) errs.push(raw('FieldValueDuplicate', `${p}.type`, JSON.stringify(t)));
      types.add(t);
      for (const [k, max] of Object.entries<string>(item.max ?? {})) {
        const min = item.min?.[k];
        if (min !== undefined && compareQuantity(parseQuantity(min), parseQuantity(max)) > 0) {
          errs.push(raw('FieldValueInvalid', `${p}.min[${k}]`, min, `min value ${min} is greater than max value ${max}`));
        }
      }
    });
    return errs;
  },
});

export const resourceQuotaStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    canonicalizeResourceList(specOf(obj).hard, 'ResourceQuota', 'v1');
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  validate(obj) {
    const errs: Errs = [];
    for (const [k, v] of Object.entries<string>(specOf(obj).hard ?? {})) {
      const p = `spec.hard[${k}]`;
      errs.push(...isQualifiedName(k).map((m) => invalid(p, k, m)));
      if (parseQuantity(v).nanos < 0n) errs.push(invalid(p, v, IS_NEGATIVE));
    }
    return errs;
  },
  validateUpdate(obj, old) {
    const a = new Set(arr<string>(specOf(obj).scopes));
    const b = new Set(arr<string>(specOf(old).scopes));
    if (a.size === b.size && [...a].every((s) => b.has(s))) return [];
    return [invalid('spec.scopes', arr<string>(specOf(obj).scopes), 'field is immutable')];
  },
});

