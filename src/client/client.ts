/**
 * The typed client every component uses to talk to the API server (client-go's rest + dynamic + typed clients in
 * one). Generic methods take a `Resource` (a ResourceInfo from apimachinery/resources.ts, see kinds.ts) and speak
 * plain JSON over HTTPS with one keep-alive agent; typed accessors (`client.pods`, `client.nodes`, …) are thin
 * wrappers over them.
 *
 *   client.get/list/create/update/updateStatus/patch/delete ─► request() ─► send() ─► node:https (keep-alive)
 *   client.watch ─► send() ─► Watch: newline-delimited JSON events as an async iterable
 *
 * Errors (errors.ts): a non-2xx answer throws StatusError with the server's Status; no answer throws ConnectionError
 * (retryable). 429 and 5xx answers carrying Retry-After are retried after that many seconds (at most `maxRetries`
 * times, as client-go); a GET whose pooled connection turns out to be reset is sent again once (as client-go, only
 * GETs: a write the server may have received is never sent twice).
 *
 * Observability: every request is published on the `k8ts:client:request` diagnostics channel as
 * `{ method, path, code?, ms, error? }` (nothing is computed when nobody subscribes).
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import https from 'node:https';
import type { Binding, Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Status } from '../apimachinery/status.ts';
import { LabelSelector, labelsToString } from '../apimachinery/labels.ts';
import { ConnectionError, statusErrorFromResponse, isResourceExpired } from './errors.ts';
import { defaultKubeconfigPath, loadKubeconfig } from './kubeconfig.ts';
import * as K from './kinds.ts';
import type { KubeObject, Resource } from './kinds.ts';

export interface ClientOptions {
  /** `https://host:port` (or `http://` for tests against a plain server). */
  server: string;
  /** PEM of the CA to trust (default: the system's). */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  /** Bearer token. */
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** The name to verify the server's certificate against instead of the URL's host. */
  tlsServerName?: string;
  /** Sent as User-Agent; the server takes its first `/`-separated part as the default field manager. */
  userAgent?: string;
  /** Limit on each request, from sending to the last byte of the answer (for a watch: to its first); 0 = none. Default 60 s. */
  timeoutMs?: number;
  /** Retries of an answer with Retry-After (429, 5xx). Default 10, as client-go. */
  maxRetries?: number;
}

export const DEFAULT_USER_AGENT = `k8ts/0.1.0 (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch})`;

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** A label selector as a query string, a parsed selector, or a set of labels that must all match. */
export type LabelSelectorInput = string | LabelSelector | Record<string, string>;

interface Cancellable {
  signal?: AbortSignal;
}

export interface GetOptions extends Cancellable {
  resourceVersion?: string;
}

export interface ListOptions extends Cancellable {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** '' (default): most recent, consistent; '0': any, served from the cache at once. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
}

export interface WatchOptions extends Cancellable {
  labelSelector?: LabelSelectorInput;
  fieldSelector?: string;
  /** Events after this version; unset: synthetic ADDED events for the current state first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the watch (cleanly) after this long. */
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export interface WriteOptions extends Cancellable {
  dryRun?: boolean;
  fieldManager?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** apply only: take ownership of fields other managers own. */
  force?: boolean;
  /** e.g. 'status', 'scale'. */
  subresource?: string;
}

export interface DeleteOptions extends Cancellable {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

export interface RequestOptions extends Cancellable {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Default application/json when there is a body. */
  contentType?: string;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

const requestChannel = diagnostics.channel('k8ts:client:request');

/** Upstream's paging size for informers and `listAll`. */
export const LIST_PAGE_SIZE = 500;

export class Client {
  readonly server: URL;
  readonly userAgent: string;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly tls: Pick<https.RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;

