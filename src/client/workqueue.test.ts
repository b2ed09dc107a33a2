import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock, flush } from './clock.ts';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  runWorkers,
  WorkQueue,
  type RateLimiter,
} from './workqueue.ts';

/** get() that must already have a key ready (or be shut down): never waits on time. */
async function take<K>(q: WorkQueue<K>): Promise<K | undefined> {
  let got: { v: K | undefined } | undefined;
  void q.get().then((v) => (got = { v }));
  await flush();
  assert.ok(got, 'get() should have resolved');
  return got.v;
}

describe('WorkQueue: dedup and one worker per key', () => {
  it('queues a key once however often it is added, in FIFO order', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await take(q), 'a');
    assert.equal(await take(q), 'b');
    assert.equal(q.len(), 0);
  });

  it('a key re-added while processing is queued again only after done, never handed to two workers', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    assert.equal(await take(q), 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while being processed');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await flush();
    assert.equal(second, undefined, 'a second worker does not get the key being processed');
    q.done('a');
    await flush();
    assert.equal(second, 'a', 'queued again (once) after done');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('done without a re-add does not queue the key again', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    await take(q);
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('get waits for a key; waiting getters are served in order', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const got: string[] = [];
    void q.get().then((k) => got.push(`1:${k}`));
    void q.get().then((k) => got.push(`2:${k}`));
    await flush();
    assert.deepEqual(got, []);
    q.add('x');
    q.add('y');
    await flush();
    assert.deepEqual(got, ['1:x', '2:y']);
  });
});

describe('WorkQueue: shutdown', () => {
  it('shutDown ignores new keys, hands out what is queued, then resolves getters with undefined', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.add('a');
    q.addAfter('later', 1000);
    q.shutDown();
    q.add('b');
    assert.equal(q.shuttingDown(), true);
    assert.equal(await take(q), 'a');
    assert.equal(await take(q), undefined);
    await clock.advance(2000);
    assert.equal(q.len(), 0, 'held keys are dropped at shutdown');
    assert.equal(clock.pending(), 0);
  });

  it('shutDown wakes a getter that is already waiting', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    let result: string | undefined | 'pending' = 'pending';
    void q.get().then((k) => (result = k));
    await flush();
    q.shutDown();
    await flush();
    assert.equal(result, undefined);
  });

  it('shutDownWithDrain resolves only when every key handed out is done', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    await take(q);
    await take(q);
    let drained = false;
    void q.shutDownWithDrain().then(() => (drained = true));
    await flush();
    assert.equal(drained, false);
    q.done('a');
    await flush();
    assert.equal(drained, false);
    q.done('b');
    await flush();
    assert.equal(drained, true);
  });
});

describe('WorkQueue: delays', () => {
  it('addAfter holds a key until its time; the earlier of two times wins', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addAfter('a', 500);
    q.addAfter('a', 5000);
    assert.equal(q.len(), 0);
    assert.equal(q.waitingLen(), 1);
    await clock.advance(499);
    assert.equal(q.len(), 0);
    await clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(q.waitingLen(), 0);
    await clock.advance(10_000);
    assert.equal(q.len(), 1, 'the later holds were dropped, not added again');
  });

  it('addAfter with no delay adds at once', () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.addAfter('a', 0);
    assert.equal(q.len(), 1);
  });

  it('addRateLimited backs a failing key off exponentially; forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      await clock.advanceTo(clock.nextAt()!);
      delays.push(clock.now() - start);
      assert.equal(await take(q), 'k');
      q.done('k');
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(q.numRequeues('k'), 5);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    q.addRateLimited('k');
    assert.equal(clock.nextAt()! - clock.now(), 5);
  });
});

