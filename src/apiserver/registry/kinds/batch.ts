/** batch/v1: Job and CronJob (batch/v1 defaults.go, batch/validation, pkg/registry/batch/* strategies). */
import type { KObject } from '../../../apimachinery/object.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from '../../../apimachinery/validation.ts';
import { cronParseError, isKnownTimeZone } from './cron.ts';
import { defineKind } from './define.ts';
import { goLabelSelector, goStringMap, goStruct, invalid, notSupported, raw, required, type Errs } from './errors.ts';
import { defaultPodTemplate, validatePodTemplateSpec } from './podspec.ts';
import {
  arr,
  child,
  immutable,
  immutableSelector,
  isObj,
  nonNegative,
  same,
  selectorMatches,
  specOf,
  validateDomainPrefixedPath,
  validateLabelSelector,
  MAX_INT32,
  type J,
} from './util.ts';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const CTX = (kind: string) => ({ kind, apiVersion: 'batch/v1', isPod: false });

// ---- Job ------------------------------------------------------------------------------------------------------------

function defaultJobSpec(spec: J): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? MAX_INT32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  for (const rule of arr(spec.podFailurePolicy?.rules)) {
    for (const pattern of arr(rule.onPodConditions)) pattern.status ||= 'True';
  }
}

/** SetDefaults_Job's "labels from the template" (when the Job has none). */
function jobLabelsFromTemplate(obj: KObject): void {
  const tl = specOf(obj).template?.metadata?.labels;
  if (isObj(tl) && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...tl };
}

