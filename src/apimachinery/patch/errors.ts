/**
 * Typed failures of patch application. Each carries the HTTP status code and Status reason kube-apiserver answers
 * with for the same failure, so the API layer can turn any PatchError into a metav1.Status without knowing which
 * patch format produced it:
 *
 *   MalformedPatchError        400 BadRequest            the patch document is not of the patch type's shape
 *   PatchTooLargeError         413 RequestEntityTooLarge a JSON patch of more than 10,000 operations
 *   InvalidPatchError          422 Invalid               a well-formed patch that cannot be applied to this object
 *   UnsupportedPatchTypeError  415 UnsupportedMediaType  a Content-Type that is not a patch type we apply
 *   StrategicMergePatchError   500 (reason "")           a strategic merge patch failing in a way upstream does not
 *                                                        classify (see the class)
 *
 * Upstream, for reference (k8s.io/apiserver endpoints/handlers/patch.go):
 *  - json-patch: a body that does not decode as a list of operations is 400; more than 10,000 operations is 413;
 *    any failure while applying (unknown op, missing field, bad pointer, missing path, index out of range,
 *    failed "test") is 422.
 *  - merge-patch: a body that is not JSON is 400.
 *  - strategic-merge-patch: ErrBadJSONDoc and the malformed-directive errors ($deleteFromPrimitiveList,
 *    $retainKeys, $setElementOrder formats) are 400; list-of-lists and retainKeys mismatches are 422; every other
 *    error is passed through untyped and so becomes a 500 with an empty reason.
 */

export type PatchErrorReason = 'BadRequest' | 'RequestEntityTooLarge' | 'Invalid' | 'UnsupportedMediaType' | '';

export type PatchFormat = 'json-patch' | 'merge-patch' | 'strategic-merge-patch';

export abstract class PatchError extends Error {
  /** HTTP status code for the API response. */
  abstract readonly code: 400 | 413 | 415 | 422 | 500;
  /** metav1.Status reason. */
  abstract readonly reason: PatchErrorReason;
  /** Which patch format was being applied, when known. */
  readonly format?: PatchFormat;
  /** JSON pointer (json-patch) or dotted field path (strategic merge) the failure is about, when there is one. */
  readonly path?: string;

  constructor(message: string, extra: { format?: PatchFormat; path?: string; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.format = extra.format;
    this.path = extra.path;
  }
}

/** 400: the patch document is not of the right shape (not JSON, not a list of operations, bad directive format). */
export class MalformedPatchError extends PatchError {
  override readonly name = 'MalformedPatchError';
  override readonly code = 400;
  override readonly reason = 'BadRequest';
}

/** 413: a JSON patch with more operations than the API server accepts. */
export class PatchTooLargeError extends PatchError {
  override readonly name = 'PatchTooLargeError';
  override readonly code = 413;
  override readonly reason = 'RequestEntityTooLarge';
}

/** 422: a well-formed patch that does not apply to this object (missing path, failed test, bad operation...). */
export class InvalidPatchError extends PatchError {
  override readonly name = 'InvalidPatchError';
  override readonly code = 422;
  override readonly reason = 'Invalid';
}

/** 415: the request's Content-Type is not a patch type we apply. */
export class UnsupportedPatchTypeError extends PatchError {
  override readonly name = 'UnsupportedPatchTypeError';
  override readonly code = 415;
  override readonly reason = 'UnsupportedMediaType';
}

/**
 * A strategic merge patch that fails in a way upstream does not classify: a merge-list item without its merge key,
 * an unknown `$patch` value, list items of mixed types, a patch list out of order with its `$setElementOrder`
 * list, a map where a list is expected... kube-apiserver passes these through as plain errors, so clients get a
 * 500 with an empty reason. We keep that code for fidelity; an API layer that prefers 400 can map this one class.
 */
export class StrategicMergePatchError extends PatchError {
  override readonly name = 'StrategicMergePatchError';
  override readonly code = 500;
  override readonly reason = '';
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}
