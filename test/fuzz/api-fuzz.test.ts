/**
 * API server fuzz test: at least FUZZ_REQUESTS (10,000) random and mutated requests against a real `./k8ts server`,
 * over one keep-alive HTTPS agent, from two pools of concurrent workers, bounded in time.
 *
 * What is thrown at it (each request is a pure function of the seed, its index and the revision after setup, see
 * `generate` in api-fuzz-gen.ts):
 * - create / update / patch (merge, strategic merge, JSON patch; plus apply and bogus patch types) of ConfigMap,
 *   Secret, Deployment, Service, Pod, Namespace and Lease: valid bodies, valid-then-mutated bodies (type confusion
 *   in metadata and spec, odd keys, huge values), random JSON, malformed JSON and YAML, deep nesting, wrong
 *   kind/apiVersion for the URL, namespace mismatches, bodies over 3 MiB (declared and chunked);
 * - get / list / watch / delete / deletecollection with odd query parameters (limit=-1, resourceVersion=abc,
 *   watch=true&timeoutSeconds=1, garbage label/field selectors and continue tokens, dryRun garbage, ...). Numeric
 *   resourceVersions are never in the future: upstream answers those with a legitimate 504 "Too large resource
 *   version";
 * - odd paths (`/api/v1/namespaces//pods`, `%00`, bad percent escapes, `..`, very long names, unknown groups,
 *   versions, resources and subresources), odd methods, odd Content-Type and Accept headers;
 * - requests upstream refuses with 405 (POST/PUT/PATCH/DELETE on cluster-wide collections of namespaced resources,
 *   DELETE of the namespace collection, ...). These always carry dryRun=All, so that a server that wrongly accepts
 *   them cannot wreck the run; accepting one is reported as a failure.
 *
 * Before fuzzing it creates objects in three namespaces: `fz-a` and `fz-b` (fuzz targets) and `fuzz-protected`,
 * which no generated request names (checked on the normalised, decoded path, query and body). Afterwards it checks:
 * 1. no response had a 5xx status (each one is recorded with its request), and no response was cut off by the
 *    server or hung;
 * 2. the server process is alive and answers /readyz (and a plain create/get/delete still works);
 * 3. every object of `fuzz-protected` (and the namespace itself) is byte-identical to before, and so is every object
 *    of fz-a/fz-b that no write request could have targeted;
 * 4. no request that upstream answers with 405 succeeded.
 *
 * Knobs: FUZZ_SEED (default: 20261122; `random` for a new one; always printed), FUZZ_REQUESTS (10000), FUZZ_SECONDS (45, the fuzzing budget),
 * FUZZ_CONCURRENCY (12 workers for quick requests), FUZZ_SLOW_CONCURRENCY (24 workers for lists, watches and
 * collection deletes, which can legitimately take seconds), FUZZ_REPLAY=i,j,k (send only these request indices of
 * FUZZ_SEED, one at a time, and print each request and response in full), FUZZ_PROGRESS=1 (a progress line every 5 s).
 * Failures are printed grouped by root cause (status and message, names and numbers blanked) with two example
 * requests each; a JSON report with every failure is written to $TMPDIR/k8ts-api-fuzz-<seed>.json.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApiClient, type RawRequest, type RawResponse } from '../support/api-client.ts';
import { startCluster, type Cluster } from '../support/cluster.ts';
import {
  generate,
  isWriteMethod,
  KNOWN_SEGMENTS,
  NAMESPACED_KINDS,
  NS_KIND,
  OBJECTS_PER_KIND,
  objectName,
  plainPath,
  PROTECTED_NS,
  serverSegments,
  TARGET_NS,
  PLAY_NS,
  type Category,
  type FuzzRequest,
} from './api-fuzz-gen.ts';

// ---- settings ---------------------------------------------------------------------------------------------------

const envInt = (name: string, dflt: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  return n;
};

// A fixed seed by default so that CI runs are repeatable; FUZZ_SEED=random explores new ones.
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(0, 2 ** 31) : envInt('FUZZ_SEED', 20261122);
const TARGET = envInt('FUZZ_REQUESTS', 10_000);
const BUDGET_MS = envInt('FUZZ_SECONDS', 45) * 1000;
const FAST_WORKERS = envInt('FUZZ_CONCURRENCY', 12);
const SLOW_WORKERS = envInt('FUZZ_SLOW_CONCURRENCY', 24);
const REPLAY = (process.env.FUZZ_REPLAY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)
  .map(Number);
/** Quick requests that take longer than this are hangs. */
const REQUEST_TIMEOUT_MS = 20_000;
/** Watches that the server might hold open (no or garbage timeoutSeconds) are closed by us after this. */
const WATCH_CLIENT_DEADLINE_MS = 2_500;


