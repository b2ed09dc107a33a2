/**
 * The embedded store: an etcd-shaped MVCC log on LMDB (see docs/storage.md for the flow).
 *
 *   log    revision → LogEntry          every write appends one entry; the revision *is* the key
 *   index  key → latest revision        including tombstones, until compaction removes them
 *   ttl    [expiresAtMs, key] → rev     keys to delete when their time is up
 *   meta   'format' | 'compact'        (the head revision is the last log key)
 *
 * Each entry links to the key's previous entry (`p`), so the value of a key at any revision is found by walking back
 * from the index. Writes are validated and applied inside one LMDB write transaction each; lmdb-js batches all the
 * transactions issued in one event-loop turn into a single commit (group commit). A write is acknowledged only after
 * its commit is flushed to disk (`overlappingSync` + `separateFlushed`: the next batch builds while the previous one
 * syncs). Then, in revision order, `committedRev` advances and the events go to live watchers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import {
  type Backend,
  type DeleteOptions,
  type GetOptions,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type UpdateOptions,
  type Watch,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from '../backend.ts';
import {
  checkKeySize,
  checkValueSize,
  compacted,
  conflict,
  futureRevision,
  keyExists,
  keyNotFound,
  StorageError,
} from '../errors.ts';
import type { CompactionOptions } from '../index.ts';
import { DEFAULT_WATCH_BUFFER, WatchQueue } from '../watch-queue.ts';
import { mkdirp } from '../../util/fs.ts';
import { DirLock } from './lock.ts';

/** On-disk log record. Short field names: it is stored once per revision. */
interface LogEntry {
  /** key */
  k: string;
  /** value (absent on a tombstone) */
  v?: Uint8Array;
  /** createRevision */
  c: number;
  /** revision of this key's previous entry (0: none) */
  p: number;
  /** version */
  n: number;
  /** wall-clock ms of the write, for time-based compaction */
  t: number;
  /** tombstone */
  d?: 1;
  /** expires at (ms), for TTL keys */
  x?: number;
}

export const STORE_FORMAT = 1;
export const DATA_FILE = 'data.mdb';
const CATCH_UP_CHUNK = 1000;
const COMPACT_CHUNK = 2000;
const EMPTY = new Uint8Array(0);

export interface LmdbOptions {
  /** Directory holding data.mdb and the process lock. Created if missing. */
  dir: string;
  compaction?: CompactionOptions;
  /** Events a watcher may have pending before it is cut off with WatcherTooSlow. */
  watchBuffer?: number;
  /** How often expired TTL keys are deleted. */
  ttlSweepMs?: number;
}

export const DEFAULT_COMPACTION: Required<CompactionOptions> = {
  keepRevisions: 100_000,
  keepMinutes: 5,
  intervalMs: 5_000,
};

type Outcome<T> = { result: T; event?: WatchEvent; rev?: number } | { error: StorageError };

