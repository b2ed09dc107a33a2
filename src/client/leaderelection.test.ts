import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { alreadyExists, conflict, MODIFIED, notFound, serviceUnavailable } from '../apimachinery/status.ts';
import { FakeClock, flush } from './clock.ts';
import { LeaderElector, LeaseLock, type LeaderElectionConfig, type LeaseClient } from './leaderelection.ts';
import { pino } from 'pino';

const GR = { group: 'coordination.k8s.io', resource: 'leases' };

/** An in-memory Lease API with the server's semantics: resourceVersion compare-and-swap, 404, 409. */
class FakeLeases implements LeaseClient {
  private readonly objects = new Map<string, Lease>();
  private rv = 100;
  /** When set, every call fails with 503 (a partitioned or dead API server). */
  down = false;
  /** The next N updates are applied but reported as failed (a request cut off after the server wrote it). */
  applyThenFail = 0;
  writes = 0;

  private key(ns: string, name: string) {
    return `${ns}/${name}`;
  }
  private async io(): Promise<void> {
    await Promise.resolve();
    if (this.down) throw serviceUnavailable('apiserver unreachable');
  }
  async get(ns: string, name: string): Promise<Lease> {
    await this.io();
    const obj = this.objects.get(this.key(ns, name));
    if (!obj) throw notFound(GR, name);
    return structuredClone(obj);
  }
  async create(ns: string, obj: Lease): Promise<Lease> {
    await this.io();
    const name = obj.metadata!.name!;
    if (this.objects.has(this.key(ns, name))) throw alreadyExists(GR, name);
    const stored: Lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(this.key(ns, name), stored);
    this.writes++;
    return structuredClone(stored);
  }
  async update(obj: Lease): Promise<Lease> {
    await this.io();
    const { namespace, name, resourceVersion } = obj.metadata!;
    const cur = this.objects.get(this.key(namespace!, name!));
    if (!cur) throw notFound(GR, name!);
    // As the server: a resourceVersion makes the update conditional; none makes it unconditional.
    if (resourceVersion && resourceVersion !== cur.metadata!.resourceVersion) throw conflict(GR, name!, MODIFIED);
    const stored: Lease = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(this.key(namespace!, name!), stored);
    this.writes++;
    if (this.applyThenFail > 0) {
      this.applyThenFail--;
      throw new DOMException('This operation was aborted', 'AbortError');
    }
    return structuredClone(stored);
  }
  spec(ns = 'kube-system', name = 'lock') {
    return this.objects.get(this.key(ns, name))?.spec;
  }
  put(ns: string, name: string, spec: Lease['spec']) {
    this.objects.set(this.key(ns, name), { metadata: { namespace: ns, name, resourceVersion: String(++this.rv) }, spec });
  }
}

const silent = pino({ level: 'silent' });

interface Candidate {
  id: string;
  elector: LeaderElector;
  ac: AbortController;
  done: Promise<void>;
  log: string[];
  leading: () => boolean;
}

/** Tracks how many candidates are leading at once across a test. */
class Leadership {
  count = 0;
  max = 0;
}

function candidate(
  id: string,
  leases: FakeLeases,
  clock: FakeClock,
  leadership: Leadership,
  extra: Partial<LeaderElectionConfig> = {},
): Candidate {
  const log: string[] = [];
  let leading = false;
  const ac = new AbortController();
  const elector = new LeaderElector({
    lock: new LeaseLock(leases, 'kube-system', 'lock', id),
    clock,
    random: () => 0,
    log: silent,
    onStartedLeading: (signal) => {
      leading = true;
      leadership.count++;
      leadership.max = Math.max(leadership.max, leadership.count);
      log.push('started');
      signal.addEventListener('abort', () => {
        leading = false;
        leadership.count--;
        log.push('signal aborted');
      });
    },
    onStoppedLeading: () => log.push('stopped'),
    onNewLeader: (who) => log.push(`leader ${who}`),
    ...extra,
  });
  return { id, elector, ac, done: elector.run(ac.signal), log, leading: () => leading };
}

