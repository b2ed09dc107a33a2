/**
 * Resource handlers: one function per verb, the same for every kind (apiserver's endpoints/handlers). Each turns the
 * HTTP request into a Store call and the result into the representation the client asked for (JSON object, Table,
 * or metadata only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileFieldSelector, isFieldSelectorError } from '../apimachinery/fields.ts';
import { isLabelSelectorError, parseLabelSelector } from '../apimachinery/labels.ts';
import { isObject, type KObject } from '../apimachinery/object.ts';
import {
  applyPatch,
  isPatchError,
  patchTypeFromContentType,
  type PatchError,
  type SchemaNode,
} from '../apimachinery/patch/index.ts';
import { apiVersionOf, verbsOf, type ResourceInfo } from '../apimachinery/resources.ts';
import {
  badRequest,
  conflict,
  invalid,
  methodNotAllowed,
  MODIFIED,
  notFound,
  StatusError,
  unsupportedMediaType,
  type Status,
} from '../apimachinery/status.ts';
import YAML from 'yaml';
import * as fieldmanager from './fieldmanager/index.ts';
import type { FieldSchema } from './fieldmanager/index.ts';
import { PROTOBUF_MEDIA_TYPE } from '../apimachinery/protobuf/decode.ts';
import {
  bodyProblems,
  checkFieldValidation,
  decodeStrictError,
  parseFieldValidation,
  patchInvalidValue,
  patchProblems,
  patchStrictError,
  wantsFieldValidation,
  type WarningRecorder,
} from './fieldvalidation.ts';
import { decodeBody, MAX_NESTING, mediaType, readBody, toStatusError, writeJson } from './http.ts';
import type { SchemaNode as TypedSchema } from './openapi/schema-node.ts';
import { findTypeError, nestingDepthExceeds } from './typecheck.ts';
import { listJson, watchEventJson } from './serialize.ts';
import { negotiate, type Representation } from './negotiate.ts';
import type { Store, Subresource } from './registry/store.ts';
import type { ResourceRequest } from './request.ts';
import { isTrue } from './request.ts';
import { toTable } from './printers/index.ts';

export interface HandlerContext {
  store: Store;
  info: ResourceInfo;
  req: IncomingMessage;
  res: ServerResponse;
  request: ResourceRequest;
  query: URLSearchParams;
  /** Schema for strategic merge patch of this kind. */
  schema?: SchemaNode;
  /** Schemas of other kinds (subresource bodies: Scale, Binding). */
  schemaFor?: (gvk: { group: string; version: string; kind: string }) => SchemaNode | undefined;
  /** Warnings for the response's Warning headers (field validation Warn). */
  warnings: WarningRecorder;
  /** Called once per watch with a cleanup, so the server can end watches on shutdown. */
  trackWatch(stop: () => void): () => void;
  log(msg: string, err?: unknown): void;
}

export async function handleResource(ctx: HandlerContext): Promise<void> {
  const { request: r, info } = ctx;
  if (!info.namespaced && r.namespace && r.resource !== 'namespaces') {
    throw notFound({ group: info.group, resource: info.resource }, r.name ?? '');
  }
  if (r.subresource) return handleSubresource(ctx);
  if (!verbsOf(info).includes(r.verb)) throw methodNotAllowed();
  // Across namespaces, a namespaced resource can only be listed and watched.
  if (info.namespaced && !r.namespace && r.verb !== 'list' && r.verb !== 'watch') throw methodNotAllowed();
  const dryRun = dryRunOf(ctx.query);
  switch (r.verb) {
    case 'get':
      return respond(ctx, 200, await ctx.store.get(r.namespace, r.name!));
    case 'list':
      return list(ctx);
    case 'watch':
      return watch(ctx);
    case 'create': {
      if (r.name) throw methodNotAllowed();
      const obj = await objectBody(ctx);
      checkNamespace(ctx, obj);
      const created = await ctx.store.create(r.namespace, obj, { dryRun, fieldManager: fieldManager(ctx, 'create') });
      return respond(ctx, 201, created);
    }
    case 'update': {
      const obj = await objectBody(ctx);
      checkNamespace(ctx, obj);
      const { object, created } = await ctx.store.update(r.namespace, r.name!, obj, {
        dryRun,
        fieldManager: fieldManager(ctx, 'update'),
      });
      return respond(ctx, created ? 201 : 200, object);
    }
    case 'patch':
      return patch(ctx, undefined);
    case 'delete': {
      const opts = await deleteOptions(ctx);
      const { object, finished } = await ctx.store.delete(r.namespace, r.name!, { ...opts, dryRun });
      return respond(ctx, finished ? 200 : 202, object);
    }
    case 'deletecollection': {
      const opts = await deleteOptions(ctx);
      const deleted = await ctx.store.deleteCollection(listOptions(ctx), { ...opts, dryRun });
      return respondList(ctx, deleted.items, deleted.metadata);
    }
    default:
      throw methodNotAllowed();
  }
}

