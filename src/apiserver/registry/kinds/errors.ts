/**
 * Field errors for the kind strategies: the constructors of src/apimachinery/validation.ts, plus the few shapes it
 * does not have (NotFound, and bad values that upstream prints with Go's `%#v` — maps, label selectors, structs —
 * which have to be rendered here because formatBadValue would quote or JSON them).
 */
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  formatBadValue,
  goQuote,
  type FieldError as VFieldError,
} from '../../../apimachinery/validation.ts';
import type { FieldError } from '../strategy.ts';

/** One validation problem, rendered as upstream's field.Error. */
export interface KErr {
  type: string;
  field: string;
  /** `<field>: <body>` */
  message: string;
  /** upstream ErrorBody(): what a Status cause carries */
  body: string;
}

export type Errs = KErr[];

const TYPE_TEXT: Record<string, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueNotFound: 'Not found',
  FieldValueTooMany: 'Too many',
};

/** A field error whose bad value is already rendered (Go `%#v` / Stringer output), printed as-is. */
export function raw(type: keyof typeof TYPE_TEXT, field: string, rendered: string, detail = ''): KErr {
  let body = TYPE_TEXT[type]!;
  if (rendered !== '') body += ': ' + rendered;
  if (detail) body += ': ' + detail;
  return { type, field, message: `${field}: ${body}`, body };
}

const k = (e: VFieldError): KErr => ({ type: e.type, field: e.field, message: e.message, body: e.body });

export const invalid = (field: string, value: unknown, detail: string) => k(fieldInvalid(field, value, detail));
export const required = (field: string, detail = '') => k(fieldRequired(field, detail));
export const forbidden = (field: string, detail: string) => k(fieldForbidden(field, detail));
export const duplicate = (field: string, value: unknown) => k(fieldDuplicate(field, value));
export const notSupported = (field: string, value: unknown, valid: readonly string[]) =>
  k(fieldNotSupported(field, value, valid));
export const tooLong = (field: string, maxLength: number) => k(fieldTooLong(field, '', maxLength));
export const notFound = (field: string, value: unknown) => raw('FieldValueNotFound', field, formatBadValue(value));
export const fromV = (errs: readonly VFieldError[]): KErr[] => errs.map(k);

/** Strategy FieldErrors: the Status cause message is upstream's ErrorBody(). */
export function toFieldErrors(errs: readonly KErr[]): FieldError[] {
  return errs.map((e) => ({ type: e.type, field: e.field, message: e.message, detail: e.body }));
}

// ---- Go %#v renderings ------------------------------------------------------------------------------------------

/** `map[string]string{"a":"b", "c":"d"}` (keys sorted), `map[string]string(nil)` for a missing map. */
export function goStringMap(m: Record<string, string> | null | undefined): string {
  if (m == null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((key) => `${goQuote(key)}:${goQuote(String(m[key]))}`).join(', ')}}`;
}

/** `[]string{"a", "b"}`, `[]string(nil)` for a missing slice. */
export function goStringSlice(s: readonly string[] | null | undefined): string {
  if (s == null) return '[]string(nil)';
  return `[]string{${s.map((x) => goQuote(String(x))).join(', ')}}`;
}

interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key?: string; operator?: string; values?: string[] | null }[] | null;
}

/** A metav1.LabelSelector as `%#v` prints it (the form of upstream's "field is immutable" selector errors). */
export function goLabelSelector(sel: LabelSelectorLike | null | undefined): string {
  if (sel == null) return 'null';
  const exprs = sel.matchExpressions;
  const renderedExprs =
    exprs == null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map(
            (e) =>
              `v1.LabelSelectorRequirement{Key:${goQuote(e.key ?? '')}, Operator:${goQuote(e.operator ?? '')}, Values:${goStringSlice(e.values)}}`,
          )
          .join(', ')}}`;
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${renderedExprs}}`;
}

/**
 * An approximation of `%#v` for an arbitrary (JSON) struct: `type{Field:value, ...}` with Go-style field names.
 * Used for the huge struct values upstream prints in a few immutability errors (pod templates); exactness is not
 * attainable without the Go types, and clients only show these.
 */
export function goStruct(typeName: string, value: unknown): string {
  const render = (v: unknown): string => {
    if (v === null || v === undefined) return 'nil';
    if (typeof v === 'string') return goQuote(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `{${v.map(render).join(', ')}}`;
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      return `{${entries.map(([key, x]) => `${key.charAt(0).toUpperCase()}${key.slice(1)}:${render(x)}`).join(', ')}}`;
    }
    return String(v);
  };
  return typeName + render(value ?? {});
}

/** A Kubernetes IntOrString as its Stringer prints it (unquoted). */
export const intOrStringText = (v: unknown): string => (v === undefined || v === null ? '0' : String(v));
