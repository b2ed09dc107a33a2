/**
 * Name and metadata validation with kube-apiserver's error wording, and a small collector for field errors whose
 * messages render exactly like upstream's `field.Error.Error()` ("<path>: <Type text>: <value>: <detail>").
 *
 * Wording follows current upstream: the label key / label value checks (apimachinery `api/validate/content`) report
 * lengths in bytes ("must be no more than 63 bytes"), the DNS name checks (`util/validation`) in characters ("must be
 * no more than 253 characters"). Lengths are measured in UTF-8 bytes, as Go's len() does.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

// ---------------------------------------------------------------------------------------------------------------------
// Go-compatible value rendering
// ---------------------------------------------------------------------------------------------------------------------

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Go's strconv.Quote (also what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (cp) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x07: out += '\\a'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      case 0x0b: out += '\\v'; continue;
    }
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** Marks a bad value that must not be printed (upstream's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

/**
 * Renders a bad value the way field.Error does: numbers and booleans plainly, strings quoted, null/undefined as
 * "null", string arrays as Go's `%#v` (`[]string{"a", "b"}`), anything else as JSON.
 */
export function formatBadValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goQuote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return `[]string{${value.map(goQuote).join(', ')}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------------------------
// Field errors
// ---------------------------------------------------------------------------------------------------------------------

export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueRequired'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  /** dotted path, e.g. `spec.containers[0].name`; '<nil>' when upstream has no path */
  field: string;
  /** the full upstream `Error()` text: `<field>: <body>` */
  message: string;
  /** the message without the field (upstream's ErrorBody(), what a Status cause carries) */
  body: string;
  badValue?: unknown;
  detail: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Types whose message never shows the bad value. */
const VALUELESS = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong']);

export function makeFieldError(type: FieldErrorType, field: string, badValue: unknown, detail: string): FieldError {
  let body = TYPE_TEXT[type];
  if (!VALUELESS.has(type) && badValue !== OMIT_VALUE) body += ': ' + formatBadValue(badValue);
  if (detail) body += ': ' + detail;
  const err: FieldError = { type, field, message: `${field}: ${body}`, body, detail };
  if (badValue !== OMIT_VALUE) err.badValue = badValue;
  return err;
}

export const fieldInvalid = (field: string, value: unknown, detail: string) =>
  makeFieldError('FieldValueInvalid', field, value, detail);
export const fieldRequired = (field: string, detail = '') => makeFieldError('FieldValueRequired', field, '', detail);
export const fieldForbidden = (field: string, detail: string) => makeFieldError('FieldValueForbidden', field, '', detail);
export const fieldDuplicate = (field: string, value: unknown) => makeFieldError('FieldValueDuplicate', field, value, '');
export const fieldTypeInvalid = (field: string, value: unknown, detail: string) =>
  makeFieldError('FieldValueTypeInvalid', field, value, detail);
export function fieldNotSupported(field: string, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length ? 'supported values: ' + validValues.map(goQuote).join(', ') : '';
  return makeFieldError('FieldValueNotSupported', field, value, detail);
}
/** upstream field.TooLong: "Too long: must have at most N bytes" */
export const fieldTooLong = (field: string, value: unknown, maxLength: number) =>
  makeFieldError('FieldValueTooLong', field, value, `must have at most ${maxLength} bytes`);
/** upstream field.TooLongMaxLength: "Too long: may not be longer than N" (or "value is too long" when N < 0) */
export const fieldTooLongMaxLength = (field: string, value: unknown, maxLength: number) =>
  makeFieldError('FieldValueTooLong', field, value, maxLength >= 0 ? `may not be longer than ${maxLength}` : 'value is too long');

/**
 * Joins messages the way upstream's errors.Aggregate does: one message alone, several deduplicated inside "[a, b]".
 */
export function aggregateMessage(messages: readonly string[]): string {
  const seen: string[] = [];
  for (const m of messages) if (!seen.includes(m)) seen.push(m);
  if (seen.length === 0) return '';
  if (seen.length === 1) return seen[0]!;
  return '[' + seen.join(', ') + ']';
}

/** Collects field errors; paths are plain strings built by the caller. */
export class FieldErrors {
  readonly list: FieldError[] = [];

  get length(): number {
    return this.list.length;
  }
  push(...errs: FieldError[]): this {
    this.list.push(...errs);
    return this;
  }
  invalid(field: string, value: unknown, detail: string): this {
    return this.push(fieldInvalid(field, value, detail));
  }
  required(field: string, detail = ''): this {
    return this.push(fieldRequired(field, detail));
  }
  notSupported(field: string, value: unknown, validValues: readonly string[]): this {
    return this.push(fieldNotSupported(field, value, validValues));
  }
  forbidden(field: string, detail: string): this {
    return this.push(fieldForbidden(field, detail));
  }
  duplicate(field: string, value: unknown): this {
    return this.push(fieldDuplicate(field, value));
  }
  tooLong(field: string, value: unknown, maxLength: number): this {
    return this.push(fieldTooLong(field, value, maxLength));
  }
  typeInvalid(field: string, value: unknown, detail: string): this {
    return this.push(fieldTypeInvalid(field, value, detail));
  }
  /** The aggregate text upstream prints after "... is invalid: ". */
  toString(): string {
    return aggregateMessage(this.list.map((e) => e.message));
  }
}

/**
 * The message of a 422 Invalid status, as upstream's errors.NewInvalid builds it: `Pod "x" is invalid: <aggregate>`.
 * `group` '' for core; the kind is qualified as `Kind.group` otherwise.
 */
export function invalidMessage(group: string, kind: string, name: string, errs: readonly FieldError[]): string {
  const qualified = group ? `${kind}.${group}` : kind;
  return `${qualified} ${goQuote(name)} is invalid: ${aggregateMessage(errs.map((e) => e.message))}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// String format checks (each returns a list of problems, empty when valid)