async function handleSubresource(ctx: HandlerContext): Promise<void> {
  const { request: r, info, store } = ctx;
  const sub = r.subresource!;
  const allowed = info.subresources?.includes(sub as never) || (info.resource === 'namespaces' && sub === 'finalize');
  if (!allowed || !r.name) throw notFound({ group: info.group, resource: `${info.resource}/${sub}` }, r.name ?? '');
  const dryRun = dryRunOf(ctx.query);
  if (sub === 'status') {
    switch (r.verb) {
      case 'get':
        return respond(ctx, 200, await store.get(r.namespace, r.name));
      case 'update': {
        const obj = await objectBody(ctx);
        const { object } = await store.update(r.namespace, r.name, obj, {
          subresource: 'status',
          dryRun,
          fieldManager: fieldManager(ctx, 'update'),
        });
        return respond(ctx, 200, object);
      }
      case 'patch':
        return patch(ctx, 'status');
    }
    throw methodNotAllowed();
  }
  if (sub === 'scale') return scale(ctx);
  if (sub === 'binding' && r.verb === 'create') return bind(ctx);
  if (sub === 'finalize' && r.verb === 'update') {
    const obj = await objectBody(ctx);
    const object = await store.guaranteedUpdate(undefined, r.name, (cur) => {
      cur.spec = { ...(cur.spec as object), finalizers: (obj.spec as { finalizers?: string[] })?.finalizers ?? [] };
      return cur;
    }, { dryRun, precondition: obj.metadata?.resourceVersion, bypassStrategy: true });
    return respond(ctx, 200, object);
  }
  throw methodNotAllowed(`${r.verb} is not supported on ${info.resource}/${sub} yet`);
}

// ---- list and watch ---------------------------------------------------------------------------------------------

function listOptions(ctx: HandlerContext) {
  const q = ctx.query;
  const limit = q.get('limit');
  return {
    namespace: ctx.request.namespace,
    matches: selectorOf(ctx),
    limit: limit ? intParam('limit', limit) : undefined,
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  };
}

async function list(ctx: HandlerContext): Promise<void> {
  const result = await ctx.store.list(listOptions(ctx));
  return respondList(ctx, result.items, result.metadata);
}

/** Label and field selectors from the query, as one predicate (400 on a bad selector). */
function selectorOf(ctx: HandlerContext): ((obj: KObject) => boolean) | undefined {
  const { info } = ctx;
  const ls = ctx.query.get('labelSelector');
  const fs = ctx.query.get('fieldSelector');
  try {
    const labels = ls ? parseLabelSelector(ls) : undefined;
    const fields = fs ? compileFieldSelector(info.group, info.kind, fs) : undefined;
    if ((!labels || labels.empty()) && (!fields || fields.empty())) return undefined;
    return (obj) =>
      (!labels || labels.matches(obj.metadata.labels)) &&
      (!fields || fields.empty() || fields.matches(fieldsFor(info, obj)));
  } catch (err) {
    if (isLabelSelectorError(err) || isFieldSelectorError(err)) throw badRequest((err as Error).message);
    throw err;
  }
}

import { fieldsOf } from '../apimachinery/fields.ts';
const fieldsFor = (info: ResourceInfo, obj: KObject) => fieldsOf(info.group, info.kind, obj);

const BOOKMARK_INTERVAL_MS = 60_000;