  readonly namespaces: NamespaceClient;
  readonly nodes: ClusterResourceClient<Node>;
  readonly persistentVolumes: ClusterResourceClient<K.ObjectOf<typeof K.PERSISTENTVOLUMES>>;
  readonly ingressClasses: ClusterResourceClient<K.ObjectOf<typeof K.INGRESSCLASSES>>;
  readonly pods: PodClient;
  readonly services: NamespacedResourceClient<K.ObjectOf<typeof K.SERVICES>>;
  readonly endpoints: NamespacedResourceClient<K.ObjectOf<typeof K.ENDPOINTS>>;
  readonly endpointSlices: NamespacedResourceClient<K.ObjectOf<typeof K.ENDPOINTSLICES>>;
  readonly configMaps: NamespacedResourceClient<K.ObjectOf<typeof K.CONFIGMAPS>>;
  readonly secrets: NamespacedResourceClient<K.ObjectOf<typeof K.SECRETS>>;
  readonly serviceAccounts: NamespacedResourceClient<K.ObjectOf<typeof K.SERVICEACCOUNTS>>;
  readonly persistentVolumeClaims: NamespacedResourceClient<K.ObjectOf<typeof K.PERSISTENTVOLUMECLAIMS>>;
  readonly resourceQuotas: NamespacedResourceClient<K.ObjectOf<typeof K.RESOURCEQUOTAS>>;
  readonly limitRanges: NamespacedResourceClient<K.ObjectOf<typeof K.LIMITRANGES>>;
  /** core/v1 Events. */
  readonly events: NamespacedResourceClient<K.ObjectOf<typeof K.EVENTS>>;
  /** events.k8s.io/v1 Events. */
  readonly eventsV1: NamespacedResourceClient<K.ObjectOf<typeof K.EVENTS_V1>>;
  readonly leases: NamespacedResourceClient<K.ObjectOf<typeof K.LEASES>>;
  readonly deployments: ScalableClient<K.ObjectOf<typeof K.DEPLOYMENTS>>;
  readonly replicaSets: ScalableClient<K.ObjectOf<typeof K.REPLICASETS>>;
  readonly statefulSets: ScalableClient<K.ObjectOf<typeof K.STATEFULSETS>>;
  readonly daemonSets: NamespacedResourceClient<K.ObjectOf<typeof K.DAEMONSETS>>;
  readonly controllerRevisions: NamespacedResourceClient<K.ObjectOf<typeof K.CONTROLLERREVISIONS>>;
  readonly jobs: NamespacedResourceClient<K.ObjectOf<typeof K.JOBS>>;
  readonly cronJobs: NamespacedResourceClient<K.ObjectOf<typeof K.CRONJOBS>>;
  readonly horizontalPodAutoscalers: NamespacedResourceClient<K.ObjectOf<typeof K.HORIZONTALPODAUTOSCALERS>>;
  readonly podDisruptionBudgets: NamespacedResourceClient<K.ObjectOf<typeof K.PODDISRUPTIONBUDGETS>>;
  readonly ingresses: NamespacedResourceClient<K.ObjectOf<typeof K.INGRESSES>>;
  readonly networkPolicies: NamespacedResourceClient<K.ObjectOf<typeof K.NETWORKPOLICIES>>;

  constructor(opts: ClientOptions) {
    this.server = new URL(opts.server);
    if (this.server.protocol !== 'https:' && this.server.protocol !== 'http:') {
      throw new TypeError(`client: server ${opts.server} is not an http(s) URL`);
    }
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxRetries = opts.maxRetries ?? 10;
    const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxFreeSockets: 16, scheduling: 'lifo' as const };
    if (this.server.protocol === 'https:') {
      this.transport = https;
      this.tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: !opts.insecureSkipTlsVerify,
        ...(opts.tlsServerName ? { servername: opts.tlsServerName } : {}),
      };
      this.agent = new https.Agent({ ...agentOptions, ...this.tls });
    } else {
      this.transport = http;
      this.tls = {};
      this.agent = new http.Agent(agentOptions);
    }

