/**
 * API server benchmark: a real `./k8ts server` (embedded store) driven over HTTPS with keep-alive, and, in the same
 * run, a real etcd driven with raw puts for a reference point.
 *
 * What is measured (closed loop: each client awaits its own request before sending the next; clients share one
 * keep-alive https.Agent with enough sockets for each to have its own connection), at 1, 16 and 64 clients:
 * - create: POST of a ~1 KiB ConfigMap (new name each time) into one namespace;
 * - get: GET of a random existing ConfigMap of that namespace;
 * - list: GET of all ConfigMaps of a namespace holding 100, and one holding 10,000, with resourceVersion=0, i.e.
 *   served from the watch cache without a consistency wait (what informers do for their first list); plus a
 *   consistent list (no resourceVersion, the kubectl default) of 100 at 16 clients;
 * - watch delivery: N watchers on one namespace, one sequential writer creating ConfigMaps; latency = arrival of the
 *   ADDED event at a watcher − the moment the create was issued, over every (watcher, event) pair;
 * - etcd: the same number of creates at the same concurrency as raw etcd puts of the same bytes (etcd3 client,
 *   `client.put(key).value(v)`, no transaction), for `api.create_ratio_vs_etcd_c*` = API creates/s ÷ etcd puts/s.
 * - the server's RSS (VmRSS in /proc/PID/status) once the 10,100 ConfigMaps are loaded, and its peak (VmHWM) at the end.
 * Response bodies are read in full but not parsed (watch lines are matched with a regex), so the client spends as
 * little CPU as it can: on a small machine client and server share the cores.
 *
 * It prints a table, then `RESULT api.<metric>=<value>` lines. Percentiles are nearest-rank over sorted samples.
 * Knobs: BENCH_SECONDS (per timed phase, default 2), BENCH_CREATES (creates per concurrency level, default 1000 / 3000
 * / 3000 for 1 / 16 / 64 clients, scaled by BENCH_CREATES/3000). The default run takes about 1.5-2 minutes.
 * The server and etcd are stopped by their PIDs and their temp dirs removed, also on error and on ^C.
 */
import { closedLoop, envNumber, fmt, round, stats, type Run, type Stats } from './harness.ts';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import { ApiClient, openWatch, type RawRequest } from '../test/support/api-client.ts';
import { startCluster, type Cluster } from '../test/support/cluster.ts';
import { startEtcd, type EtcdProcess } from '../test/support/etcd.ts';

// ---- settings ---------------------------------------------------------------------------------------------------

const SECONDS = envNumber('BENCH_SECONDS') ?? 2;
const CREATE_SCALE = (envNumber('BENCH_CREATES') ?? 3000) / 3000;
const CONCURRENCY = [1, 16, 64] as const;
const CREATES: Record<number, number> = {
  1: Math.round(1000 * CREATE_SCALE),
  16: Math.round(3000 * CREATE_SCALE),
  64: Math.round(3000 * CREATE_SCALE),
};
const BIG = 10_000;
const SMALL = 100;
const NS_BIG = 'bench-10k';
const NS_SMALL = 'bench-100';
/** Watch phase: writes per concurrency level (bounded by SECONDS as well). */
const WATCH_WRITES: Record<number, number> = { 1: 1000, 16: 600, 64: 300 };
const WATCH_DRAIN_MS = 15_000;

// ---- workload ---------------------------------------------------------------------------------------------------

/** A ConfigMap whose JSON is ~1 KiB. */
function configMap(name: string): string {
  const base = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'bench', tier: 'api' } }, data: { payload: '' } };
  const pad = 1024 - JSON.stringify(base).length;
  base.data.payload = 'x'.repeat(Math.max(0, pad));
  return JSON.stringify(base);
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

let api: ApiClient | undefined;

async function send(r: RawRequest, expect: number): Promise<void> {
  const res = await api!.request({ keepBytes: 2048, timeoutMs: 120_000, ...r });
  if (res.status !== expect) {
    throw new Error(`${r.method} ${r.path}: expected ${expect}, got ${res.status} ${res.error ?? ''} ${res.body.toString('utf8').slice(0, 400)}`);
  }
}