async function watch(ctx: HandlerContext): Promise<void> {
  const { res, query, store, info } = ctx;
  const rep = negotiate(ctx.req.headers.accept, query);
  const timeoutSeconds = query.get('timeoutSeconds');
  // client-go picks a random timeout; upstream ends the watch with no error after it. Parsed before the stream opens.
  const seconds = timeoutSeconds ? intParam('timeoutSeconds', timeoutSeconds) : 1800;
  const bookmarks = isTrue(query.get('allowWatchBookmarks'));
  const sendInitial = query.get('sendInitialEvents');
  const watcher = await store.watch({
    namespace: ctx.request.namespace,
    matches: selectorOf(ctx),
    resourceVersion: query.get('resourceVersion') ?? undefined,
    sendInitialEvents: sendInitial === null ? undefined : isTrue(sendInitial),
  });
  res.writeHead(200, {
    'Content-Type': rep.kind === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  const untrack = ctx.trackWatch(() => watcher.end());
  res.on('close', () => watcher.end());
  const timers: NodeJS.Timeout[] = [];
  timers.push(setTimeout(() => watcher.end(), seconds * 1000));
  let tableHeaderSent = false;
  const write = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + '\n');
  const bookmark = (annotations?: Record<string, string>) =>
    write('BOOKMARK', {
      kind: info.kind,
      apiVersion: apiVersionOf(info),
      metadata: { resourceVersion: String(watcher.revision), ...(annotations ? { annotations } : {}) },
    });
  if (bookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
  if (bookmarks && isTrue(sendInitial)) bookmark({ 'k8s.io/initial-events-end': 'true' });
  try {
    for await (const batch of watcher) {
      for (const ev of batch) {
        if (rep.kind === 'table') {
          const table = toTable([ev.object], info, { ...rep.table, noHeaders: tableHeaderSent });
          tableHeaderSent = true;
          write(ev.type, table);
        } else if (rep.kind === 'object') res.write(watchEventJson(ev.type, ev.object));
        else write(ev.type, render(rep, ev.object));
      }
    }
  } catch (err) {
    const status = toStatusError(err).status;
    if (!res.writableEnded) write('ERROR', status);
  } finally {
    for (const t of timers) clearTimeout(t);
    untrack();
    if (!res.writableEnded) res.end();
  }
}

// ---- patch ------------------------------------------------------------------------------------------------------

async function patch(ctx: HandlerContext, subresource: Subresource): Promise<void> {
  const { req, request: r, store } = ctx;
  const contentType = req.headers['content-type'];
  const type = mediaType(contentType);
  if (type === 'application/apply-patch+yaml') return serverSideApply(ctx, subresource);
  if (ctx.query.has('force')) throw invalidPatchOptions('force', 'FieldValueForbidden', 'Forbidden: may not be specified for non-apply patch');
  const patchType = patchTypeFromContentType(contentType);
  if (!patchType) {
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  parseFieldValidation(ctx.query.get('fieldValidation'), 'PatchOptions');
  const body = (await readBody(req)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined; // applyPatch reports malformed patches with upstream's wording
  }
  checkNesting(parsed);
  const dryRun = dryRunOf(ctx.query);
  const object = await store.guaranteedUpdate(
    r.namespace,
    r.name!,
    (current) => patchObject(current, patchType, body, ctx),
    { subresource, dryRun, fieldManager: fieldManager(ctx, 'patch'), precondition: undefined },
  );
  return respond(ctx, 200, object);
}

function patchObject(current: KObject, patchType: Parameters<typeof applyPatch>[1], body: string, ctx: HandlerContext): KObject {
  let patched: KObject;
  try {
    patched = applyPatch(current, patchType, body, ctx.schema) as unknown as KObject;
  } catch (err) {
    if (isPatchError(err)) throw patchStatus(err, ctx);
    throw err;
  }
  checkTypes(patched, ctx.schema as never, ctx.info.kind, ctx.info.version);
  const validation = ctx.query.get('fieldValidation');
  if (wantsFieldValidation(validation, 'PatchOptions')) {
    const problems = patchProblems(patchType, body, patched, ctx.schema as never, current);
    const { warnings } = checkFieldValidation(validation, problems, {
      optionsKind: 'PatchOptions',
      strictError: patchStrictError(patchInvalidValue(patchType, body, patched)),
    });
    addWarnings(ctx, warnings);
  }
  // A resourceVersion in the patch is a precondition (as upstream): stale → 409.
  const rv = patched.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) {
    throw conflict({ group: ctx.info.group, resource: ctx.info.resource }, ctx.request.name!, 'the object has been modified; please apply your changes to the latest version and try again');
  }
  return patched;
}

// ---- server-side apply ------------------------------------------------------------------------------------------

/** PatchOptions validation failures: 422 on the PatchOptions kind, as upstream's ValidatePatchOptions. */
function invalidPatchOptions(field: string, type: string, detail: string): StatusError {
  return invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [{ type, field, message: `${field}: ${detail}`, detail }]);
}

/**
 * PATCH with application/apply-patch+yaml: server-side apply. The body (YAML or JSON) is the applied
 * configuration; `fieldManager` is required, `force=true` takes fields from other managers. A missing object is
 * created (201), as upstream.
 */
async function serverSideApply(ctx: HandlerContext, subresource: Subresource): Promise<void> {
  const { request: r, store, info, query } = ctx;
  const manager = query.get('fieldManager') ?? '';
  if (!manager) throw invalidPatchOptions('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
  if (manager.length > 128) throw invalidPatchOptions('fieldManager', 'FieldValueTooLong', 'Too long: may not be longer than 128');
  const force = isTrue(query.get('force'));
  const dryRun = dryRunOf(query);
  const text = (await readBody(ctx.req)).toString('utf8');
  let body: unknown;
  try {
    body = YAML.parse(text, { version: '1.1', maxAliasCount: 100 });
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (!isObject(body)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  checkNesting(body);
  const applied = body as KObject;
  const meta = (isObject(applied.metadata) ? applied.metadata : {}) as KObject['metadata'];
  const opts = {
    force,
    schema: ctx.schema as FieldSchema | undefined,
    apiVersion: apiVersionOf(info),
    kind: info.kind,
    subresource,
    statusSubresource: !!info.subresources?.includes('status'),
  };
  const checkTarget = (obj: KObject) => {
    if (obj.metadata.name !== r.name) {
      throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${r.name})`);
    }
    const ns = obj.metadata.namespace;
    if (info.namespaced && ns && r.namespace && ns !== r.namespace) {
      throw badRequest(`the namespace of the object (${ns}) does not match the namespace on the request (${r.namespace})`);
    }
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const object = await store.guaranteedUpdate(
        r.namespace,
        r.name!,
        (current) => {
          // A resourceVersion in the configuration is a precondition (as for other patches).
          if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion) {
            throw conflict({ group: info.group, resource: info.resource }, r.name!, MODIFIED);
          }
          const merged = fieldmanager.apply(current, applied, manager, opts);
          checkTarget(merged);
          return merged;
        },
        { subresource, dryRun, fieldManager: manager, operation: 'Apply' },
      );
      return respond(ctx, 200, object);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound' && !subresource) || attempt > 0) throw err;
      if (info.namespaced && !r.namespace) throw err;
    }
    // Apply to a missing object creates it.
    if (meta.resourceVersion) throw conflict({ group: info.group, resource: info.resource }, r.name!, MODIFIED);
    const created = fieldmanager.apply(undefined, applied, manager, opts);
    checkTarget(created);
    try {
      return respond(ctx, 201, await store.create(r.namespace, created, { dryRun, fieldManager: manager, operation: 'Apply' }));
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      // Created meanwhile: apply to it.
    }
  }
}

/** Patch failures are the client's: upstream answers some strategic-merge ones with a 500; k8ts says 400. */
function patchStatus(err: PatchError, ctx: HandlerContext): StatusError {
  const code = err.code >= 500 ? 400 : err.code;
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: code === 400 && !err.reason ? 'BadRequest' : err.reason || undefined,
    code,
    ...(code === 422 ? { details: { name: ctx.request.name, group: ctx.info.group, kind: ctx.info.kind } } : {}),
  };
  return new StatusError(status);
}

// ---- scale and binding ------------------------------------------------------------------------------------------

interface Scalable {
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } };
  status?: { replicas?: number };
}

function toScale(obj: KObject) {
  const o = obj as KObject & Scalable;
  const selector = o.spec?.selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: {
      replicas: o.status?.replicas ?? 0,
      ...(selector ? { selector: selectorString(selector) } : {}),
    },
  };
}

function selectorString(sel: NonNullable<Scalable['spec']>['selector']): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (sel?.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[]) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

async function scale(ctx: HandlerContext): Promise<void> {
  const { request: r, store } = ctx;
  const dryRun = dryRunOf(ctx.query);
  if (r.verb === 'get') return writeJson(ctx.res, 200, toScale(await store.get(r.namespace, r.name!)));
  if (r.verb !== 'update' && r.verb !== 'patch') throw methodNotAllowed();
  const body = r.verb === 'update' ? await objectBody(ctx) : undefined;
  const patchType = r.verb === 'patch' ? patchTypeFromContentType(ctx.req.headers['content-type']) : undefined;
  if (r.verb === 'patch' && !patchType) throw unsupportedMediaType('unsupported patch type for scale');
  const patchBody = r.verb === 'patch' ? (await readBody(ctx.req)).toString('utf8') : '';
  if (patchBody) {
    try {
      checkNesting(JSON.parse(patchBody));
    } catch (err) {
      if (err instanceof StatusError) throw err; // malformed JSON is reported by applyPatch below
    }
  }
  const object = await store.guaranteedUpdate(
    r.namespace,
    r.name!,
    (current) => {
      const before = toScale(current);
      let wanted: { spec?: { replicas?: number }; metadata?: { resourceVersion?: string } };
      if (body) wanted = body as typeof wanted;
      else {
        try {
          wanted = applyPatch(before, patchType!, patchBody) as typeof wanted;
        } catch (err) {
          if (isPatchError(err)) throw patchStatus(err, ctx);
          throw err;
        }
      }
      const rv = wanted.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw conflict({ group: ctx.info.group, resource: ctx.info.resource }, r.name!, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      const replicas = wanted.spec?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw new StatusError({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `Scale.autoscaling "${r.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
          reason: 'Invalid',
          details: {
            name: r.name,
            group: 'autoscaling',
            kind: 'Scale',
            causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
          },
          code: 422,
        });
      }
      ((current as KObject & Scalable).spec ??= {}).replicas = replicas;
      return current;
    },
    { dryRun, fieldManager: fieldManager(ctx, r.verb) },
  );
  return writeJson(ctx.res, 200, toScale(object));
}

