/**
 * The API server: HTTPS with client-certificate authentication in front of the registry.
 *
 *   request ─► authenticate (client cert → user; none → 401) ─► route
 *       /version /healthz /livez /readyz                     health and version
 *       /api /apis /apis/G /api/v1 /apis/G/V                discovery (legacy or aggregated by Accept)
 *       /openapi/v3[/PATH]                                   schemas (kubectl explain, apply validation)
 *       /api/v1/... /apis/G/V/...                            resources → handlers → Store → Backend
 *   errors anywhere ─► one Kubernetes Status (unknown errors: 500 InternalError, logged once)
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../storage/backend.ts';
import { findResource } from '../apimachinery/resources.ts';
import { badRequest, notFound, pathNotFound, unauthorized } from '../apimachinery/status.ts';
import type { Logger } from '../util/log.ts';
import {
  aggregatedDiscovery,
  apiGroupDoc,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery.ts';
import { managedFieldsTracker } from './fieldmanager/index.ts';
import { WarningRecorder } from './fieldvalidation.ts';
import { handleResource } from './handlers.ts';
import { toStatusError, writeJson, writeStatus } from './http.ts';
import { serveOpenApi, type OpenApi } from './openapi/index.ts';
import { openApiV2, serveOpenApiV2, type OpenApiV2 } from './openapi/v2/index.ts';
import { userFromSocket } from './pki/index.ts';
import { Registry } from './registry/index.ts';
import { parseRequest } from './request.ts';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+k8ts' };

export interface ApiServerOptions {
  backend: Backend;
  tls: { cert: string; key: string; ca: string };
  host: string;
  port: number;
  log: Logger;
  openapi?: OpenApi;
}

export class ApiServer {
  readonly registry: Registry;
  private server: https.Server | undefined;
  private readonly watches = new Set<() => void>();
  private address = '';
  private v2: OpenApiV2 | undefined;

  constructor(private readonly opts: ApiServerOptions) {
    this.registry = new Registry(opts.backend, {
      log: (msg, err) => opts.log.warn({ err }, msg),
      // managedFields bookkeeping on every create, update and patch (server-side apply computes its own).
      trackManagedFields: managedFieldsTracker((gvk) => opts.openapi?.schemaFor(gvk)),
    });
  }

  /** Starts the watch caches, creates the system namespaces, then listens. Resolves with the URL. */
  async start(): Promise<string> {
    await this.registry.start();
    const { tls } = this.opts;
    const server = https.createServer(
      // Header limit as Go's net/http (1 MiB) rather than Node's 16 KiB, which closes the connection with a 431.
      { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: false, maxHeaderSize: 1 << 20 },
      (req, res) => void this.handle(req, res),
    );
    server.keepAliveTimeout = 60_000;
    // A request that is not valid HTTP: answer with a Status (Node's default is a bare 400) and close.
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
      const body = JSON.stringify(badRequest(`malformed HTTP request: ${err.code ?? err.message}`).status);
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.address = `${host}:${addr.port}`;
    return `https://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    for (const stopWatch of [...this.watches]) stopWatch();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
    }
    this.registry.stop();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      const url = parseUrl(req.url ?? '/');
      const path = url.pathname;
      if (isHealth(path)) return this.health(path, res);
      const user = userFromSocket(req.socket as never);
      if (!user) throw unauthorized();
      await this.route(req, res, url);
    } catch (err) {
      const status = toStatusError(err);
      if (status.code >= 500) this.opts.log.error({ err, method: req.method, url: req.url }, 'request failed');
      // Answering before the client has sent its whole body makes Node close the connection under it (the client
      // sees ECONNRESET instead of the Status): read and discard the rest first, within bounds.
      await drain(req);
      writeStatus(res, status.status);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.opts.log.debug({ method: req.method, url: req.url, code: res.statusCode, ms }, 'request');
    }
  }

  private health(path: string, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(path.includes('verbose') ? '[+]ping ok\n[+]etcd ok\nhealthz check passed\n' : 'ok');
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const accept = req.headers.accept;
    if (path === '/version') return writeJson(res, 200, versionInfo());
    if (path === '/api' || path === '/apis') {
      const aggregated = wantsAggregated(accept);
      if (aggregated) {
        const body = aggregatedDiscovery(path === '/api', aggregated);
        return writeJson(res, 200, body, {
          'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`,
        });
      }
      return writeJson(res, 200, path === '/api' ? apiVersions(this.address) : apiGroupList());
    }
    if (path === '/openapi/v3' || path.startsWith('/openapi/v3/')) return this.openapi(path, req, res);
    if (path === '/openapi/v2') return this.openapiV2(path, req, res);
    const request = parseRequest(req.method ?? 'GET', path, url.searchParams);
    if (request.kind === 'nonresource') {
      const parts = path.split('/').filter(Boolean);
      if (parts[0] === 'apis' && parts.length === 2) {
        const doc = apiGroupDoc(parts[1]!);
        if (doc) return writeJson(res, 200, doc);
      }
      if ((parts[0] === 'api' && parts.length === 2) || (parts[0] === 'apis' && parts.length === 3)) {
        const [group, version] = parts[0] === 'api' ? ['', parts[1]!] : [parts[1]!, parts[2]!];
        const doc = apiResourceList(group, version);
        if (doc) return writeJson(res, 200, doc);
      }
      throw pathNotFound(path);
    }
    const info = findResource(request.group, request.version, request.resource);
    const store = info && this.registry.store(info.group, info.version, info.resource);
    if (!info || !store) throw notFound({ group: request.group, resource: request.resource }, request.name ?? '');
    await handleResource({
      store,
      info,
      req,
      res,
      request,
      query: url.searchParams,
      schema: this.opts.openapi?.schemaFor({ group: info.group, version: info.version, kind: info.kind }),
      schemaFor: (gvk) => this.opts.openapi?.schemaFor(gvk),
      warnings: new WarningRecorder(),
      trackWatch: (stop) => {
        this.watches.add(stop);
        return () => this.watches.delete(stop);
      },
      log: (msg, err) => this.opts.log.warn({ err }, msg),
    });
  }

  /** Swagger 2.0, as protobuf or JSON: kubectl 1.27/1.28 read it for apply and explain. Built on first use. */
  private openapiV2(path: string, req: IncomingMessage, res: ServerResponse): void {
    if (!this.opts.openapi) throw pathNotFound(path);
    this.v2 ??= openApiV2(this.opts.openapi, { version: KUBERNETES_VERSION.gitVersion });
    const answer = serveOpenApiV2(this.v2, req.headers.accept, req.headers['if-none-match']);
    res.writeHead(answer.status, { 'Content-Length': answer.body.length, ...answer.headers });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }

  private openapi(path: string, req: IncomingMessage, res: ServerResponse): void {
    const api = this.opts.openapi;
    const answer = api && serveOpenApi(api, req.url ?? path, req.headers);
    if (!answer) throw pathNotFound(path);
    res.writeHead(answer.status, { 'Content-Length': answer.body.length, ...answer.headers });
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }
}

const DRAIN_MAX_BYTES = 16 << 20;
const DRAIN_MAX_MS = 10_000;

function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    req.on('data', onData);
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
    req.resume();
  });
}

function parseUrl(raw: string): URL {
  try {
    // A request target must be a path: '//x' would otherwise be read as a host.
    return new URL(raw.replace(/^\/+/, '/'), 'https://localhost');
  } catch {
    throw badRequest(`invalid request URI ${JSON.stringify(raw.slice(0, 200))}`);
  }
}

const isHealth = (path: string) => /^\/(healthz|livez|readyz)(\/.*)?$/.test(path);

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'k8ts',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
