/**
 * The Swagger 2.0 document kube-apiserver serves at /openapi/v2, derived from k8ts's OpenAPI v3 model.
 *
 * Why it exists: kubectl 1.27 and 1.28 download /openapi/v2 (as protobuf, see proto.ts) up front for `apply` with
 * validation on and for `explain`, and fail the command when it is missing or does not parse. What they read:
 *
 * - `definitions`, parsed model by model with kube-openapi's pkg/util/proto (ALL of them must parse, or the command
 *   fails): a schema with a `$ref` is a reference and may carry neither `type` nor `properties` (its `description`
 *   and vendor extensions sit beside the `$ref`); `type: object` with `properties` is a kind, without them a map
 *   (`additionalProperties` optional); `type: array` needs exactly one `items` schema; other types must be string,
 *   integer, number or boolean; no type and no properties is an arbitrary value. Kinds are found by the
 *   `x-kubernetes-group-version-kind` extension of a definition, a LIST of {group, kind, version}. Strategic merge
 *   patch metadata is read from the property schema itself: `x-kubernetes-patch-strategy`,
 *   `x-kubernetes-patch-merge-key` (also `x-kubernetes-list-type` / `-list-map-keys` for server-side apply tools).
 * - `paths`, for the `fieldValidation` support check (cli-runtime QueryParamVerifier): the first path item whose
 *   `patch` operation carries `x-kubernetes-group-version-kind` (an object here) equal to the GVK decides, by having
 *   a query parameter named `fieldValidation` inline (or a `#/parameters/...` reference). No such patch operation
 *   means "not found", and kubectl then checks `Namespace` and looks for a CRD. kubectl also reads `consumes` of
 *   those operations (GetConsumes).
 *
 * The conversion from v3: `#/components/schemas/X` -> `#/definitions/X`; a property written `allOf: [{$ref}]` (how v3
 * keeps a description and extensions beside a reference) becomes the bare `$ref` with them; IntOrString becomes
 * `type: string, format: int-or-string` and Quantity `type: string`, as upstream's v2 has them (both are `oneOf` in
 * v3); operation `requestBody` becomes a `body` parameter with `consumes`, response `content` a `schema` with
 * `produces`, parameter `schema: {type, uniqueItems}` is flattened into the parameter. `definitions` holds exactly the
 * schemas the paths reach.
 */

import type { OpenApi, Schema } from '../index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, Json>;
  definitions: Record<string, Json>;
  security: Record<string, string[]>[];
  securityDefinitions: Record<string, Json>;
}

export interface SwaggerOptions {
  /** `info.version` (upstream puts the server's git version there); default 'unversioned' as in the v3 documents */
  version?: string;
}

const V3_REF = '#/components/schemas/';
const V2_REF = '#/definitions/';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Keys of a v3 schema that have no place in a v2 one. */
const V3_ONLY = new Set(['oneOf', 'anyOf', 'not', 'nullable', 'writeOnly', 'deprecated']);

