/**
 * The Backend contract on a real etcd (v3 API), through the `etcd3` client's low-level gRPC stubs.
 *
 * - Every key is stored as `prefix + key` (like kube-apiserver's --etcd-prefix), so several backends can share one
 *   etcd; the prefix is stripped from everything returned.
 * - Every mutation is a single etcd transaction whose compares make it atomic (create-if-absent, compare-and-swap).
 * - Watches use one gRPC stream each, so that compaction (`compact_revision`), fragments and reconnects can be
 *   handled exactly; after a dropped stream the watch resumes from the revision after the last one it received.
 * - Errors are mapped to StorageError; anything that means "etcd did not answer" becomes Unavailable, naming the
 *   endpoints. Every unary call has a deadline, so nothing hangs for minutes.
 */
import { Buffer } from 'node:buffer';
import {
  CompareResult,
  CompareTarget,
  Etcd3,
  EtcdLeaseInvalidError,
  type ICompare,
  type IDuplexStream,
  type IEvent,
  type IKeyValue,
  type IOptions,
  type IRangeRequest,
  type IRangeResponse,
  type IResponseHeader,
  type ITxnRequest,
  type ITxnResponse,
  type IWatchRequest,
  type IWatchResponse,
} from 'etcd3';
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
import { DEFAULT_WATCH_BUFFER, WatchQueue } from '../watch-queue.ts';