describe('LeaderElector', () => {
  it('the first candidate creates the Lease and leads; the second waits and sees who leads', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const l = new Leadership();
    const a = candidate('a', leases, clock, l);
    await clock.advance(0);
    const b = candidate('b', leases, clock, l);
    await clock.advance(60_000);
    assert.equal(a.leading(), true);
    assert.equal(b.leading(), false);
    assert.equal(l.max, 1);
    assert.deepEqual(b.log, ['leader a']);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.getLeader(), 'a');
    const spec = leases.spec()!;
    assert.equal(spec.holderIdentity, 'a');
    assert.equal(spec.leaseDurationSeconds, 15);
    assert.equal(spec.leaseTransitions, 0);
    assert.ok(clock.now() - Date.parse(spec.renewTime!) <= 2_000, 'renewed within the last retry period');
    assert.match(spec.acquireTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(leases.writes >= 30, `the leader renews every retryPeriod (${leases.writes} writes in 60 s)`);
    a.ac.abort();
    b.ac.abort();
    await Promise.all([a.done, b.done]);
  });

  it('releases on cancel: the other candidate takes over at its next retry, counting a transition', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const l = new Leadership();
    const a = candidate('a', leases, clock, l);
    await clock.advance(0);
    const b = candidate('b', leases, clock, l);
    await clock.advance(5_000);
    a.ac.abort();
    await a.done;
    assert.deepEqual(a.log, ['leader a', 'started', 'signal aborted', 'stopped']);
    assert.equal(leases.spec()!.holderIdentity, '');
    assert.equal(leases.spec()!.leaseDurationSeconds, 1);
    const releasedAt = clock.now();
    await clock.advance(2_000);
    assert.equal(b.leading(), true, 'taken over within one retry period');
    assert.ok(clock.now() - releasedAt <= 2_000);
    assert.equal(leases.spec()!.holderIdentity, 'b');
    assert.equal(leases.spec()!.leaseTransitions, 1);
    assert.equal(l.max, 1);
    b.ac.abort();
    await b.done;
  });

  it('a leader that dies without releasing is replaced once leaseDuration has passed since the last renewal seen', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const l = new Leadership();
    const a = candidate('a', leases, clock, l, { releaseOnCancel: false });
    await clock.advance(0);
    const b = candidate('b', leases, clock, l);
    await clock.advance(10_000);
    a.ac.abort(); // dies: no release
    await a.done;
    assert.equal(leases.spec()!.holderIdentity, 'a');
    const diedAt = clock.now();
    await clock.advance(14_000);
    assert.equal(b.leading(), false, 'the lease is respected until it expires');
    await clock.advance(4_000);
    assert.equal(b.leading(), true);
    assert.ok(clock.now() - diedAt >= 15_000);
    assert.equal(leases.spec()!.leaseTransitions, 1);
    assert.equal(l.max, 1);
    b.ac.abort();
    await b.done;
  });

  it('a leader that cannot renew for renewDeadline stops leading', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const l = new Leadership();
    const a = candidate('a', leases, clock, l);
    await clock.advance(3_000);
    assert.equal(a.leading(), true);
    leases.down = true;
    const downAt = clock.now();
    await clock.advance(9_000);
    assert.equal(a.leading(), true, 'still leading within renewDeadline');
    await clock.advance(3_000);
    assert.equal(a.leading(), false);
    await a.done;
    assert.deepEqual(a.log.slice(-2), ['signal aborted', 'stopped']);
    assert.ok(clock.now() - downAt <= 12_000);
  });

  it('two candidates racing for an expired lease: exactly one wins (resourceVersion conflict)', async () => {
    for (let round = 0; round < 5; round++) {
      const clock = new FakeClock();
      const leases = new FakeLeases();
      leases.put('kube-system', 'lock', { holderIdentity: '', leaseDurationSeconds: 15, leaseTransitions: 3 });
      const l = new Leadership();
      const cs = ['a', 'b', 'c'].map((id) => candidate(id, leases, clock, l));
      await clock.advance(30_000);
      assert.equal(l.max, 1, 'never two leaders');
      assert.equal(cs.filter((c) => c.leading()).length, 1);
      assert.equal(leases.spec()!.leaseTransitions, 4);
      for (const c of cs) c.ac.abort();
      await Promise.all(cs.map((c) => c.done));
    }
  });

  it('on cancel, the leading work finishes before the lease is released', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    let finishWork!: () => void;
    const holderWhenWorkEnded: string[] = [];
    const ac = new AbortController();
    const elector = new LeaderElector({
      lock: new LeaseLock(leases, 'kube-system', 'lock', 'a'),
      clock,
      log: silent,
      onStartedLeading: async (signal) => {
        await new Promise<void>((r) => signal.addEventListener('abort', () => r()));
        await new Promise<void>((r) => (finishWork = r));
        holderWhenWorkEnded.push(leases.spec()!.holderIdentity!);
      },
    });
    const done = elector.run(ac.signal);
    await clock.advance(1_000);
    ac.abort();
    await flush();
    assert.equal(leases.spec()!.holderIdentity, 'a', 'not released while the work runs');
    finishWork();
    await done;
    assert.deepEqual(holderWhenWorkEnded, ['a']);
    assert.equal(leases.spec()!.holderIdentity, '');
  });

  it('releases even when a renewal cut short by the shutdown had landed (stale resourceVersion)', async () => {
    const clock = new FakeClock();
    const leases = new FakeLeases();
    const l = new Leadership();
    const a = candidate('a', leases, clock, l);
    await clock.advance(1_000);
    assert.equal(a.leading(), true);
    leases.applyThenFail = 2; // both writes of the renewal at 2 s (fast path, then after a read) land, yet fail
    await clock.advance(1_000);
    assert.equal(leases.applyThenFail, 0);
    a.ac.abort();
    await a.done;
    assert.equal(leases.spec()!.holderIdentity, '', 'released after re-reading the lease');
    assert.equal(leases.spec()!.leaseTransitions, 0);
  });

  it('validates its timings like upstream', () => {
    const lock = new LeaseLock(new FakeLeases(), 'ns', 'l', 'id');
    const base = { lock, onStartedLeading() {}, log: silent };
    assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration/);
    assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline/);
    assert.throws(() => new LeaseLock(new FakeLeases(), 'ns', 'l', ''), /identity/);
    const ok = new LeaderElector(base);
    assert.deepEqual([ok.leaseDurationMs, ok.renewDeadlineMs, ok.retryPeriodMs], [15_000, 10_000, 2_000]);
  });
});
