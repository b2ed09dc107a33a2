/**
 * Store benchmark: the embedded LMDB backend against a real etcd, side by side in one run on this machine.
 *
 * What is compared
 * - LMDB: `openLmdbBackend()` driven through the Backend interface, i.e. the full write path the API server uses:
 *   `create` of new keys, then `update` of those keys with `expectedModRevision` (compare-and-swap), each one
 *   validated, given a revision, logged, indexed and published to watchers.
 * - etcd: Debian's /usr/bin/etcd (single member, started by test/support/etcd.ts) driven with the `etcd3` client
 *   directly (`client.put(key).value(v)`): "create" = put of a new key, "update" = put of an existing key (no CAS).
 *   This is the raw-put figure TARGETS.md compares against; Kubernetes' own etcd path (a txn with a compare) costs more.
 * - Values are ~1 KiB (a small Kubernetes object), keys look like /registry/pods/<ns>/name-<i>.
 * - Both are durable when a write is acknowledged. etcd fsyncs its WAL once per batch of proposals before replying.
 *   LMDB's ack waits for its flushed commit: lmdb-js group-commits the transactions issued in one event-loop turn and,
 *   with `overlappingSync`, mdb_txn_commit releases the write lock (so the next batch can build), then fdatasyncs the
 *   data and writes the meta page through LMDB's O_DSYNC fd, and only then reports the batch committed. (Note: the
 *   promise of env.transaction() has no `.flushed`, so LmdbBackend.write's extra wait on it is a no-op today; the
 *   durability comes from the above.) Both data dirs are on the same filesystem (os.tmpdir()); the run also prints
 *   what one 4 KiB write + fdatasync costs there, which bounds single-writer latency for both.
 *
 * What is measured (closed loop: each writer awaits its own write before issuing the next)
 * - puts/s, p50 and p99 latency at 1, 16 and 64 concurrent writers; "put" pools the create and update phases
 *   (total ops / total time, percentiles over all latencies), and each phase is also reported on its own;
 * - point gets/s of existing keys at 16 concurrent readers (etcd: linearizable, its default and what a quorum read
 *   costs; a serializable, member-local read is reported as well);
 * - watch delivery latency: one watcher on a prefix, one sequential writer; latency = event delivery − write issue.
 *
 * It prints figures and never fails on time: a table, then `RESULT store.<metric>=<value>` lines, among them
 * `store.put_ratio_vs_etcd_c{1,16,64}` = LMDB puts/s ÷ etcd puts/s. Percentiles are nearest-rank over sorted samples.
 *
 * Knobs: BENCH_SECONDS (per phase, default 4) or BENCH_OPS (fixed operations per phase instead of a duration).
 * The default run takes about 80 s. etcd is stopped by its PID and both temp dirs are removed, also on error/^C.
 */
import { closedLoop, envNumber, fmt, round, stats, type Limit, type Run, type Stats } from './harness.ts';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Etcd3 } from 'etcd3';
import type { Backend } from '../src/storage/backend.ts';
import { openLmdbBackend, type LmdbBackend } from '../src/storage/lmdb/lmdb-backend.ts';
import { startEtcd, type EtcdProcess } from '../test/support/etcd.ts';

// ---- settings ---------------------------------------------------------------------------------------------------

const BENCH_OPS = envNumber('BENCH_OPS');
const BENCH_SECONDS = envNumber('BENCH_SECONDS') ?? 4;
/** Each phase runs for a fixed number of operations (BENCH_OPS) or else for a fixed duration. */
const LIMIT: Limit = BENCH_OPS !== undefined ? { ops: Math.floor(BENCH_OPS) } : { seconds: BENCH_SECONDS };
const WARMUP: Limit = BENCH_OPS !== undefined ? { ops: Math.min(500, Math.floor(BENCH_OPS)) } : { seconds: 1 };
const CONCURRENCY = [1, 16, 64] as const;
const GET_CONCURRENCY = 16;
const VALUE_BYTES = 1024;
/** How long to wait for the last watch events after the writer stopped. */
const WATCH_DRAIN_MS = 10_000;