function sortKeys(o: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

const v2Ref = (ref: string) => (ref.startsWith(V3_REF) ? V2_REF + ref.slice(V3_REF.length) : ref);

/** Converts one v3 schema (and everything nested in it) to its v2 form. `name` is set for a top-level definition. */
export function toV2Schema(s: Schema | Json, name?: string): Json {
  if (!s || typeof s !== 'object') return s;
  const src = s as Json;
  const out: Record<string, Json> = {};

  // allOf: [{$ref}] (+ description, default, extensions) -> $ref beside them
  const allOf: Json[] | undefined = src.allOf;
  const soleRef = allOf && allOf.length === 1 && allOf[0] && typeof allOf[0].$ref === 'string' && !src.type && !src.properties;

  for (const [k, v] of Object.entries(src)) {
    if (V3_ONLY.has(k)) continue;
    switch (k) {
      case '$ref':
        out.$ref = v2Ref(v as string);
        break;
      case 'allOf':
        if (soleRef) out.$ref = v2Ref(allOf![0].$ref);
        else out.allOf = (v as Json[]).map((x) => toV2Schema(x));
        break;
      case 'properties': {
        const props: Record<string, Json> = {};
        for (const [pn, ps] of Object.entries(v as Record<string, Json>)) props[pn] = toV2Schema(ps);
        out.properties = props; // property order kept as generated
        break;
      }
      case 'items':
        out.items = toV2Schema(v);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof v === 'object' ? toV2Schema(v) : v;
        break;
      default:
        out[k] = v;
    }
  }

  if (out.$ref) {
    // a reference carries no structure of its own
    delete out.type;
    delete out.properties;
    delete out.items;
    delete out.additionalProperties;
    delete out.format;
  } else if (src.oneOf && !out.type) {
    // the two oneOf scalars upstream special-cases, and anything like them: a string on the wire in v2
    const types = new Set((src.oneOf as Json[]).map((o) => o?.type));
    if (name === INT_OR_STRING || src.format === 'int-or-string' || (types.has('integer') && types.has('string'))) {
      out.type = 'string';
      out.format = 'int-or-string';
    } else if (name === QUANTITY || types.has('string')) {
      out.type = 'string';
    }
    // otherwise: no type, an arbitrary value
  }
  return sortKeys(out);
}

/** `$ref` targets (definition names) anywhere under a v2 value. */
function refsUnder(v: Json, into: Set<string>) {
  if (Array.isArray(v)) {
    for (const x of v) refsUnder(x, into);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(V2_REF)) into.add(x.slice(V2_REF.length));
      else refsUnder(x, into);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// paths

function toV2Parameter(p: Json): Json {
  if (p.$ref) return { $ref: p.$ref.replace('#/components/parameters/', '#/parameters/') };
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(p as Record<string, Json>)) {
    if (k === 'schema') {
      // v3 keeps the primitive's shape under `schema`; v2 has it inline on the parameter
      for (const [sk, sv] of Object.entries(v as Record<string, Json>)) {
        if (sk === 'items') out.items = toV2Schema(sv);
        else if (!V3_ONLY.has(sk)) out[sk] = sv;
      }
    } else if (k !== 'style' && k !== 'explode' && k !== 'example' && k !== 'examples' && k !== 'deprecated') {
      out[k] = v;
    }
  }
  return sortKeys(out);
}

function firstSchema(content: Record<string, Json> | undefined): Json | undefined {
  for (const media of Object.values(content ?? {})) if (media?.schema) return media.schema;
  return undefined;
}

function toV2Operation(op: Json): Json {
  const out: Record<string, Json> = {};
  const params: Json[] = [];
  const produces: string[] = [];
  let consumes: string[] = ['*/*'];
  for (const [k, v] of Object.entries(op as Record<string, Json>)) {
    switch (k) {
      case 'parameters':
        for (const p of v as Json[]) params.push(toV2Parameter(p));
        break;
      case 'requestBody': {
        const rb = v as Json;
        const schema = firstSchema(rb.content);
        if (rb.content && Object.keys(rb.content).length) consumes = Object.keys(rb.content);
        if (schema) {
          const body: Json = { in: 'body', name: 'body', schema: toV2Schema(schema) };
          if (rb.required) body.required = true;
          if (rb.description) body.description = rb.description;
          params.unshift(sortKeys(body));
        }
        break;
      }
      case 'responses': {
        const rs: Record<string, Json> = {};
        for (const [code, r] of Object.entries(v as Record<string, Json>)) {
          if (r.$ref) {
            rs[code] = { $ref: r.$ref.replace('#/components/responses/', '#/responses/') };
            continue;
          }
          for (const t of Object.keys(r.content ?? {})) if (!produces.includes(t)) produces.push(t);
          const schema = firstSchema(r.content);
          rs[code] = sortKeys({ description: r.description ?? '', ...(schema ? { schema: toV2Schema(schema) } : {}) });
        }
        out.responses = rs;
        break;
      }
      case 'callbacks':
      case 'servers':
        break;
      default:
        out[k] = v;
    }
  }
  // the body parameter first, then the rest as listed (upstream's order)
  if (params.length) out.parameters = params;
  out.consumes = consumes;
  if (produces.length) out.produces = produces;
  out.schemes = ['https'];
  return sortKeys(out);
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function toV2PathItem(item: Json): Json {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(item as Record<string, Json>)) {
    if ((METHODS as readonly string[]).includes(k)) out[k] = toV2Operation(v);
    else if (k === 'parameters') out.parameters = (v as Json[]).map(toV2Parameter);
    else if (k === '$ref' || k.startsWith('x-')) out[k] = v;
    // summary, description, servers: v3 only
  }
  return sortKeys(out);
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Builds the Swagger 2.0 document from every document the v3 model serves (the group-versions and the discovery
 * roots): their paths merged, converted, sorted; the definitions they reach, converted, sorted.
 */
export function buildSwagger(api: OpenApi, opts: SwaggerOptions = {}): SwaggerDocument {
  const paths: Record<string, Json> = {};
  for (const docPath of Object.keys(api.index().paths).sort()) {
    const doc = api.document(docPath);
    if (!doc) continue;
    const v3 = JSON.parse(doc.body.toString('utf8')) as Json;
    for (const [p, item] of Object.entries(v3.paths ?? {})) paths[p] = toV2PathItem(item);
  }

  // definitions: the closure of the references the paths make
  const definitions: Record<string, Json> = {};
  const fromPaths = new Set<string>();
  refsUnder(paths, fromPaths);
  const queue = [...fromPaths];
  while (queue.length) {
    const name = queue.pop()!;
    if (definitions[name]) continue;
    const v3 = api.schemas[name];
    if (!v3) throw new Error(`openapi v2: schema ${name} is referenced but not in the model`);
    const def = toV2Schema(v3, name);
    definitions[name] = def;
    const refs = new Set<string>();
    refsUnder(def, refs);
    for (const r of refs) if (!definitions[r]) queue.push(r);
  }

  return {
    definitions: sortKeys(definitions),
    info: { title: 'Kubernetes', version: opts.version ?? 'unversioned' },
    paths: sortKeys(paths),
    security: [{ BearerToken: [] }],
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
    },
    swagger: '2.0',
  } as SwaggerDocument;
}