/** The job strategy's generateSelector: controller-uid and job-name labels on the template, and the selector. */
function generateSelector(obj: KObject): void {
  const spec = specOf(obj);
  const template = child(spec, 'template');
  const meta = child(template, 'metadata');
  const labels = child(meta, 'labels');
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid;
  const selector = child(spec, 'selector');
  const matchLabels = child(selector, 'matchLabels');
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

function hasLabel(obj: KObject, key: string, expected: string): Errs {
  const labels: Record<string, string> | undefined = specOf(obj).template?.metadata?.labels;
  const field = `spec.template.metadata.labels[${key}]`;
  if (!labels || !(key in labels)) return [required(field, `must be '${expected}'`)];
  if (labels[key] !== expected) return [raw('FieldValueInvalid', field, goStringMap(labels), `must be '${expected}'`)];
  return [];
}

function validateGeneratedSelector(obj: KObject, prefixed: boolean): Errs {
  const spec = specOf(obj);
  if (spec.manualSelector === true || !isObj(spec.selector)) return [];
  const errs: Errs = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!uid) errs.push(required('metadata.uid'));
  errs.push(...hasLabel(obj, LEGACY_CONTROLLER_UID_LABEL, uid), ...hasLabel(obj, LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = {};
  if (prefixed) {
    errs.push(...hasLabel(obj, CONTROLLER_UID_LABEL, uid), ...hasLabel(obj, JOB_NAME_LABEL, name));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  if (selectorMatches(spec.selector, expected) === false) {
    errs.push(raw('FieldValueInvalid', 'spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** validateJobSpec (shared by Jobs and CronJob job templates). */
function validateJobSpecCommon(spec: J, field: string): Errs {
  const errs: Errs = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) {
    errs.push(...nonNegative(spec[f], `${field}.${f}`));
  }
  if (spec.maxFailedIndexes != null) {
    errs.push(...nonNegative(spec.maxFailedIndexes, `${field}.maxFailedIndexes`));
    if (spec.backoffLimitPerIndex == null) errs.push(required(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  }
  if (spec.managedBy != null) {
    errs.push(...validateDomainPrefixedPath(String(spec.managedBy), `${field}.managedBy`));
    if (String(spec.managedBy).length > 63) errs.push(raw('FieldValueTooLong', `${field}.managedBy`, '', 'may not be longer than 63'));
  }
  const mode = spec.completionMode;
  if (mode != null) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(`${field}.completionMode`, mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') {
      if (spec.completions == null) errs.push(required(`${field}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > 100000) {
        errs.push(invalid(`${field}.parallelism`, spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
      }
      if (spec.completions != null && spec.maxFailedIndexes != null && spec.maxFailedIndexes > spec.completions) {
        errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
    }
  }
  if (mode == null || mode === 'NonIndexed') {
    if (spec.backoffLimitPerIndex != null) errs.push(invalid(`${field}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (spec.maxFailedIndexes != null) errs.push(invalid(`${field}.maxFailedIndexes`, spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.podReplacementPolicy != null) {
    if (spec.podFailurePolicy != null) {
      if (spec.podReplacementPolicy !== 'Failed') errs.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']));
    } else if (!['Failed', 'TerminatingOrFailed'].includes(spec.podReplacementPolicy)) {
      errs.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, `${field}.template`));
  const rp = spec.template?.spec?.restartPolicy;
  if (rp === 'Always' || !rp) {
    errs.push(required(`${field}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  } else if (rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(notSupported(`${field}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  } else if (spec.podFailurePolicy != null && rp !== 'Never') {
    errs.push(invalid(`${field}.template.spec.restartPolicy`, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

function validateJobSpec(spec: J): Errs {
  const errs = validateJobSpecCommon(spec, 'spec');
  if (!isObj(spec.selector)) errs.push(required('spec.selector'));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (selectorMatches(spec.selector, spec.template?.metadata?.labels) === false) {
    errs.push(raw('FieldValueInvalid', 'spec.template.metadata.labels', goStringMap(spec.template?.metadata?.labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

function validateJob(obj: KObject, prefixedLabels: boolean): Errs {
  const spec = specOf(obj);
  const errs = [...validateGeneratedSelector(obj, prefixedLabels), ...validateJobSpec(spec)];
  if (spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const hostname = `${obj.metadata.name}-${spec.completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(invalid('metadata.name', obj.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

function validateJobUpdate(obj: KObject, old: KObject): Errs {
  const spec = specOf(obj);
  const oldSpec = specOf(old);
  const oldLabels = oldSpec.template?.metadata?.labels ?? {};
  const prefixed = JOB_NAME_LABEL in oldLabels && CONTROLLER_UID_LABEL in oldLabels;
  const errs = [...validateJob(obj, prefixed), ...validateJobSpec(spec)];
  if (spec.completionMode === 'Indexed' && spec.completions !== oldSpec.completions) {
    // Elastic indexed jobs: completions may change together with parallelism.
    if (spec.completions != null && spec.completions !== spec.parallelism) {
      errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  } else {
    errs.push(...immutable(spec.completions, oldSpec.completions, 'spec.completions'));
  }
  errs.push(...immutableSelector(spec.selector, oldSpec.selector, 'spec.selector'));
  // The template is immutable, except scheduling directives of a suspended job that never started.
  let oldTemplate: J = oldSpec.template ?? {};
  const newTemplate: J = spec.template ?? {};
  if (oldSpec.suspend === true && !(old.status as J | undefined)?.startTime) {
    oldTemplate = structuredClone(oldTemplate);
    const ots = child(oldTemplate, 'spec');
    const nts: J = newTemplate.spec ?? {};
    ots.nodeSelector = nts.nodeSelector;
    ots.tolerations = nts.tolerations;
    ots.schedulingGates = nts.schedulingGates;
    if (nts.affinity || ots.affinity) {
      const affinity: J = { ...(ots.affinity ?? {}), nodeAffinity: nts.affinity?.nodeAffinity };
      if (affinity.nodeAffinity === undefined) delete affinity.nodeAffinity;
      ots.affinity = Object.keys(affinity).length > 0 || nts.affinity ? affinity : undefined;
    }
    const om = child(oldTemplate, 'metadata');
    om.labels = newTemplate.metadata?.labels;
    om.annotations = newTemplate.metadata?.annotations;
  }
  errs.push(...immutable(newTemplate, oldTemplate, 'spec.template', goStruct('core.PodTemplateSpec', newTemplate)));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    const rendered = isObj(spec[f]) ? goStruct(`&batch.${f.charAt(0).toUpperCase()}${f.slice(1)}`, spec[f]) : undefined;
    errs.push(...immutable(spec[f], oldSpec[f], `spec.${f}`, rendered));
  }
  return errs;
}

export const jobStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    defaultJobSpec(spec);
    defaultPodTemplate(child(spec, 'template'), CTX('Job'));
    jobLabelsFromTemplate(obj);
  },
  prepareForCreate(obj) {
    // Upstream's defaulting made the Job's labels the very map of the template's labels (Go map aliasing), so the
    // generated labels show up on the Job too.
    const aliased = Object.keys(obj.metadata.labels ?? {}).length === 0 || same(obj.metadata.labels, specOf(obj).template?.metadata?.labels);
    if (specOf(obj).manualSelector !== true) generateSelector(obj);
    if (aliased) delete obj.metadata.labels;
    jobLabelsFromTemplate(obj);
    obj.status = {};
  },
  validate: (obj) => validateJob(obj, true),
  validateUpdate: validateJobUpdate,
});

// ---- CronJob --------------------------------------------------------------------------------------------------------

function validateTimeZone(tz: unknown, field: string): Errs {
  if (tz == null) return [];
  const s = String(tz);
  if (s.length === 0) return [invalid(field, s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z.\-_0-9+]{1,14}$/.test(part)) {
      return [invalid(field, s, `unknown time zone ${s}`)];
    }
  }
  if (s.toLowerCase() === 'local') return [invalid(field, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(s)) return [invalid(field, s, `unknown time zone ${s}`)];
  return [];
}

function validateCronJobSpec(spec: J, oldSpec: J | undefined): Errs {
  const errs: Errs = [];
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  if (!schedule) errs.push(required('spec.schedule'));
  else {
    const err = cronParseError(schedule);
    if (err) errs.push(invalid('spec.schedule', schedule, err));
    const allowTZ = String(oldSpec?.schedule ?? '').includes('TZ');
    if (allowTZ && schedule.includes('TZ') && spec.timeZone != null) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      errs.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  switch (spec.concurrencyPolicy) {
    case 'Allow':
    case 'Forbid':
    case 'Replace':
      break;
    case '':
    case undefined:
    case null:
      errs.push(required('spec.concurrencyPolicy'));
      break;
    default:
      errs.push(notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  }
  const jt: J = isObj(spec.jobTemplate) ? spec.jobTemplate : {};
  const jts: J = isObj(jt.spec) ? jt.spec : {};
  errs.push(...validateJobSpecCommon(jts, 'spec.jobTemplate.spec'));
  if (jts.selector != null) errs.push(raw('FieldValueInvalid', 'spec.jobTemplate.spec.selector', goLabelSelector(jts.selector), '`selector` will be auto-generated'));
  if (jts.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  errs.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  return errs;
}

export const cronJobStrategy = defineKind({
  name: nameIsDNSSubdomain,
  namespaced: true,
  defaults(obj) {
    const spec = specOf(obj);
    spec.concurrencyPolicy ||= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const jts = child(child(spec, 'jobTemplate'), 'spec');
    defaultPodTemplate(child(jts, 'template'), CTX('CronJob'));
    for (const rule of arr(jts.podFailurePolicy?.rules)) {
      for (const pattern of arr(rule.onPodConditions)) pattern.status ||= 'True';
    }
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
  // The 52-character name limit (the controller appends an 11-character suffix) is checked on create only.
  validateCreate(obj) {
    const name = obj.metadata.name ?? '';
    const errs = validateCronJobSpec(specOf(obj), undefined);
    if (name.length > 52) errs.push(invalid('metadata.name', name, 'must be no more than 52 characters'));
    return errs;
  },
  validateUpdate: (obj, old) => validateCronJobSpec(specOf(obj), specOf(old)),
});
