/**
 * What the client throws. Every answer from the server that is not 2xx is a `StatusError` carrying a full
 * metav1.Status (the server's own, or one built from the HTTP code when the body is not a Status, as client-go does).
 * When no answer arrives at all — refused, reset, timed out, TLS failure, a stream cut mid-way — the error is a
 * `ConnectionError`: the request may be retried, and informers do so with backoff.
 */
import { StatusError, type Status } from '../apimachinery/status.ts';

export { StatusError };

export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
  readonly retryable = true;
  /** The Node error code when there is one (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …). */
  readonly code: string | undefined;
  constructor(message: string, opts: { code?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = opts.code;
  }
}

export const isConnectionError = (err: unknown): err is ConnectionError => err instanceof ConnectionError;

/** The reason upstream gives a bare HTTP code (apierrors.NewGenericServerResponse). */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const MESSAGES: Record<number, string> = {
  401: 'the server has asked for the client to provide credentials',
  403: 'the server does not allow access to the requested resource',
  404: 'the server could not find the requested resource',
  405: 'the server does not allow this method on the requested resource',
  409: 'the server reported a conflict',
  410: 'the server has asked for the client to re-list',
  429: 'the server has received too many requests and has asked us to try again later',
  500: 'an error on the server has prevented the request from succeeding',
  503: 'the server is currently unable to handle the request',
  504: 'the server was unable to return a response in the time allotted, but may still be processing the request',
};

/** The StatusError for a non-2xx answer: its Status body, or one made from the code and the body's text. */
export function statusErrorFromResponse(code: number, body: string, retryAfterSeconds?: number): StatusError {
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    if (parsed && parsed.kind === 'Status' && typeof parsed.code === 'number') {
      return new StatusError({ ...parsed, code: parsed.code || code } as Status);
    }
  } catch {
    // not JSON: fall through
  }
  const text = body.trim();
  const reason = REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
  const message = MESSAGES[code] ?? `the server responded with the status code ${code} but did not return more information`;
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: text ? `${message} (${text.slice(0, 200)})` : message,
    reason,
    code,
    details: {
      causes: [{ reason: 'UnexpectedServerResponse', message: text.slice(0, 1000) }],
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    },
  });
}

/** Checks the reason first and the code second, as apierrors does (a reasonless Status still classifies). */
function hasReason(err: unknown, reason: string, code: number): boolean {
  if (!(err instanceof StatusError)) return false;
  if (err.reason) return err.reason === reason;
  return err.code === code;
}

export const isNotFound = (err: unknown) => hasReason(err, 'NotFound', 404);
export const isAlreadyExists = (err: unknown) => hasReason(err, 'AlreadyExists', 409);
export const isConflict = (err: unknown) => hasReason(err, 'Conflict', 409);
export const isInvalid = (err: unknown) => hasReason(err, 'Invalid', 422);
export const isForbidden = (err: unknown) => hasReason(err, 'Forbidden', 403);
export const isTooManyRequests = (err: unknown) =>
  hasReason(err, 'TooManyRequests', 429) || (err instanceof StatusError && err.code === 429);
/** 410: the resourceVersion (or continue token) is too old; re-list. Upstream sends reason Expired or Gone. */
export const isResourceExpired = (err: unknown) =>
  err instanceof StatusError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');

/**
 * 504 "Too large resource version": the server's cache has not reached the resourceVersion asked for (upstream's
 * cause ResourceVersionTooLarge; older servers only say so in the message).
 */
export const isTooLargeResourceVersion = (err: unknown) =>
  err instanceof StatusError &&
  (err.status.details?.causes?.some((c) => c.reason === 'ResourceVersionTooLarge') === true ||
    ((err.code === 504 || err.reason === 'Timeout') && /too large resource version/i.test(err.message)));

/** Worth trying again unchanged: no answer, or the server said it was overloaded or briefly unavailable. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (!(err instanceof StatusError)) return false;
  return [429, 500, 502, 503, 504].includes(err.code) || err.reason === 'ServerTimeout' || err.reason === 'Timeout';
}

/** A Status from an object that says it is one (watch ERROR events). */
export function asStatus(obj: unknown): Status | undefined {
  const s = obj as Partial<Status> | undefined;
  return s && typeof s === 'object' && s.kind === 'Status' ? (s as Status) : undefined;
}
