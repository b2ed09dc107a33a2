/**
 * GET /openapi/v2: the Swagger 2.0 document (swagger.ts) as JSON or as gnostic protobuf (proto.ts), for the kubectl
 * versions (1.27, 1.28) that still download it for `apply` and `explain`.
 *
 *   const v2 = openApiV2(await loadOpenApi());          // nothing is built yet
 *   // in the request handler, for GET (or HEAD) /openapi/v2:
 *   const r = serveOpenApiV2(v2, req.headers.accept, req.headers['if-none-match']);
 *   res.writeHead(r.status, r.headers); res.end(r.body);
 *
 * The document is built on first use (or by `v2.prepare()`, e.g. from a setImmediate after startup) and kept: a few
 * hundred milliseconds, a few MB.
 */

import { createHash } from 'node:crypto';
import type { OpenApi } from '../index.ts';
import { encodeDocument } from './proto.ts';
import { buildSwagger, type SwaggerDocument, type SwaggerOptions } from './swagger.ts';

export { buildSwagger, toV2Schema, type SwaggerDocument, type SwaggerOptions } from './swagger.ts';
export { encodeDocument, ProtoWriter } from './proto.ts';

/** What client-go sends (the deprecated spelling) and what kube-apiserver answers with. */
export const MIME_PROTOBUF_REQUEST = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const MIME_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
export const MIME_JSON = 'application/json';

export interface OpenApiV2 {
  /** the document as JSON (Swagger 2.0) */
  json(): Buffer;
  /** the document as the gnostic `openapi.v2.Document` protobuf */
  protobuf(): Buffer;
  /** `"<upper-case hex SHA-512 of the JSON>"`, the same for both representations (as upstream) */
  readonly etag: string;
  /** when the document was built (Last-Modified) */
  readonly lastModified: Date;
  /** the document as an object (a fresh copy) */
  document(): SwaggerDocument;
  /** builds both representations now */
  prepare(): void;
}

export function openApiV2(api: OpenApi, opts: SwaggerOptions = {}): OpenApiV2 {
  let doc: SwaggerDocument | undefined;
  let json: Buffer | undefined;
  let proto: Buffer | undefined;
  let etag = '';
  let built = new Date(0);

  const buildJson = () => {
    if (json) return json;
    doc = buildSwagger(api, opts);
    json = Buffer.from(JSON.stringify(doc));
    etag = `"${createHash('sha512').update(json).digest('hex').toUpperCase()}"`;
    built = new Date(Math.floor(Date.now() / 1000) * 1000);
    return json;
  };
  const buildProto = () => {
    if (proto) return proto;
    const j = buildJson();
    proto = encodeDocument(doc ?? JSON.parse(j.toString('utf8')));
    doc = undefined; // both representations exist now; the object is no longer needed
    return proto;
  };

  return {
    json: buildJson,
    protobuf: buildProto,
    get etag() {
      buildJson();
      return etag;
    },
    get lastModified() {
      buildJson();
      return built;
    },
    document: () => JSON.parse(buildJson().toString('utf8')) as SwaggerDocument,
    prepare() {
      buildProto();
    },
  };
}

export interface OpenApiV2Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
  order: number;
}

function parseAccept(accept: string): AcceptClause[] {
  const out: AcceptClause[] = [];
  accept.split(',').forEach((part, order) => {
    const [range, ...params] = part.split(';').map((s) => s.trim());
    if (!range) return;
    const slash = range.indexOf('/');
    const type = (slash < 0 ? range : range.slice(0, slash)).toLowerCase();
    const subtype = (slash < 0 ? '*' : range.slice(slash + 1)).toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (Number.isFinite(q)) out.push({ type, subtype, q, order });
  });
  return out.sort((a, b) => b.q - a.q || a.order - b.order);
}

/** The representations in kube-openapi's order of preference for wildcards: JSON first. */
const OFFERS: { type: string; subtype: string; proto: boolean }[] = [
  { type: 'application', subtype: 'json', proto: false },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', proto: true },
  { type: 'application', subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', proto: true },
];

const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h.join(',') : (h ?? ''));

/**
 * The /openapi/v2 response for a GET: content negotiation on Accept (protobuf for client-go's
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` or the `.v1.0+protobuf` spelling, JSON for
 * `application/json`, wildcards or no Accept; 406 otherwise), ETag / If-None-Match (304), Last-Modified,
 * `Vary: Accept`.
 */
export function serveOpenApiV2(
  v2: OpenApiV2,
  accept: string | string[] | undefined,
  ifNoneMatch?: string | string[] | undefined,
): OpenApiV2Response {
  const clauses = parseAccept(first(accept) || '*/*');
  let chosen: boolean | undefined; // proto?
  for (const c of clauses) {
    if (c.q <= 0) continue;
    const offer = OFFERS.find((o) => (c.type === '*' || c.type === o.type) && (c.subtype === '*' || c.subtype === o.subtype));
    if (offer) {
      chosen = offer.proto;
      break;
    }
  }
  if (chosen === undefined) {
    return {
      status: 406,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: Buffer.from(`406 Not Acceptable: /openapi/v2 is served as ${MIME_JSON} or ${MIME_PROTOBUF}\n`),
    };
  }
  const body = chosen ? v2.protobuf() : v2.json();
  const headers: Record<string, string> = {
    'Content-Type': chosen ? MIME_PROTOBUF : MIME_JSON,
    ETag: v2.etag,
    'Last-Modified': v2.lastModified.toUTCString(),
    Vary: 'Accept',
  };
  const inm = first(ifNoneMatch);
  if (inm && (inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//, '') === v2.etag))) {
    delete headers['Content-Type'];
    return { status: 304, headers, body: Buffer.alloc(0) };
  }
  return { status: 200, headers, body };
}
