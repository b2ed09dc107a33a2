/**
 * Field selectors: the `fieldSelector` query parameter of kube-apiserver.
 *
 * Grammar (upstream fields.ParseSelector): terms separated by ',' (AND), each `field=value`, `field==value` or
 * `field!=value`. The field name is taken up to the first operator; in a value, ',' '=' and '\' must be escaped with a
 * backslash. Which fields a kind can be selected on, and how a field label is renamed before matching, follow the
 * per-kind field label conversion functions upstream registers (pkg/apis/<group>/<version>/conversion.go); the values
 * matched against follow the registries' GetAttrs/ToSelectableFields. Errors map to 400 BadRequest.
 */
import { goQuote } from './validation.ts';

/** A bad field selector (syntax or an unsupported field label): the API answers 400 BadRequest with this message. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
  readonly status = 400;
  readonly reason = 'BadRequest';
}

export const isFieldSelectorError = (err: unknown): err is FieldSelectorError => err instanceof FieldSelectorError;

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

export type Fields = Readonly<Record<string, string>>;

/** upstream fields.EscapeValue: backslash-escapes '\', ',' and '='. */
export const escapeFieldValue = (s: string): string => s.replace(/[\\,=]/g, (c) => '\\' + c);

/** upstream fields.UnescapeValue. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // upstream prints the rune with %v, i.e. its code point number
    else if (c === ',' || c === '=') throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

export class FieldSelector {
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** A missing field reads as "" (so `spec.nodeName=` selects unscheduled pods). */
  matches(fields: Fields): boolean {
    return this.requirements.every((r) => {
      const actual = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field]! : '';
      return r.operator === '!=' ? actual !== r.value : actual === r.value;
    });
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** The value an `=`/`==` term pins `field` to, if any. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator !== '!=')?.value;
  }

  /** Applies `fn` to every term (upstream Selector.Transform), e.g. to rename field labels. */
  transform(fn: (field: string, value: string) => { field: string; value: string }): FieldSelector {
    return new FieldSelector(
      this.requirements.map((r) => {
        const { field, value } = fn(r.field, r.value);
        return { field, operator: r.operator, value };
      }),
    );
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** Splits on ',' that are not backslash-escaped, keeping the escapes in the terms. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

const TERM_OPERATORS: FieldOperator[] = ['!=', '==', '='];

function splitTerm(term: string): { lhs: string; op: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Parses the `fieldSelector` query string (syntax only; see compileFieldSelector for the per-kind check).
 * The empty string selects everything.
 * @throws FieldSelectorError with upstream's message
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort(byteOrder);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeFieldValue(t.rhs) });
  }
  return new FieldSelector(reqs);
}

// ---------------------------------------------------------------------------------------------------------------------
// Per-kind field labels
// ---------------------------------------------------------------------------------------------------------------------

type Converter = (label: string) => string;

const notSupported = (label: string) => new FieldSelectorError(`field label not supported: ${label}`);

/** A converter that accepts the listed labels unchanged, plus the given renames. */
function accepting(labels: readonly string[], renames: Record<string, string> = {}, error = notSupported): Converter {
  const ok = new Set(labels);
  return (label) => {
    if (ok.has(label)) return label;
    if (Object.prototype.hasOwnProperty.call(renames, label)) return renames[label]!;
    throw error(label);
  };
}

/** upstream runtime.DefaultMetaV1FieldSelectorConversion, for kinds that register no conversion of their own. */
const defaultConverter: Converter = (label) => {
  if (label === 'metadata.name' || label === 'metadata.namespace') return label;
  throw new FieldSelectorError(
    `${goQuote(label)} is not a known field selector: only ${goQuote('metadata.name')}, ${goQuote('metadata.namespace')}`,
  );
};

const CORE_EVENT_LABELS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
  'metadata.namespace',
  'metadata.name',
];

/** events.k8s.io/v1 spellings, mapped onto the core Event's selectable fields. */
const EVENTS_V1_MAPPING: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  source: 'source',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

/**
 * Labels each kind with a conversion of its own accepts (key `group/Kind`). Pods also take `spec.host` (renamed to
 * spec.nodeName) and, as upstream, `status.podIPs`, which no pod field backs: it always reads "".
 */
const ACCEPTED: Record<string, readonly string[]> = {
  '/Pod': [
    'metadata.name',
    'metadata.namespace',
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
    'spec.host',
  ],
  '/Node': ['metadata.name', 'spec.unschedulable'],
  '/Event': CORE_EVENT_LABELS,
  '/Namespace': ['status.phase', 'metadata.name'],
  '/Secret': ['type', 'metadata.namespace', 'metadata.name'],
  '/Service': ['metadata.namespace', 'metadata.name', 'spec.clusterIP', 'spec.type'],
  'batch/Job': ['metadata.name', 'metadata.namespace', 'status.successful'],
};

const CONVERTERS: Record<string, Converter> = {
  // old v1 clients send spec.host for spec.nodeName
  '/Pod': accepting(ACCEPTED['/Pod']!.filter((l) => l !== 'spec.host'), { 'spec.host': 'spec.nodeName' }),
  '/Node': accepting(ACCEPTED['/Node']!),
  '/Event': accepting(ACCEPTED['/Event']!),
  '/Namespace': accepting(ACCEPTED['/Namespace']!),
  '/Secret': accepting(ACCEPTED['/Secret']!),
  '/Service': accepting(ACCEPTED['/Service']!),
  'batch/Job': accepting(
    ACCEPTED['batch/Job']!,
    {},
    (label) => new FieldSelectorError(`field label ${goQuote(label)} not supported for batchv1.Job`),
  ),
  'events.k8s.io/Event': (label) => {
    if (Object.prototype.hasOwnProperty.call(EVENTS_V1_MAPPING, label)) return EVENTS_V1_MAPPING[label]!;
    throw notSupported(label);
  },
};

