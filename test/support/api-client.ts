/**
 * A deliberately raw HTTPS client for the API server, for fuzzing and benchmarks: one keep-alive `https.Agent` with the
 * kubeconfig's client certificate, requests sent exactly as given (method, path, headers and body bytes untouched),
 * and every outcome reported instead of thrown: a status with its body, or a transport error (with whether the
 * response had started). Watches are read as a stream of newline-delimited JSON events.
 */
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';

export interface RawRequest {
  method: string;
  /** Path and query, sent as is (the caller encodes). */
  path: string;
  headers?: Record<string, string | number>;
  /** Sent as is; undefined = no body. With `chunked`, sent without Content-Length. */
  body?: Buffer | string;
  chunked?: boolean;
  /** Abort after this many ms (default 15 s). */
  timeoutMs?: number;
  /** Keep at most this many bytes of the response body (the rest is read and dropped). Default 1 MiB. */
  keepBytes?: number;
}

export interface RawResponse {
  /** 0 when no response head arrived. */
  status: number;
  headers: IncomingHttpHeaders;
  /** The first `keepBytes` of the body. */
  body: Buffer;
  bodyBytes: number;
  /** Transport failure: connect/TLS error, reset, server destroyed the response, or our own timeout. */
  error?: string;
  /** True when the failure was our own timeout (the abort came from us). */
  timedOut?: boolean;
  /** True when the response body ended before it was complete (the server destroyed the stream mid-response). */
  aborted?: boolean;
  ms: number;
}

export interface ApiClientOptions {
  maxSockets?: number;
}

export class ApiClient {
  readonly agent: https.Agent;
  readonly host: string;
  readonly port: number;

  private constructor(
    readonly server: string,
    tls: { ca?: string; cert?: string; key?: string },
    opts: ApiClientOptions,
  ) {
    const url = new URL(server);
    this.host = url.hostname;
    this.port = Number(url.port || 443);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: opts.maxSockets ?? 64,
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
    });
  }

  static async fromKubeconfig(file: string, opts: ApiClientOptions = {}): Promise<ApiClient> {
    const kc = await loadKubeconfig(file);
    return new ApiClient(kc.server, { ca: kc.ca, cert: kc.cert, key: kc.key }, opts);
  }

  close(): void {
    this.agent.destroy();
  }

  request(r: RawRequest): Promise<RawResponse> {
    const started = performance.now();
    const keep = r.keepBytes ?? 1024 * 1024;
    return new Promise<RawResponse>((resolve) => {
      let settled = false;
      let status = 0;
      let headers: IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      let timedOut = false;
      const finish = (extra: Partial<RawResponse> = {}) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, headers, body: Buffer.concat(chunks), bodyBytes: total, ms: performance.now() - started, ...extra });
      };
      const headersOut: Record<string, string | number> = { ...(r.headers ?? {}) };
      const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
      // Node's client frames a body as chunked only for methods that usually carry one; for GET, DELETE, OPTIONS …
      // it would send the bytes unframed, which is not HTTP (the server reads them as the next request). Those get a
      // Content-Length.
      const chunked = r.chunked && !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'].includes(r.method);
      if (body && !chunked && !hasHeader(headersOut, 'content-length')) headersOut['Content-Length'] = body.length;
      let req: ReturnType<typeof https.request>;
      try {
        req = https.request({
          host: this.host,
          port: this.port,
          method: r.method,
          path: r.path,
          headers: headersOut,
          agent: this.agent,
        });
      } catch (err) {
        // Node refuses some requests before sending (invalid characters in the path or a header).
        finish({ error: `client refused to send: ${(err as Error).message}` });
        return;
      }
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error(`timed out after ${r.timeoutMs ?? 15_000} ms`));
      }, r.timeoutMs ?? 15_000);
      req.on('response', (res: IncomingMessage) => {
        status = res.statusCode ?? 0;
        headers = res.headers;
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (kept < keep) {
            const part = c.subarray(0, keep - kept);
            chunks.push(part);
            kept += part.length;
          }
        });
        res.on('end', () => finish());
        res.on('aborted', () => finish({ aborted: true, error: 'response aborted', timedOut }));
        res.on('error', (err) => finish({ aborted: true, error: err.message, timedOut }));
        res.on('close', () => {
          if (!res.complete) finish({ aborted: true, error: 'response closed before it was complete', timedOut });
        });
      });
      req.on('error', (err) => finish({ error: err.message, timedOut }));
      if (body) req.end(body);
      else req.end();
    });
  }
}

function hasHeader(h: Record<string, unknown>, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

/**
 * A watch stream: `onLine` is called with each raw event line (one JSON watch event) as it arrives, with the arrival
 * time, until the server ends the stream or `close()` is called. Parsing is left to the caller (benchmarks with many
 * watchers would otherwise spend their CPU on JSON.parse).
 */
export interface WatchStream {
  /** Resolves with the HTTP status once the response head arrives (0 on a transport error). */
  ready: Promise<number>;
  /** Resolves when the stream ends (server end, error or close()). */
  done: Promise<void>;
  close(): void;
}

export function openWatch(client: ApiClient, path: string, onLine: (line: string, at: number) => void): WatchStream {
  let resolveReady!: (s: number) => void;
  let resolveDone!: () => void;
  const ready = new Promise<number>((r) => (resolveReady = r));
  const done = new Promise<void>((r) => (resolveDone = r));
  const req = https.request({ host: client.host, port: client.port, method: 'GET', path, agent: client.agent });
  req.on('response', (res) => {
    resolveReady(res.statusCode ?? 0);
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (s: string) => {
      const at = performance.now();
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) onLine(line, at);
      }
    });
    res.on('close', () => resolveDone());
  });
  req.on('error', () => {
    resolveReady(0);
    resolveDone();
  });
  req.end();
  return { ready, done, close: () => req.destroy() };
}
