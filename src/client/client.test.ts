/**
 * The client's HTTP behaviour against a scripted plain-HTTP server: what goes on the wire for each verb, how answers
 * become results or errors, retries, and how a watch stream is framed and ended. The real API server is exercised
 * in test/integration/client.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseLabelSelector } from '../apimachinery/labels.ts';
import { notFound, StatusError } from '../apimachinery/status.ts';
import { Client, resourcePath } from './client.ts';
import { ConnectionError, isConflict, isNotFound, isResourceExpired, isRetryable } from './errors.ts';
import { CONFIGMAPS, DEPLOYMENTS, NODES, PODS } from './kinds.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base: string;
let seen: Seen[] = [];
let handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const json = (res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen = [];
  handle = (_req, res) => json(res, 200, { metadata: { name: 'x' } });
});

const newClient = (opts: Partial<ConstructorParameters<typeof Client>[0]> = {}) =>
  new Client({ server: base, userAgent: 'k8ts-test/1.0', ...opts });

describe('Client: requests on the wire', () => {
  it('addresses resources: core and group paths, namespaced and cluster-scoped, subresources', () => {
    assert.equal(resourcePath(PODS, 'ns1', 'p', 'binding'), '/api/v1/namespaces/ns1/pods/p/binding');
    assert.equal(resourcePath(DEPLOYMENTS, 'ns1', 'd', 'scale'), '/apis/apps/v1/namespaces/ns1/deployments/d/scale');
    assert.equal(resourcePath(PODS, undefined, undefined, undefined, 'list'), '/api/v1/pods');
    assert.equal(resourcePath(NODES, undefined, 'n 1'), '/api/v1/nodes/n%201');
    assert.throws(() => resourcePath(PODS, undefined, 'p'), /namespaced; a namespace is required/);
    assert.throws(() => resourcePath(NODES, 'ns', 'n'), /cluster-scoped/);
    assert.throws(() => resourcePath(PODS, 'ns', ''), /a name is required/);
  });

  it('list sends selectors, paging and resourceVersion as query parameters', async () => {
    const c = newClient();
    handle = (_q, res) => json(res, 200, { kind: 'PodList', metadata: { resourceVersion: '7' }, items: [] });
    await c.pods.list('ns', { labelSelector: { app: 'web', tier: 'fe' }, fieldSelector: 'spec.nodeName=n1', limit: 10, continue: 'tok', resourceVersion: '0' });
    await c.pods.list(undefined, { labelSelector: parseLabelSelector('app in (a,b),!legacy') });
    const [first, second] = seen.map((s) => new URL(s.url, base));
    assert.equal(first!.pathname, '/api/v1/namespaces/ns/pods');
    assert.deepEqual(Object.fromEntries(first!.searchParams), {
      labelSelector: 'app=web,tier=fe',
      fieldSelector: 'spec.nodeName=n1',
      limit: '10',
      continue: 'tok',
      resourceVersion: '0',
    });
    assert.equal(second!.pathname, '/api/v1/pods');
    assert.equal(second!.searchParams.get('labelSelector'), 'app in (a,b),!legacy');
    assert.equal(seen[0]!.headers['user-agent'], 'k8ts-test/1.0');
    assert.equal(seen[0]!.headers.accept, 'application/json');
    c.close();
  });

  it('create, update and updateStatus send the object with apiVersion and kind filled in', async () => {
    const c = newClient();
    await c.configMaps.create('ns', { metadata: { name: 'cm' }, data: { a: '1' } }, { fieldManager: 'me', dryRun: true });
    await c.deployments.update({ metadata: { name: 'd', namespace: 'ns', resourceVersion: '5' } });
    await c.nodes.updateStatus({ metadata: { name: 'n1' }, status: { phase: 'Running' } });
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url}`),
      [
        'POST /api/v1/namespaces/ns/configmaps?dryRun=All&fieldManager=me',
        'PUT /apis/apps/v1/namespaces/ns/deployments/d',
        'PUT /api/v1/nodes/n1/status',
      ],
    );
    assert.deepEqual(JSON.parse(seen[0]!.body), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '1' } });
    assert.equal(JSON.parse(seen[1]!.body).metadata.resourceVersion, '5');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    await assert.rejects(c.pods.update({ metadata: {} }), /no metadata.name/);
    c.close();
  });

  it('patch picks the content type; apply needs a field manager and sends force', async () => {
    const c = newClient();
    await c.pods.patch('ns', 'p', 'merge', { metadata: { labels: { a: 'b' } } });
    await c.pods.patch('ns', 'p', 'strategic', { spec: {} }, { subresource: 'status' });
    await c.pods.patch('ns', 'p', 'json', [{ op: 'remove', path: '/metadata/labels/a' }]);
    await c.pods.patch('ns', 'p', 'apply', { apiVersion: 'v1', kind: 'Pod' }, { fieldManager: 'ctl', force: true });
    assert.deepEqual(
      seen.map((s) => [s.url, s.headers['content-type']]),
      [
        ['/api/v1/namespaces/ns/pods/p', 'application/merge-patch+json'],
        ['/api/v1/namespaces/ns/pods/p/status', 'application/strategic-merge-patch+json'],
        ['/api/v1/namespaces/ns/pods/p', 'application/json-patch+json'],
        ['/api/v1/namespaces/ns/pods/p?fieldManager=ctl&force=true', 'application/apply-patch+yaml'],
      ],
    );
    assert.deepEqual(JSON.parse(seen[2]!.body), [{ op: 'remove', path: '/metadata/labels/a' }]);
    await assert.rejects(c.pods.patch('ns', 'p', 'apply', {}), /fieldManager/);
    await assert.rejects(c.pods.get('', 'p'), /a namespace is required/);
    c.close();
  });

  it('delete sends DeleteOptions in the body', async () => {
    const c = newClient();
    await c.pods.delete('ns', 'p', {
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1', resourceVersion: '9' },
    });
    assert.equal(seen[0]!.method, 'DELETE');
    assert.deepEqual(JSON.parse(seen[0]!.body), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Foreground',
      preconditions: { uid: 'u1', resourceVersion: '9' },
    });
    c.close();
  });

  it('bind posts a Binding to pods/NAME/binding; scale goes through the scale subresource', async () => {
    const c = newClient();
    await c.pods.bind('ns', 'p', 'node-1', { uid: 'u1' });
    await c.deployments.updateScale('ns', 'd', 3);
    assert.equal(seen[0]!.url, '/api/v1/namespaces/ns/pods/p/binding');
    assert.deepEqual(JSON.parse(seen[0]!.body), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' },
    });
    assert.equal(seen[1]!.url, '/apis/apps/v1/namespaces/ns/deployments/d/scale');
    assert.deepEqual(JSON.parse(seen[1]!.body).spec, { replicas: 3 });
    c.close();
  });

  it('sends a bearer token when it has one', async () => {
    const c = newClient({ token: 's3cret' });
    await c.nodes.get('n1');
    assert.equal(seen[0]!.headers.authorization, 'Bearer s3cret');
    c.close();
  });
});

describe('Client: errors', () => {
  it('a Status answer throws StatusError carrying it', async () => {
    const c = newClient();
    handle = (_q, res) => json(res, 404, notFound({ group: '', resource: 'pods' }, 'p').status);
    const err = await c.pods.get('ns', 'p').catch((e) => e);
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 404);
    assert.equal(err.reason, 'NotFound');
    assert.equal(err.message, 'pods "p" not found');
    assert.ok(isNotFound(err));
    assert.ok(!isConflict(err));
    c.close();
  });

  it('a non-Status error body becomes a Status from the code', async () => {
    const c = newClient();
    handle = (_q, res) => {
      res.writeHead(409, { 'Content-Type': 'text/plain' });
      res.end('conflicting');
    };
    const err = await c.pods.get('ns', 'p').catch((e) => e);
    assert.ok(err instanceof StatusError);
    assert.equal(err.reason, 'Conflict');
    assert.match(err.message, /conflict.*conflicting/);
    handle = (_q, res) => {
      res.writeHead(410);
      res.end();
    };
    assert.ok(isResourceExpired(await c.pods.get('ns', 'p').catch((e) => e)));
    c.close();
  });

  it('429 with Retry-After is retried after that many seconds, then the answer is returned', async () => {
    const c = newClient();
    let calls = 0;
    handle = (_q, res) => {
      if (++calls === 1) return json(res, 429, { kind: 'Status', code: 429, reason: 'TooManyRequests' }, { 'Retry-After': '1' });
      json(res, 200, { metadata: { name: 'ok' } });
    };
    const started = Date.now();
    const got = await c.nodes.get('n');
    assert.equal(got.metadata?.name, 'ok');
    assert.equal(calls, 2);
    assert.ok(Date.now() - started >= 900);
    c.close();
  });

  it('retries stop after maxRetries; without Retry-After there is no retry', async () => {
    const c = newClient({ maxRetries: 0 });
    let calls = 0;
    handle = (_q, res) => {
      calls++;
      json(res, 503, { kind: 'Status', code: 503, reason: 'ServiceUnavailable' }, { 'Retry-After': '1' });
    };
    const err = await c.nodes.get('n').catch((e) => e);
    assert.equal(err.code, 503);
    assert.ok(isRetryable(err));
    assert.equal(calls, 1);
    c.close();
  });

  it('no server at all is a retryable ConnectionError', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new Client({ server: `http://127.0.0.1:${port}` });
    const err = await c.nodes.get('n').catch((e) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.equal(err.code, 'ECONNREFUSED');
    assert.equal(err.retryable, true);
    assert.ok(isRetryable(err));
    c.close();
  });

  it('a request that gets no answer in timeoutMs is a ConnectionError (ETIMEDOUT)', async () => {
    const c = newClient({ timeoutMs: 100 });
    handle = () => {}; // never answers
    const err = await c.nodes.get('n').catch((e) => e);
    assert.ok(err instanceof ConnectionError);
    assert.equal(err.code, 'ETIMEDOUT');
    c.close();
  });

  it('an aborted request rejects with the abort reason', async () => {
    const c = newClient();
    handle = () => {};
    const ac = new AbortController();
    const p = c.nodes.get('n', { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const err = await p.catch((e) => e);
    assert.equal(err.name, 'AbortError');
    c.close();
  });
});

describe('Client: watch', () => {
  it('sends watch parameters and yields events split across arbitrary chunk boundaries', async () => {
    const c = newClient();
    const events = [
      { type: 'ADDED', object: { metadata: { name: 'é-1', resourceVersion: '2' } } },
      { type: 'MODIFIED', object: { metadata: { name: 'é-1', resourceVersion: '3' } } },
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '4' } } },
      { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', metadata: {} } },
    ];
    handle = async (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const bytes = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));
      // 7-byte chunks split lines and the two-byte é.
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    };
    const w = await c.configMaps.watch('ns', { resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 30, labelSelector: 'a=b' });
    const got = [];
    for await (const ev of w) got.push(ev);
    assert.deepEqual(got, events);
    const url = new URL(seen[0]!.url, base);
    assert.equal(url.pathname, '/api/v1/namespaces/ns/configmaps');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      watch: 'true',
      labelSelector: 'a=b',
      resourceVersion: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
    });
    c.close();
  });

  it('a watch refused with a Status rejects at open', async () => {
    const c = newClient();
    handle = (_q, res) => json(res, 410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' });
    const err = await c.configMaps.watch('ns', { resourceVersion: '1' }).catch((e) => e);
    assert.ok(isResourceExpired(err));
    assert.match(err.message, /too old/);
    c.close();
  });

  it('a stream cut mid-way throws ConnectionError; abort and close end the iteration quietly', async () => {
    const c = newClient();
    handle = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const broken = await c.configMaps.watch('ns');
    const names: string[] = [];
    const err = await (async () => {
      for await (const ev of broken) if (ev.type !== 'ERROR') names.push(ev.object.metadata!.name!);
    })().catch((e) => e);
    assert.deepEqual(names, ['a']);
    assert.ok(err instanceof ConnectionError, String(err));

    handle = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
    };
    const ac = new AbortController();
    const aborted = await c.configMaps.watch('ns', { signal: ac.signal });
    let n = 0;
    for await (const _ of aborted) {
      n++;
      ac.abort();
    }
    assert.equal(n, 1);

    const closed = await c.configMaps.watch('ns');
    n = 0;
    for await (const _ of closed) {
      n++;
      closed.close();
    }
    assert.equal(n, 1);
    c.close();
  });

  it('timeoutMs bounds a watch only until its answer starts', async () => {
    const c = newClient({ timeoutMs: 100 });
    handle = () => {};
    const err = await c.configMaps.watch('ns').catch((e) => e);
    assert.ok(err instanceof ConnectionError);
    assert.equal(err.code, 'ETIMEDOUT');

    handle = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'late' } } }) + '\n'), 300);
    };
    const w = await c.configMaps.watch('ns');
    const names: string[] = [];
    for await (const ev of w) if (ev.type === 'ADDED') names.push(ev.object.metadata!.name!);
    assert.deepEqual(names, ['late'], 'an idle stream outlives timeoutMs');
    c.close();
  });

  it('a line that is not a watch event is a decode error', async () => {
    const c = newClient();
    handle = (_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"type":"ADDED","object":{}}\nnot json\n');
    };
    const w = await c.configMaps.watch('ns');
    const err = await (async () => {
      for await (const _ of w);
    })().catch((e) => e);
    assert.ok(err instanceof ConnectionError);
    assert.equal(err.code, 'EBADEVENT');
    c.close();
  });
});

describe('Client: connection reuse', () => {
  it('keeps one connection alive across requests', async () => {
    const c = newClient();
    const ports = new Set<number>();
    handle = (req, res) => {
      ports.add(req.socket.remotePort!);
      json(res, 200, { metadata: { name: 'x' } });
    };
    for (let i = 0; i < 5; i++) await c.configMaps.get('ns', 'x');
    assert.equal(ports.size, 1);
    c.close();
  });

  it('a GET whose pooled connection is reset is sent again once; other verbs are not', async () => {
    const c = newClient();
    let calls = 0;
    handle = (req, res) => {
      calls++;
      // The second request arrives on the kept-alive socket, which the server then drops without answering.
      if (calls === 2 || calls === 4) return req.socket.destroy();
      json(res, 200, { metadata: { name: String(calls) } });
    };
    await c.configMaps.get('ns', 'x');
    const second = await c.configMaps.get('ns', 'x');
    assert.equal(second.metadata?.name, '3', 'answered by the resend');
    const err = await c.configMaps.create('ns', { metadata: { name: 'y' } }).catch((e) => e);
    assert.ok(err instanceof ConnectionError, 'a POST the server may have seen is not sent twice');
    assert.equal(calls, 4);
    c.close();
  });
});

void CONFIGMAPS;