async function bind(ctx: HandlerContext): Promise<void> {
  const { request: r, store } = ctx;
  const binding = await objectBody(ctx);
  const target = (binding as { target?: { name?: string; kind?: string } }).target;
  if (!target?.name) {
    throw badRequest('Binding target.name is required');
  }
  await store.guaranteedUpdate(
    r.namespace,
    r.name!,
    (pod) => {
      const spec = (pod.spec ??= {}) as { nodeName?: string };
      if (spec.nodeName) {
        throw conflict({ group: '', resource: 'pods/binding' }, r.name!, `pod ${r.name} is already assigned to node "${spec.nodeName}"`);
      }
      if (pod.metadata.deletionTimestamp) {
        throw conflict({ group: '', resource: 'pods/binding' }, r.name!, 'pod is being deleted');
      }
      spec.nodeName = target.name;
      const status = (pod.status ??= {}) as { conditions?: { type: string; status: string; lastProbeTime?: null; lastTransitionTime?: string }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      status.conditions = conditions;
      return pod;
    },
    { dryRun: dryRunOf(ctx.query), fieldManager: fieldManager(ctx, 'create'), bypassStrategy: true },
  );
  return writeJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

// ---- request pieces ---------------------------------------------------------------------------------------------

async function objectBody(ctx: HandlerContext): Promise<KObject> {
  const optionsKind = ctx.request.verb === 'create' ? 'CreateOptions' : 'UpdateOptions';
  const validation = ctx.query.get('fieldValidation');
  parseFieldValidation(validation, optionsKind); // an invalid directive is refused before the body is read
  const raw = await readBody(ctx.req);
  const contentType = ctx.req.headers['content-type'];
  const body = decodeBody(raw, contentType);
  if (!isObject(body)) throw badRequest('the request body must be a JSON object');
  const obj = body as KObject;
  const { info, request: r } = ctx;
  const expectedKind = r.subresource === 'binding' ? 'Binding' : r.subresource === 'scale' ? 'Scale' : info.kind;
  const expectedVersion =
    r.subresource === 'scale' ? 'autoscaling/v1' : r.subresource === 'binding' ? 'v1' : apiVersionOf(info);
  if (obj.kind !== undefined && obj.kind !== expectedKind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${expectedKind})`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== expectedVersion) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expectedVersion})`,
    );
  }
  if (obj.metadata !== undefined && !isObject(obj.metadata)) throw badRequest('metadata must be an object');
  const type = mediaType(contentType) || 'application/json';
  const [group, version] = expectedVersion.includes('/') ? expectedVersion.split('/') : ['', expectedVersion];
  const schema = expectedKind === info.kind ? ctx.schema : ctx.schemaFor?.({ group: group!, version: version!, kind: expectedKind });
  checkTypes(obj, schema as never, expectedKind, version!);
  // Unknown and duplicate fields (protobuf bodies cannot carry either).
  if (type !== PROTOBUF_MEDIA_TYPE && wantsFieldValidation(validation, optionsKind)) {
    const problems = bodyProblems(raw.toString('utf8'), type, schema as never, obj);
    const { warnings } = checkFieldValidation(validation, problems, {
      optionsKind,
      strictError: decodeStrictError(obj, { kind: expectedKind, version: version! }),
    });
    addWarnings(ctx, warnings);
  }
  obj.metadata ??= {};
  return obj;
}

