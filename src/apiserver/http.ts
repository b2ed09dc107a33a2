/** Request bodies in, objects and Status errors out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { nestingDepthExceeds } from './typecheck.ts';
import {
  decodeKubernetesProtobuf,
  PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
  toStatusError as protobufStatus,
} from '../apimachinery/protobuf/decode.ts';
import {
  badRequest,
  internalError,
  requestEntityTooLarge,
  StatusError,
  unsupportedMediaType,
  type Status,
} from '../apimachinery/status.ts';

/** Upstream's limit on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw requestEntityTooLarge(`request entity too large: limit is ${MAX_BODY_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw requestEntityTooLarge(`request entity too large: limit is ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

/** Decodes a JSON or YAML object body. */
/** Deeper nesting than any Kubernetes object needs: refused, so no recursive step can exhaust the stack. */
export const MAX_NESTING = 100;

export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  const decoded = decodeAny(body, contentType);
  if (nestingDepthExceeds(decoded, MAX_NESTING)) {
    throw badRequest(`the request body is nested more than ${MAX_NESTING} levels deep`);
  }
  return decoded;
}

function decodeAny(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  const text = body.toString('utf8');
  if (type === '' || type === 'application/json' || type === '*/*') return parseJson(text);
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') return parseYaml(text);
  if (type === PROTOBUF_MEDIA_TYPE) {
    // kubectl's typed clients send built-in kinds as protobuf (and accept JSON back).
    try {
      return decodeKubernetesProtobuf(body);
    } catch (err) {
      if (err instanceof ProtobufDecodeError) throw protobufStatus(err);
      throw err;
    }
  }
  throw unsupportedMediaType(
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
  );
}

export function parseJson(text: string): unknown {
  if (!text.trim()) throw badRequest('the request body is empty: an object was expected');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

export function parseYaml(text: string): unknown {
  try {
    // Duplicate keys are not an error here (the last one wins, as upstream); field validation reports them.
    const doc = YAML.parseDocument(text, { version: '1.1', uniqueKeys: false });
    if (doc.errors.length) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
  }
}

export function writeJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}

/** Any error → a Kubernetes Status; unknown errors become 500 InternalError, logged once by the caller. */
export function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  return internalError(err instanceof Error ? err.message : String(err));
}

export function writeStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, status.code, status);
}
