/**
 * apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision (apps/v1 defaults.go,
 * apps/validation, pkg/registry/apps/* strategies).
 */
import type { KObject } from '../../../apimachinery/object.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateAnnotations, validateLabels } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import {
  forbidden,
  fromV,
  goLabelSelector,
  goStringMap,
  goStruct,
  intOrStringText,
  invalid,
  notSupported,
  raw,
  required,
  type Errs,
} from './errors.ts';
import { defaultPVCSpec, defaultPodTemplate, validatePodTemplateSpec } from './podspec.ts';
import {
  arr,
  child,
  has,
  immutable,
  immutableSelector,
  isObj,
  isValidPercent,
  nonNegative,
  same,
  selectorIsEmpty,
  selectorMatches,
  specOf,
  validateLabelSelector,
  IS_NEGATIVE,
  type J,
} from './util.ts';

const ctx = (kind: string) => ({ kind, apiVersion: 'apps/v1', isPod: false });
const templateLabels = (spec: J): Record<string, string> | undefined => spec.template?.metadata?.labels;

// ---- shared pieces --------------------------------------------------------------------------------------------------

/** The selector block of Deployment / ReplicaSet / StatefulSet specs. */
function validateSelector(spec: J, what: string, invalidDetail: string): { errs: Errs; convertible: boolean } {
  const errs: Errs = [];
  if (!isObj(spec.selector)) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
    if (Object.keys(spec.selector.matchLabels ?? {}).length + arr(spec.selector.matchExpressions).length === 0) {
      errs.push(raw('FieldValueInvalid', 'spec.selector', goLabelSelector(spec.selector), `empty selector is invalid for ${what}`));
    }
  }
  const matches = selectorMatches(spec.selector, templateLabels(spec));
  if (matches === undefined) errs.push(raw('FieldValueInvalid', 'spec.selector', goLabelSelector(spec.selector), invalidDetail));
  return { errs, convertible: matches !== undefined };
}

function selectorMismatch(spec: J): Errs {
  const matches = selectorMatches(spec.selector, templateLabels(spec));
  if (matches === false && !selectorIsEmpty(spec.selector)) {
    return [raw('FieldValueInvalid', 'spec.template.metadata.labels', goStringMap(templateLabels(spec)), '`selector` does not match template `labels`')];
  }
  return [];
}

