/**
 * The rate-limited workqueue controllers are built on (client-go's workqueue: FIFO + delaying + rate limiting).
 * Event handlers `add` keys; workers `get` them, sync, and call `done`. The queue owns correctness:
 *
 *   - a key is queued at most once, however often it is added before a worker takes it (dirty set);
 *   - a key is never handed to two workers at once: added while being processed, it is queued again only when the
 *     worker calls `done` (processing set);
 *   - `addAfter` holds a key until a time (the earliest time wins when it is held twice); `addRateLimited` holds it
 *     for the rate limiter's delay: per-key exponential backoff (5 ms doubling to 1000 s) combined with an overall
 *     token bucket (10 qps, burst 100), whichever is longer; `forget` resets the key's backoff.
 *
 *   add ──► dirty? ──no──► processing? ──no──► queue ──get()──► processing ──done()──► (dirty? queue again)
 *   addAfter / addRateLimited ──► waiting (timer on the clock) ──► add
 *
 * After `shutDown` new keys are ignored, held keys are dropped, and `get` hands out what is still queued, then
 * resolves undefined. `shutDownWithDrain` also waits until every key handed out has been `done`.
 */
import { realClock, type Clock, type Timer } from './clock.ts';
import { logger } from '../util/log.ts';

export interface RateLimiter<K> {
  /** How long to hold `key` now (and count this as one more failure of it). */
  when(key: K): number;
  /** The key succeeded: reset its backoff. */
  forget(key: K): void;
  /** Failures counted since the last forget. */
  numRequeues(key: K): number;
}

/** baseMs · 2^failures, capped at maxMs (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(key: K): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    const delay = this.baseMs * 2 ** exp;
    return Number.isFinite(delay) ? Math.min(delay, this.maxMs) : this.maxMs;
  }
  forget(key: K): void {
    this.failures.delete(key);
  }
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket over all keys (x/time/rate as client-go's BucketRateLimiter uses it): `burst` tokens, refilled at
 * `qps`; each `when` takes one, and a caller finding none waits until its token would have been refilled.
 */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }
  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
  forget(_key: K): void {}
  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay of several limiters (each one is consulted, so each counts the failure). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];
  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(key));
    return max;
  }
  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }
  numRequeues(key: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(key));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: per-key 5 ms → 1000 s, overall 10 qps with a burst of 100. */
export function defaultControllerRateLimiter<K>(clock: Clock = realClock): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialFailureRateLimiter<K>(5, 1_000_000), new BucketRateLimiter<K>(10, 100, clock));
}

export interface WorkQueueOptions<K> {
  /** Names the queue in logs. */
  name?: string;
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
}

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter<K>;
  /** Queued keys, in order, from `head` on (a cheap FIFO: shift without moving the array). */
  private items: K[] = [];
  private head = 0;
  /** Keys that need processing: queued, or re-added while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Keys held by addAfter, with when they are due. */
  private readonly waiting = new Map<K, { at: number; timer: Timer }>();
  private readonly getters: ((key: K | undefined) => void)[] = [];
  private shutting = false;
  private drained: (() => void)[] = [];

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? 'workqueue';
    this.clock = opts.clock ?? realClock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again when it is done. */
  add(key: K): void {
    if (this.shutting || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.items.push(key);
    this.dispatch();
  }

  /** The next key, once there is one; undefined once the queue is shut down and empty. Call `done(key)` after. */
  get(): Promise<K | undefined> {
    return new Promise((resolve) => {
      this.getters.push(resolve);
      this.dispatch();
    });
  }

  /** The worker has finished with `key`; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.items.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0 && this.drained.length) {
      for (const resolve of this.drained.splice(0)) resolve();
    }
  }

  /** Adds `key` after `ms` (at once if ms ≤ 0). Held twice, the key is added at the earlier of the two times. */
  addAfter(key: K, ms: number): void {
    if (this.shutting) return;
    if (ms <= 0) return this.add(key);
    const at = this.clock.now() + ms;
    const held = this.waiting.get(key);
    if (held) {
      if (held.at <= at) return;
      this.clock.clearTimeout(held.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { at, timer });
  }

  /** Adds `key` after the rate limiter's delay for it (counts as a failure of the key). */
  addRateLimited(key: K): void {
    if (this.shutting) return;
    this.addAfter(key, this.limiter.when(key));
  }

  /** Ends the key's backoff (call after a successful sync). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** Keys queued and not yet handed out. */
  len(): number {
    return this.items.length - this.head;
  }

  /** Keys held by addAfter/addRateLimited. */
  waitingLen(): number {
    return this.waiting.size;
  }

  shuttingDown(): boolean {
    return this.shutting;
  }

  shutDown(): void {
    if (this.shutting) return;
    this.shutting = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    this.dispatch();
  }

  /** Shuts down, then resolves once every key handed out has been `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private dispatch(): void {
    while (this.getters.length && this.head < this.items.length) {
      const key = this.items[this.head++]!;
      this.processing.add(key);
      this.dirty.delete(key);
      this.getters.shift()!(key);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.shutting && this.head >= this.items.length) {
      for (const resolve of this.getters.splice(0)) resolve(undefined);
    }
  }
}

/** What a sync returns: nothing (done), or when to look at the key again although nothing changed. */
export type SyncResult = void | undefined | { requeueAfterMs?: number };

export interface RunWorkersOptions<K> {
  /** Called when a sync throws (the key is requeued with backoff). Default: a warning in the log. */
  onError?(key: K, err: unknown): void;
}

/**
 * The standard worker loop, `workers` of them, until `signal` aborts (which shuts the queue down; keys still queued
 * are left alone). For each key: sync throws → addRateLimited; returns `{ requeueAfterMs }` → forget + addAfter;
 * otherwise → forget. `done` always. Resolves when every worker has stopped.
 */
export async function runWorkers<K>(
  queue: WorkQueue<K>,
  workers: number,
  sync: (key: K) => Promise<SyncResult> | SyncResult,
  signal: AbortSignal,
  opts: RunWorkersOptions<K> = {},
): Promise<void> {
  const onError = opts.onError ?? defaultOnError(queue.name);
  const stop = () => queue.shutDown();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      if (signal.aborted) {
        queue.done(key);
        return;
      }
      try {
        const result = await sync(key);
        queue.forget(key);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        onError(key, err);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

function defaultOnError(name: string) {
  let log: ReturnType<typeof logger> | undefined;
  return (key: unknown, err: unknown) => {
    log ??= logger('workqueue', { queue: name });
    log.warn({ key, err }, 'sync failed; requeued with backoff');
  };
}
