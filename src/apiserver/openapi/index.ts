/**
 * OpenAPI v3 for k8ts: the schema model generated from kubernetes-types (cached on disk), the per-group-version
 * documents served under /openapi/v3, and schema navigation for strategic merge patch / server-side apply.
 *
 *   const api = await loadOpenApi();
 *   api.index()                          // GET /openapi/v3
 *   api.document('apis/apps/v1')         // GET /openapi/v3/apis/apps/v1?hash=...
 *   api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' })?.field('spec')?.field('template')
 *   serveOpenApi(api, req.url, req.headers)   // ready-made response for the HTTP layer
 *
 * Cache: node_modules/.cache/k8ts/openapi-<kubernetes-types version>-<hash of the generator sources>.json. A missing
 * or stale cache is regenerated, which needs the `typescript` package at run time (loaded only then).
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type TS from 'typescript';
import { RESOURCES, type ResourceInfo } from '../../apimachinery/resources.ts';
import { buildDocuments, prepareSchemas, type BuiltDocument } from './documents.ts';
import { generateModel, type GVK, type Model, type Schema } from './generate.ts';
import { Node, type SchemaNode } from './schema-node.ts';

export type { SchemaNode } from './schema-node.ts';
export type { Schema, GVK } from './generate.ts';

export interface OpenApiIndex {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface OpenApi {
  /** GET /openapi/v3 */
  index(): OpenApiIndex;
  /** path = 'api/v1' | 'apis/apps/v1' | 'api' | 'apis' | 'apis/apps' | 'version' */
  document(path: string): { body: Buffer; etag: string; hash: string } | undefined;
  /** schema navigation for strategic merge patch and server-side apply; undefined for an unknown kind */
  schemaFor(gvk: { group: string; version: string; kind: string }): SchemaNode | undefined;
  /** a component schema by name (io.k8s.api.core.v1.PodSpec) */
  schema(name: string): SchemaNode | undefined;
  /** all component schemas (shared, do not mutate) */
  readonly schemas: Readonly<Record<string, Schema>>;
  /** kubernetes-types version the schemas come from */
  readonly kubernetesTypesVersion: string;
}

export interface LoadOptions {
  resources?: readonly ResourceInfo[];
  /** directory for the generated model; default node_modules/.cache/k8ts next to kubernetes-types */
  cacheDir?: string;
  /** ignore (but still refresh) the on-disk cache */
  regenerate?: boolean;
  /** serialize the documents only on first use instead of right after loading */
  lazy?: boolean;
}

/** Bumped by hand when the generator changes in a way its source hash cannot see (e.g. when bundled). */
const MODEL_FORMAT = 1;
const GENERATOR_SOURCES = ['generate.ts', 'list-meta.ts', 'names.ts'];

function locateTypes() {
  const req = createRequire(import.meta.url);
  const pkgJson = req.resolve('kubernetes-types/package.json');
  const root = dirname(pkgJson);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { root, version, nodeModules: dirname(root) };
}

function generatorHash(): string {
  const h = createHash('sha256').update(`format ${MODEL_FORMAT}\n`);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of GENERATOR_SOURCES) {
    try {
      h.update(f).update(readFileSync(join(here, f)));
    } catch {
      h.update(`${f}: unavailable`); // bundled build: MODEL_FORMAT carries the version
    }
  }
  return h.digest('hex').slice(0, 16);
}

async function loadModel(opts: LoadOptions): Promise<Model> {
  const types = locateTypes();
  const cacheDir = opts.cacheDir ?? join(types.nodeModules, '.cache', 'k8ts');
  const file = join(cacheDir, `openapi-${types.version}-${generatorHash()}.json`);
  if (!opts.regenerate) {
    try {
      const model = JSON.parse(readFileSync(file, 'utf8')) as Model;
      if (model.kubernetesTypes === types.version && model.schemas) return model;
    } catch {
      // missing or unreadable: regenerate
    }
  }
  let ts: typeof TS;
  try {
    // through require: under tsx, a dynamic import() of the 9 MB compiler takes ~3x longer
    ts = createRequire(import.meta.url)('typescript') as typeof TS;
  } catch (e) {
    throw new Error(
      `openapi: no cached schema model at ${file} and the 'typescript' package is not installed to generate it (${(e as Error).message})`,
    );
  }
  const model = generateModel(ts, types.root, types.version);
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(model));
    renameSync(tmp, file);
  } catch {
    // read-only install: keep the in-memory model
  }
  return model;
}