    const ns = <T extends KubeObject>(r: Resource<T>) => new NamespacedResourceClient<T>(this, r);
    const cluster = <T extends KubeObject>(r: Resource<T>) => new ClusterResourceClient<T>(this, r);
    this.namespaces = new NamespaceClient(this, K.NAMESPACES);
    this.nodes = cluster(K.NODES);
    this.persistentVolumes = cluster(K.PERSISTENTVOLUMES);
    this.ingressClasses = cluster(K.INGRESSCLASSES);
    this.pods = new PodClient(this, K.PODS);
    this.services = ns(K.SERVICES);
    this.endpoints = ns(K.ENDPOINTS);
    this.endpointSlices = ns(K.ENDPOINTSLICES);
    this.configMaps = ns(K.CONFIGMAPS);
    this.secrets = ns(K.SECRETS);
    this.serviceAccounts = ns(K.SERVICEACCOUNTS);
    this.persistentVolumeClaims = ns(K.PERSISTENTVOLUMECLAIMS);
    this.resourceQuotas = ns(K.RESOURCEQUOTAS);
    this.limitRanges = ns(K.LIMITRANGES);
    this.events = ns(K.EVENTS);
    this.eventsV1 = ns(K.EVENTS_V1);
    this.leases = ns(K.LEASES);
    this.deployments = new ScalableClient(this, K.DEPLOYMENTS);
    this.replicaSets = new ScalableClient(this, K.REPLICASETS);
    this.statefulSets = new ScalableClient(this, K.STATEFULSETS);
    this.daemonSets = ns(K.DAEMONSETS);
    this.controllerRevisions = ns(K.CONTROLLERREVISIONS);
    this.jobs = ns(K.JOBS);
    this.cronJobs = ns(K.CRONJOBS);
    this.horizontalPodAutoscalers = ns(K.HORIZONTALPODAUTOSCALERS);
    this.podDisruptionBudgets = ns(K.PODDISRUPTIONBUDGETS);
    this.ingresses = ns(K.INGRESSES);
    this.networkPolicies = ns(K.NETWORKPOLICIES);
  }

  /** A client for the kubeconfig's context (default: `$KUBECONFIG` or ~/.kube/config, its current context). */
  static async fromKubeconfig(
    file: string = defaultKubeconfigPath(),
    opts: { context?: string } & Partial<Omit<ClientOptions, 'server'>> = {},
  ): Promise<Client> {
    const { context, ...rest } = opts;
    const kc = await loadKubeconfig(file, context);
    return new Client({
      server: kc.server,
      ca: kc.ca,
      cert: kc.cert,
      key: kc.key,
      token: kc.token,
      insecureSkipTlsVerify: kc.insecureSkipTlsVerify,
      tlsServerName: kc.tlsServerName,
      ...rest,
    });
  }

  /** Closes pooled connections. Open watches end (their iteration stops quietly). */
  close(): void {
    this.agent.destroy();
  }

  /** A typed client for any namespaced resource. @throws TypeError for a cluster-scoped one */
  namespaced<T extends KubeObject>(resource: Resource<T>): NamespacedResourceClient<T> {
    if (!resource.namespaced) throw new TypeError(`client: ${resource.resource} are cluster-scoped`);
    return new NamespacedResourceClient<T>(this, resource);
  }

  /** A typed client for any cluster-scoped resource. @throws TypeError for a namespaced one */
  clusterScoped<T extends KubeObject>(resource: Resource<T>): ClusterResourceClient<T> {
    if (resource.namespaced) throw new TypeError(`client: ${resource.resource} are namespaced`);
    return new ClusterResourceClient<T>(this, resource);
  }

  // ---- generic verbs ----------------------------------------------------------------------------------------------