/** ValidatePodTemplateSpecForReplicaSet (also Deployments). */
function validateTemplateForReplicaSet(spec: J, kind: 'ReplicaSet' | 'DaemonSet'): Errs {
  const t = isObj(spec.template) ? spec.template : {};
  const errs = [...selectorMismatch(spec), ...validatePodTemplateSpec(t, 'spec.template')];
  const ps = isObj(t.spec) ? t.spec : {};
  if (ps.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', ps.restartPolicy ?? '', ['Always']));
  if (ps.activeDeadlineSeconds != null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

const percentValue = (v: unknown): number | undefined => {
  if (typeof v !== 'string' || isValidPercent(v).length) return undefined;
  return Number(v.slice(0, -1));
};
/** intstr GetIntOrPercentValue-ish: percent → its number, int → itself, anything else → 0. */
const intOrPercentValue = (v: unknown): number => {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  const n = Number.parseInt(String(v ?? ''), 10);
  return Number.isNaN(n) || !/^[+-]?\d+$/.test(String(v)) ? 0 : n;
};

function validatePositiveIntOrPercent(v: unknown, field: string): Errs {
  if (typeof v === 'string') return isValidPercent(v).map((m) => raw('FieldValueInvalid', field, intOrStringText(v), m));
  if (typeof v === 'number') return v < 0 ? [invalid(field, v, IS_NEGATIVE)] : [];
  return [];
}

function notMoreThan100Percent(v: unknown, field: string): Errs {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [raw('FieldValueInvalid', field, intOrStringText(v), 'must not be greater than 100%')] : [];
}

// ---- Deployment -----------------------------------------------------------------------------------------------------

function defaultDeployment(obj: KObject): void {
  const spec = specOf(obj);
  spec.replicas ??= 1;
  const strategy = child(spec, 'strategy');
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(child(spec, 'template'), ctx('Deployment'));
}

function validateDeploymentStrategy(spec: J): Errs {
  const s = isObj(spec.strategy) ? spec.strategy : {};
  const field = 'spec.strategy';
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate != null ? [forbidden(`${field}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!isObj(s.rollingUpdate)) return [required(`${field}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const ru = s.rollingUpdate;
      const p = `${field}.rollingUpdate`;
      const errs = [...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`)];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(raw('FieldValueInvalid', `${p}.maxUnavailable`, intOrStringText(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      return errs;
    }
    default:
      return [
        raw(
          'FieldValueNotSupported',
          field,
          `apps.DeploymentStrategy{Type:${JSON.stringify(s.type ?? '')}, RollingUpdate:${s.rollingUpdate == null ? '(*apps.RollingUpdateDeployment)(nil)' : goStruct('&apps.RollingUpdateDeployment', s.rollingUpdate)}}`,
          'supported values: "Recreate", "RollingUpdate"',
        ),
      ];
  }
}

function validateDeploymentSpec(obj: KObject): Errs {
  const spec = specOf(obj);
  const errs: Errs = [...nonNegative(spec.replicas, 'spec.replicas')];
  const sel = validateSelector(spec, 'deployment', 'invalid label selector');
  errs.push(...sel.errs);
  if (sel.convertible) errs.push(...validateTemplateForReplicaSet(spec, 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(spec));
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec.progressDeadlineSeconds != null) {
    errs.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export const deploymentStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  // Generation also follows annotation changes (they are copied to the ReplicaSets): maintained here.
  generation: false,
  defaults: defaultDeployment,
  prepareForCreate(obj) {
    obj.status = {};
    obj.metadata.generation = 1;
  },
  prepareForUpdate(obj, old) {
    const changed = !same(obj.spec ?? null, old.spec ?? null) || !same(obj.metadata.annotations ?? {}, old.metadata.annotations ?? {});
    obj.metadata.generation = (old.metadata.generation ?? 1) + (changed ? 1 : 0);
  },
  validate: validateDeploymentSpec,
  validateUpdate: (obj, old) => immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'),
});

// ---- ReplicaSet -----------------------------------------------------------------------------------------------------

export const replicaSetStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    spec.replicas ??= 1;
    defaultPodTemplate(child(spec, 'template'), ctx('ReplicaSet'));
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate(obj) {
    const spec = specOf(obj);
    const errs: Errs = [...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds')];
    // (upstream's ReplicaSet message does say "deployment")
    const sel = validateSelector(spec, 'deployment', 'invalid label selector');
    errs.push(...sel.errs);
    if (sel.convertible) errs.push(...validateTemplateForReplicaSet(spec, 'ReplicaSet'));
    return errs;
  },
  validateUpdate: (obj, old) => immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'),
});

// ---- StatefulSet ----------------------------------------------------------------------------------------------------

function defaultStatefulSet(obj: KObject): void {
  const spec = specOf(obj);
  spec.podManagementPolicy ||= 'OrderedReady';
  const us = child(spec, 'updateStrategy');
  if (!us.type) {
    us.type = 'RollingUpdate';
    if (us.rollingUpdate == null) us.rollingUpdate = {};
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) us.rollingUpdate.partition ??= 0;
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(child(spec, 'template'), ctx('StatefulSet'));
  for (const pvc of arr(spec.volumeClaimTemplates)) {
    if (!isObj(pvc)) continue;
    defaultPVCSpec(child(pvc, 'spec'), 'StatefulSet', 'apps/v1');
    const status = child(pvc, 'status');
    status.phase ||= 'Pending';
  }
}

function validateStatefulSetSpec(obj: KObject): Errs {
  const spec = specOf(obj);
  const errs: Errs = [];
  switch (spec.podManagementPolicy) {
    case '':
    case undefined:
    case null:
      errs.push(required('spec.podManagementPolicy'));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type) {
    case '':
    case undefined:
    case null:
      errs.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (us.rollingUpdate != null) {
        errs.push(raw('FieldValueInvalid', 'spec.updateStrategy.rollingUpdate', goStruct('&apps.RollingUpdateStatefulSetStrategy', us.rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) {
        const p = 'spec.updateStrategy.rollingUpdate';
        errs.push(...nonNegative(us.rollingUpdate.partition, `${p}.partition`));
        const mu = us.rollingUpdate.maxUnavailable;
        if (mu != null) {
          errs.push(...validatePositiveIntOrPercent(mu, `${p}.maxUnavailable`));
          if (intOrPercentValue(mu) === 0) errs.push(raw('FieldValueInvalid', `${p}.maxUnavailable`, intOrStringText(mu), 'cannot be 0'));
          errs.push(...notMoreThan100Percent(mu, `${p}.maxUnavailable`));
        }
      }
      break;
    default:
      errs.push(raw('FieldValueInvalid', 'spec.updateStrategy', goStruct('apps.StatefulSetUpdateStrategy', us), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  if (isObj(retention)) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      if (!['Retain', 'Delete'].includes(retention[k])) {
        errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, retention[k] ?? '', ['Retain', 'Delete']));
      }
    }
  }
  errs.push(...nonNegative(spec.replicas, 'spec.replicas'), ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isObj(spec.ordinals)) errs.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  const sel = validateSelector(spec, 'statefulset', '');
  errs.push(...sel.errs);
  if (sel.convertible) {
    const t = isObj(spec.template) ? spec.template : {};
    errs.push(...selectorMismatch(spec));
    errs.push(...fromV(validateLabels(t.metadata?.labels, 'spec.template.labels')));
    errs.push(...fromV(validateAnnotations(t.metadata?.annotations, 'spec.template.annotations')));
  }
  const ps = isObj(spec.template?.spec) ? spec.template.spec : {};
  if (ps.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', ps.restartPolicy ?? '', ['Always']));
  if (ps.activeDeadlineSeconds != null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

const STS_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];

export const statefulSetStrategy = defineKind({
  name: nameIsDNSLabel,
  namespaced: true,
  defaults: defaultStatefulSet,
  prepareForCreate(obj) {
    obj.status = { availableReplicas: 0, replicas: 0 };
  },
  validate: validateStatefulSetSpec,
  validateUpdate(obj, old) {
    const strip = (s: J) => Object.fromEntries(Object.entries(s).filter(([k]) => !STS_MUTABLE.includes(k)));
    if (same(strip(specOf(obj)), strip(specOf(old)))) return [];
    return [
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    ];
  },
});

// ---- DaemonSet ------------------------------------------------------------------------------------------------------

const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

function validateDaemonSetSpec(obj: KObject): Errs {
  const spec = specOf(obj);
  const errs: Errs = [...validateLabelSelector(spec.selector, 'spec.selector')];
  const matches = selectorMatches(spec.selector, templateLabels(spec));
  if (matches === false) {
    errs.push(raw('FieldValueInvalid', 'spec.template.metadata.labels', goStringMap(templateLabels(spec)), '`selector` does not match template `labels`'));
  }
  if (isObj(spec.selector) && Object.keys(spec.selector.matchLabels ?? {}).length + arr(spec.selector.matchExpressions).length === 0) {
    errs.push(raw('FieldValueInvalid', 'spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  }
  const t = isObj(spec.template) ? spec.template : {};
  errs.push(...validatePodTemplateSpec(t, 'spec.template'));
  const ps = isObj(t.spec) ? t.spec : {};
  if (ps.restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', ps.restartPolicy ?? '', ['Always']));
  if (ps.activeDeadlineSeconds != null) {
    errs.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const us = isObj(spec.updateStrategy) ? spec.updateStrategy : {};
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      if (!isObj(us.rollingUpdate)) {
        errs.push(required('spec.updateStrategy.rollingUpdate'));
        break;
      }
      const ru = us.rollingUpdate;
      const p = 'spec.updateStrategy.rollingUpdate';
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`), ...notMoreThan100Percent(ru.maxSurge, `${p}.maxSurge`));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(raw('FieldValueInvalid', `${p}.maxSurge`, intOrStringText(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(required(`${p}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      errs.push(raw('FieldValueNotSupported', 'spec.updateStrategy', goStruct('apps.DaemonSetUpdateStrategy', us), 'supported values: "RollingUpdate", "OnDelete"'));
  }
  errs.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export const daemonSetStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  generation: false,
  defaults(obj) {
    const spec = specOf(obj);
    const us = child(spec, 'updateStrategy');
    us.type ||= 'RollingUpdate';
    if (us.type === 'RollingUpdate') {
      const ru = child(us, 'rollingUpdate');
      ru.maxUnavailable ??= 1;
      ru.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultPodTemplate(child(spec, 'template'), ctx('DaemonSet'));
  },
  prepareForCreate(obj) {
    obj.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    obj.metadata.generation = 1;
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: '1' };
  },
  prepareForUpdate(obj, old) {
    // Template changes bump the template generation (kept in an annotation in apps/v1) and the generation.
    const oldGen = Number(old.metadata.annotations?.[TEMPLATE_GENERATION] ?? '1') || 1;
    const templateChanged = !same(specOf(obj).template ?? null, specOf(old).template ?? null);
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TEMPLATE_GENERATION]: String(templateChanged ? oldGen + 1 : oldGen) };
    obj.metadata.generation = (old.metadata.generation ?? 1) + (!same(obj.spec ?? null, old.spec ?? null) ? 1 : 0);
  },
  validate: validateDaemonSetSpec,
  validateUpdate: (obj, old) => immutableSelector(specOf(obj).selector, specOf(old).selector, 'spec.selector'),
});

// ---- ControllerRevision ---------------------------------------------------------------------------------------------

export const controllerRevisionStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  validate(obj) {
    const errs: Errs = [];
    if (!has(obj as J, 'data')) errs.push(required('data', 'data is mandatory'));
    errs.push(...nonNegative(obj.revision, 'revision'));
    return errs;
  },
  validateUpdate: (obj, old) => immutable(obj.data, old.data, 'data', goStruct('runtime.RawExtension', { raw: obj.data })),
});
