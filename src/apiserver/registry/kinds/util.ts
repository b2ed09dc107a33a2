/**
 * Helpers shared by the kind strategies: loose access to JSON objects, and the small format checks of upstream's
 * util/validation that src/apimachinery/validation.ts does not carry (ports, env names, config keys, percents, IPs).
 * Name / label / ObjectMeta checks come from src/apimachinery/validation.ts.
 */
import { isIP } from 'node:net';
import { jsonEqual, type KObject } from '../../../apimachinery/object.ts';
import { labelSelectorFromObject } from '../../../apimachinery/labels.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  maxLenError,
  regexError,
  validateLabels,
  validateObjectMeta,
  type NameValidator,
} from '../../../apimachinery/validation.ts';
import { forbidden, fromV, goLabelSelector, invalid, raw, required, type Errs } from './errors.ts';

/** A loosely typed JSON object (the kinds are validated field by field, as upstream does on its typed structs). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type J = Record<string, any>;

export const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `obj[key]` as an object, created when missing. */
export function child(o: J, key: string): J {
  if (!isObj(o[key])) o[key] = {};
  return o[key] as J;
}
export const arr = <T = J>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const specOf = (obj: KObject): J => (isObj(obj.spec) ? obj.spec : (obj.spec = {})) as J;
export const has = (o: J | undefined | null, key: string) => o != null && o[key] !== undefined && o[key] !== null;
export const same = jsonEqual;

export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const FIELD_IMMUTABLE = 'field is immutable';
export const inclusiveRange = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;
export const MAX_INT32 = 2147483647;
/** The port protocols upstream accepts, in the order its messages list them. */
export const PROTOCOLS: readonly string[] = ['SCTP', 'TCP', 'UDP'];

export function nonNegative(value: unknown, field: string): Errs {
  return typeof value === 'number' && value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

/** upstream ValidateImmutableField; `rendered` for struct values upstream prints with %#v. */
export function immutable(newVal: unknown, oldVal: unknown, field: string, rendered?: string): Errs {
  if (same(newVal ?? null, oldVal ?? null)) return [];
  return rendered === undefined ? [invalid(field, newVal ?? null, FIELD_IMMUTABLE)] : [raw('FieldValueInvalid', field, rendered, FIELD_IMMUTABLE)];
}

export const immutableSelector = (newSel: unknown, oldSel: unknown, field: string): Errs =>
  immutable(newSel, oldSel, field, goLabelSelector(newSel as J));

// ---- formats (util/validation) ------------------------------------------------------------------------------------

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRange(1, 65535)];
}

export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** upstream ValidatePortNumOrName for an IntOrString. */
export function validatePortNumOrName(port: unknown, field: string): Errs {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(field, port, m));
  return isValidPortNum(0).map((m) => invalid(field, 0, m));
}

/** RelaxedEnvironmentVariableValidation (on by default upstream): printable ASCII other than '='. */
export function isEnvVarName(value: string): string[] {
  if (value.length === 0) return ['environment variable name must be non-empty'];
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
    }
  }
  return [];
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 253) errs.push(maxLenError(253));
  if (!/^[-._a-zA-Z0-9]+$/.test(value)) {
    errs.push(
      regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", '[-._a-zA-Z0-9]+', 'key.name', 'KEY_NAME', 'key-name'),
    );
  }
  return [...errs, ...hasChDirPrefix(value)];
}

export function isValidPercent(value: string): string[] {
  return /^[0-9]+%$/.test(value)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

export function isHTTPHeaderName(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value)
    ? []
    : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

const WILDCARD_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${WILDCARD_FMT}$`).test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        '*.example.com',
      ),
    );
  }
  return errs;
}

export const IP_INVALID = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
export function validateIP(value: unknown, field: string): Errs {
  return typeof value === 'string' && isIP(value) ? [] : [invalid(field, value ?? '', IP_INVALID)];
}

export function validateDNS1123Label(value: string, field: string): Errs {
  return isDNS1123Label(value).map((m) => invalid(field, value, m));
}
export function validateDNS1123Subdomain(value: string, field: string): Errs {
  return isDNS1123Subdomain(value).map((m) => invalid(field, value, m));
}
export function validateQualifiedName(value: string, field: string): Errs {
  return isQualifiedName(value).map((m) => invalid(field, value, m));
}
export function validateNameWith(fn: NameValidator, value: string, field: string): Errs {
  return fn(value, false).map((m) => invalid(field, value, m));
}

/** upstream IsDomainPrefixedPath (e.g. an IngressClass controller). */
export function validateDomainPrefixedPath(value: string, field: string): Errs {
  if (!value) return [required(field)];
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) {
    return [invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const host = value.slice(0, slash);
  const path = value.slice(slash + 1);
  const errs = isDNS1123Subdomain(host).map((m) => invalid(field, host, m));
  const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
  if (!new RegExp(`^${httpPathFmt}$`).test(path)) errs.push(invalid(field, path, regexError('Invalid path', httpPathFmt)));
  return errs;
}

// ---- label selectors (apimachinery meta/v1/validation) --------------------------------------------------------------

export function validateLabelSelector(sel: unknown, field: string): Errs {
  if (!isObj(sel)) return [];
  const errs: Errs = fromV(validateLabels(sel.matchLabels as Record<string, string>, `${field}.matchLabels`));
  arr(sel.matchExpressions).forEach((expr, i) => {
    const p = `${field}.matchExpressions[${i}]`;
    const values = arr<string>(expr.values);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(`${p}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...isQualifiedName(String(expr.key ?? '')).map((m) => invalid(`${p}.key`, expr.key ?? '', m)));
    values.forEach((v, j) => errs.push(...isValidLabelValue(String(v)).map((m) => invalid(`${p}.values[${j}]`, v, m))));
  });
  return errs;
}

/** metav1.LabelSelectorAsSelector(sel).Matches(labels); undefined when the selector cannot be converted. */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean | undefined {
  try {
    return labelSelectorFromObject(isObj(sel) ? sel : null).matches(labels ?? {});
  } catch {
    return undefined;
  }
}

/** The selector matches nothing or everything (empty / nil). */
export function selectorIsEmpty(sel: unknown): boolean {
  try {
    return labelSelectorFromObject(isObj(sel) ? sel : null).empty();
  } catch {
    return false;
  }
}

// ---- ObjectMeta ------------------------------------------------------------------------------------------------------

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** core ValidateObjectMeta: apimachinery's checks plus the "standard finalizer name" check. */
export function validateMeta(obj: KObject, namespaced: boolean, nameValidator: NameValidator): Errs {
  const errs = fromV(validateObjectMeta(obj.metadata, { namespaced, nameValidator }));
  arr<string>(obj.metadata?.finalizers).forEach((f, i) => {
    if (typeof f === 'string' && !f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      errs.push(invalid(`metadata.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}