  async get<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, name: string, opts: GetOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'GET',
      path: resourcePath(res, namespace, name),
      query: { resourceVersion: opts.resourceVersion },
      signal: opts.signal,
    });
  }

  /** One page (or everything, without `limit`); `namespace` undefined lists across all namespaces. */
  async list<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.request<ObjectList<T>>({
      method: 'GET',
      path: resourcePath(res, namespace, undefined, undefined, 'list'),
      query: {
        labelSelector: selectorString(opts.labelSelector),
        fieldSelector: opts.fieldSelector || undefined,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
    });
  }

  /**
   * Every page of a list (`limit` per page, default 500), as one list at the first page's resourceVersion. A continue
   * token that expires mid-way (410) falls back to one unpaginated list, as client-go's pager does.
   */
  async listAll<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    opts: Omit<ListOptions, 'continue'> = {},
  ): Promise<ObjectList<T>> {
    const limit = opts.limit ?? LIST_PAGE_SIZE;
    const first = await this.list(res, namespace, { ...opts, limit });
    const items = [...first.items];
    let token = first.metadata.continue;
    while (token) {
      let page: ObjectList<T>;
      try {
        page = await this.list(res, namespace, { ...opts, limit, continue: token, resourceVersion: undefined });
      } catch (err) {
        if (!isResourceExpired(err)) throw err;
        return this.list(res, namespace, { ...opts, limit: undefined });
      }
      items.push(...page.items);
      token = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  async create<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'POST',
      path: resourcePath(res, namespace, undefined, undefined, 'list'),
      query: writeQuery(opts),
      body: withTypeMeta(res, obj),
      signal: opts.signal,
    });
  }

  /** PUT of the whole object; its metadata.resourceVersion (if set) is a precondition: stale → 409 Conflict. */
  async update<T extends KubeObject>(res: Resource<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const { namespace, name } = addressOf(res, obj);
    return this.request<T>({
      method: 'PUT',
      path: resourcePath(res, namespace, name),
      query: writeQuery(opts),
      body: withTypeMeta(res, obj),
      signal: opts.signal,
    });
  }

  /** PUT to /status: only the status is written. */
  async updateStatus<T extends KubeObject>(res: Resource<T>, obj: T, opts: WriteOptions = {}): Promise<T> {
    const { namespace, name } = addressOf(res, obj);
    return this.request<T>({
      method: 'PUT',
      path: resourcePath(res, namespace, name, 'status'),
      query: writeQuery(opts),
      body: withTypeMeta(res, obj),
      signal: opts.signal,
    });
  }

  /**
   * PATCH with `type`: 'merge' (RFC 7386), 'strategic', 'json' (RFC 6902, `body` is the operation list), or 'apply'
   * (server-side apply: `body` is the applied configuration; `fieldManager` is required, `force` takes conflicts).
   */
  async patch<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    body: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) {
      throw new TypeError('client: an apply patch needs a fieldManager');
    }
    return this.request<T>({
      method: 'PATCH',
      path: resourcePath(res, namespace, name, opts.subresource),
      query: { ...writeQuery(opts), force: type === 'apply' && opts.force ? true : undefined },
      body,
      contentType: PATCH_CONTENT_TYPES[type],
      signal: opts.signal,
    });
  }

  /**
   * DELETE. Resolves with the object as the server returned it: gone (200), or still there with a deletionTimestamp
   * while finalizers or a grace period run (202). A Status is returned by servers that answer with one.
   */
  async delete<T extends KubeObject>(
    res: Resource<T>,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<T | Status> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.request<T | Status>({
      method: 'DELETE',
      path: resourcePath(res, namespace, name),
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body,
      signal: opts.signal,
    });
  }

  /**
   * Opens a watch. Rejects like any request (410 Expired for a too-old resourceVersion); resolves once the server
   * has accepted it, with a Watch to iterate. The iteration ends quietly when the server ends the watch (timeout,
   * shutdown) or `signal` aborts or `close()` is called; it throws ConnectionError when the stream breaks.
   * ERROR events (a Status, e.g. 410 after the server's cache was re-initialised) are yielded, not thrown.
   */
  async watch<T extends KubeObject>(res: Resource<T>, namespace: string | undefined, opts: WatchOptions = {}): Promise<Watch<T>> {
    const path = resourcePath(res, namespace, undefined, undefined, 'list');
    const query = {
      watch: true,
      labelSelector: selectorString(opts.labelSelector),
      fieldSelector: opts.fieldSelector || undefined,
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks || undefined,
      timeoutSeconds: opts.timeoutSeconds,
      sendInitialEvents: opts.sendInitialEvents,
    };
    const { res: response, release } = await this.exchange({ method: 'GET', path, query, signal: opts.signal }, true);
    return new Watch<T>(response, release, opts.signal);
  }

  /** Any request; the answer's JSON (undefined for an empty body). */
  async request<T>(opts: RequestOptions): Promise<T> {
    const { res, release } = await this.exchange(opts, false);
    try {
      const text = (await readAll(res)).toString('utf8');
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw this.transportError(err, opts);
    } finally {
      release();
    }
  }

  // ---- HTTP -------------------------------------------------------------------------------------------------------

  /**
   * Sends the request and waits for a 2xx answer's headers (retrying as the file comment says). Non-2xx answers are
   * read and thrown as StatusError. `release` detaches the abort listener and the deadline.
   */
  private async exchange(
    opts: RequestOptions,
    streaming: boolean,
  ): Promise<{ res: http.IncomingMessage; release: () => void }> {
    const path = opts.path + queryString(opts.query);
    const body =
      opts.body === undefined
        ? undefined
        : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { Accept: 'application/json', 'User-Agent': this.userAgent };
    if (body) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = body.length;
    }
    if (this.token) headers.Authorization = `Bearer ${this.token}`;

    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      const started = performance.now();
      const { res, release } = await this.send(opts.method, path, headers, body, opts.signal, streaming).catch((err) => {
        publish(opts.method, opts.path, started, undefined, err);
        throw this.transportError(err, opts);
      });
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) {
        publish(opts.method, opts.path, started, code);
        return { res, release };
      }
      let text: string;
      try {
        text = (await readAll(res)).toString('utf8');
      } catch (err) {
        throw this.transportError(err, opts);
      } finally {
        release();
      }
      publish(opts.method, opts.path, started, code);
      const retryAfter = retryAfterSeconds(res.headers['retry-after']);
      if (retryAfter !== undefined && (code === 429 || code >= 500) && attempt < this.maxRetries) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, Math.min(retryAfter, 60) * 1000);
          function done() {
            clearTimeout(t);
            opts.signal?.removeEventListener('abort', done);
            resolve();
          }
          opts.signal?.addEventListener('abort', done, { once: true });
        });
        continue;
      }
      throw statusErrorFromResponse(code, text, retryAfter);
    }
  }

  private send(
    method: string,
    path: string,
    headers: http.OutgoingHttpHeaders,
    body: Buffer | undefined,
    signal: AbortSignal | undefined,
    streaming: boolean,
  ): Promise<{ res: http.IncomingMessage; release: () => void }> {
    const attempt = (retryStale: boolean) =>
      new Promise<{ res: http.IncomingMessage; release: () => void }>((resolve, reject) => {
        const req = this.transport.request({
          protocol: this.server.protocol,
          hostname: this.server.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: this.server.port || (this.server.protocol === 'https:' ? 443 : 80),
          method,
          path,
          headers,
          agent: this.agent,
          ...this.tls,
        });
        let timer: NodeJS.Timeout | undefined;
        const release = () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const onAbort = () => req.destroy(abortReason(signal!) as Error);
        signal?.addEventListener('abort', onAbort, { once: true });
        // The whole exchange is bounded; a watch only until its answer starts (then it lasts as long as it lasts).
        if (this.timeoutMs > 0) {
          timer = setTimeout(
            () => req.destroy(new ConnectionError(`no answer within ${this.timeoutMs} ms`, { code: 'ETIMEDOUT' })),
            this.timeoutMs,
          );
        }
        req.once('response', (res) => {
          if (streaming && timer) clearTimeout(timer);
          resolve({ res, release });
        });
        req.once('error', (err: NodeJS.ErrnoException) => {
          release();
          // A pooled connection the server had closed (idle timeout, restart): a GET is safe to send again.
          if (retryStale && method === 'GET' && req.reusedSocket && err.code === 'ECONNRESET' && !signal?.aborted) {
            resolve(attempt(false));
          } else reject(err);
        });
        req.end(body);
      });
    return attempt(true);
  }

  private transportError(err: unknown, opts: RequestOptions): unknown {
    if (opts.signal?.aborted) return abortReason(opts.signal);
    if (err instanceof ConnectionError) {
      return new ConnectionError(`${opts.method} ${this.server.origin}${opts.path}: ${err.message}`, {
        code: err.code,
        cause: err,
      });
    }
    if (err instanceof SyntaxError) return err;
    const e = err as NodeJS.ErrnoException;
    return new ConnectionError(`${opts.method} ${this.server.origin}${opts.path}: ${e.message ?? String(err)}`, {
      code: e.code,
      cause: err,
    });
  }
}

