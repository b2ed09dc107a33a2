/** rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding (rbac/v1 defaults, rbac/validation). */
import type { KObject } from '../../../apimachinery/object.ts';
import { goQuote, nameIsDNSSubdomain, validatePathSegmentName } from '../../../apimachinery/validation.ts';
import { defineKind } from './define.ts';
import { invalid, notSupported, raw, required, type Errs } from './errors.ts';
import { arr, isObj, same, type J } from './util.ts';

const GROUP = 'rbac.authorization.k8s.io';

function validateRule(rule: J, namespaced: boolean, field: string): Errs {
  const errs: Errs = [];
  if (arr(rule.verbs).length === 0) errs.push(required(`${field}.verbs`, 'verbs must contain at least one value'));
  const urls = arr<string>(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) errs.push(invalid(`${field}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
      errs.push(invalid(`${field}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(required(`${field}.apiGroups`, 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(required(`${field}.resources`, 'resource rules must supply at least one resource'));
  if (arr(rule.resourceNames).length > 0 && arr(rule.resources).length > 1) {
    errs.push(required(`${field}.resourceNames`, 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

const roleKind = (namespaced: boolean) =>
  defineKind({
    name: validatePathSegmentName,
    namespaced,
    allowCreateOnUpdate: true,
    validate: (obj) => arr(obj.rules).flatMap((r, i) => validateRule(isObj(r) ? r : {}, namespaced, `rules[${i}]`)),
  });

function defaultBinding(obj: KObject): void {
  const ref = (isObj(obj.roleRef) ? obj.roleRef : (obj.roleRef = {})) as J;
  if (!ref.apiGroup) ref.apiGroup = GROUP;
  for (const s of arr(obj.subjects)) {
    if (isObj(s) && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = GROUP;
  }
}

function validateSubject(s: J, namespaced: boolean, field: string): Errs {
  const errs: Errs = [];
  if (!s.name) errs.push(required(`${field}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) errs.push(...nameIsDNSSubdomain(String(s.name), false).map((m) => invalid(`${field}.name`, s.name, m)));
      if (s.apiGroup) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(required(`${field}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (!s.name) errs.push(invalid(`${field}.name`, s.name ?? '', `${s.kind === 'User' ? 'user' : 'group'} name cannot be empty`));
      if (s.apiGroup !== GROUP) errs.push(notSupported(`${field}.apiGroup`, s.apiGroup ?? '', [GROUP]));
      break;
    default:
      errs.push(notSupported(`${field}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

const goRoleRef = (r: J) => `rbac.RoleRef{APIGroup:${goQuote(String(r.apiGroup ?? ''))}, Kind:${goQuote(String(r.kind ?? ''))}, Name:${goQuote(String(r.name ?? ''))}}`;

const bindingKind = (namespaced: boolean) =>
  defineKind({
    name: validatePathSegmentName,
    namespaced,
    allowCreateOnUpdate: true,
    defaults: defaultBinding,
    validate(obj) {
      const ref: J = isObj(obj.roleRef) ? obj.roleRef : {};
      const errs: Errs = [];
      if (ref.apiGroup !== GROUP) errs.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
      const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
      if (!kinds.includes(ref.kind)) errs.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
      if (!ref.name) errs.push(required('roleRef.name'));
      else errs.push(...validatePathSegmentName(String(ref.name), false).map((m) => invalid('roleRef.name', ref.name, m)));
      arr(obj.subjects).forEach((s, i) => errs.push(...validateSubject(isObj(s) ? s : {}, namespaced, `subjects[${i}]`)));
      return errs;
    },
    validateUpdate: (obj, old) =>
      same(obj.roleRef ?? null, old.roleRef ?? null) ? [] : [raw('FieldValueInvalid', 'roleRef', goRoleRef(isObj(obj.roleRef) ? obj.roleRef : {}), 'cannot change roleRef')],
  });

export const roleStrategy = roleKind(true);
export const clusterRoleStrategy = roleKind(false);
export const roleBindingStrategy = bindingKind(true);
export const clusterRoleBindingStrategy = bindingKind(false);