// ---- running ----------------------------------------------------------------------------------------------------

interface Outcome {
  req: FuzzRequest;
  res: RawResponse;
}

interface Failure {
  kind: '5xx' | 'transport' | 'hang' | 'accepted-405' | 'crash';
  index: number;
  category: Category;
  note: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyPreview?: string;
  bodyBytes?: number;
  status: number;
  response?: string;
  error?: string;
  ms: number;
}

function preview(b: Buffer | undefined, n = 400): string | undefined {
  if (!b) return undefined;
  const s = b.subarray(0, n).toString('utf8');
  return b.length > n ? `${s}… (${b.length} bytes)` : s;
}

function classify(o: Outcome): Failure['kind'] | undefined {
  const { req, res } = o;
  if (res.error?.startsWith('client refused')) return undefined;
  if (res.status >= 500) return '5xx';
  if (req.expect405 && res.status >= 200 && res.status < 300) return 'accepted-405';
  if (res.error) {
    if (res.timedOut && req.mayHold && res.status === 200) return undefined; // a watch held open, closed by us
    if (res.timedOut) return 'hang';
    // Node's HTTP server answers header overflows (431) and parse errors (400) and then closes: a status arrived.
    if (res.status >= 400 && res.status < 500 && !res.aborted) return undefined;
    // A big body the server refused early: it may close while we are still writing; a status arrived first.
    if (res.status === 413) return undefined;
    // A method Node's HTTP parser does not know ('get', 'FOO') is a parse error: the server answers 400 and closes,
    // which a client still writing a body sees as a reset. The server staying up is checked at the end.
    if (!http.METHODS.includes(req.method)) return undefined;
    return 'transport';
  }
  return undefined;
}

function failureOf(kind: Failure['kind'], o: Outcome): Failure {
  const { req, res } = o;
  return {
    kind,
    index: req.index,
    category: req.category,
    note: req.note,
    method: req.method,
    path: req.path.length > 600 ? req.path.slice(0, 600) + `… (${req.path.length} chars)` : req.path,
    headers: Object.fromEntries(Object.entries(req.headers).map(([h, v]) => [h, v.length > 200 ? v.slice(0, 200) + `… (${v.length})` : v])),
    bodyPreview: preview(req.body),
    bodyBytes: req.body?.length,
    status: res.status,
    response: preview(res.body, 600),
    error: res.error,
    ms: Math.round(res.ms),
  };
}

/** The route shape of a failure: known path segments kept, everything else {x}. */
function shape(f: Failure): string {
  const segs = (serverSegments(f.path) ?? [f.path]).map((s) => (KNOWN_SEGMENTS.has(s) ? s : '{x}'));
  return `${f.method.toUpperCase()} /${segs.join('/')}`;
}

/** Coarser: resources and groups blanked too (namespaces kept), for grouping failures that are about the route. */
function coarseShape(f: Failure): string {
  const segs = (serverSegments(f.path) ?? [f.path]).map((s, i, all) => {
    if (s === 'namespaces' || s === 'watch' || s === 'api' || s === 'apis' || /^v\d/.test(s)) return s;
    if (all[0] === 'apis' && i === 1) return '{group}';
    return KNOWN_SEGMENTS.has(s) ? '{resource}' : '{x}';
  });
  return `${f.method.toUpperCase()} /${segs.join('/')}`;
}