// ---- typed accessors ------------------------------------------------------------------------------------------------

/** Verbs on one namespaced resource. */
export class NamespacedResourceClient<T extends KubeObject> {
  constructor(
    readonly client: Client,
    readonly resource: Resource<T>,
  ) {}
  get(namespace: string, name: string, opts?: GetOptions): Promise<T> {
    return this.client.get(this.resource, namespace, name, opts);
  }
  /** `namespace` undefined: across all namespaces. */
  list(namespace?: string, opts?: ListOptions): Promise<ObjectList<T>> {
    return this.client.list(this.resource, namespace, opts);
  }
  listAll(namespace?: string, opts?: Omit<ListOptions, 'continue'>): Promise<ObjectList<T>> {
    return this.client.listAll(this.resource, namespace, opts);
  }
  create(namespace: string, obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.create(this.resource, namespace, obj, opts);
  }
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.update(this.resource, obj, opts);
  }
  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.updateStatus(this.resource, obj, opts);
  }
  patch(namespace: string, name: string, type: PatchType, body: unknown, opts?: PatchOptions): Promise<T> {
    return this.client.patch(this.resource, namespace, name, type, body, opts);
  }
  delete(namespace: string, name: string, opts?: DeleteOptions): Promise<T | Status> {
    return this.client.delete(this.resource, namespace, name, opts);
  }
  watch(namespace?: string, opts?: WatchOptions): Promise<Watch<T>> {
    return this.client.watch(this.resource, namespace, opts);
  }
}

