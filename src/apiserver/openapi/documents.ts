/**
 * The per-group-version OpenAPI v3 documents kube-apiserver serves under /openapi/v3/<api path>, built from the
 * schema model and the resource table.
 *
 * What kubectl reads from these documents (kubectl 1.27-1.33; client-go openapi3 + cli-runtime resource):
 *
 * 1. Server-side field validation (`--validate=strict`, the default, and `--validate=warn`). kubectl's validator is a
 *    "param verifying schema": before sending an object it asks whether the server supports the `fieldValidation`
 *    query parameter for that object's GVK (cli-runtime `resource.NewQueryParamVerifierV3`, wrapped in a fallback to
 *    the v2 verifier). The v3 check is:
 *      - GET /openapi/v3 (index), take `paths["apis/<group>/<version>"]` (or `"api/v1"`) and GET its
 *        `serverRelativeURL` with `Accept: application/json`; a missing entry is a "group version not found" error;
 *      - walk `paths` (a Go map: random order) and take the FIRST path item whose `patch` operation carries
 *        `x-kubernetes-group-version-kind` equal to {group, version, kind} (an object, compared as strings);
 *      - support means that operation's own `parameters` contain `{ name: "fieldValidation", in: "query" }`
 *        (a `$ref` only counts when it points at `#/parameters/...`, i.e. never in a v3 document).
 *      - no patch operation for the GVK at all -> an error that is not "unsupported", so kubectl falls back to
 *        /openapi/v2 (protobuf), which k8ts does not serve, and the command fails.
 *    When supported, kubectl skips client-side schema validation and sends `?fieldValidation=Strict`; otherwise it
 *    validates client-side against /openapi/v2. So EVERY patch operation carrying a kind's GVK (the main resource
 *    and its /status subresource alike, since the walk order is random) must list `fieldValidation` inline with
 *    `in: query`. `dryRun` (`--dry-run=server`) is checked the same way. `kind: List` is always "unsupported".
 * 2. Client-side apply (strategic merge patch from OpenAPI v3): the patch operation found for the GVK must have a
 *    `requestBody.content["application/strategic-merge-patch+json"]`; then kubectl takes the FIRST component schema
 *    whose `x-kubernetes-group-version-kind` (an array here) contains the GVK and walks it with
 *    strategicpatch.PatchMetaFromOpenAPIV3: property -> `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`
 *    read on the property schema itself, then `allOf[0]` and `$ref` (`#/components/schemas/<name>`, resolved in this
 *    same document), arrays through `items`.
 * 3. `kubectl explain`: the same document, as a generic map; it finds the kind's schema by the GVK array and follows
 *    `$ref` / `allOf` for fields, printing `description`, `type`, `required`.
 * Every document is therefore self-contained: `components.schemas` holds each schema any `$ref` in it reaches.
 *
 * Checked with the real binaries against a stub serving these documents (openapi.test.ts): kubectl 1.29-1.33 apply
 * (create and client-side-apply patch) and explain work from /openapi/v3 alone. kubectl 1.27 and 1.28 still fetch
 * /openapi/v2 (protobuf) up front for `apply` with validation on and for `explain`, so they fail without a v2
 * endpoint (`--validate=false` avoids it for apply).
 */

import { createHash } from 'node:crypto';
import { apiVersionOf, verbsOf, type ResourceInfo } from '../../apimachinery/resources.ts';
import { ref, sortKeys, type GVK, type Schema } from './generate.ts';
import {
  API_GROUP,
  API_GROUP_LIST,
  API_RESOURCE_LIST,
  API_VERSIONS,
  DELETE_OPTIONS,
  PATCH,
  STATUS,
  VERSION_INFO,
  WATCH_EVENT,
  groupIdentifier,
  gvPath,
  opPrefix,
  tagFor,
} from './names.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface BuiltDocument {
  /** 'api/v1', 'apis/apps/v1', 'api', 'apis', 'apis/apps', 'version' */
  path: string;
  body: Buffer;
  /** upper-case hex SHA-512 of the body, as kube-apiserver computes it */
  hash: string;
  /** `"<hash>"` */
  etag: string;
}

// ---------------------------------------------------------------------------------------------------------------
// query parameters (descriptions are k8ts's own wording; the delete options come from the DeleteOptions schema)

interface Param {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: string; uniqueItems: true };
}