// ---- workload ---------------------------------------------------------------------------------------------------

/** A ~1 KiB value: 8 bytes of issue timestamp (performance.now(), for watch latency) then pod-like JSON padding. */
const VALUE_TEMPLATE = (() => {
  const buf = Buffer.alloc(VALUE_BYTES, 0x20);
  const json = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'bench', namespace: 'bench', labels: { app: 'bench' } },
    spec: { containers: [{ name: 'c', image: 'registry.example/bench:1' }] },
    status: { phase: 'Running' },
  });
  buf.write(json, 8, 'utf8');
  return buf;
})();
function makeValue(stamp = 0): Buffer {
  const buf = Buffer.from(VALUE_TEMPLATE);
  buf.writeDoubleLE(stamp, 0);
  return buf;
}
const readStamp = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).readDoubleLE(0);

/** The operations a benchmarked store offers, plus the keys each write phase created (for updates and gets). */
interface Target {
  name: 'lmdb' | 'etcd';
  create(key: string, value: Buffer): Promise<number>;
  /** `rev` is the key's modRevision as of this worker's last write (used as CAS by LMDB, ignored by etcd). */
  update(key: string, value: Buffer, rev: number): Promise<number>;
  get(key: string): Promise<void>;
  /** etcd only: a serializable (member-local, no consensus round) read. */
  getSerializable?(key: string): Promise<void>;
  /** Starts a watch on `prefix`; `onValue` is called with each delivered put's value. Resolves once it is live. */
  watch(prefix: string, onValue: (v: Uint8Array) => void): Promise<() => Promise<void>>;
}

function lmdbTarget(backend: Backend): Target {
  return {
    name: 'lmdb',
    create: async (key, value) => (await backend.create(key, value)).modRevision,
    update: async (key, value, rev) => (await backend.update(key, value, { expectedModRevision: rev })).modRevision,
    get: async (key) => {
      if (!(await backend.get(key))) throw new Error(`lmdb: ${key} not found`);
    },
    watch: async (prefix, onValue) => {
      const w = backend.watch(prefix);
      const consumer = (async () => {
        for await (const batch of w) for (const ev of batch) if (ev.type === 'put') onValue(ev.kv.value);
      })();
      return async () => {
        w.close();
        await consumer;
      };
    },
  };
}

function etcdTarget(client: Etcd3): Target {
  return {
    name: 'etcd',
    create: async (key, value) => Number((await client.put(key).value(value)).header.revision),
    update: async (key, value) => Number((await client.put(key).value(value)).header.revision),
    get: async (key) => {
      if (!(await client.get(key).buffer())) throw new Error(`etcd: ${key} not found`);
    },
    getSerializable: async (key) => {
      if (!(await client.get(key).serializable(true).buffer())) throw new Error(`etcd: ${key} not found`);
    },
    watch: async (prefix, onValue) => {
      const watcher = await client.watch().prefix(prefix).create();
      watcher.on('put', (kv) => onValue(kv.value));
      return () => watcher.cancel();
    },
  };
}

interface WriteResult {
  create: Run;
  update: Run;
}

/** Keys created by a create phase, by worker, with their latest modRevision. */
type Pool = Array<Array<{ key: string; rev: number }>>;

async function createPhase(t: Target, c: number, ns: string, limit: Limit): Promise<{ run: Run; pool: Pool }> {
  const pool: Pool = Array.from({ length: c }, () => []);
  const value = makeValue();
  const run = await closedLoop(c, limit, async (w, i) => {
    const key = `/registry/pods/${ns}/name-${i}`;
    pool[w]!.push({ key, rev: await t.create(key, value) });
  });
  // With BENCH_OPS below the concurrency some workers created nothing: top them up (untimed) so all can update.
  for (let w = 0; w < c; w++) {
    if (pool[w]!.length === 0) {
      const key = `/registry/pods/${ns}/name-extra-${w}`;
      pool[w]!.push({ key, rev: await t.create(key, value) });
    }
  }
  return { run, pool };
}