/** Verbs on one cluster-scoped resource. */
export class ClusterResourceClient<T extends KubeObject> {
  constructor(
    readonly client: Client,
    readonly resource: Resource<T>,
  ) {}
  get(name: string, opts?: GetOptions): Promise<T> {
    return this.client.get(this.resource, undefined, name, opts);
  }
  list(opts?: ListOptions): Promise<ObjectList<T>> {
    return this.client.list(this.resource, undefined, opts);
  }
  listAll(opts?: Omit<ListOptions, 'continue'>): Promise<ObjectList<T>> {
    return this.client.listAll(this.resource, undefined, opts);
  }
  create(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.create(this.resource, undefined, obj, opts);
  }
  update(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.update(this.resource, obj, opts);
  }
  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    return this.client.updateStatus(this.resource, obj, opts);
  }
  patch(name: string, type: PatchType, body: unknown, opts?: PatchOptions): Promise<T> {
    return this.client.patch(this.resource, undefined, name, type, body, opts);
  }
  delete(name: string, opts?: DeleteOptions): Promise<T | Status> {
    return this.client.delete(this.resource, undefined, name, opts);
  }
  watch(opts?: WatchOptions): Promise<Watch<T>> {
    return this.client.watch(this.resource, undefined, opts);
  }
}

export class PodClient extends NamespacedResourceClient<Pod> {
  /**
   * POST pods/NAME/binding: assigns the pod to `nodeName` (the scheduler's bind). 409 Conflict when the pod is
   * already bound or being deleted. `uid` guards against binding a pod recreated under the same name.
   */
  async bind(namespace: string, name: string, nodeName: string, opts: WriteOptions & { uid?: string } = {}): Promise<void> {
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, ...(opts.uid ? { uid: opts.uid } : {}) },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    };
    await this.client.request({
      method: 'POST',
      path: resourcePath(this.resource, namespace, name, 'binding'),
      query: writeQuery(opts),
      body: binding,
      signal: opts.signal,
    });
  }
}

export interface Scale {
  apiVersion?: 'autoscaling/v1';
  kind?: 'Scale';
  metadata?: KubeObject['metadata'];
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export class ScalableClient<T extends KubeObject> extends NamespacedResourceClient<T> {
  async getScale(namespace: string, name: string, opts?: Cancellable): Promise<Scale> {
    return this.client.request<Scale>({
      method: 'GET',
      path: resourcePath(this.resource, namespace, name, 'scale'),
      signal: opts?.signal,
    });
  }
  /** Sets spec.replicas through the scale subresource (`resourceVersion` makes it conditional). */
  async updateScale(namespace: string, name: string, replicas: number, opts: WriteOptions & { resourceVersion?: string } = {}): Promise<Scale> {
    const scale: Scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name, namespace, ...(opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {}) },
      spec: { replicas },
    };
    return this.client.request<Scale>({
      method: 'PUT',
      path: resourcePath(this.resource, namespace, name, 'scale'),
      query: writeQuery(opts),
      body: scale,
      signal: opts.signal,
    });
  }
}

export class NamespaceClient extends ClusterResourceClient<Namespace> {
  /** PUT namespaces/NAME/finalize: replaces spec.finalizers (the namespace controller's last step). */
  async finalize(ns: Namespace, opts: WriteOptions = {}): Promise<Namespace> {
    const name = ns.metadata?.name;
    if (!name) throw new TypeError('client: finalize needs metadata.name');
    return this.client.request<Namespace>({
      method: 'PUT',
      path: resourcePath(this.resource, undefined, name, 'finalize'),
      query: writeQuery(opts),
      body: withTypeMeta(this.resource, ns),
      signal: opts.signal,
    });
  }
}

// ---- Watch ----------------------------------------------------------------------------------------------------------

/** One open watch: an async iterable of events, read once. `close()` ends it from the client side. */
export class Watch<T> implements AsyncIterable<WatchEvent<T>> {
  private closed = false;
  private iterated = false;

