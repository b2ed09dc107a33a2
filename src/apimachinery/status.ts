/**
 * Kubernetes `Status` errors. Everything below the HTTP layer throws `StatusError`s (or StorageErrors, which
 * `fromStorageError` interprets); only the HTTP layer serialises them. Reasons and codes follow metav1.StatusReason.
 */
import { StorageError } from '../storage/errors.ts';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(readonly status: Status) {
    super(status.message);
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export interface GroupResource {
  group: string;
  resource: string;
}

const qualified = (gr: GroupResource) => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });
}

export const notFound = (gr: GroupResource, name: string) =>
  failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, { name, group: gr.group, kind: gr.resource });

export const alreadyExists = (gr: GroupResource, name: string) =>
  failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const conflict = (gr: GroupResource, name: string, why: string) =>
  failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

export const MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** 422 with one cause per field error; `kind` is the Kind (e.g. "Deployment"), as upstream's NewInvalid. */
export function invalid(
  kind: { group: string; kind: string },
  name: string,
  errors: { type: string; field: string; message: string; detail?: string }[],
): StatusError {
  const gk = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const list = errors.map((e) => e.message);
  const message =
    list.length === 1 ? `${gk} "${name}" is invalid: ${list[0]}` : `${gk} "${name}" is invalid: [${list.join(', ')}]`;
  return failure(422, 'Invalid', message, {
    name,
    group: kind.group,
    kind: kind.kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.detail ?? e.message, field: e.field })),
  });
}

export const badRequest = (message: string, causes?: StatusCause[]) =>
  failure(400, 'BadRequest', message, causes ? { causes } : undefined);
export const unauthorized = (message = 'Unauthorized') => failure(401, 'Unauthorized', message);
export const forbidden = (gr: GroupResource, name: string, why: string) =>
  failure(403, 'Forbidden', `${qualified(gr)} "${name}" is forbidden: ${why}`, { name, group: gr.group, kind: gr.resource });
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource') =>
  failure(405, 'MethodNotAllowed', message);
export const notAcceptable = (message: string) => failure(406, 'NotAcceptable', message);
export const gone = (message: string) => failure(410, 'Expired', message);
export const requestEntityTooLarge = (message: string) => failure(413, 'RequestEntityTooLarge', message);
export const unsupportedMediaType = (message: string) => failure(415, 'UnsupportedMediaType', message);
export const tooManyRequests = (message: string, retryAfterSeconds = 1) =>
  failure(429, 'TooManyRequests', message, { retryAfterSeconds });
export const internalError = (message: string) =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
export const serviceUnavailable = (message: string) => failure(503, 'ServiceUnavailable', message);
export const timeout = (message: string, retryAfterSeconds = 1) =>
  failure(504, 'Timeout', message, { retryAfterSeconds });
export const pathNotFound = (path: string) => failure(404, 'NotFound', `the server could not find the requested resource`, { causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }] });

export function success(details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** The one place storage failures become API errors (apiserver's storage "interpret" step). */
export function fromStorageError(err: unknown, gr: GroupResource, name = ''): unknown {
  if (!(err instanceof StorageError)) return err;
  switch (err.code) {
    case 'KeyNotFound':
      return notFound(gr, name);
    case 'KeyExists':
      return alreadyExists(gr, name);
    case 'Conflict':
      return conflict(gr, name, MODIFIED);
    case 'Compacted':
      return gone(`too old resource version: ${err.message}`);
    case 'FutureRevision':
      return timeout(`Too large resource version: ${err.message}`);
    case 'TooLarge':
      return requestEntityTooLarge(err.message);
    case 'WatcherTooSlow':
      return gone(err.message);
    case 'Unavailable':
    case 'Corrupt':
      return serviceUnavailable(err.message);
  }
}

export const isStatusError = (err: unknown, reason?: string): err is StatusError =>
  err instanceof StatusError && (reason === undefined || err.reason === reason);
