/**
 * A kind's strategy from a small definition: ObjectMeta validation with the kind's name rule is always included,
 * update validation is create validation plus the update-only checks (as most upstream ValidateXUpdate functions
 * are), and messages are deduplicated like upstream's ToAggregate.
 */
import type { KObject } from '../../../apimachinery/object.ts';
import type { NameValidator } from '../../../apimachinery/validation.ts';
import type { Strategy } from '../strategy.ts';
import { toFieldErrors, type Errs } from './errors.ts';
import { decodeError } from './quantity.ts';
import { validateMeta } from './util.ts';

export interface KindDef extends Omit<Strategy, 'validate' | 'validateUpdate' | 'validateStatusUpdate'> {
  /** metadata.name rule */
  name: NameValidator;
  namespaced: boolean;
  /** Validation beyond ObjectMeta (create, and the base of update). */
  validate?(obj: KObject): Errs;
  /** Create-only checks (e.g. a CronJob's 52-character name). */
  validateCreate?(obj: KObject): Errs;
  /** Update-only checks (immutability), after `validate`. */
  validateUpdate?(obj: KObject, old: KObject): Errs;
  validateStatusUpdate?(obj: KObject, old: KObject): Errs;
  /** Update-only checks are reported before `validate`'s (upstream ValidateServiceUpdate, ConfigMap, Secret). */
  updateChecksFirst?: boolean;
  /** Keep a client's status on create (kinds whose creator reports status, e.g. Node). */
  keepStatusOnCreate?: boolean;
}

const dedupe = (errs: Errs): Errs => {
  const seen = new Set<string>();
  return errs.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
};

/**
 * Bodies with the wrong JSON types further down (a string where upstream's Go struct has an object, …) would not
 * decode upstream either: a TypeError while defaulting or validating such a body is answered as that 400.
 */
function guard<A extends unknown[], R>(fn: ((obj: KObject, ...rest: A) => R) | undefined) {
  if (!fn) return undefined;
  return (obj: KObject, ...rest: A): R => {
    try {
      return fn(obj, ...rest);
    } catch (err) {
      if (err instanceof TypeError) throw decodeError(obj.kind ?? '', obj.apiVersion ?? 'v1', err.message);
      throw err;
    }
  };
}

export function defineKind(def: KindDef): Strategy & { keepStatusOnCreate?: boolean } {
  const { name, namespaced, validate, validateCreate, validateUpdate, validateStatusUpdate, updateChecksFirst, defaults, prepareForCreate, prepareForUpdate, ...rest } = def;
  const meta = (obj: KObject): Errs => validateMeta(obj, namespaced, name);
  return {
    ...rest,
    defaults: guard(defaults),
    prepareForCreate: guard(prepareForCreate),
    prepareForUpdate: guard(prepareForUpdate),
    validate: guard((obj: KObject) => toFieldErrors(dedupe([...meta(obj), ...(validate?.(obj) ?? []), ...(validateCreate?.(obj) ?? [])]))),
    validateUpdate: guard((obj: KObject, old: KObject) => {
      const spec = validate?.(obj) ?? [];
      const update = validateUpdate?.(obj, old) ?? [];
      return toFieldErrors(dedupe([...meta(obj), ...(updateChecksFirst ? [...update, ...spec] : [...spec, ...update])]));
    }),
    ...(validateStatusUpdate ? { validateStatusUpdate: guard((obj: KObject, old: KObject) => toFieldErrors(dedupe(validateStatusUpdate(obj, old)))) } : {}),
  };
}