/**
 * The field label a kind matches on for `label` (most kinds keep it, a few rename: pods' `spec.host`, events.k8s.io's
 * `regarding.*` and `reportingController`).
 * @throws FieldSelectorError "field label not supported: X" (or the kind's own wording) when the kind cannot select on it
 */
export function convertFieldLabel(group: string, kind: string, label: string): string {
  return (CONVERTERS[`${group}/${kind}`] ?? defaultConverter)(label);
}

/** The field labels a kind accepts in a field selector (before renaming). */
export function selectableFieldLabels(group: string, kind: string): string[] {
  const key = `${group}/${kind}`;
  if (key === 'events.k8s.io/Event') return Object.keys(EVENTS_V1_MAPPING);
  return [...(ACCEPTED[key] ?? ['metadata.name', 'metadata.namespace'])];
}

/**
 * Parses a field selector and checks every field label against the kind, renaming labels as upstream does.
 * @throws FieldSelectorError on bad syntax or an unsupported field label
 */
export function compileFieldSelector(group: string, kind: string, selector: string): FieldSelector {
  return parseFieldSelector(selector).transform((field, value) => ({ field: convertFieldLabel(group, kind, field), value }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Selectable field values
// ---------------------------------------------------------------------------------------------------------------------

type Obj = Record<string, any>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const bool = (v: unknown): string => (v === true ? 'true' : 'false');

function podFields(pod: Obj): Record<string, string> {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const podIPs: Obj[] = Array.isArray(status.podIPs) ? status.podIPs : [];
  return {
    'spec.nodeName': str(spec.nodeName),
    'spec.restartPolicy': str(spec.restartPolicy),
    'spec.schedulerName': str(spec.schedulerName),
    'spec.serviceAccountName': str(spec.serviceAccountName || spec.serviceAccount),
    'spec.hostNetwork': bool(spec.hostNetwork),
    'status.phase': str(status.phase),
    'status.podIP': str(podIPs.length > 0 ? podIPs[0]!.ip : status.podIP),
    'status.nominatedNodeName': str(status.nominatedNodeName),
  };
}

function coreEventFields(ev: Obj): Record<string, string> {
  const io = ev.involvedObject ?? {};
  const source = ev.source?.component || ev.reportingComponent;
  return {
    'involvedObject.kind': str(io.kind),
    'involvedObject.namespace': str(io.namespace),
    'involvedObject.name': str(io.name),
    'involvedObject.uid': str(io.uid),
    'involvedObject.apiVersion': str(io.apiVersion),
    'involvedObject.resourceVersion': str(io.resourceVersion),
    'involvedObject.fieldPath': str(io.fieldPath),
    reason: str(ev.reason),
    reportingComponent: str(ev.reportingComponent),
    source: str(source),
    type: str(ev.type),
  };
}

/** An events.k8s.io/v1 Event, seen through the core Event's fields (what upstream stores and selects on). */
function eventsV1Fields(ev: Obj): Record<string, string> {
  const r = ev.regarding ?? {};
  return coreEventFields({
    involvedObject: r,
    reason: ev.reason,
    reportingComponent: ev.reportingController,
    source: ev.deprecatedSource,
    type: ev.type,
  });
}

const SPECIFIC: Record<string, (obj: Obj) => Record<string, string>> = {
  '/Pod': podFields,
  '/Node': (n) => ({ 'spec.unschedulable': bool(n.spec?.unschedulable) }),
  '/Namespace': (ns) => ({ 'status.phase': str(ns.status?.phase) }),
  '/Secret': (s) => ({ type: str(s.type) }),
  '/Service': (s) => ({ 'spec.clusterIP': str(s.spec?.clusterIP), 'spec.type': str(s.spec?.type) }),
  '/Event': coreEventFields,
  'events.k8s.io/Event': eventsV1Fields,
  'batch/Job': (j) => ({ 'status.successful': String(Number(j.status?.succeeded ?? 0) | 0) }),
};

/** Cluster-scoped kinds among those we serve (their objects have no metadata.namespace field to select on). */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'networking.k8s.io/IngressClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
]);

/**
 * The selectable fields of an object of the given kind, with the values upstream matches against: metadata.name
 * for every kind, metadata.namespace for namespaced kinds, and the kind's own fields (pods, nodes, namespaces,
 * secrets, services, events, jobs). Field names are the post-conversion ones (e.g. `involvedObject.kind` for
 * events.k8s.io Events too). A field a kind lacks reads as "".
 */
export function fieldsOf(group: string, kind: string, obj: unknown): Record<string, string> {
  const o = (obj ?? {}) as Obj;
  const key = `${group}/${kind}`;
  const fields: Record<string, string> = { 'metadata.name': str(o.metadata?.name) };
  if (!CLUSTER_SCOPED.has(key)) fields['metadata.namespace'] = str(o.metadata?.namespace);
  const specific = SPECIFIC[key];
  return specific ? { ...specific(o), ...fields } : fields;
}

/** Does `obj` (of the given kind) satisfy a selector built by compileFieldSelector for that kind? */
export function matchesFieldSelector(selector: FieldSelector, group: string, kind: string, obj: unknown): boolean {
  return selector.empty() || selector.matches(fieldsOf(group, kind, obj));
}