const q = (name: string, type: string, description: string): Param => ({ name, in: 'query', description, schema: { type, uniqueItems: true } });
const p = (name: string, description: string): Param => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

function params(schemas: Record<string, Schema>) {
  const del = schemas[DELETE_OPTIONS]?.properties ?? {};
  const d = (field: string, fallback: string) => del[field]?.description ?? fallback;
  return {
    pretty: q('pretty', 'string', "If 'true', the response is indented for reading."),
    namespace: p('namespace', 'object name and auth scope, such as for teams and projects'),
    dryRun: q('dryRun', 'string', d('dryRun', "When set to 'All', the request is fully processed but nothing is persisted.")),
    fieldManager: q('fieldManager', 'string', 'Name of the actor making the change, recorded in metadata.managedFields. Required for apply patches.'),
    fieldValidation: q(
      'fieldValidation',
      'string',
      'How the server treats unknown or duplicate fields in the request body: Ignore (drop them silently), Warn (drop them and return a warning header per field; the default) or Strict (reject the request with a BadRequest listing them).',
    ),
    force: q('force', 'boolean', 'For apply patches only: take ownership of fields other managers own instead of failing with a conflict.'),
    gracePeriodSeconds: q('gracePeriodSeconds', 'integer', d('gracePeriodSeconds', 'Seconds before the object is deleted.')),
    orphanDependents: q('orphanDependents', 'boolean', d('orphanDependents', 'Deprecated: use propagationPolicy.')),
    propagationPolicy: q('propagationPolicy', 'string', d('propagationPolicy', 'Orphan, Background or Foreground.')),
    allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'On a watch, allow BOOKMARK events carrying only a resourceVersion. Ignored otherwise.'),
    continue: q('continue', 'string', 'Token from a previous paged list response (metadata.continue) to fetch the next page. Not valid together with watch.'),
    fieldSelector: q('fieldSelector', 'string', 'Restrict the returned objects by field values, e.g. metadata.name=foo. Defaults to everything.'),
    labelSelector: q('labelSelector', 'string', 'Restrict the returned objects by their labels. Defaults to everything.'),
    limit: q('limit', 'integer', 'Maximum number of items to return in one page of a list; when more exist, metadata.continue is set. Not valid together with watch.'),
    resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions the request may be served from; see resourceVersionMatch. Defaults to unset (most recent).'),
    resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: NotOlderThan or Exact. Defaults to unset.'),
    sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true: start the stream with synthetic ADDED events for the current state, followed by a bookmark annotated k8s.io/initial-events-end. Requires resourceVersionMatch=NotOlderThan.'),
    timeoutSeconds: q('timeoutSeconds', 'integer', 'Limit on the duration of the list or watch call.'),
    watch: q('watch', 'boolean', 'Stream add, update and delete notifications for the described objects instead of returning a list.'),
    // pod subresources
    container: q('container', 'string', 'Name of the container; may be omitted when the pod has exactly one container.'),
    follow: q('follow', 'boolean', 'Stream the log while the container runs.'),
    insecureSkipTLSVerifyBackend: q('insecureSkipTLSVerifyBackend', 'boolean', "Do not verify the kubelet's serving certificate when fetching logs."),
    limitBytes: q('limitBytes', 'integer', 'Stop after this many bytes of log.'),
    previous: q('previous', 'boolean', 'Return the log of the previous, terminated instance of the container.'),
    sinceSeconds: q('sinceSeconds', 'integer', 'Only log lines newer than this many seconds.'),
    tailLines: q('tailLines', 'integer', 'Only this many lines from the end of the log.'),
    timestamps: q('timestamps', 'boolean', 'Prefix every log line with its RFC3339 timestamp.'),
    command: q('command', 'string', 'Command to run; repeat the parameter for each argument.'),
    stdin: q('stdin', 'boolean', 'Attach standard input.'),
    stdout: q('stdout', 'boolean', 'Attach standard output.'),
    stderr: q('stderr', 'boolean', 'Attach standard error.'),
    tty: q('tty', 'boolean', 'Allocate a terminal.'),
    ports: q('ports', 'integer', 'Pod ports to forward to.'),
    path: q('path', 'string', 'Path to forward the request to.'),
  };
}

type Params = ReturnType<typeof params>;

// ---------------------------------------------------------------------------------------------------------------