const createCm = (ns: string, name: string) =>
  send({ method: 'POST', path: `/api/v1/namespaces/${ns}/configmaps`, headers: JSON_HEADERS, body: configMap(name) }, 201);

async function createNamespace(name: string): Promise<void> {
  await send({ method: 'POST', path: '/api/v1/namespaces', headers: JSON_HEADERS, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }) }, 201);
}

/** Watch delivery: `watchers` watches on a fresh namespace, one sequential writer; latency per (watcher, event). */
async function watchPhase(watchers: number): Promise<{ run: Run; writes: number; missing: number; writeRun: Run }> {
  const ns = `bench-watch-${watchers}`;
  await createNamespace(ns);
  const issued = new Map<string, number>();
  const lat: number[] = [];
  let delivered = 0;
  let expected = Infinity;
  let wake: (() => void) | undefined;
  const nameRe = /"name":"(w-\d+)"/;
  const streams = Array.from({ length: watchers }, () =>
    openWatch(api!, `/api/v1/namespaces/${ns}/configmaps?watch=true&allowWatchBookmarks=false&timeoutSeconds=600`, (line, at) => {
      if (!line.startsWith('{"type":"ADDED"')) return;
      const m = nameRe.exec(line);
      const t0 = m && issued.get(m[1]!);
      if (t0 === undefined || t0 === null) return;
      lat.push(at - t0);
      if (++delivered >= expected) wake?.();
    }),
  );
  try {
    const statuses = await Promise.all(streams.map((s) => s.ready));
    if (statuses.some((s) => s !== 200)) throw new Error(`watch: statuses ${[...new Set(statuses)].join(',')}`);
    const start = performance.now();
    const writeRun = await closedLoop(1, { ops: WATCH_WRITES[watchers] ?? 300, seconds: SECONDS }, async (_w, i) => {
      const name = `w-${i}`;
      issued.set(name, performance.now());
      await createCm(ns, name);
    });
    expected = writeRun.ops * watchers;
    if (delivered < expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WATCH_DRAIN_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { run: { ops: delivered, elapsedMs: performance.now() - start, lat }, writes: writeRun.ops, missing: expected - delivered, writeRun };
  } finally {
    for (const s of streams) s.close();
  }
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---- report -----------------------------------------------------------------------------------------------------

const results: Array<[string, number]> = [];
const result = (name: string, value: number) => results.push([`api.${name}`, value]);
const rows: string[][] = [];
function row(what: string, c: number | string, s: Stats, note = ''): void {
  rows.push([what, String(c), fmt(s.perS, 0), fmt(s.p50, 2), fmt(s.p99, 2), String(s.n), note]);
}
function printTable(): void {
  const head = ['operation', 'clients', 'ops/s', 'p50 ms', 'p99 ms', 'samples', 'note'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i >= 1 && i <= 5 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ---- main -------------------------------------------------------------------------------------------------------

let cluster: Cluster | undefined;
let etcd: EtcdProcess | undefined;
let etcdClient: Etcd3 | undefined;
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const attempt = async (what: string, fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${what}: ${(err as Error).message}`);
      }
    };
    await attempt('api client close', () => api?.close());
    await attempt('etcd client close', () => etcdClient?.close());
    await attempt('server stop', () => cluster?.destroy()); // SIGTERM (then SIGKILL) by PID, removes its data dir
    await attempt('etcd stop', () => etcd?.stop()); // likewise
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const progress = (s: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);
  [cluster, etcd] = await Promise.all([startCluster(), startEtcd()]);
  etcdClient = new Etcd3({ hosts: etcd.endpoint });
  api = await ApiClient.fromKubeconfig(cluster.kubeconfig, { maxSockets: 256 });
  const pid = cluster.pid;

  console.log('k8ts API server benchmark: HTTPS + client certs, one keep-alive agent; etcd raw puts for reference');
  console.log(`  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  try {
    console.log(`  ${execFileSync('/usr/bin/etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim()} (pid ${etcd.pid}); k8ts server pid ${pid} (embedded LMDB store)`);
  } catch {
    console.log(`  k8ts server pid ${pid}`);
  }
  console.log(`  ${SECONDS} s per timed phase; creates per level: ${CONCURRENCY.map((c) => `${CREATES[c]} at c=${c}`).join(', ')}`);
  console.log('');

  for (const ns of [NS_BIG, NS_SMALL, 'bench-warmup']) await createNamespace(ns);

  // Warm-up: connections, JIT, the store's file growth, etcd's WAL.
  progress('warm-up');
  await closedLoop(16, { ops: 400 }, (_w, i) => createCm('bench-warmup', `warm-${i}`));
  await closedLoop(16, { ops: 400 }, (_w, i) => send({ method: 'GET', path: `/api/v1/namespaces/bench-warmup/configmaps/warm-${i}` }, 200));
  await closedLoop(16, { ops: 400 }, async (_w, i) => void (await etcdClient!.put(`/registry/warmup/w-${i}`).value(configMap(`w-${i}`))));

  // Creates (API, then etcd, per level), into the 10k namespace.
  let created = 0;
  const createStats = new Map<number, Stats>();
  const etcdStats = new Map<number, Stats>();
  for (const c of CONCURRENCY) {
    progress(`creates at c=${c}`);
    const base = created;
    const run = await closedLoop(c, { ops: CREATES[c]! }, (_w, i) => createCm(NS_BIG, `cm-${base + i}`));
    created += run.ops;
    createStats.set(c, stats(run));
    progress(`etcd puts at c=${c}`);
    const value = Buffer.from(configMap('etcd'));
    const erun = await closedLoop(c, { ops: CREATES[c]! }, async (_w, i) => {
      await etcdClient!.put(`/registry/configmaps/bench-${c}/cm-${i}`).value(value);
    });
    etcdStats.set(c, stats(erun));
  }
  // Top up to 10,000 (untimed), and fill the 100-object namespace.
  progress(`loading ${BIG - created} more ConfigMaps (untimed)`);
  await closedLoop(16, { ops: Math.max(0, BIG - created) }, (_w, i) => createCm(NS_BIG, `cm-${created + i}`));
  created = Math.max(created, BIG);
  await closedLoop(16, { ops: SMALL }, (_w, i) => createCm(NS_SMALL, `cm-${i}`));

  // Sanity: the lists hold what we think, and how big they are.
  const sizes: Record<string, number> = {};
  for (const [ns, n] of [[NS_SMALL, SMALL], [NS_BIG, BIG]] as const) {
    const res = await api.request({ method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps?resourceVersion=0`, keepBytes: 64 * 1024 * 1024, timeoutMs: 60_000 });
    const items = (JSON.parse(res.body.toString('utf8')) as { items: unknown[] }).items.length;
    if (res.status !== 200 || items !== n) throw new Error(`list of ${ns}: status ${res.status}, ${items} items, expected ${n}`);
    sizes[ns] = res.bodyBytes;
  }
  // Let the server settle (GC) before reading its RSS.
  await new Promise((r) => setTimeout(r, 1000));
  const rss10k = rssMb(pid, 'VmRSS');
  progress(`RSS with ${BIG + SMALL} ConfigMaps loaded: ${fmt(rss10k, 1)} MiB`);

  // Gets.
  const getStats = new Map<number, Stats>();
  let x = 0x9e3779b9;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
  for (const c of CONCURRENCY) {
    progress(`gets at c=${c}`);
    const run = await closedLoop(c, { seconds: SECONDS }, () =>
      send({ method: 'GET', path: `/api/v1/namespaces/${NS_BIG}/configmaps/cm-${Math.floor(rand() * BIG)}`, headers: { Accept: 'application/json' }, keepBytes: 0 }, 200),
    );
    getStats.set(c, stats(run));
  }

  // Lists from the watch cache.
  const listStats = new Map<string, Stats>();
  for (const [label, ns] of [['list100', NS_SMALL], ['list10k', NS_BIG]] as const) {
    for (const c of CONCURRENCY) {
      progress(`${label} at c=${c}`);
      const run = await closedLoop(c, { seconds: SECONDS }, () =>
        send({ method: 'GET', path: `/api/v1/namespaces/${ns}/configmaps?resourceVersion=0`, headers: { Accept: 'application/json' }, keepBytes: 0 }, 200),
      );
      listStats.set(`${label}_c${c}`, stats(run));
    }
  }
  progress('consistent list100 at c=16');
  const consistent = stats(
    await closedLoop(16, { seconds: SECONDS }, () =>
      send({ method: 'GET', path: `/api/v1/namespaces/${NS_SMALL}/configmaps`, headers: { Accept: 'application/json' }, keepBytes: 0 }, 200),
    ),
  );

  // Watch delivery.
  const watchStats = new Map<number, { s: Stats; writes: number; missing: number; writeS: Stats }>();
  for (const c of CONCURRENCY) {
    progress(`watch delivery with ${c} watcher(s)`);
    const w = await watchPhase(c);
    watchStats.set(c, { s: stats(w.run), writes: w.writes, missing: w.missing, writeS: stats(w.writeRun) });
  }
  const peak = rssMb(pid, 'VmHWM');
  const rssEnd = rssMb(pid, 'VmRSS');

  // ---- table and results ----
  for (const c of CONCURRENCY) {
    const s = createStats.get(c)!;
    const e = etcdStats.get(c)!;
    row('create ConfigMap (API)', c, s);
    row('put (etcd raw)', c, e, `API/etcd = ${fmt(s.perS / e.perS, 3)}`);
    result(`create_c${c}_per_s`, s.perS);
    result(`create_c${c}_p50_ms`, s.p50);
    result(`create_c${c}_p99_ms`, s.p99);
    result(`etcd_put_c${c}_per_s`, e.perS);
    result(`etcd_put_c${c}_p50_ms`, e.p50);
    result(`etcd_put_c${c}_p99_ms`, e.p99);
    result(`create_ratio_vs_etcd_c${c}`, s.perS / e.perS);
  }
  for (const c of CONCURRENCY) {
    const s = getStats.get(c)!;
    row('get ConfigMap', c, s);
    result(`get_c${c}_per_s`, s.perS);
    result(`get_c${c}_p50_ms`, s.p50);
    result(`get_c${c}_p99_ms`, s.p99);
  }
  for (const label of ['list100', 'list10k'] as const) {
    for (const c of CONCURRENCY) {
      const s = listStats.get(`${label}_c${c}`)!;
      const ns = label === 'list100' ? NS_SMALL : NS_BIG;
      row(`${label === 'list100' ? 'list 100' : 'list 10,000'} (rv=0, cache)`, c, s, c === 1 ? `${fmt(sizes[ns]! / 1024 / 1024, 2)} MiB/response` : `${fmt((s.perS * sizes[ns]!) / 1024 / 1024, 0)} MiB/s`);
      result(`${label}_c${c}_per_s`, s.perS);
      result(`${label}_c${c}_p50_ms`, s.p50);
      result(`${label}_c${c}_p99_ms`, s.p99);
    }
  }
  row('list 100 (consistent)', 16, consistent);
  result('list100_consistent_c16_per_s', consistent.perS);
  result('list100_consistent_c16_p50_ms', consistent.p50);
  result('list100_consistent_c16_p99_ms', consistent.p99);
  for (const c of CONCURRENCY) {
    const w = watchStats.get(c)!;
    row('watch delivery', c, w.s, `${w.writes} writes at ${fmt(w.writeS.perS, 0)}/s, events/s = ops/s${w.missing ? `, ${w.missing} MISSING` : ''}`);
    result(`watch_c${c}_events_per_s`, w.s.perS);
    result(`watch_c${c}_p50_ms`, w.s.p50);
    result(`watch_c${c}_p99_ms`, w.s.p99);
    result(`watch_c${c}_missing`, w.missing);
  }
  result('rss_mb_10k', rss10k);
  result('rss_mb_end', rssEnd);
  result('rss_mb_peak', peak);
  result('list10k_response_mb', sizes[NS_BIG]! / 1024 / 1024);

  printTable();
  console.log('');
  console.log(`server RSS: ${fmt(rss10k, 1)} MiB with ${BIG + SMALL} ConfigMaps loaded, ${fmt(rssEnd, 1)} MiB at the end, peak ${fmt(peak, 1)} MiB`);
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log('');
  for (const [name, value] of results) console.log(`RESULT ${name}=${round(value)}`);
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