function checkNesting(value: unknown): void {
  if (nestingDepthExceeds(value, MAX_NESTING)) throw badRequest(`the request body is nested more than ${MAX_NESTING} levels deep`);
}

/** A body that does not fit its kind's types is refused as upstream's typed decoding refuses it (400). */
function checkTypes(obj: unknown, schema: TypedSchema | undefined, kind: string, version: string): void {
  const e = findTypeError(obj, schema);
  if (e) {
    throw badRequest(
      `${kind} in version "${version}" cannot be handled as a ${kind}: json: cannot unmarshal ${e.got} into Go struct field ${kind}.${e.path} of type ${e.expected}`,
    );
  }
}

function addWarnings(ctx: HandlerContext, warnings: string[]): void {
  if (!warnings.length) return;
  ctx.warnings.add(...warnings);
  ctx.res.setHeader('Warning', ctx.warnings.headers());
}

function checkNamespace(ctx: HandlerContext, obj: KObject): void {
  const ns = obj.metadata.namespace;
  if (ctx.info.namespaced && ns && ctx.request.namespace && ns !== ctx.request.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (ctx.info.namespaced && !ctx.request.namespace) {
    throw notFound({ group: ctx.info.group, resource: ctx.info.resource }, obj.metadata.name ?? '');
  }
}

async function deleteOptions(ctx: HandlerContext) {
  const q = ctx.query;
  let body: Record<string, unknown> = {};
  if (ctx.req.headers['content-length'] !== '0' && (ctx.req.headers['content-length'] || ctx.req.headers['transfer-encoding'])) {
    const raw = await readBody(ctx.req);
    if (raw.length) {
      const parsed = decodeBody(raw, ctx.req.headers['content-type'] ?? 'application/json');
      if (!isObject(parsed)) throw badRequest('DeleteOptions must be a JSON object');
      body = parsed;
    }
  }
  const grace = q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  const policy = (q.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined;
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(`Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = q.get('orphanDependents') ?? body.orphanDependents;
  const pre = body.preconditions as { uid?: string; resourceVersion?: string } | undefined;
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : intParam('gracePeriodSeconds', String(grace)),
    propagationPolicy: (policy ?? (orphan === true || orphan === 'true' ? 'Orphan' : undefined)) as
      | 'Orphan'
      | 'Background'
      | 'Foreground'
      | undefined,
    preconditions: pre,
  };
}

function dryRunOf(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
  return values.length > 0;
}

function fieldManager(ctx: HandlerContext, verb: string): string {
  const fm = ctx.query.get('fieldManager');
  if (fm !== null) {
    if (fm.length > 128) throw badRequest('fieldManager: Too long: may not be longer than 128');
    return fm;
  }
  // Upstream derives the manager from the user agent's program name.
  const ua = ctx.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]!.slice(0, 128) || verb;
}

function intParam(name: string, value: string): number {
  if (!/^-?\d+$/.test(value)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(value)}: must be an integer`);
  return Number(value);
}

// ---- responses --------------------------------------------------------------------------------------------------

function render(rep: Representation, obj: KObject): unknown {
  if (rep.kind === 'metadata') {
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  }
  return obj;
}

function respond(ctx: HandlerContext, code: number, obj: KObject): void {
  const rep = negotiate(ctx.req.headers.accept, ctx.query);
  if (rep.kind === 'table') {
    return writeJson(ctx.res, code, toTable([obj], ctx.info, rep.table));
  }
  writeJson(ctx.res, code, render(rep, obj));
}

function respondList(ctx: HandlerContext, items: KObject[], metadata: { resourceVersion?: string; continue?: string }): void {
  const rep = negotiate(ctx.req.headers.accept, ctx.query);
  if (rep.kind === 'table') {
    return writeJson(ctx.res, 200, toTable(items, ctx.info, { ...rep.table, listMeta: metadata }));
  }
  if (rep.kind === 'metadata') {
    return writeJson(ctx.res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      items: items.map((o) => render(rep, o)),
    });
  }
  const body = listJson({ kind: `${ctx.info.kind}List`, apiVersion: apiVersionOf(ctx.info), metadata }, items);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