describe('rate limiters', () => {
  it('per-item exponential: 5 ms doubling, capped at 1000 s, per key', () => {
    const rl = new ItemExponentialFailureRateLimiter<string>(5, 1_000_000);
    const seq = Array.from({ length: 20 }, () => rl.when('a'));
    assert.deepEqual(seq.slice(0, 4), [5, 10, 20, 40]);
    assert.equal(seq[17], 655_360);
    assert.equal(seq[18], 1_000_000);
    assert.equal(seq[19], 1_000_000);
    assert.equal(rl.when('b'), 5, 'keys back off independently');
    for (let i = 0; i < 2000; i++) rl.when('c');
    assert.equal(rl.when('c'), 1_000_000, 'no overflow after many failures');
  });

  it('bucket: a burst of 100 at once, then 10 per second', () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
    assert.equal(Math.round(rl.when('x')), 100);
    assert.equal(Math.round(rl.when('y')), 200, 'each caller waits for its own token');
  });

  it('bucket refills with time, up to the burst', async () => {
    const clock = new FakeClock();
    const rl = new BucketRateLimiter<string>(10, 100, clock);
    for (let i = 0; i < 100; i++) rl.when('k');
    await clock.advance(1000);
    for (let i = 0; i < 10; i++) assert.equal(rl.when('k'), 0);
    assert.ok(rl.when('k') > 0);
    await clock.advance(3_600_000);
    for (let i = 0; i < 100; i++) assert.equal(rl.when('k'), 0);
    assert.ok(rl.when('k') > 0, 'never more than the burst');
  });

  it('the default controller limiter is the longer of per-item backoff and the bucket', () => {
    const clock = new FakeClock();
    const rl: RateLimiter<string> = new MaxOfRateLimiter(
      new ItemExponentialFailureRateLimiter<string>(5, 1_000_000),
      new BucketRateLimiter<string>(10, 100, clock),
    );
    assert.equal(rl.when('a'), 5);
    for (let i = 0; i < 98; i++) rl.when(`k${i}`);
    assert.equal(rl.when('a'), 10, 'item backoff still rules while the bucket has tokens');
    assert.equal(Math.round(rl.when('fresh')), 100, 'then the bucket does');
    assert.equal(rl.numRequeues('a'), 2);
  });

  it('the queue uses client-go defaults when given no limiter', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addRateLimited('a');
    assert.equal(clock.nextAt()! - clock.now(), 5);
    q.addRateLimited('b');
    assert.equal(q.numRequeues('a'), 1);
  });
});

describe('runWorkers', () => {
  it('forgets on success, backs off on a throw, requeues after requeueAfterMs', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const calls: string[] = [];
    let failures = 2;
    const ac = new AbortController();
    const errors: unknown[] = [];
    const done = runWorkers(
      q,
      1,
      async (key) => {
        calls.push(`${key}@${clock.now() - start}`);
        if (key === 'flaky' && failures-- > 0) throw new Error('boom');
        if (key === 'timed') return { requeueAfterMs: 30_000 };
        return undefined;
      },
      ac.signal,
      { onError: (_k, err) => errors.push(err) },
    );
    const start = clock.now();
    q.add('flaky');
    q.add('timed');
    await clock.advance(1);
    assert.deepEqual(calls, ['flaky@0', 'timed@0']);
    assert.equal(q.numRequeues('flaky'), 1);
    await clock.advance(4);
    assert.deepEqual(calls.slice(2), ['flaky@5']);
    await clock.advance(10);
    assert.deepEqual(calls.slice(3), ['flaky@15']);
    assert.equal(q.numRequeues('flaky'), 0, 'forgotten after the success');
    assert.equal(errors.length, 2);
    await clock.advance(30_000);
    assert.deepEqual(calls.slice(4), ['timed@30000']);
    assert.equal(q.numRequeues('timed'), 0, 'a timed requeue is not a failure');
    ac.abort();
    await done;
    assert.equal(q.shuttingDown(), true);
  });

  it('never syncs one key in two workers at once, and syncs a key changed mid-sync again', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const ac = new AbortController();
    let inFlight = 0;
    let maxInFlight = 0;
    const release: (() => void)[] = [];
    let syncs = 0;
    const done = runWorkers(
      q,
      4,
      async () => {
        syncs++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((r) => release.push(r));
        inFlight--;
      },
      ac.signal,
    );
    q.add('k');
    await flush();
    q.add('k');
    q.add('k');
    await flush();
    assert.equal(syncs, 1);
    release.shift()!();
    await flush();
    assert.equal(syncs, 2, 'the adds during the sync cause exactly one more sync');
    release.shift()!();
    await flush();
    assert.equal(syncs, 2);
    assert.equal(maxInFlight, 1);
    ac.abort();
    await done;
  });

  it('stops on abort without syncing what is still queued', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const ac = new AbortController();
    const synced: string[] = [];
    let unblock!: () => void;
    const done = runWorkers(
      q,
      1,
      async (k) => {
        synced.push(k);
        if (k === 'a') await new Promise<void>((r) => (unblock = r));
      },
      ac.signal,
    );
    q.add('a');
    q.add('b');
    await flush();
    ac.abort();
    unblock();
    await done;
    assert.deepEqual(synced, ['a']);
  });
});