/** A signature to group failures by root cause: kind, status and the message with names, values and numbers blanked. */
function signature(f: Failure): string {
  if (f.kind === 'accepted-405') return `${f.kind} ${f.status} ${coarseShape(f)}`;
  let msg = f.error ?? '';
  try {
    const st = JSON.parse(f.response ?? '') as { message?: string; reason?: string };
    msg = `${st.reason ?? ''}: ${st.message ?? ''}`;
  } catch {
    msg ||= (f.response ?? '').slice(0, 120) || '(no body)';
  }
  msg = msg
    .replace(/Received .*/, 'Received …')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\d+/g, 'N')
    .slice(0, 160);
  if (f.kind !== '5xx' || !msg.replace(/[:\s]/g, '')) msg = `${msg} [${coarseShape(f)}]`;
  return `${f.kind} ${f.status} ${msg}`;
}

function toRaw(r: FuzzRequest, client: ApiClient): Promise<RawResponse> {
  const raw: RawRequest = {
    method: r.method,
    path: r.path,
    headers: r.headers,
    body: r.body,
    chunked: r.chunked,
    timeoutMs: r.mayHold ? WATCH_CLIENT_DEADLINE_MS : REQUEST_TIMEOUT_MS,
    keepBytes: 8 * 1024,
  };
  return client.request(raw);
}

// ---- the test -----------------------------------------------------------------------------------------------------

let cluster: Cluster | undefined;
let client: ApiClient | undefined;

before(async () => {
  cluster = await startCluster();
  client = await ApiClient.fromKubeconfig(cluster.kubeconfig, { maxSockets: FAST_WORKERS + SLOW_WORKERS + 8 });
});

after(async () => {
  client?.close();
  await cluster?.destroy();
});

interface Snapshot {
  path: string;
  body: string;
  rv: string;
  ns: string;
  resource: string;
  name: string;
}

async function mustRequest(r: RawRequest, expect: number[]): Promise<RawResponse> {
  const res = await client!.request(r);
  if (!expect.includes(res.status)) {
    throw new Error(`${r.method} ${r.path}: expected ${expect.join('/')}, got ${res.status} ${res.error ?? ''} ${res.body.toString('utf8').slice(0, 500)}`);
  }
  return res;
}