async function updatePhase(t: Target, c: number, pool: Pool, limit: Limit): Promise<Run> {
  const value = makeValue();
  const next = new Array<number>(c).fill(0);
  return closedLoop(c, limit, async (w) => {
    const mine = pool[w]!;
    const item = mine[next[w]++ % mine.length]!;
    item.rev = await t.update(item.key, value, item.rev);
  });
}

async function getPhase(get: (key: string) => Promise<void>, keys: string[], limit: Limit): Promise<Run> {
  let x = 0x9e3779b9;
  const rand = () => {
    // xorshift32: cheap, deterministic, and the same key sequence for both stores
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
  return closedLoop(GET_CONCURRENCY, limit, async () => get(keys[Math.floor(rand() * keys.length)]!));
}

/** One watcher on a prefix, one sequential writer; returns delivery latencies (delivery − issue), ms. */
async function watchPhase(t: Target, ns: string, limit: Limit): Promise<Run> {
  const prefix = `/registry/pods/${ns}/`;
  const lat: number[] = [];
  let waiting: (() => void) | undefined;
  let expected = Infinity;
  const stop = await t.watch(prefix, (v) => {
    lat.push(performance.now() - readStamp(v));
    if (lat.length >= expected) waiting?.();
  });
  try {
    const start = performance.now();
    const run = await closedLoop(1, limit, async (_w, i) => {
      await t.create(`${prefix}name-${i}`, makeValue(performance.now()));
    });
    expected = run.ops;
    if (lat.length < expected) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${t.name} watch: ${lat.length} of ${expected} events after ${WATCH_DRAIN_MS} ms`)),
          WATCH_DRAIN_MS,
        );
        waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { ops: lat.length, elapsedMs: performance.now() - start, lat };
  } finally {
    await stop();
  }
}

/** Cost of one 4 KiB pwrite + fdatasync in `dir`: the floor under any durable single-writer ack there. */
function fdatasyncProbe(dir: string, n = 200): Stats {
  const file = path.join(dir, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const buf = Buffer.alloc(4096, 0x61);
  const lat: number[] = [];
  const start = performance.now();
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      fs.writeSync(fd, buf, 0, buf.length, (i % 16) * 4096);
      fs.fdatasyncSync(fd);
      lat.push(performance.now() - t);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return stats({ ops: n, elapsedMs: performance.now() - start, lat });
}

// ---- report -----------------------------------------------------------------------------------------------------

const results: Array<[string, number]> = [];
function result(name: string, value: number): void {
  results.push([`store.${name}`, value]);
}

function describeEnv(etcdPid: number): string[] {
  const lines = [`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`];
  try {
    lines.push(execFileSync('/usr/bin/etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim() + ` (pid ${etcdPid})`);
  } catch {
    lines.push('etcd version unknown');
  }
  try {
    const df = execFileSync('df', ['-T', os.tmpdir()], { encoding: 'utf8' }).trim().split('\n').pop()!.split(/\s+/);
    lines.push(`data dirs under ${os.tmpdir()} (${df[1]} on ${df[0]})`);
  } catch {
    lines.push(`data dirs under ${os.tmpdir()}`);
  }
  lines.push(
    LIMIT.ops !== undefined
      ? `${LIMIT.ops} operations per phase (BENCH_OPS)`
      : `${LIMIT.seconds} s per phase (BENCH_SECONDS)`,
  );
  return lines;
}

// ---- main -------------------------------------------------------------------------------------------------------

let etcd: EtcdProcess | undefined;
let client: Etcd3 | undefined;
let lmdb: LmdbBackend | undefined;
let lmdbDir: string | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };
    await attempt('etcd client close', () => client?.close());
    await attempt('lmdb close', () => lmdb?.close());
    await attempt('lmdb dir removal', () => lmdbDir && fs.rmSync(lmdbDir, { recursive: true, force: true }));
    await attempt('etcd stop', () => etcd?.stop()); // SIGTERM (then SIGKILL) by PID, removes its data dir
    for (const p of problems) console.error(`cleanup: ${p}`);
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const t0 = performance.now();
  etcd = await startEtcd();
  client = new Etcd3({ hosts: etcd.endpoint });
  lmdbDir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-bench-lmdb-'));
  lmdb = await openLmdbBackend({ dir: lmdbDir });
  const targets = [lmdbTarget(lmdb), etcdTarget(client)];
  const disk = fdatasyncProbe(lmdbDir);

  console.log('k8ts store benchmark: embedded LMDB (Backend interface) vs etcd (etcd3 client, raw put)');
  for (const line of describeEnv(etcd.pid)) console.log(`  ${line}`);
  console.log(`  4 KiB write + fdatasync there: p50 ${fmt(disk.p50, 3)} ms, p99 ${fmt(disk.p99, 3)} ms`);
  result('disk_fdatasync_p50_ms', disk.p50);
  result('disk_fdatasync_p99_ms', disk.p99);
  console.log('');

  // Warm-up: connections, JIT, file growth, etcd's first snapshots of the WAL.
  for (const t of targets) {
    const { pool } = await createPhase(t, 16, 'warmup', WARMUP);
    await updatePhase(t, 16, pool, WARMUP);
    await getPhase(t.get, pool.flat().map((k) => k.key), WARMUP);
  }

  const writes = new Map<string, WriteResult>();
  const getKeys = new Map<string, string[]>();
  for (const c of CONCURRENCY) {
    process.stdout.write(`writes at c=${c} ...`);
    // Interleave the two stores phase by phase so that slow drifts of the machine hit both alike.
    const created = new Map<string, { run: Run; pool: Pool }>();
    for (const t of targets) created.set(t.name, await createPhase(t, c, `bench-c${c}`, LIMIT));
    for (const t of targets) {
      const { run, pool } = created.get(t.name)!;
      writes.set(`${t.name}.c${c}`, { create: run, update: await updatePhase(t, c, pool, LIMIT) });
      if (c === GET_CONCURRENCY) getKeys.set(t.name, pool.flat().map((k) => k.key));
    }
    console.log(' done');
  }

  process.stdout.write(`gets at c=${GET_CONCURRENCY} ...`);
  const gets = new Map<string, Run>();
  for (const t of targets) {
    gets.set(t.name, await getPhase(t.get, getKeys.get(t.name)!, LIMIT));
    if (t.getSerializable) {
      gets.set(`${t.name}.serializable`, await getPhase(t.getSerializable, getKeys.get(t.name)!, LIMIT));
    }
  }
  console.log(' done');

  process.stdout.write('watch delivery ...');
  const watches = new Map<string, Run>();
  for (const t of targets) watches.set(t.name, await watchPhase(t, 'bench-watch', LIMIT));
  console.log(' done\n');

  // ---- table + RESULT lines
  const header = ['figure', 'lmdb', 'etcd', 'lmdb/etcd'];
  const rows: string[][] = [];
  const row = (label: string, l: number, e: number, digits: number, ratio: boolean) =>
    rows.push([label, fmt(l, digits), fmt(e, digits), ratio ? fmt(l / e, 2) + '×' : '']);

  for (const c of CONCURRENCY) {
    const s = Object.fromEntries(
      targets.map((t) => {
        const w = writes.get(`${t.name}.c${c}`)!;
        return [t.name, { put: stats([w.create, w.update]), create: stats(w.create), update: stats(w.update) }];
      }),
    ) as Record<'lmdb' | 'etcd', Record<'put' | 'create' | 'update', Stats>>;
    for (const kind of ['put', 'create', 'update'] as const) {
      const l = s.lmdb[kind];
      const e = s.etcd[kind];
      row(`${kind}/s c${c}${kind === 'put' ? ' (create+update)' : ''}`, l.perS, e.perS, 0, true);
      row(`${kind} p50 ms c${c}`, l.p50, e.p50, 2, false);
      row(`${kind} p99 ms c${c}`, l.p99, e.p99, 2, false);
      for (const [name, st] of [['lmdb', l], ['etcd', e]] as const) {
        result(`${name}.${kind}_per_s_c${c}`, st.perS);
        result(`${name}.${kind}_p50_ms_c${c}`, st.p50);
        result(`${name}.${kind}_p99_ms_c${c}`, st.p99);
      }
    }
    result(`put_ratio_vs_etcd_c${c}`, s.lmdb.put.perS / s.etcd.put.perS);
  }

  const gl = stats(gets.get('lmdb')!);
  const ge = stats(gets.get('etcd')!);
  row(`get/s c${GET_CONCURRENCY}`, gl.perS, ge.perS, 0, true);
  row(`get p50 ms c${GET_CONCURRENCY}`, gl.p50, ge.p50, 3, false);
  row(`get p99 ms c${GET_CONCURRENCY}`, gl.p99, ge.p99, 3, false);
  for (const [name, st] of [['lmdb', gl], ['etcd', ge]] as const) {
    result(`${name}.get_per_s_c${GET_CONCURRENCY}`, st.perS);
    result(`${name}.get_p50_ms_c${GET_CONCURRENCY}`, st.p50);
    result(`${name}.get_p99_ms_c${GET_CONCURRENCY}`, st.p99);
  }
  result(`get_ratio_vs_etcd_c${GET_CONCURRENCY}`, gl.perS / ge.perS);
  const gs = stats(gets.get('etcd.serializable')!);
  row(`get/s c${GET_CONCURRENCY} vs etcd serializable`, gl.perS, gs.perS, 0, true);
  row(`get p50 ms c${GET_CONCURRENCY} vs etcd serial.`, gl.p50, gs.p50, 3, false);
  row(`get p99 ms c${GET_CONCURRENCY} vs etcd serial.`, gl.p99, gs.p99, 3, false);
  result(`etcd.get_serializable_per_s_c${GET_CONCURRENCY}`, gs.perS);
  result(`etcd.get_serializable_p50_ms_c${GET_CONCURRENCY}`, gs.p50);
  result(`etcd.get_serializable_p99_ms_c${GET_CONCURRENCY}`, gs.p99);

  const wl = stats(watches.get('lmdb')!);
  const we = stats(watches.get('etcd')!);
  row('watch delivery p50 ms', wl.p50, we.p50, 2, false);
  row('watch delivery p99 ms', wl.p99, we.p99, 2, false);
  row('watch events', wl.n, we.n, 0, false);
  for (const [name, st] of [['lmdb', wl], ['etcd', we]] as const) {
    result(`${name}.watch_p50_ms`, st.p50);
    result(`${name}.watch_p99_ms`, st.p99);
    result(`${name}.watch_events`, st.n);
  }

  const fileMiB = lmdb.fileBytes() / 2 ** 20;
  const etcdMiB = dirBytes(etcd.dataDir) / 2 ** 20;
  row('data on disk MiB', fileMiB, etcdMiB, 1, false);
  result('lmdb.disk_mib', fileMiB);
  result('etcd.disk_mib', etcdMiB);

  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('');
  for (const [name, value] of results) console.log(`RESULT ${name}=${round(value)}`);
  console.log(`\n(bench took ${fmt((performance.now() - t0) / 1000, 1)} s)`);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

try {
  await main();
} catch (err) {
  if (!interrupted) console.error('\nbench failed:', err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