const OBJECT_TYPES = ['application/json', 'application/yaml'];
const LIST_TYPES = ['application/json', 'application/json;stream=watch', 'application/yaml'];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const content = (types: string[], schema: Schema) => Object.fromEntries(types.map((t) => [t, { schema }]));
const okResponses = (schema: Schema, types: string[], codes: [string, string][]) => {
  const out: Record<string, Json> = {};
  for (const [code, description] of codes) out[code] = { content: content(types, schema), description };
  out['401'] = { description: 'Unauthorized' };
  return out;
};

interface Op {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete' | 'head' | 'options';
  op: Json;
}

/** Builds the `paths` of one group-version from its resources. */
function buildPaths(group: string, version: string, resources: readonly ResourceInfo[], schemaOf: (r: ResourceInfo) => string, P: Params) {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ident = opPrefix(group, version);
  const tags = [tagFor(group, version)];
  const paths: Record<string, Json> = {};

  paths[`${prefix}/`] = {
    get: {
      description: 'get available resources',
      operationId: `get${ident}APIResources`,
      responses: okResponses(ref(API_RESOURCE_LIST), OBJECT_TYPES, [['200', 'OK']]),
      tags,
    },
  };

  const addPath = (path: string, ops: Op[], pathParams: Param[]) => {
    if (!ops.length) return;
    const item: Json = paths[path] ?? {};
    for (const { method, op } of ops) item[method] = sortKeys({ ...op, tags });
    item.parameters = pathParams;
    paths[path] = sortKeys(item);
  };

  const gvkOf = (g: string, v: string, kind: string): GVK => ({ group: g, kind, version: v });
  const listParams = [
    P.allowWatchBookmarks,
    P.continue,
    P.fieldSelector,
    P.labelSelector,
    P.limit,
    P.resourceVersion,
    P.resourceVersionMatch,
    P.sendInitialEvents,
    P.timeoutSeconds,
    P.watch,
  ];
  const writeParams = [P.dryRun, P.fieldManager, P.fieldValidation];
  const patchParams = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
  const deleteParams = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
  const deleteCollectionParams = [
    P.continue,
    P.dryRun,
    P.fieldSelector,
    P.gracePeriodSeconds,
    P.labelSelector,
    P.limit,
    P.orphanDependents,
    P.propagationPolicy,
    P.resourceVersion,
    P.resourceVersionMatch,
    P.sendInitialEvents,
    P.timeoutSeconds,
  ];

  for (const r of resources) {
    const verbs = new Set(verbsOf(r));
    const kind = r.kind;
    const gvk = gvkOf(group, version, kind);
    const objRef = ref(schemaOf(r));
    const listRef = ref(schemaOf(r) + 'List');
    const ns = r.namespaced ? 'Namespaced' : '';
    const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
    const item = `${collection}/{name}`;
    const nsParams = r.namespaced ? [P.namespace] : [];
    const nameParam = (what: string) => p('name', `name of the ${what}`);

    // collection: list, create, deletecollection
    const collOps: Op[] = [];
    if (verbs.has('deletecollection')) {
      collOps.push({
        method: 'delete',
        op: {
          description: `delete collection of ${kind}`,
          operationId: `delete${ident}Collection${ns}${kind}`,
          parameters: deleteCollectionParams,
          requestBody: { content: content(['*/*'], ref(DELETE_OPTIONS)) },
          responses: okResponses(ref(STATUS), OBJECT_TYPES, [['200', 'OK']]),
          'x-kubernetes-action': 'deletecollection',
          'x-kubernetes-group-version-kind': gvk,
        },
      });
    }
    if (verbs.has('list')) {
      collOps.push({
        method: 'get',
        op: {
          description: `list or watch objects of kind ${kind}`,
          operationId: `list${ident}${ns}${kind}`,
          parameters: listParams,
          responses: okResponses(listRef, LIST_TYPES, [['200', 'OK']]),
          'x-kubernetes-action': 'list',
          'x-kubernetes-group-version-kind': gvk,
        },
      });
    }
    if (verbs.has('create')) {
      collOps.push({
        method: 'post',
        op: {
          description: `create a ${kind}`,
          operationId: `create${ident}${ns}${kind}`,
          parameters: writeParams,
          requestBody: { content: content(['*/*'], objRef), required: true },
          responses: okResponses(objRef, OBJECT_TYPES, [
            ['200', 'OK'],
            ['201', 'Created'],
            ['202', 'Accepted'],
          ]),
          'x-kubernetes-action': 'post',
          'x-kubernetes-group-version-kind': gvk,
        },
      });
    }
    addPath(collection, collOps, [...nsParams, P.pretty]);

    // list across namespaces
    if (r.namespaced && verbs.has('list')) {
      addPath(
        `${prefix}/${r.resource}`,
        [
          {
            method: 'get',
            op: {
              description: `list or watch objects of kind ${kind}`,
              operationId: `list${ident}${kind}ForAllNamespaces`,
              responses: okResponses(listRef, LIST_TYPES, [['200', 'OK']]),
              'x-kubernetes-action': 'list',
              'x-kubernetes-group-version-kind': gvk,
            },
          },
        ],
        [...listParams.slice(0, 5), P.pretty, ...listParams.slice(5)],
      );
    }

    // single object: read, replace, patch, delete
    const itemOps: Op[] = [];
    if (verbs.has('delete')) {
      itemOps.push({
        method: 'delete',
        op: {
          description: `delete a ${kind}`,
          operationId: `delete${ident}${ns}${kind}`,
          parameters: deleteParams,
          requestBody: { content: content(['*/*'], ref(DELETE_OPTIONS)) },
          responses: okResponses(ref(STATUS), OBJECT_TYPES, [
            ['200', 'OK'],
            ['202', 'Accepted'],
          ]),
          'x-kubernetes-action': 'delete',
          'x-kubernetes-group-version-kind': gvk,
        },
      });
    }
    if (verbs.has('get')) itemOps.push(readOp(`read the specified ${kind}`, `read${ident}${ns}${kind}`, objRef, gvk));
    if (verbs.has('patch')) itemOps.push(patchOp(`partially update the specified ${kind}`, `patch${ident}${ns}${kind}`, objRef, gvk, patchParams));
    if (verbs.has('update')) itemOps.push(putOp(`replace the specified ${kind}`, `replace${ident}${ns}${kind}`, objRef, gvk, writeParams));
    addPath(item, itemOps, [nameParam(kind), ...nsParams, P.pretty]);

    // watch endpoints (deprecated upstream, still served and published)
    if (verbs.has('watch')) {
      const watchPathParams = (withName: boolean, withNs: boolean) => [
        ...listParams.slice(0, 5),
        ...(withName ? [nameParam(kind)] : []),
        ...(withNs ? [P.namespace] : []),
        P.pretty,
        ...listParams.slice(5),
      ];
      const watchOp = (description: string, operationId: string, action: string): Op => ({
        method: 'get',
        op: {
          description,
          operationId,
          responses: okResponses(ref(WATCH_EVENT), ['application/json', 'application/json;stream=watch', 'application/yaml'], [['200', 'OK']]),
          'x-kubernetes-action': action,
          'x-kubernetes-group-version-kind': gvk,
        },
      });
      const wcoll = r.namespaced ? `${prefix}/watch/namespaces/{namespace}/${r.resource}` : `${prefix}/watch/${r.resource}`;
      addPath(
        wcoll,
        [watchOp(`watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`, `watch${ident}${ns}${kind}List`, 'watchlist')],
        watchPathParams(false, r.namespaced),
      );
      addPath(
        `${wcoll}/{name}`,
        [watchOp(`watch changes to an object of kind ${kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`, `watch${ident}${ns}${kind}`, 'watch')],
        watchPathParams(true, r.namespaced),
      );
      if (r.namespaced) {
        addPath(
          `${prefix}/watch/${r.resource}`,
          [watchOp(`watch individual changes to a list of ${kind}. deprecated: use the 'watch' parameter with a list operation instead.`, `watch${ident}${kind}ListForAllNamespaces`, 'watchlist')],
          watchPathParams(false, false),
        );
      }
    }

    // subresources
    for (const sub of r.subresources ?? []) {
      const subPath = `${item}/${sub}`;
      const Sub = sub[0].toUpperCase() + sub.slice(1);
      switch (sub) {
        case 'status':
          addPath(
            subPath,
            [
              readOp(`read status of the specified ${kind}`, `read${ident}${ns}${kind}Status`, objRef, gvk),
              patchOp(`partially update status of the specified ${kind}`, `patch${ident}${ns}${kind}Status`, objRef, gvk, patchParams),
              putOp(`replace status of the specified ${kind}`, `replace${ident}${ns}${kind}Status`, objRef, gvk, writeParams),
            ],
            [nameParam(kind), ...nsParams, P.pretty],
          );
          break;
        case 'scale': {
          const scale = ref('io.k8s.api.autoscaling.v1.Scale');
          const sgvk = gvkOf('autoscaling', 'v1', 'Scale');
          addPath(
            subPath,
            [
              readOp(`read scale of the specified ${kind}`, `read${ident}${ns}${kind}Scale`, scale, sgvk),
              patchOp(`partially update scale of the specified ${kind}`, `patch${ident}${ns}${kind}Scale`, scale, sgvk, patchParams),
              putOp(`replace scale of the specified ${kind}`, `replace${ident}${ns}${kind}Scale`, scale, sgvk, writeParams),
            ],
            [nameParam('Scale'), ...nsParams, P.pretty],
          );
          break;
        }
        case 'binding':
        case 'eviction': {
          const [schema, sg, sv, sk] =
            sub === 'binding' ? ['io.k8s.api.core.v1.Binding', '', 'v1', 'Binding'] : ['io.k8s.api.policy.v1.Eviction', 'policy', 'v1', 'Eviction'];
          addPath(
            subPath,
            [
              {
                method: 'post',
                op: {
                  description: `create ${sub} of a ${kind}`,
                  operationId: `create${ident}${ns}${kind}${Sub}`,
                  parameters: writeParams,
                  requestBody: { content: content(['*/*'], ref(schema)), required: true },
                  responses: okResponses(ref(schema), OBJECT_TYPES, [
                    ['200', 'OK'],
                    ['201', 'Created'],
                    ['202', 'Accepted'],
                  ]),
                  'x-kubernetes-action': 'post',
                  'x-kubernetes-group-version-kind': gvkOf(sg, sv, sk),
                },
              },
            ],
            [p('name', `name of the ${sk}`), ...nsParams, P.pretty],
          );
          break;
        }
        case 'log':
          addPath(
            subPath,
            [
              {
                method: 'get',
                op: {
                  description: `read log of the specified ${kind}`,
                  operationId: `read${ident}${ns}${kind}Log`,
                  responses: okResponses({ type: 'string' }, ['application/json', 'application/yaml', 'text/plain'], [['200', 'OK']]),
                  'x-kubernetes-action': 'get',
                  'x-kubernetes-group-version-kind': gvk,
                },
              },
            ],
            [
              P.container,
              P.follow,
              P.insecureSkipTLSVerifyBackend,
              P.limitBytes,
              nameParam(kind),
              ...nsParams,
              P.pretty,
              P.previous,
              P.sinceSeconds,
              P.tailLines,
              P.timestamps,
            ],
          );
          break;
        case 'exec':
        case 'attach':
        case 'portforward':
        case 'proxy': {
          const optionsKind = { exec: 'ExecOptions', attach: 'AttachOptions', portforward: 'PortForwardOptions', proxy: 'ProxyOptions' }[sub];
          const cgvk = gvkOf(group, version, kind + optionsKind);
          const methods: Op['method'][] = sub === 'proxy' ? ['delete', 'get', 'head', 'options', 'patch', 'post', 'put'] : ['get', 'post'];
          const connect = (method: Op['method'], what: string): Op => ({
            method,
            op: {
              description: `connect ${method.toUpperCase()} requests to ${sub} of ${kind}`,
              operationId: `connect${ident}${cap(method)}${ns}${kind}${what}`,
              responses: okResponses({ type: 'string' }, ['*/*'], [['200', 'OK']]),
              'x-kubernetes-action': 'connect',
              'x-kubernetes-group-version-kind': cgvk,
            },
          });
          const subParams =
            sub === 'exec'
              ? [P.command, P.container]
              : sub === 'attach'
                ? [P.container]
                : sub === 'portforward'
                  ? []
                  : [P.path];
          const streams = sub === 'exec' || sub === 'attach' ? [P.stderr, P.stdin, P.stdout, P.tty] : [];
          addPath(
            subPath,
            methods.map((m) => connect(m, Sub)),
            [...subParams, p('name', `name of the ${kind}${optionsKind}`), ...nsParams, ...(sub === 'portforward' ? [P.ports] : []), ...streams],
          );
          if (sub === 'proxy') {
            addPath(
              `${subPath}/{path}`,
              methods.map((m) => connect(m, 'ProxyWithPath')),
              [p('name', `name of the ${kind}${optionsKind}`), ...nsParams, p('path', 'path to the resource'), P.path],
            );
          }
          break;
        }
      }
    }
  }

  const sorted: Record<string, Json> = {};
  for (const k of Object.keys(paths).sort()) sorted[k] = paths[k];
  return sorted;

  function readOp(description: string, operationId: string, schema: Schema, gvk: GVK): Op {
    return {
      method: 'get',
      op: {
        description,
        operationId,
        responses: okResponses(schema, OBJECT_TYPES, [['200', 'OK']]),
        'x-kubernetes-action': 'get',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
  }
  function putOp(description: string, operationId: string, schema: Schema, gvk: GVK, parameters: Param[]): Op {
    return {
      method: 'put',
      op: {
        description,
        operationId,
        parameters,
        requestBody: { content: content(['*/*'], schema), required: true },
        responses: okResponses(schema, OBJECT_TYPES, [
          ['200', 'OK'],
          ['201', 'Created'],
        ]),
        'x-kubernetes-action': 'put',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
  }
  function patchOp(description: string, operationId: string, schema: Schema, gvk: GVK, parameters: Param[]): Op {
    return {
      method: 'patch',
      op: {
        description,
        operationId,
        parameters,
        requestBody: { content: content(PATCH_TYPES, ref(PATCH)), required: true },
        responses: okResponses(schema, OBJECT_TYPES, [
          ['200', 'OK'],
          ['201', 'Created'],
        ]),
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
    };
  }
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

const REF_RE = /"\$ref":"#\/components\/schemas\/([^"]+)"/g;

/** `$ref` targets written anywhere in a JSON text (not following them). */
function refsIn(json: string): Set<string> {
  const out = new Set<string>();
  for (const m of json.matchAll(REF_RE)) out.add(m[1]);
  return out;
}

/**
 * Serializes documents, reusing each schema's JSON text across documents (the pod template subtree alone appears in
 * the core, apps and batch documents).
 */
class Serializer {
  private readonly refsOf = new Map<string, Set<string>>();
  private readonly jsonOf = new Map<string, string>();
  constructor(private readonly schemas: Record<string, Schema>) {}

  /** Every component schema reachable from the JSON text `rootJson`, sorted. */
  closure(rootJson: string): string[] {
    const seen = new Set<string>();
    const queue = [...refsIn(rootJson)];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      if (!this.schemas[name]) throw new Error(`openapi: schema ${name} referenced but not generated`);
      seen.add(name);
      let refs = this.refsOf.get(name);
      if (!refs) this.refsOf.set(name, (refs = refsIn(this.schemaJson(name))));
      for (const r of refs) if (!seen.has(r)) queue.push(r);
    }
    return [...seen].sort();
  }

  private schemaJson(name: string): string {
    let j = this.jsonOf.get(name);
    if (j === undefined) this.jsonOf.set(name, (j = JSON.stringify(this.schemas[name])));
    return j;
  }

  /** The document as upstream lays it out: components, info, openapi, paths, security. */
  document(paths: Record<string, Json>): string {
    const rest = JSON.stringify({
      info: { title: 'Kubernetes', version: 'unversioned' },
      openapi: '3.0.0',
      paths,
      security: [{ BearerToken: [] }],
    });
    const names = this.closure(rest);
    const schemasJson = names.map((n) => JSON.stringify(n) + ':' + this.schemaJson(n)).join(',');
    return (
      '{"components":{"schemas":{' +
      schemasJson +
      '},"securitySchemes":' +
      JSON.stringify({ BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } }) +
      '},' +
      rest.slice(1)
    );
  }
}

/** Every component schema reachable from `root` (follows `$ref`s through the schema map). */
export function collectRefs(root: unknown, schemas: Record<string, Schema>): string[] {
  return new Serializer(schemas).closure(JSON.stringify(root));
}

function seal(path: string, json: string): BuiltDocument {
  const body = Buffer.from(json);
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { path, body, hash, etag: `"${hash}"` };
}

const simpleGet = (path: string, operationId: string, description: string, schema: string, tag: string): Record<string, Json> => ({
  [path]: {
    get: {
      description,
      operationId,
      responses: okResponses(ref(schema), OBJECT_TYPES, [['200', 'OK']]),
      tags: [tag],
    },
  },
});

/**
 * Schema-name lookup for a resource's kind: the component whose GVK extension names it. Throws when
 * kubernetes-types has no such kind, so a resource table entry without a schema is caught at startup.
 */
export function kindIndex(schemas: Record<string, Schema>): Map<string, string> {
  const idx = new Map<string, string>();
  for (const [name, s] of Object.entries(schemas)) {
    for (const g of s['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${g.group}/${g.version}/${g.kind}`;
      if (!idx.has(key)) idx.set(key, name);
    }
  }
  return idx;
}

const groupVersionsOf = (resources: readonly ResourceInfo[]) => {
  const gvs = new Map<string, { group: string; version: string }>();
  for (const r of resources) gvs.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...gvs.values()];
};

/**
 * The schemas as served: the generated model plus the shared meta schemas completed for the served group-versions
 * (DeleteOptions and WatchEvent are one schema for every group-version upstream, each listed in its GVK extension).
 * Cheap; also returns the GVK -> schema-name index.
 */
export function prepareSchemas(baseSchemas: Record<string, Schema>, resources: readonly ResourceInfo[]) {
  const schemas: Record<string, Schema> = { ...baseSchemas };
  const sortedGvs = groupVersionsOf(resources).sort((a, b) => (a.group + '/' + a.version).localeCompare(b.group + '/' + b.version));
  for (const [name, kind] of [
    [DELETE_OPTIONS, 'DeleteOptions'],
    [WATCH_EVENT, 'WatchEvent'],
  ] as const) {
    const gvkList = sortedGvs.map((gv) => ({ group: gv.group, kind, version: gv.version }));
    if (!gvkList.some((g) => g.group === '' && g.version === 'v1')) gvkList.unshift({ group: '', kind, version: 'v1' });
    schemas[name] = { ...schemas[name], 'x-kubernetes-group-version-kind': gvkList };
  }
  const kinds = kindIndex(schemas);
  for (const r of resources) {
    const name = kinds.get(`${r.group}/${r.version}/${r.kind}`);
    if (!name) throw new Error(`openapi: no schema for ${apiVersionOf(r)} ${r.kind} in kubernetes-types`);
    if (!schemas[name + 'List']) throw new Error(`openapi: no list schema ${name}List`);
  }
  return { schemas, kinds };
}

/** Builds every document (group-versions and the discovery roots), sorted by path. Takes some tens of ms. */
export function buildDocuments(schemas: Record<string, Schema>, kinds: Map<string, string>, resources: readonly ResourceInfo[]) {
  const schemaOf = (r: ResourceInfo) => kinds.get(`${r.group}/${r.version}/${r.kind}`)!;
  const P = params(schemas);
  const ser = new Serializer(schemas);
  const gvs = groupVersionsOf(resources);

  const docs = new Map<string, BuiltDocument>();
  for (const gv of gvs) {
    const rs = resources.filter((r) => r.group === gv.group && r.version === gv.version);
    const paths = buildPaths(gv.group, gv.version, rs, schemaOf, P);
    const path = gvPath(gv.group, gv.version);
    docs.set(path, seal(path, ser.document(paths)));
  }
  // the discovery roots, as upstream publishes them
  docs.set('api', seal('api', ser.document(simpleGet('/api/', 'getCoreAPIVersions', 'get available API versions', API_VERSIONS, 'core'))));
  docs.set('apis', seal('apis', ser.document(simpleGet('/apis/', 'getAPIVersions', 'get available API versions', API_GROUP_LIST, 'apis'))));
  for (const group of new Set(gvs.map((g) => g.group).filter(Boolean))) {
    const id = groupIdentifier(group);
    const tag = id[0].toLowerCase() + id.slice(1);
    docs.set(`apis/${group}`, seal(`apis/${group}`, ser.document(simpleGet(`/apis/${group}/`, `get${id}APIGroup`, 'get information of a group', API_GROUP, tag))));
  }
  docs.set('version', seal('version', ser.document(simpleGet('/version/', 'getCodeVersion', 'get the version information for this server', VERSION_INFO, 'version'))));

  return new Map([...docs.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