// ---------------------------------------------------------------------------------------------------------------------

/** upstream RegexError: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')` */
export function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  let out = msg + ' (e.g. ';
  examples.forEach((ex, i) => {
    if (i > 0) out += ' or ';
    out += `'${ex}', `;
  });
  return out + `regex used for validation is '${re}')`;
}

/** Length message of the DNS name checks (util/validation). */
export const maxLenError = (n: number) => `must be no more than ${n} characters`;
/** Length message of the label key/value checks (api/validate/content). */
export const maxLenBytesError = (n: number) => `must be no more than ${n} bytes`;
export const EMPTY_ERROR = 'must be non-empty';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

// label keys ("qualified names") and values — the content package, lengths in bytes

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_KEY_NAME_MAX_LENGTH = 63;
const labelKeyRe = new RegExp(`^${LABEL_KEY_FMT}$`);

/** content-package DNS-1123 subdomain check used for a label key's prefix (lengths in bytes). */
function isPrefixSubdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenBytesError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/**
 * A label key / "qualified name": an optional DNS-1123 subdomain prefix and '/', then a name of at most 63 bytes.
 * Used for label keys, annotation keys (lower-cased first), finalizers and selector keys.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part ' + EMPTY_ERROR);
    else errs.push(...isPrefixSubdomain(prefix).map((m) => 'prefix part ' + m));
  } else {
    return [
      'a valid label key ' +
        regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part ' + EMPTY_ERROR);
  else if (byteLength(name) > LABEL_KEY_NAME_MAX_LENGTH) errs.push('name part ' + maxLenBytesError(LABEL_KEY_NAME_MAX_LENGTH));
  if (!labelKeyRe.test(name)) errs.push('name part ' + regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc'));
  return errs;
}
export const isLabelKey = isQualifiedName;

const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LABEL_VALUE_MAX_LENGTH = 63;
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenBytesError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---------------------------------------------------------------------------------------------------------------------
// Object name validators: (name, prefix) => problems. `prefix` is true when validating a generateName.
// ---------------------------------------------------------------------------------------------------------------------

export type NameValidator = (name: string, prefix: boolean) => string[];

/** upstream maskTrailingDash: a generateName may end in '-'; it drops the last two characters and appends 'a'. */
function maskTrailingDash(name: string): string {
  if (name.endsWith('-')) return name.slice(0, Math.max(0, name.length - 2)) + 'a';
  return name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
/** Namespaces are DNS-1123 labels. */
export const validateNamespaceName = nameIsDNSLabel;

const NAME_MAY_NOT_BE = ['.', '..'];
const NAME_MAY_NOT_CONTAIN = ['/', '%'];

/** Names that only have to be safe as a URL path segment (e.g. RBAC roles and bindings). */
export const validatePathSegmentName: NameValidator = (name, prefix) => {
  if (!prefix) {
    for (const bad of NAME_MAY_NOT_BE) if (name === bad) return [`may not be '${bad}'`];
  }
  return NAME_MAY_NOT_CONTAIN.filter((bad) => name.includes(bad)).map((bad) => `may not contain '${bad}'`);
};

// ---------------------------------------------------------------------------------------------------------------------
// ObjectMeta
// ---------------------------------------------------------------------------------------------------------------------

export const TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024;

export function validateLabelName(key: string, field: string): FieldError[] {
  return isQualifiedName(key).map((msg) => fieldInvalid(field, key, msg));
}

/** upstream ValidateLabels: every key a qualified name, every value a label value; errors on the map's path. */
export function validateLabels(labels: Record<string, string> | undefined | null, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, field));
    for (const msg of isValidLabelValue(v)) errs.push(fieldInvalid(field, v, msg));
  }
  return errs;
}