export interface EtcdBackendOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`. */
  endpoints: string[];
  /** Prepended to every key on the wire (default ''). */
  prefix?: string;
  /** openEtcdBackend fails with Unavailable if no endpoint answers within this long (default 5 s). */
  dialTimeoutMs?: number;
  /** Deadline of every unary etcd call (default 10 s). */
  requestTimeoutMs?: number;
  /** A watcher with more than this many undelivered events is cut off with WatcherTooSlow (default 10000). */
  watchBuffer?: number;
  /** How long a watch keeps trying to re-establish a broken stream before it fails with Unavailable (default 30 s). */
  watchRetryMs?: number;
}

const DEFAULT_DIAL_TIMEOUT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const DEFAULT_WATCH_RETRY_MS = 30_000;

const ZERO = Buffer.from([0]);
/** Any key works for requests that only want a response header or a revision check. */
const PROBE_KEY = ZERO;

const COMPACTED_TEXT = 'required revision has been compacted';
const FUTURE_TEXT = 'required revision is a future revision';
/** etcd's --max-request-bytes check, and gRPC's own message size limit on the server. */
const TOO_LARGE_TEXTS = ['request is too large', 'larger than max'];

export async function openEtcdBackend(opts: EtcdBackendOptions): Promise<Backend> {
  if (opts.endpoints.length === 0) throw new StorageError('Unavailable', 'no etcd endpoints configured');
  const backend = new EtcdBackend(opts);
  const dialTimeout = opts.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  const deadline = Date.now() + dialTimeout;
  // etcd3 connects lazily and ignores its own dialTimeout option, so "dialing" is: retry a cheap read until one
  // succeeds or the time is up. A refused connection fails in milliseconds, hence the short pause between tries.
  for (;;) {
    try {
      await backend.currentRevision(Math.max(1, deadline - Date.now()));
      return backend;
    } catch (err) {
      if (Date.now() + 100 >= deadline) {
        await backend.close();
        const why = err instanceof Error ? err.message : String(err);
        throw new StorageError(
          'Unavailable',
          `no etcd endpoint answered within ${dialTimeout} ms (${opts.endpoints.join(', ')}): ${why}`,
          { cause: err },
        );
      }
      await sleep(100);
    }
  }
}

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/**
 * etcd3's default fault handling retries any "recoverable" error three times and opens a circuit breaker per host.
 * Retrying a mutation whose response was lost can apply it twice (a create then reports KeyExists for its own
 * write), and the breaker keeps failing calls for seconds after etcd is back. So: no per-host breaker, and the
 * global policy only moves on to another endpoint when the request provably never left this process
 * ("No connection established"); everything else surfaces to the caller, which retries with backoff.
 * Only `execute` is used by etcd3, hence the minimal objects (cockatiel is not our dependency).
 */
function faultHandling(endpointCount: number): IOptions['faultHandling'] {
  const passThrough = {
    // async: etcd3's markFailed() hands in a function that throws synchronously and expects a rejection.
    async execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
      return fn({ signal: neverAborted });
    },
  } as unknown as Policy;
  const global = {
    async execute<T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn({ signal: neverAborted });
        } catch (err) {
          if (attempt >= endpointCount || !neverSent(err)) throw err;
        }
      }
    },
  } as unknown as Policy;
  return { host: () => passThrough, global };
}
const neverAborted = new AbortController().signal;
const neverSent = (err: unknown) => err instanceof Error && err.message.includes('No connection established');

class EtcdBackend implements Backend {
  readonly kind = 'etcd' as const;
  private readonly client: Etcd3;
  private readonly prefix: Buffer;
  private readonly endpoints: string;
  private readonly requestTimeoutMs: number;
  readonly watchBuffer: number;
  readonly watchRetryMs: number;
  private readonly leases: LeaseCache;
  private readonly watches = new Set<EtcdWatch>();
  private closed = false;
  /** Highest revision seen in any response: a write issued from now on is guaranteed a higher one. */
  lastSeenRevision = 0;
  /**
   * A lower bound of etcd's compact revision. etcd 3.4 has no RPC that returns it, so it comes from our own
   * compact() calls, from Compacted errors and watch responses, and from probing (see compactRevision()).
   */
  private knownCompactRevision = 0;

  constructor(opts: EtcdBackendOptions) {
    this.prefix = Buffer.from(opts.prefix ?? '', 'utf8');
    this.endpoints = opts.endpoints.join(', ');
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.watchBuffer = opts.watchBuffer ?? DEFAULT_WATCH_BUFFER;
    this.watchRetryMs = opts.watchRetryMs ?? DEFAULT_WATCH_RETRY_MS;
    const timeout = this.requestTimeoutMs;
    this.client = new Etcd3({
      hosts: opts.endpoints,
      // Streams (watches) live indefinitely; everything else gets a deadline.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: faultHandling(opts.endpoints.length),
      grpcOptions: {
        // A full list can be far bigger than gRPC's 4 MiB default.
        'grpc.max_receive_message_length': 2 ** 31 - 1,
        // gRPC backs off reconnects up to 2 minutes by default; etcd coming back should be noticed within a second.
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1000,
        // Detect a silently dead connection under a long-lived watch (etcd allows pings every 5 s or slower).
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
      },
    });
    this.leases = new LeaseCache(async (ttl) => {
      const res = await this.client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 });
      this.observe(res.header);
      return { id: res.ID, ttl: Number(res.TTL) };
    });
  }

  // ---- keys ---------------------------------------------------------------------------------------------------

  private wire(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key, 'utf8')]);
  }

  private toKv(kv: IKeyValue): KeyValue {
    const value = kv.value ?? Buffer.alloc(0);
    return {
      key: kv.key.subarray(this.prefix.length).toString('utf8'),
      // A plain Uint8Array view (no copy): Buffer's subclass would not deep-equal the caller's Uint8Array.
      value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
    };
  }

  private checkKey(key: string): Buffer {
    checkKeySize(key);
    return this.wire(key);
  }

  private checkValue(key: string, value: Uint8Array): Buffer {
    checkValueSize(key, value);
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  observe(header: IResponseHeader | undefined): void {
    const rev = Number(header?.revision ?? 0);
    if (rev > this.lastSeenRevision) this.lastSeenRevision = rev;
  }

  // ---- reads --------------------------------------------------------------------------------------------------

  private async range(req: IRangeRequest, timeoutMs?: number): Promise<IRangeResponse> {
    this.checkOpen();
    const revision = Number(req.revision ?? 0);
    try {
      const res = await this.client.kv.range(req, timeoutMs ? { deadline: Date.now() + timeoutMs } : undefined);
      this.observe(res.header);
      return res;
    } catch (err) {
      throw await this.mapError(err, revision);
    }
  }

  async get(key: string, opts: GetOptions = {}): Promise<KeyValue | undefined> {
    const res = await this.range({ key: this.wire(key), revision: opts.revision || 0 });
    const kv = res.kvs[0];
    return kv ? this.toKv(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const start = this.wire(prefix);
    const end = prefixEnd(start);
    let from = start;
    if (opts.after !== undefined) {
      // Exclusive start: the smallest key greater than `after` is `after + "\0"`.
      const next = Buffer.concat([this.wire(opts.after), ZERO]);
      if (Buffer.compare(next, from) > 0) from = next;
    }
    if (end !== ZERO && Buffer.compare(from, end) >= 0) from = end; // `after` is past the prefix: an empty range
    const res = await this.range({
      key: from,
      range_end: end,
      revision: opts.revision || 0,
      limit: opts.limit || 0,
    });
    return {
      kvs: res.kvs.map((kv) => this.toKv(kv)),
      // The header carries the store's latest revision, not the one read at.
      revision: opts.revision || Number(res.header.revision),
      more: res.more,
    };
  }

  async count(prefix: string): Promise<number> {
    const start = this.wire(prefix);
    const res = await this.range({ key: start, range_end: prefixEnd(start), count_only: true });
    return Number(res.count);
  }

  async currentRevision(timeoutMs?: number): Promise<number> {
    const res = await this.range({ key: PROBE_KEY, count_only: true }, timeoutMs);
    return Number(res.header.revision);
  }

  /**
   * etcd 3.4 cannot be asked for its compact revision (3.5 neither, short of HashKV, which scans the history).
   * It is, however, exactly the oldest revision a read may name, and such a read is cheap (a count on one key).
   * So: check the best known lower bound; if that still reads, it is the answer (one RPC, the common case);
   * otherwise someone else compacted further and we binary-search up to the current revision (~log2(gap) RPCs).
   * Returns 0 while etcd was never compacted.
   */
  async compactRevision(): Promise<number> {
    const known = this.knownCompactRevision;
    if (await this.readable(Math.max(known, 1))) return known;
    let lo = Math.max(known, 1) + 1;
    let hi = await this.currentRevision(); // always readable
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await this.readable(mid)) hi = mid;
      else lo = mid + 1;
    }
    this.learnCompactRevision(lo);
    return lo;
  }

  private async readable(revision: number): Promise<boolean> {
    this.checkOpen();
    try {
      const res = await this.client.kv.range({ key: PROBE_KEY, count_only: true, revision });
      this.observe(res.header);
      return true;
    } catch (err) {
      if (errorText(err).includes(COMPACTED_TEXT)) return false;
      throw await this.mapError(err, 0);
    }
  }

  learnCompactRevision(rev: number): void {
    if (rev > this.knownCompactRevision) this.knownCompactRevision = rev;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision <= this.knownCompactRevision) return; // already compacted at least that far
    try {
      const res = await this.client.kv.compact({ revision, physical: false });
      this.observe(res.header);
    } catch (err) {
      // Someone compacted further already: there is nothing left to do.
      if (!errorText(err).includes(COMPACTED_TEXT)) throw await this.mapError(err, revision);
    }
    this.learnCompactRevision(revision);
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  async create(key: string, value: Uint8Array, opts: WriteOptions = {}): Promise<KeyValue> {
    const k = this.checkKey(key);
    const v = this.checkValue(key, value);
    const res = await this.txnWithLease(opts.ttlSeconds, (lease) => ({
      compare: [{ key: k, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
      success: [{ request_put: { key: k, value: v, lease } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) {
      const cur = res.responses[0]?.response_range.kvs[0];
      throw keyExists(key, cur && this.toKv(cur));
    }
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev, version: 1 };
  }

  async update(key: string, value: Uint8Array, opts: UpdateOptions = {}): Promise<KeyValue> {
    const k = this.checkKey(key);
    const v = this.checkValue(key, value);
    const expected = opts.expectedModRevision;
    const res = await this.txnWithLease(opts.ttlSeconds, (lease) => ({
      compare: this.existsAnd(k, expected),
      // A put without a lease also detaches the key from any previous lease: the ttl goes away with it.
      // Reading the key back (metadata only) in the same txn gives its exact createRevision and version
      // without echoing the old value as prev_kv would.
      success: [{ request_put: { key: k, value: v, lease } }, { request_range: { key: k, keys_only: true } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw this.compareFailed(key, expected, res);
    const written = res.responses[1]!.response_range.kvs[0]!;
    return { ...this.toKv(written), value };
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KeyValue> {
    this.checkOpen();
    const k = this.wire(key);
    const expected = opts.expectedModRevision;
    const res = await this.txn({
      compare: this.existsAnd(k, expected),
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.compareFailed(key, expected, res);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0];
    if (!prev) throw keyNotFound(key); // cannot happen: the compare said it existed
    return this.toKv(prev);
  }

  /** The key exists (createRevision > 0) and, if given, still has modRevision `expected`. */
  private existsAnd(k: Buffer, expected: number | undefined): ICompare[] {
    const compares: ICompare[] = [
      { key: k, target: CompareTarget.Create, result: CompareResult.Greater, create_revision: 0 },
    ];
    if (expected !== undefined) {
      compares.push({ key: k, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: expected });
    }
    return compares;
  }

  private compareFailed(key: string, expected: number | undefined, res: ITxnResponse): StorageError {
    const cur = res.responses[0]?.response_range.kvs[0];
    if (!cur) return keyNotFound(key);
    return conflict(key, expected ?? 0, this.toKv(cur));
  }

  private async txn(req: ITxnRequest): Promise<ITxnResponse> {
    this.checkOpen();
    try {
      const res = await this.client.kv.txn(req);
      this.observe(res.header);
      return res;
    } catch (err) {
      throw await this.mapError(err, 0);
    }
  }

  /** Runs a write txn with a (shared) lease for `ttlSeconds`; a lease that vanished meanwhile is replaced once. */
  private async txnWithLease(ttlSeconds: number | undefined, build: (lease: string | number) => ITxnRequest) {
    this.checkOpen();
    if (!ttlSeconds || ttlSeconds <= 0) return this.txn(build(0));
    const ttl = Math.ceil(ttlSeconds);
    for (let attempt = 1; ; attempt++) {
      let lease: string;
      try {
        lease = await this.leases.get(ttl);
      } catch (err) {
        throw await this.mapError(err, 0);
      }
      try {
        return await this.txn(build(lease));
      } catch (err) {
        const cause = err instanceof StorageError ? err.cause : err;
        if (attempt > 1 || !(cause instanceof EtcdLeaseInvalidError)) throw err;
        this.leases.forget(lease);
      }
    }
  }

  // ---- watch --------------------------------------------------------------------------------------------------

  watch(prefix: string, opts: WatchOptions = {}): Watch {
    this.checkOpen();
    const start = this.wire(prefix);
    // "Only changes after the watch starts": the etcd watcher is created asynchronously, so instead of "now" we
    // start right after the newest revision this client has seen. Any write issued after watch() returns gets a
    // higher revision, so none is missed (at worst a few writes from just before the call are included).
    const explicit = !!opts.startRevision;
    const startRevision = opts.startRevision || this.lastSeenRevision + 1;
    const w = new EtcdWatch(this, start, prefixEnd(start), startRevision, !explicit, (x) => this.watches.delete(x));
    this.watches.add(w);
    return w.queue;
  }

  openWatchStream(): Promise<IDuplexStream<IWatchRequest, IWatchResponse>> {
    this.checkOpen();
    return this.client.watchClient.watch();
  }

  toEvent(ev: IEvent): WatchEvent {
    const type = String(ev.type).toLowerCase() === 'delete' ? 'delete' : 'put';
    const kv = this.toKv(ev.kv);
    const prev = ev.prev_kv && ev.prev_kv.key?.length ? this.toKv(ev.prev_kv) : undefined;
    return prev ? { type, kv, prevKv: prev } : { type, kv };
  }

  // ---- errors & lifecycle ------------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new StorageError('Unavailable', `etcd backend (${this.endpoints}) is closed`);
  }

  unavailable(err: unknown): StorageError {
    return new StorageError('Unavailable', `etcd at ${this.endpoints} is unavailable: ${errorText(err)}`, {
      cause: err,
    });
  }

  /** Maps an etcd/gRPC error to a StorageError. `revision` is the revision the request named, if any. */
  private async mapError(err: unknown, revision: number): Promise<StorageError> {
    if (err instanceof StorageError) return err;
    const text = errorText(err);
    if (text.includes(COMPACTED_TEXT)) {
      this.learnCompactRevision(revision + 1);
      const oldest = await this.compactRevision().catch(() => this.knownCompactRevision);
      return compacted(revision, oldest);
    }
    if (text.includes(FUTURE_TEXT)) {
      const current = await this.currentRevision().catch(() => this.lastSeenRevision);
      return futureRevision(revision, current);
    }
    if (TOO_LARGE_TEXTS.some((t) => text.includes(t))) {
      return new StorageError('TooLarge', `etcd rejected the request as too large: ${text}`, { cause: err });
    }
    if (err instanceof EtcdLeaseInvalidError) {
      return new StorageError('Unavailable', `etcd lease vanished: ${text}`, { cause: err });
    }
    return this.unavailable(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const w of [...this.watches]) w.queue.close();
    this.closed = true;
    this.client.close();
  }
}

// ---- watch ------------------------------------------------------------------------------------------------------

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/**
 * One etcd watch on its own gRPC stream, feeding a WatchQueue (bounded: a consumer that falls behind by more than
 * `watchBuffer` events is cut off with WatcherTooSlow). When the stream breaks (etcd restarted, network), it is
 * re-created from `next`, the revision after the last complete one received, so no event is lost or repeated;
 * only if that keeps failing for `watchRetryMs` does the watch end with Unavailable.
 */
class EtcdWatch {
  readonly queue: WatchQueue;
  private stream: WatchStream | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  private attempt = 0;
  /** Events of a revision that etcd split over several responses (fragment = true until the last). */
  private fragments: IEvent[] = [];

  constructor(
    private readonly backend: EtcdBackend,
    private readonly key: Buffer,
    private readonly rangeEnd: Buffer,
    /** The next revision to receive. */
    private next: number,
    /** The start revision was our choice ("from now"), not the caller's. */
    private implicitStart: boolean,
    unregister: (w: EtcdWatch) => void,
  ) {
    this.queue = new WatchQueue(backend.watchBuffer, {
      // etcd answers a progress request with a progress notification once the watch is caught up.
      onProgressRequest: () => this.stream?.write({ progress_request: {} } as IWatchRequest),
      onClose: () => {
        clearTimeout(this.retryTimer);
        this.endStream();
        unregister(this);
      },
    });
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.queue.closed) return;
    let stream: WatchStream;
    try {
      stream = await this.backend.openWatchStream();
    } catch (err) {
      return this.broken(err);
    }
    if (this.queue.closed) return endStream(stream);
    this.stream = stream;
    stream.on('data', (res) => {
      if (stream === this.stream) this.onResponse(res);
    });
    stream.on('error', (err) => {
      if (stream === this.stream) this.broken(err);
    });
    stream.on('end', () => {
      if (stream === this.stream) this.broken(new Error('etcd ended the watch stream'));
    });
    stream.write({
      create_request: {
        key: this.key,
        range_end: this.rangeEnd,
        start_revision: this.next,
        prev_kv: true,
        // Lets `next` advance while nothing changes, so a resume after a long quiet spell does not replay (or hit
        // a compaction) needlessly.
        progress_notify: true,
        // Without it a revision with many large values could exceed the gRPC message limit.
        fragment: true,
      },
    });
  }

  private onResponse(res: IWatchResponse): void {
    this.backend.observe(res.header);
    const compactRev = Number(res.compact_revision ?? 0);
    if (compactRev > 0) {
      this.backend.learnCompactRevision(compactRev);
      if (this.implicitStart) {
        // Our own "from now" start fell behind a compaction (this client had been idle); everything from the
        // compaction on is still newer than anything this client saw, so start there.
        this.next = compactRev;
        this.implicitStart = false;
        this.restart();
        return;
      }
      this.queue.fail(compacted(this.next, compactRev));
      return;
    }
    if (res.canceled) {
      const reason = res.cancel_reason || 'no reason given';
      this.queue.fail(this.backend.unavailable(new Error(`etcd canceled the watch: ${reason}`)));
      return;
    }
    if (res.created) {
      this.attempt = 0;
      this.failingSince = undefined;
      return;
    }
    if (res.fragment) {
      this.fragments.push(...res.events);
      return;
    }
    const events = this.fragments.length ? [...this.fragments, ...res.events] : res.events;
    this.fragments = [];
    if (events.length === 0) {
      // A progress notification (only sent to watchers that are caught up): nothing at or below header.revision
      // is still to come.
      this.next = Math.max(this.next, Number(res.header.revision) + 1);
      this.queue.markProgress(Number(res.header.revision));
      return;
    }
    this.implicitStart = false;
    const batch = events.map((ev) => this.backend.toEvent(ev));
    // etcd sends whole revisions (fragments are re-assembled above), so everything up to here has been received.
    this.next = batch[batch.length - 1]!.kv.modRevision + 1;
    this.queue.push(batch);
  }

  /** The stream failed: try again from `next` with backoff, or give up after watchRetryMs. */
  private broken(err: unknown): void {
    this.endStream();
    if (this.queue.closed) return;
    this.fragments = [];
    const now = Date.now();
    this.failingSince ??= now;
    if (now - this.failingSince >= this.backend.watchRetryMs) {
      this.queue.fail(this.backend.unavailable(err));
      return;
    }
    const delay = Math.min(100 * 2 ** this.attempt++, 2000) * (0.5 + Math.random() / 2);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  /** Re-create the etcd watcher at once (used after moving `next`). */
  private restart(): void {
    this.endStream();
    void this.connect();
  }

  private endStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) endStream(s);
  }
}

/** Half-close, then cancel. Ending first matters: etcd3 counts errors on a still-writable stream as host failures. */
function endStream(s: WatchStream): void {
  try {
    s.end();
    s.cancel();
  } catch {
    // already gone
  }
}

// ---- leases -----------------------------------------------------------------------------------------------------

/** kube-apiserver's bound on keys per lease: revoking a lease deletes all its keys in one raft entry. */
const MAX_KEYS_PER_LEASE = 1000;
const MAX_CACHED_LEASES = 16;

interface CachedLease {
  id: string;
  /** Conservative: computed from the time the grant was sent, so the real expiry is never earlier. */
  expiresAt: number;
  keys: number;
}

/**
 * Shares leases between writes with similar TTLs instead of granting one per write (which would mean one lease
 * per Event object in a busy cluster). Like kube-apiserver's lease manager: a lease is granted for the TTL plus 5%
 * (at most a minute) and reused while its remaining time is between the TTL asked for and that slack, so a key
 * never expires earlier than asked and at most 5% later. Leases are never kept alive.
 */
class LeaseCache {
  private leases: CachedLease[] = [];
  private pending = new Map<number, Promise<CachedLease>>();

  constructor(private readonly grant: (ttlSeconds: number) => Promise<{ id: string; ttl: number }>) {}

  async get(ttlSeconds: number): Promise<string> {
    const slack = Math.min(Math.floor(ttlSeconds * 0.05), 60);
    const now = Date.now();
    this.leases = this.leases.filter((l) => l.expiresAt > now);
    const reusable = this.leases.find(
      (l) =>
        l.expiresAt >= now + ttlSeconds * 1000 &&
        l.expiresAt <= now + (ttlSeconds + slack) * 1000 &&
        l.keys < MAX_KEYS_PER_LEASE,
    );
    if (reusable) {
      reusable.keys++;
      return reusable.id;
    }
    // Concurrent writes with the same TTL share one grant.
    const grantTtl = ttlSeconds + slack;
    let pending = this.pending.get(grantTtl);
    if (!pending) {
      pending = this.grant(grantTtl).then(({ id, ttl }) => {
        // etcd may grant more than asked (its minimum TTL), never less.
        const lease = { id, expiresAt: now + (ttl || grantTtl) * 1000, keys: 0 };
        this.leases.push(lease);
        if (this.leases.length > MAX_CACHED_LEASES) this.leases.shift();
        return lease;
      });
      pending.finally(() => this.pending.delete(grantTtl)).catch(() => {});
      this.pending.set(grantTtl, pending);
    }
    const lease = await pending;
    lease.keys++;
    return lease.id;
  }

  forget(id: string): void {
    this.leases = this.leases.filter((l) => l.id !== id);
  }
}

// ---- helpers ----------------------------------------------------------------------------------------------------

/** The end of the key range of all keys starting with `prefix` (etcd's "\0" = no upper bound). */
function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]!++;
      return end;
    }
  }
  return ZERO;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
