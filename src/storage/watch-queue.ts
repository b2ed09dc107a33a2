import type { Watch, WatchEvent } from './backend.ts';
import { StorageError } from './errors.ts';

/** Default bound on the events a watcher may have waiting before it is cut off. */
export const DEFAULT_WATCH_BUFFER = 10_000;

/**
 * The consumer side of one watch: a bounded queue of event batches read with `for await`.
 *
 * Producers `push()` batches; a consumer that falls more than `limit` events behind is cut off with WatcherTooSlow
 * (its queue is dropped at once, so a stuck client cannot grow memory) and is expected to re-list and re-watch.
 * `fail()` ends the stream with an error; `close()` ends it normally. `onClose` runs once, however it ended, so the
 * producer can unregister the watcher.
 */
export class WatchQueue implements Watch {
  private batches: WatchEvent[][] = [];
  /** For each queued batch, the progress revision reached once it has been yielded. */
  private batchProgress: number[] = [];
  private consumedProgress = 0;
  /** A batch has been yielded and the consumer has not asked for the next one yet (it may still be applying it). */
  private inFlight = false;
  private inFlightProgress = 0;
  private queued = 0;
  private error: StorageError | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly limit: number,
    private readonly hooks: {
      onClose?: () => void;
      /** Called when the consumer waits on an empty queue: the producer may push() synchronously (catch-up). */
      onDrain?: () => void;
      /** Called by requestProgress(). */
      onProgressRequest?: () => void;
    } = {},
  ) {}

  get closed(): boolean {
    return this.ended;
  }

  get progressRevision(): number {
    return this.consumedProgress;
  }

  requestProgress(): void {
    this.hooks.onProgressRequest?.();
  }

  /**
   * The producer has pushed every event up to `rev`: once the batches queued now have been yielded, the consumer
   * has seen all of them.
   */
  markProgress(rev: number): void {
    if (this.ended) return;
    if (this.batches.length) this.batchProgress[this.batchProgress.length - 1] = rev;
    else if (this.inFlight) this.inFlightProgress = Math.max(this.inFlightProgress, rev);
    else this.consumedProgress = Math.max(this.consumedProgress, rev);
  }

  push(batch: WatchEvent[]): void {
    if (this.ended || batch.length === 0) return;
    if (this.queued + batch.length > this.limit) {
      this.fail(
        new StorageError(
          'WatcherTooSlow',
          `watcher fell more than ${this.limit} events behind and was cut off; re-list and watch again`,
        ),
      );
      return;
    }
    this.batches.push(batch);
    this.batchProgress.push(batch[batch.length - 1]!.kv.modRevision);
    this.queued += batch.length;
    this.signal();
  }

  fail(err: StorageError): void {
    if (this.ended) return;
    this.error = err;
    this.batches = [];
    this.batchProgress = [];
    this.queued = 0;
    this.finish();
  }

  close(): void {
    if (this.ended) return;
    this.batches = [];
    this.batchProgress = [];
    this.queued = 0;
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    this.signal();
    this.hooks.onClose?.();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    for (;;) {
      if (this.batches.length === 0 && !this.ended) this.hooks.onDrain?.();
      const batch = this.batches.shift();
      if (batch) {
        this.queued -= batch.length;
        this.inFlight = true;
        this.inFlightProgress = this.batchProgress.shift()!;
        yield batch;
        // The consumer asked for more, so it is done with the batch: only now does its progress count.
        this.inFlight = false;
        this.consumedProgress = Math.max(this.consumedProgress, this.inFlightProgress);
        continue;
      }
      if (this.ended) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