export async function loadOpenApi(opts: LoadOptions = {}): Promise<OpenApi> {
  const model = await loadModel(opts);
  const resources = opts.resources ?? RESOURCES;
  const { schemas, kinds } = prepareSchemas(model.schemas, resources);
  const lookup = (name: string) => schemas[name];

  // The documents (a few MB of JSON) are serialized on first use, or right after startup, whichever comes first.
  let docs: Map<string, BuiltDocument> | undefined;
  let indexJson = '';
  const build = () => {
    if (docs) return docs;
    docs = buildDocuments(schemas, kinds, resources);
    const index: OpenApiIndex = { paths: {} };
    for (const [path, d] of docs) index.paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${d.hash}` };
    indexJson = JSON.stringify(index);
    return docs;
  };
  if (!opts.lazy) setImmediate(build);

  return {
    index: () => (build(), JSON.parse(indexJson) as OpenApiIndex),
    document(path: string) {
      const d = build().get(path.replace(/^\/+|\/+$/g, ''));
      return d && { body: d.body, etag: d.etag, hash: d.hash };
    },
    schemaFor(gvk: GVK | { group: string; version: string; kind: string }) {
      const name = kinds.get(`${gvk.group}/${gvk.version}/${gvk.kind}`);
      return name ? new Node(schemas[name], lookup, name) : undefined;
    },
    schema(name: string) {
      return schemas[name] ? new Node(schemas[name], lookup, name) : undefined;
    },
    schemas,
    kubernetesTypesVersion: model.kubernetesTypes,
  };
}

export interface OpenApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The /openapi/v3 endpoints as kube-apiserver answers them: the index uncached; a document with its ETag (304 on
 * If-None-Match), cached for a year when the request carries the current `hash`, redirected to the current hash
 * when it carries a stale one. JSON only (a client that accepts only protobuf gets 406). Returns undefined for a
 * path that is not under /openapi/v3.
 */
export function serveOpenApi(
  api: OpenApi,
  url: string,
  headers: Record<string, string | string[] | undefined> = {},
): OpenApiResponse | undefined {
  const u = new URL(url, 'http://x');
  const m = /^\/openapi\/v3(?:\/(.*))?$/.exec(u.pathname);
  if (!m) return undefined;
  const json = { 'Content-Type': 'application/json' };
  const sub = (m[1] ?? '').replace(/\/+$/, '');
  if (!sub) {
    return { status: 200, headers: { ...json, 'Cache-Control': 'no-cache, private' }, body: Buffer.from(JSON.stringify(api.index())) };
  }
  const doc = api.document(sub);
  if (!doc) {
    return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('404 page not found\n') };
  }
  const accept = String(headers['accept'] ?? '');
  if (accept && !/(^|,)\s*(application\/json|application\/\*|\*\/\*)\s*(;|,|$)/.test(accept)) {
    return { status: 406, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('406 Not Acceptable: only application/json is served\n') };
  }
  const hash = u.searchParams.get('hash');
  if (hash && hash !== doc.hash) {
    return { status: 301, headers: { Location: `/openapi/v3/${sub}?hash=${doc.hash}` }, body: Buffer.alloc(0) };
  }
  const cache: Record<string, string> = hash
    ? { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() }
    : { 'Cache-Control': 'no-cache, private' };
  const inm = headers['if-none-match'];
  if (inm && String(inm).split(',').some((t) => t.trim() === doc.etag)) {
    return { status: 304, headers: { ETag: doc.etag, ...cache }, body: Buffer.alloc(0) };
  }
  return { status: 200, headers: { ...json, ETag: doc.etag, ...cache }, body: doc.body };
}