export async function openLmdbBackend(opts: LmdbOptions): Promise<LmdbBackend> {
  const dir = path.resolve(opts.dir);
  try {
    mkdirp(dir);
  } catch (err) {
    throw new StorageError('Corrupt', `cannot create the store directory ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const lock = DirLock.acquire(dir);
  try {
    return new LmdbBackend(dir, openEnv(dir, false), lock, opts);
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Opens (or creates) the LMDB environment of a store directory, turning LMDB's errors into ones that say what to do. */
export function openEnv(dir: string, readOnly: boolean): RootDatabase {
  return openEnvFile(path.join(dir, DATA_FILE), readOnly, dir);
}

export function openEnvFile(file: string, readOnly: boolean, dir = path.dirname(file)): RootDatabase {
  checkDataFile(file, dir);
  let env: RootDatabase;
  try {
    env = open({ path: file, noSubdir: true, readOnly, overlappingSync: true, separateFlushed: true, maxDbs: 8 });
  } catch (err) {
    throw new StorageError(
      'Corrupt',
      `cannot open the store at ${file}: ${(err as Error).message}. If the file is damaged, move ${dir} aside and ` +
        `restore a snapshot with 'k8ts store snapshot restore FILE --data-dir DIR'`,
      { cause: err },
    );
  }
  const meta = env.openDB<number, string>({ name: 'meta' });
  const format = meta.get('format');
  if (format === undefined && !readOnly && storedRevision(env) === 0) {
    meta.putSync('format', STORE_FORMAT);
  } else if (format !== STORE_FORMAT) {
    env.close();
    throw new StorageError(
      'Corrupt',
      `${file} is not a k8ts store of format ${STORE_FORMAT} (found ${String(format)}): move it aside or point ` +
        `--data-dir elsewhere`,
    );
  }
  return env;
}

/**
 * The head revision of an open environment: the last log key (compaction never removes the newest entry), or the
 * compact revision of a store whose log is empty.
 */
export function storedRevision(env: RootDatabase): number {
  for (const rev of env.openDB<LogEntry, number>({ name: 'log' }).getKeys({ reverse: true, limit: 1 })) return rev;
  return env.openDB<number, string>({ name: 'meta' }).get('compact') ?? 0;
}

const LMDB_MAGIC = 0xbeefc0de;
const META_MAGIC_OFFSET = 24;

/**
 * LMDB trusts its file: handed a damaged one it can crash the process instead of failing. So before opening, check
 * that both meta pages carry LMDB's magic number; a file that does not gets a clear error instead.
 */
function checkDataFile(file: string, dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a new store
    throw new StorageError('Corrupt', `cannot read the store file ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return;
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, 64, 0);
    const pageSize = head.readUInt32LE(48);
    const second = Buffer.alloc(4);
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if (validPageSize) fs.readSync(fd, second, 0, 4, pageSize + META_MAGIC_OFFSET);
    if (
      size < 2 * 512 ||
      head.readUInt32LE(META_MAGIC_OFFSET) !== LMDB_MAGIC ||
      !validPageSize ||
      second.readUInt32LE(0) !== LMDB_MAGIC
    ) {
      throw new StorageError(
        'Corrupt',
        `${file} is damaged or is not a k8ts store (no LMDB header). Move ${dir} aside and restore a snapshot with ` +
          `'k8ts store snapshot restore FILE --data-dir DIR', or start with an empty --data-dir`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
}

export class LmdbBackend implements Backend {
  readonly kind = 'lmdb' as const;
  private readonly log: Database<LogEntry, number>;
  private readonly index: Database<number, string>;
  private readonly ttl: Database<number, [number, string]>;
  private readonly meta: Database<number, string>;

  /** Last revision handed out inside a write transaction (possibly not yet durable). */
  private assignedRev: number;
  /** Last revision that is durable and has been broadcast: the revision reads are served at. */
  private committedRev: number;
  /** Oldest readable revision. */
  private compactRev: number;
  /** Committed events waiting for an earlier revision's commit to resolve, so watchers see revision order. */
  private readonly ready = new Map<number, WatchEvent>();
  private readonly live = new Set<LiveWatcher>();
  private readonly queues = new Set<WatchQueue>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly compaction: Required<CompactionOptions>;
  private readonly watchBuffer: number;
  private compacting: Promise<void> | undefined;
  private failure: StorageError | undefined;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly env: RootDatabase,
    private readonly lock: DirLock,
    opts: LmdbOptions,
  ) {
    this.log = env.openDB<LogEntry, number>({ name: 'log' });
    this.index = env.openDB<number, string>({ name: 'index' });
    this.ttl = env.openDB<number, [number, string]>({ name: 'ttl' });
    this.meta = env.openDB<number, string>({ name: 'meta' });
    this.assignedRev = this.committedRev = storedRevision(env);
    this.compactRev = this.meta.get('compact') ?? 0;
    this.compaction = { ...DEFAULT_COMPACTION, ...stripUndefined(opts.compaction ?? {}) };
    this.watchBuffer = opts.watchBuffer ?? DEFAULT_WATCH_BUFFER;
    this.timers.push(setInterval(() => this.sweepExpired(), opts.ttlSweepMs ?? 500).unref());
    if (this.compaction.intervalMs > 0) {
      this.timers.push(setInterval(() => void this.autoCompact(), this.compaction.intervalMs).unref());
    }
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  async get(key: string, opts: GetOptions = {}): Promise<KeyValue | undefined> {
    const rev = this.readRevision(opts.revision);
    return this.resolve(key, this.index.get(key), rev);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const revision = this.readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let more = false;
    const start = opts.after !== undefined && opts.after >= prefix ? opts.after : prefix;
    for (const { key, value } of this.index.getRange({ start })) {
      if (!key.startsWith(prefix)) break;
      if (key === opts.after) continue;
      const kv = this.resolve(key, value, revision);
      if (!kv) continue;
      if (kvs.length === limit) {
        more = true;
        break;
      }
      kvs.push(kv);
    }
    return { kvs, revision, more };
  }

  async count(prefix: string): Promise<number> {
    const revision = this.committedRev;
    let n = 0;
    for (const { key, value } of this.index.getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      if (this.resolve(key, value, revision)) n++;
    }
    return n;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.committedRev;
  }

  async compactRevision(): Promise<number> {
    return this.compactRev;
  }

  private readRevision(requested: number | undefined): number {
    this.checkOpen();
    if (!requested) return this.committedRev;
    if (requested < this.compactRev) throw compacted(requested, this.compactRev);
    if (requested > this.committedRev) throw futureRevision(requested, this.committedRev);
    return requested;
  }

  /** The key's value as of `revision`, walking back from its latest entry `rev`. */
  private resolve(key: string, rev: number | undefined, revision: number): KeyValue | undefined {
    while (rev) {
      const e = this.log.get(rev);
      if (!e) return undefined; // compacted away: nothing at or before this point is visible any more
      if (rev <= revision) return e.d ? undefined : toKv(rev, e);
      rev = e.p;
    }
    return undefined;
  }

  // ---- writes ---------------------------------------------------------------------------------------------------

  async create(key: string, value: Uint8Array, opts: WriteOptions = {}): Promise<KeyValue> {
    checkSizes(key, value);
    return this.write(() => {
      const prevRev = this.index.get(key) ?? 0;
      const prev = prevRev ? this.log.get(prevRev) : undefined;
      if (prev && !prev.d) return { error: keyExists(key, toKv(prevRev, prev)) };
      return this.append(key, { k: key, v: value, c: 0, p: prevRev, n: 1, t: 0 }, opts.ttlSeconds);
    });
  }

  async update(key: string, value: Uint8Array, opts: UpdateOptions = {}): Promise<KeyValue> {
    checkSizes(key, value);
    return this.write(() => {
      const prevRev = this.index.get(key) ?? 0;
      const prev = prevRev ? this.log.get(prevRev) : undefined;
      if (!prev || prev.d) return { error: keyNotFound(key) };
      if (opts.expectedModRevision !== undefined && opts.expectedModRevision !== prevRev) {
        return { error: conflict(key, opts.expectedModRevision, toKv(prevRev, prev)) };
      }
      const entry: LogEntry = { k: key, v: value, c: prev.c, p: prevRev, n: prev.n + 1, t: 0 };
      return this.append(key, entry, opts.ttlSeconds, toKv(prevRev, prev));
    });
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KeyValue> {
    this.checkKey(key);
    return this.write(() => this.deleteInTxn(key, opts.expectedModRevision));
  }

  private deleteInTxn(key: string, expected: number | undefined): Outcome<KeyValue> {
    const prevRev = this.index.get(key) ?? 0;
    const prev = prevRev ? this.log.get(prevRev) : undefined;
    if (!prev || prev.d) return { error: keyNotFound(key) };
    const prevKv = toKv(prevRev, prev);
    if (expected !== undefined && expected !== prevRev) return { error: conflict(key, expected, prevKv) };
    const outcome = this.append(key, { k: key, c: 0, p: prevRev, n: 0, t: 0, d: 1 }, undefined, prevKv);
    return { ...outcome, result: prevKv };
  }

  /** Inside a write transaction: writes `entry` at the next revision. */
  private append(key: string, entry: LogEntry, ttlSeconds: number | undefined, prevKv?: KeyValue) {
    const rev = ++this.assignedRev;
    entry.t = Date.now();
    if (!entry.d && entry.n === 1) entry.c = rev;
    if (ttlSeconds !== undefined && ttlSeconds > 0) {
      entry.x = entry.t + ttlSeconds * 1000;
      this.ttl.put([entry.x, key], rev);
    }
    // Revisions only grow, so the log is append-only: MDB_APPEND fills pages instead of splitting them in half.
    appendPut(this.log, rev, entry);
    this.index.put(key, rev);
    const kv = entry.d ? { key, value: EMPTY, createRevision: 0, modRevision: rev, version: 0 } : toKv(rev, entry);
    const event: WatchEvent = { type: entry.d ? 'delete' : 'put', kv, prevKv };
    return { result: kv, event, rev };
  }

  /**
   * Runs `fn` in a write transaction (batched with the others of this turn), waits until the commit is flushed, then
   * publishes the event in revision order. `fn` must decide before it writes: lmdb-js does not roll back a callback
   * that throws after writing.
   */
  private async write<T>(fn: () => Outcome<T>): Promise<T> {
    this.checkOpen();
    let outcome: Outcome<T> | undefined;
    const committed = this.env.transaction(() => {
      if (this.failure) return;
      outcome = fn();
    });
    // With overlappingSync a commit is visible before it is durable; `env.flushed` resolves once the latest commit
    // is on disk. (lmdb-js in fact resolves the commit after its sync, but the ack must not depend on that.)
    const done = committed.then(() => this.env.flushed);
    this.inflight.add(done);
    try {
      await done;
    } catch (err) {
      // The revisions handed out in this batch may not be on disk: refuse all further writes rather than reuse them.
      this.failure ??= new StorageError(
        'Unavailable',
        `the store at ${this.dir} failed to commit (${(err as Error).message}); restart k8ts`,
        { cause: err },
      );
    } finally {
      this.inflight.delete(done);
    }
    if (this.failure) throw this.failure;
    if (!outcome) throw new StorageError('Unavailable', `the store at ${this.dir} is closed`);
    if ('error' in outcome) throw outcome.error;
    if (outcome.event && outcome.rev) this.publish(outcome.rev, outcome.event);
    return outcome.result;
  }

  /** Advances committedRev over every contiguous durable revision and hands their events to live watchers. */
  private publish(rev: number, event: WatchEvent): void {
    this.ready.set(rev, event);
    const batch: WatchEvent[] = [];
    for (let next = this.committedRev + 1; this.ready.has(next); next++) {
      batch.push(this.ready.get(next)!);
      this.ready.delete(next);
      this.committedRev = next;
    }
    if (batch.length === 0) return;
    for (const w of this.live) {
      const mine = batch.filter((e) => e.kv.key.startsWith(w.prefix));
      if (mine.length) w.queue.push(mine);
      w.queue.markProgress(this.committedRev);
    }
  }

  // ---- watch ----------------------------------------------------------------------------------------------------

  watch(prefix: string, opts: WatchOptions = {}): Watch {
    this.checkOpen();
    const w: LiveWatcher = { prefix, queue: undefined as unknown as WatchQueue };
    let next = opts.startRevision || this.committedRev + 1;
    let caughtUp = false;
    // Catch-up reads the log in chunks, on the consumer's demand, until it reaches committedRev; then the watcher
    // joins the live set in the same synchronous step, so no revision is missed or delivered twice.
    const catchUp = () => {
      while (!caughtUp && !w.queue.closed) {
        if (next < this.compactRev) return w.queue.fail(compacted(next, this.compactRev));
        const end = Math.min(next + CATCH_UP_CHUNK, this.committedRev + 1);
        const events: WatchEvent[] = [];
        for (const { key: rev, value: e } of this.log.getRange({ start: next, end })) {
          if (e.k.startsWith(prefix)) events.push(this.eventAt(rev, e));
        }
        next = end;
        if (events.length) w.queue.push(events);
        if (next > this.committedRev) {
          caughtUp = true;
          this.live.add(w);
          w.queue.markProgress(this.committedRev);
        }
        if (events.length) return;
      }
    };
    w.queue = new WatchQueue(this.watchBuffer, {
      onDrain: catchUp,
      onClose: () => {
        this.live.delete(w);
        this.queues.delete(w.queue);
      },
    });
    this.queues.add(w.queue);
    if (next < this.compactRev) w.queue.fail(compacted(next, this.compactRev));
    else if (next > this.committedRev) {
      caughtUp = true;
      this.live.add(w);
      w.queue.markProgress(this.committedRev);
    }
    return w.queue;
  }

  /** Rebuilds the event a log entry recorded (for watchers catching up). */
  private eventAt(rev: number, e: LogEntry): WatchEvent {
    const prev = e.p ? this.log.get(e.p) : undefined;
    const prevKv = prev && !prev.d ? toKv(e.p, prev) : undefined;
    if (e.d) {
      return { type: 'delete', kv: { key: e.k, value: EMPTY, createRevision: 0, modRevision: rev, version: 0 }, prevKv };
    }
    return { type: 'put', kv: toKv(rev, e), prevKv: e.n > 1 ? prevKv : undefined };
  }

  // ---- TTL ------------------------------------------------------------------------------------------------------

  private sweepExpired(): void {
    if (this.closed || this.failure) return;
    const now = Date.now();
    for (const { key, value: rev } of this.ttl.getRange({ end: [now + 1], limit: 1000 })) {
      const [, k] = key;
      // CAS on the revision that set this expiry: a key rewritten since then is left alone.
      this.write<unknown>(() => {
        this.ttl.remove(key);
        if (this.index.get(k) !== rev) return { result: undefined };
        return this.deleteInTxn(k, rev);
      }).catch(() => {}); // a closed or failed store reports that through its own calls
    }
  }

  // ---- compaction -----------------------------------------------------------------------------------------------

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.committedRev) throw futureRevision(revision, this.committedRev);
    await this.compactTo(revision);
  }

  /** Compacts away what the retention policy (last N revisions and/or T minutes) no longer keeps. */
  private async autoCompact(): Promise<void> {
    if (this.closed || this.failure || this.compacting) return;
    const { keepRevisions, keepMinutes } = this.compaction;
    const byCount = keepRevisions > 0 ? this.committedRev - keepRevisions + 1 : 0;
    const cutoff = keepMinutes > 0 ? Date.now() - keepMinutes * 60_000 : -Infinity;
    // Everything below byCount goes; above it, entries are in revision (hence time) order, so scan for the cutoff.
    let target = Math.min(Math.max(this.compactRev, byCount), this.committedRev);
    for (const { key: rev, value: e } of this.log.getRange({ start: target, end: this.committedRev })) {
      if (e.t >= cutoff) break;
      target = rev + 1;
    }
    // compactTo works in chunks of COMPACT_CHUNK revisions, one transaction each, until it reaches the target: it
    // keeps up with any sustained write rate instead of doing a fixed amount per interval.
    if (target > this.compactRev) await this.compactTo(target).catch(() => {});
  }

  /**
   * Makes `target` the oldest readable revision. For every entry e below it, the entry e replaced (e.p) can no longer
   * be read by anyone, and neither can e itself if it is a tombstone. Entries at or above `target` keep their
   * predecessor, so watchers starting at `target` still get prevKv.
   */
  private compactTo(target: number): Promise<void> {
    // Compactions run one after another; each works in chunks so that no single transaction grows large.
    const p = (this.compacting ?? Promise.resolve()).catch(() => {}).then(async () => {
      while (target > this.compactRev) {
        const from = this.compactRev;
        const to = Math.min(target, from + COMPACT_CHUNK);
        this.compactRev = to; // reads below `to` fail from now on, before any entry disappears
        await this.env.transaction(() => {
          const entries = [...this.log.getRange({ start: from, end: to })];
          for (const { key: rev, value: e } of entries) {
            if (e.p) this.log.remove(e.p);
            if (e.d) {
              this.log.remove(rev);
              if (this.index.get(e.k) === rev) this.index.remove(e.k);
            }
          }
          this.meta.put('compact', to);
        });
      }
    });
    this.compacting = p;
    p.finally(() => {
      if (this.compacting === p) this.compacting = undefined;
    }).catch(() => {});
    return p;
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const q of [...this.queues]) q.fail(new StorageError('Unavailable', `the store at ${this.dir} was closed`));
    await Promise.allSettled([...this.inflight, this.compacting]);
    await this.env.close();
    this.lock.release();
  }

  /** Disk usage of the data file, for tests and benchmarks. */
  fileBytes(): number {
    return fs.statSync(path.join(this.dir, DATA_FILE)).size;
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new StorageError('Unavailable', `the store at ${this.dir} is closed`);
  }

  private checkKey(key: string): void {
    checkSizes(key, EMPTY);
  }
}

interface LiveWatcher {
  prefix: string;
  queue: WatchQueue;
}

/** lmdb-js accepts put options at run time; its types only declare them on putSync. */
const appendPut = (db: Database<LogEntry, number>, rev: number, entry: LogEntry) =>
  (db.put as unknown as (k: number, v: LogEntry, o: { append: boolean }) => Promise<boolean>).call(db, rev, entry, {
    append: true,
  });

function toKv(rev: number, e: LogEntry): KeyValue {
  return { key: e.k, value: e.v ?? EMPTY, createRevision: e.c, modRevision: rev, version: e.n };
}

function checkSizes(key: string, value: Uint8Array): void {
  checkKeySize(key);
  checkValueSize(key, value);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