  constructor(
    private readonly res: http.IncomingMessage,
    private readonly release: () => void,
    private readonly signal?: AbortSignal,
  ) {}

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.res.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    if (this.iterated) throw new Error('client: a Watch can be iterated only once');
    this.iterated = true;
    this.res.setEncoding('utf8');
    let buffered = '';
    let ended = false;
    try {
      try {
        for await (const chunk of this.res as AsyncIterable<string>) {
          buffered += chunk;
          for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
            const line = buffered.slice(0, i);
            buffered = buffered.slice(i + 1);
            if (line.trim()) yield decodeEvent<T>(line);
          }
        }
        ended = true;
      } catch (err) {
        if (this.closed || this.signal?.aborted) return;
        throw new ConnectionError(`watch stream broken: ${(err as Error).message}`, {
          code: (err as NodeJS.ErrnoException).code,
          cause: err,
        });
      }
      if (ended && buffered.trim()) yield decodeEvent<T>(buffered);
    } finally {
      this.close();
    }
  }
}

function decodeEvent<T>(line: string): WatchEvent<T> {
  let ev: { type?: unknown; object?: unknown };
  try {
    ev = JSON.parse(line);
  } catch (err) {
    throw new ConnectionError(`unable to decode an event from the watch stream: ${(err as Error).message}`, {
      code: 'EBADEVENT',
    });
  }
  if (!ev || typeof ev.type !== 'string' || typeof ev.object !== 'object' || ev.object === null) {
    throw new ConnectionError(`unable to decode an event from the watch stream: ${line.slice(0, 200)}`, {
      code: 'EBADEVENT',
    });
  }
  return ev as WatchEvent<T>;
}

// ---- helpers --------------------------------------------------------------------------------------------------------

/**
 * /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]] (or /apis/G/V/…). `mode` 'list' allows a missing namespace
 * (all namespaces) and no name.
 * @throws TypeError when the address does not fit the resource's scope
 */
export function resourcePath(
  res: Resource<KubeObject>,
  namespace: string | undefined,
  name?: string,
  subresource?: string,
  mode: 'object' | 'list' = 'object',
): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  let path = base;
  if (res.namespaced) {
    if (namespace) path += `/namespaces/${encodeURIComponent(namespace)}`;
    else if (mode === 'object') throw new TypeError(`client: ${res.resource} are namespaced; a namespace is required`);
  } else if (namespace) {
    throw new TypeError(`client: ${res.resource} are cluster-scoped; got namespace "${namespace}"`);
  }
  path += `/${res.resource}`;
  if (mode === 'object') {
    if (!name) throw new TypeError(`client: ${res.resource}: a name is required`);
    path += `/${encodeURIComponent(name)}`;
    if (subresource) path += `/${subresource}`;
  }
  return path;
}

function addressOf(res: Resource<KubeObject>, obj: KubeObject): { namespace: string | undefined; name: string } {
  const name = obj.metadata?.name;
  if (!name) throw new TypeError(`client: ${res.resource}: the object has no metadata.name`);
  return { namespace: res.namespaced ? obj.metadata?.namespace : undefined, name };
}

/** apiVersion and kind filled in when absent, so that a typed object literal is a valid body. */
function withTypeMeta<T extends KubeObject>(res: Resource<KubeObject>, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { apiVersion: res.group ? `${res.group}/${res.version}` : res.version, kind: res.kind, ...obj };
}

function selectorString(sel: LabelSelectorInput | undefined): string | undefined {
  if (sel === undefined) return undefined;
  if (typeof sel === 'string') return sel || undefined;
  if (sel instanceof LabelSelector) {
    if (sel.matchesNothing) throw new TypeError('client: a selector that matches nothing cannot be sent');
    return sel.toString() || undefined;
  }
  return labelsToString(sel) || undefined;
}

function writeQuery(opts: WriteOptions): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager };
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function readAll(res: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function retryAfterSeconds(header: string | undefined): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Math.max(1, Number(header.trim()));
}

function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new DOMException('This operation was aborted', 'AbortError');
}

function publish(method: string, path: string, started: number, code?: number, error?: unknown): void {
  if (!requestChannel.hasSubscribers) return;
  requestChannel.publish({ method, path, code, ms: performance.now() - started, error });
}