export function annotationsSize(annotations: Record<string, string> | undefined | null): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) total += byteLength(k) + byteLength(v);
  return total;
}

/** upstream ValidateAnnotations: keys are qualified names ignoring case; total size of keys+values at most 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    for (const msg of isQualifiedName(k.toLowerCase())) errs.push(fieldInvalid(field, k, msg));
  }
  if (annotationsSize(annotations) > TOTAL_ANNOTATION_SIZE_LIMIT_B) {
    errs.push(fieldTooLong(field, '', TOTAL_ANNOTATION_SIZE_LIMIT_B));
  }
  return errs;
}

const FINALIZER_ORPHAN = 'orphan';
const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

export function validateFinalizers(finalizers: readonly string[] | undefined | null, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = finalizers ?? [];
  for (const f of list) for (const msg of isQualifiedName(f)) errs.push(fieldInvalid(field, f, msg));
  if (list.includes(FINALIZER_ORPHAN) && list.includes(FINALIZER_DELETE_DEPENDENTS)) {
    errs.push(fieldInvalid(field, [...list], `finalizer ${FINALIZER_ORPHAN} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`));
  }
  return errs;
}

interface OwnerRef {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export function validateOwnerReferences(refs: readonly OwnerRef[] | undefined | null, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const [group, version] = slash >= 0 ? [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)] : ['', apiVersion];
    if (!version) errs.push(fieldInvalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) errs.push(fieldInvalid(`${field}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) errs.push(fieldInvalid(`${field}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) errs.push(fieldInvalid(`${field}.uid`, ref.uid ?? '', 'must not be empty'));
    if (group === '' && version === 'v1' && ref.kind === 'Event') {
      errs.push(fieldInvalid(field, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller) {
      const current = `${ref.kind ?? ''}/${ref.name ?? ''}`;
      if (firstController) {
        errs.push(
          fieldInvalid(
            field,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return errs;
}

export interface ObjectMetaOptions {
  /** the kind is namespaced: namespace required (and a DNS label); otherwise namespace is forbidden */
  namespaced: boolean;
  /** the kind's name rule, e.g. nameIsDNSSubdomain */
  nameValidator: NameValidator;
  /** path of the metadata, default "metadata" */
  path?: string;
}

/**
 * upstream ValidateObjectMeta for create: generateName and name against the kind's name rule, name required,
 * namespace presence/absence, generation, labels, annotations, owner references and finalizers.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined | null, opts: ObjectMetaOptions): FieldError[] {
  const m: ObjectMeta = meta ?? {};
  const p = opts.path ?? 'metadata';
  const errs: FieldError[] = [];
  const generateName = m.generateName ?? '';
  if (generateName) {
    for (const msg of opts.nameValidator(generateName, true)) errs.push(fieldInvalid(`${p}.generateName`, generateName, msg));
  }
  const name = m.name ?? '';
  if (!name) errs.push(fieldRequired(`${p}.name`, 'name or generateName is required'));
  else for (const msg of opts.nameValidator(name, false)) errs.push(fieldInvalid(`${p}.name`, name, msg));

  const namespace = m.namespace ?? '';
  if (opts.namespaced) {
    if (!namespace) errs.push(fieldRequired(`${p}.namespace`));
    else for (const msg of validateNamespaceName(namespace, false)) errs.push(fieldInvalid(`${p}.namespace`, namespace, msg));
  } else if (namespace) {
    errs.push(fieldForbidden(`${p}.namespace`, 'not allowed on this type'));
  }

  if (typeof m.generation === 'number' && m.generation < 0) {
    errs.push(fieldInvalid(`${p}.generation`, m.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(m.labels, `${p}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${p}.annotations`));
  errs.push(...validateOwnerReferences(m.ownerReferences, `${p}.ownerReferences`));
  errs.push(...validateFinalizers(m.finalizers, `${p}.finalizers`));
  return errs;
}