async function setup(): Promise<{ snapshots: Snapshot[]; startRev: number }> {
  const json = { 'Content-Type': 'application/json' };
  let maxRev = 0;
  const track = (res: RawResponse) => {
    const rv = Number((JSON.parse(res.body.toString('utf8')) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion);
    if (Number.isFinite(rv)) maxRev = Math.max(maxRev, rv);
  };
  for (const ns of [PROTECTED_NS, ...TARGET_NS, ...PLAY_NS]) {
    track(await mustRequest({ method: 'POST', path: '/api/v1/namespaces', headers: json, body: JSON.stringify(NS_KIND.template(ns)) }, [201]));
  }
  for (const ns of [PROTECTED_NS, ...TARGET_NS]) {
    for (const k of NAMESPACED_KINDS) {
      for (let i = 0; i < OBJECTS_PER_KIND; i++) {
        const p = plainPath(k, ns);
        const obj = k.template(objectName(ns, k, i));
        track(await mustRequest({ method: 'POST', path: p, headers: json, body: JSON.stringify(obj) }, [201]));
      }
    }
  }
  return { snapshots: await snapshot(), startRev: maxRev };
}

/** Raw bytes of every object made by setup (and of the protected namespace itself). */
async function snapshot(): Promise<Snapshot[]> {
  const out: Snapshot[] = [];
  const rec = async (p: string, ns: string, resource: string, name: string) => {
    const res = await client!.request({ method: 'GET', path: p, timeoutMs: 10_000 });
    const body = res.status === 200 ? res.body.toString('utf8') : `<${res.status}> ${res.body.toString('utf8')}`;
    let rv = '';
    try {
      rv = (JSON.parse(res.body.toString('utf8')) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? '';
    } catch {
      // not JSON
    }
    out.push({ path: p, body, rv, ns, resource, name });
  };
  await rec(`/api/v1/namespaces/${PROTECTED_NS}`, '', 'namespaces', PROTECTED_NS);
  for (const ns of [PROTECTED_NS, ...TARGET_NS]) {
    for (const k of NAMESPACED_KINDS) {
      for (let i = 0; i < OBJECTS_PER_KIND; i++) {
        const name = objectName(ns, k, i);
        await rec(plainPath(k, ns, name), ns, k.resource, name);
      }
    }
  }
  return out;
}

/** Whether a write request could legitimately have changed object (ns, resource, name). */
function mayHaveTargeted(r: FuzzRequest, s: Snapshot): boolean {
  if (!isWriteMethod(r.method)) return false;
  if (r.expect405) return false; // dryRun=All
  const segs = serverSegments(r.path);
  if (!segs) return false;
  if (segs.includes(s.name)) return true;
  // Collection deletes of the resource (in its namespace or cluster-wide).
  if (r.method.toUpperCase() === 'DELETE' && segs.at(-1) === s.resource && (segs.includes(s.ns) || !segs.includes('namespaces'))) return true;
  return false;
}

test(`API fuzz: ${TARGET} random and mutated requests (seed ${SEED})`, { timeout: 180_000 }, async (t) => {
  console.log(`api-fuzz: seed=${SEED} (reproduce with FUZZ_SEED=${SEED}; replay single requests with FUZZ_REPLAY=i,j)`);
  const c = cluster!;
  const { snapshots, startRev } = await setup();
  console.log(`api-fuzz: setup done: ${snapshots.length} objects, revision ${startRev}`);

  // Replay mode: the listed requests only, one at a time, in full.
  if (REPLAY.length) {
    for (const i of REPLAY) {
      const r = generate(SEED, i, startRev);
      const res = await toRaw(r, client!);
      console.log(`--- #${i} ${r.category}: ${r.note}\n${r.method} ${r.path}\n${JSON.stringify(r.headers)}\nbody (${r.body?.length ?? 0} bytes): ${preview(r.body, 2000) ?? ''}`);
      console.log(`=> ${res.status} ${res.error ?? ''} (${Math.round(res.ms)} ms)\n${res.body.toString('utf8').slice(0, 4000)}`);
    }
    return;
  }

  const failures: Failure[] = [];
  const statusCounts = new Map<string, number>();
  const categoryCounts = new Map<string, number>();
  const categoryMs = new Map<string, number>();
  const sent: FuzzRequest[] = [];
  let executed = 0;
  let generated = 0;
  let skippedSlow = 0;
  let serverDied = false;
  const fastQ: FuzzRequest[] = [];
  const slowQ: FuzzRequest[] = [];
  const started = performance.now();
  const deadline = started + BUDGET_MS;
  const inFlight = new Set<FuzzRequest>();

  const alive = () => {
    try {
      process.kill(c.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let lastProgress = performance.now();
  const liveness = setInterval(() => {
    if (!alive()) serverDied = true;
    if (process.env.FUZZ_PROGRESS && performance.now() - lastProgress > 5000) {
      lastProgress = performance.now();
      console.log(`api-fuzz: … ${executed} requests, ${failures.length} failing, ${inFlight.size} in flight, slow queue ${slowQ.length}`);
    }
  }, 250);

  /** The next request for a pool; null: none for now (a slow worker waits rather than pile up quick requests). */
  const take = (slow: boolean): FuzzRequest | null | undefined => {
    const own = slow ? slowQ : fastQ;
    while (own.length === 0) {
      if (generated > TARGET * 3) return undefined;
      if (slow && fastQ.length > 300) return null;
      const r = generate(SEED, generated++, startRev);
      if (r.slow) {
        if (slowQ.length < 2000) slowQ.push(r);
        else skippedSlow++;
      } else fastQ.push(r);
    }
    return own.shift();
  };

  const worker = async (slow: boolean) => {
    while (executed + inFlight.size < TARGET && performance.now() < deadline && !serverDied) {
      const r = take(slow);
      if (r === undefined) return;
      if (r === null) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      inFlight.add(r);
      const res = await toRaw(r, client!);
      inFlight.delete(r);
      executed++;
      sent.push(r);
      const o = { req: r, res };
      const st = res.status ? String(res.status) : `ERR`;
      statusCounts.set(st, (statusCounts.get(st) ?? 0) + 1);
      categoryCounts.set(r.category, (categoryCounts.get(r.category) ?? 0) + 1);
      categoryMs.set(r.category, (categoryMs.get(r.category) ?? 0) + res.ms);
      const kind = classify(o);
      if (kind) failures.push(failureOf(kind, o));
    }
  };
  try {
    await Promise.all([
      ...Array.from({ length: FAST_WORKERS }, () => worker(false)),
      ...Array.from({ length: SLOW_WORKERS }, () => worker(true)),
    ]);
  } finally {
    clearInterval(liveness);
  }
  const elapsed = (performance.now() - started) / 1000;

  // ---- checks after fuzzing ----
  const problems: string[] = [];
  if (serverDied || !alive()) {
    serverDied = true;
    problems.push(`the server process (pid ${c.pid}) died during fuzzing; requests in flight: ${[...inFlight].map((r) => `#${r.index}`).join(', ')}`);
    for (const r of [...inFlight, ...sent.slice(-20)]) {
      failures.push(failureOf('crash', { req: r, res: { status: 0, headers: {}, body: Buffer.alloc(0), bodyBytes: 0, ms: 0, error: 'in flight or just sent when the server died' } }));
    }
  } else {
    const ready = await client!.request({ method: 'GET', path: '/readyz', timeoutMs: 10_000 });
    if (ready.status !== 200 || ready.body.toString() !== 'ok') problems.push(`/readyz answered ${ready.status} ${ready.error ?? ''} ${ready.body.toString()}`);
    // Plain operations still work.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'post-fuzz-check' }, data: { a: 'b' } };
    const create = await client!.request({ method: 'POST', path: '/api/v1/namespaces/fz-b/configmaps', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(cm) });
    const get = await client!.request({ method: 'GET', path: '/api/v1/namespaces/fz-b/configmaps/post-fuzz-check' });
    const del = await client!.request({ method: 'DELETE', path: '/api/v1/namespaces/fz-b/configmaps/post-fuzz-check' });
    if (![201, 409].includes(create.status) || get.status !== 200 || del.status !== 200) {
      problems.push(`after fuzzing, create/get/delete of a ConfigMap answered ${create.status}/${get.status}/${del.status}: ${create.body.toString().slice(0, 300)}`);
    }

    // Objects: protected ones must be byte-identical; untargeted fuzz-namespace ones too.
    const after = await snapshot();
    for (let i = 0; i < snapshots.length; i++) {
      const b = snapshots[i]!;
      const a = after[i]!;
      if (a.body === b.body) continue;
      const culprits = sent.filter((r) => mayHaveTargeted(r, b));
      if (b.ns === PROTECTED_NS || b.name === PROTECTED_NS) {
        const clusterWide = sent.filter((r) => isWriteMethod(r.method) && !(serverSegments(r.path) ?? []).includes('namespaces')).slice(0, 5);
        problems.push(
          `protected object ${b.path} changed:\n    before (rv ${b.rv}): ${b.body.slice(0, 300)}\n    after  (rv ${a.rv}): ${a.body.slice(0, 300)}` +
            `\n    (no request named it; cluster-scope writes sent, e.g.: ${clusterWide.map((r) => `#${r.index} ${r.method} ${r.path.slice(0, 100)}`).join(' | ')})`,
        );
      } else if (culprits.length === 0) {
        problems.push(`untargeted object ${b.path} changed (rv ${b.rv} → ${a.rv}):\n    before: ${b.body.slice(0, 300)}\n    after:  ${a.body.slice(0, 300)}`);
      }
    }
    // The protected namespace holds exactly what it held (read from the store, not the watch cache).
    const listed = new Set<string>();
    for (const k of NAMESPACED_KINDS) {
      const res = await client!.request({ method: 'GET', path: `${plainPath(k, PROTECTED_NS)}?limit=500`, timeoutMs: 10_000 });
      if (res.status !== 200) {
        problems.push(`listing ${k.resource} in ${PROTECTED_NS} answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
        continue;
      }
      const items = (JSON.parse(res.body.toString()) as { items: { metadata: { name: string; namespace: string } }[] }).items;
      for (const it of items) listed.add(`${k.resource}/${it.metadata.namespace}/${it.metadata.name}`);
    }
    const expected = new Set(snapshots.filter((s) => s.ns === PROTECTED_NS).map((s) => `${s.resource}/${s.ns}/${s.name}`));
    const extra = [...listed].filter((x) => !expected.has(x));
    const missing = [...expected].filter((x) => !listed.has(x));
    if (extra.length || missing.length) problems.push(`${PROTECTED_NS} list differs: extra ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`);
  }

  // ---- report ----
  const fmtMap = (m: Map<string, number>) => [...m.entries()].sort().map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(
    `api-fuzz: ${executed} requests in ${elapsed.toFixed(1)} s (${(executed / elapsed).toFixed(0)} req/s), ` +
      `generated ${generated}, slow requests skipped for time ${skippedSlow}`,
  );
  console.log(`api-fuzz: statuses: ${fmtMap(statusCounts)}`);
  console.log(`api-fuzz: categories (count/mean ms): ${[...categoryCounts.entries()].sort().map(([k, v]) => `${k}:${v}/${Math.round((categoryMs.get(k) ?? 0) / v)}`).join(' ')}`);
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const sig = signature(f);
    groups.set(sig, [...(groups.get(sig) ?? []), f]);
  }
  const reportFile = path.join(os.tmpdir(), `k8ts-api-fuzz-${SEED}.json`);
  if (failures.length || problems.length) {
    fs.writeFileSync(reportFile, JSON.stringify({ seed: SEED, executed, problems, groups: Object.fromEntries(groups), failures }, null, 1));
    console.log(`api-fuzz: ${failures.length} failing responses in ${groups.size} groups; full report: ${reportFile}`);
    for (const [sig, fs_] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length)) {
      const shapes = new Map<string, number>();
      for (const f of fs_) shapes.set(shape(f), (shapes.get(shape(f)) ?? 0) + 1);
      console.log(`\n* ${fs_.length}× ${sig}`);
      console.log(`   on: ${[...shapes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} (${v})`).join(', ')}`);
      for (const f of fs_.slice(0, 2)) {
        console.log(`   request ${f.index} [${f.category}] ${f.note}\n     ${f.method} ${f.path.slice(0, 300)}`);
        if (Object.keys(f.headers).length) console.log(`     headers: ${JSON.stringify(f.headers).slice(0, 300)}`);
        if (f.bodyPreview !== undefined) console.log(`     body: ${f.bodyPreview.slice(0, 300).replace(/\n/g, '\\n')}`);
        console.log(`     => ${f.status} ${f.error ?? ''} ${(f.response ?? '').slice(0, 300)}`);
      }
    }
    for (const p of problems) console.log(`\n!! ${p}`);
    console.log(`\napi-fuzz: reproduce one request: FUZZ_SEED=${SEED} FUZZ_REPLAY=<index> node --test --import tsx test/fuzz/api-fuzz.test.ts`);
  }

  t.diagnostic(`seed ${SEED}, ${executed} requests, ${failures.length} failing responses, ${problems.length} problems`);
  assert.ok(!serverDied, `the server died (seed ${SEED})`);
  const byKind = (k: Failure['kind']) => failures.filter((f) => f.kind === k).length;
  assert.deepEqual(
    { '5xx': byKind('5xx'), transport: byKind('transport'), hang: byKind('hang'), 'accepted-405': byKind('accepted-405'), problems },
    { '5xx': 0, transport: 0, hang: 0, 'accepted-405': 0, problems: [] },
    `fuzzing with seed ${SEED} found failures (report: ${reportFile})`,
  );
  assert.ok(executed >= TARGET, `only ${executed} of ${TARGET} requests ran within ${BUDGET_MS / 1000} s (seed ${SEED})`);
});
