/**
 * Leader election on a coordination.k8s.io/v1 Lease (client-go's leaderelection), so that of several replicas of a
 * component exactly one does the work.
 *
 *   acquire: every retryPeriod (×1.2 jitter) tryAcquireOrRenew until it succeeds
 *        └─► onStartedLeading(signal) ─ runs in the background
 *   renew:   every retryPeriod tryAcquireOrRenew; failing for renewDeadline → leadership lost
 *        └─► signal aborted, onStoppedLeading()
 *   cancel:  signal aborted, the leading work awaited, the Lease released (holder "", duration 1 s), onStoppedLeading()
 *
 * tryAcquireOrRenew reads the Lease; a record held by someone else is respected until leaseDuration has passed since
 * *this* process last saw the record change (its own clock: no comparison of clocks across machines). Writes carry
 * the resourceVersion read, so two candidates racing for an expired lease cannot both win: one gets 409 Conflict.
 * The leader first tries to renew blind from its last write (the fast path) and reads only when that fails.
 *
 * Defaults are upstream's: leaseDuration 15 s, renewDeadline 10 s, retryPeriod 2 s. Differences: releasing on
 * cancel is the default (upstream's ReleaseOnCancel is opt-in), onStoppedLeading is called only after leading, and
 * onNewLeader is not called for an empty holder.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { jittered } from './backoff.ts';
import { deadlineSignal, realClock, sleep, type Clock } from './clock.ts';
import { isNotFound } from './errors.ts';
import type { GetOptions, WriteOptions } from './client.ts';
import { logger, type Logger } from '../util/log.ts';

export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime (RFC 3339 with microseconds). */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

/** Where the record lives. Updates must be conditional on the version last read or written. */
export interface ResourceLock {
  readonly identity: string;
  /** The current record, or undefined when the lock object does not exist. */
  get(signal?: AbortSignal): Promise<LeaderElectionRecord | undefined>;
  /** @throws when it exists already */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** @throws on a conflict (someone wrote since our last get/create/update) */
  update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  describe(): string;
}

/** What LeaseLock needs from the client: `client.leases` is one. */
export interface LeaseClient {
  get(namespace: string, name: string, opts?: GetOptions): Promise<Lease>;
  create(namespace: string, obj: Lease, opts?: WriteOptions): Promise<Lease>;
  update(obj: Lease, opts?: WriteOptions): Promise<Lease>;
}

export class LeaseLock implements ResourceLock {
  private lease: Lease | undefined;

  constructor(
    private readonly leases: LeaseClient,
    readonly namespace: string,
    readonly name: string,
    readonly identity: string,
  ) {
    if (!identity) throw new TypeError('leaderelection: the lock needs an identity');
  }

  async get(signal?: AbortSignal): Promise<LeaderElectionRecord | undefined> {
    try {
      this.lease = await this.leases.get(this.namespace, this.name, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    return recordFromSpec(this.lease.spec);
  }

  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.lease = await this.leases.create(
      this.namespace,
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { namespace: this.namespace, name: this.name }, spec: specFromRecord(record) },
      { signal },
    );
  }

  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error(`leaderelection: ${this.describe()} not read yet; get or create it first`);
    // metadata.resourceVersion of the last read or write makes this a compare-and-swap.
    this.lease = await this.leases.update({ ...this.lease, spec: specFromRecord(record) }, { signal });
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}

export interface LeaderCallbacks {
  /** Called on becoming leader; `signal` aborts when leadership ends. A returned promise is awaited before release. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called when leadership ends (lost, or given up on cancel). */
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this process). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig extends LeaderCallbacks {
  lock: ResourceLock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up when `run`'s signal aborts (default true). */
  releaseOnCancel?: boolean;
  /** Names the election in logs. */
  name?: string;
  clock?: Clock;
  random?: () => number;
  log?: Logger;
}

const JITTER_FACTOR = 1.2;

export class LeaderElector {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly lock: ResourceLock;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly releaseOnCancel: boolean;
  private readonly log: Logger;
  private observed: LeaderElectionRecord | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';
  private running = false;

  constructor(private readonly config: LeaderElectionConfig) {
    this.lock = config.lock;
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    this.clock = config.clock ?? realClock;
    this.random = config.random ?? Math.random;
    this.releaseOnCancel = config.releaseOnCancel ?? true;
    this.log = config.log ?? logger('leaderelection', { lock: config.lock.describe(), identity: config.lock.identity });
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) {
      throw new RangeError('leaderelection: leaseDuration must be greater than renewDeadline');
    }
    if (!(this.renewDeadlineMs > JITTER_FACTOR * this.retryPeriodMs)) {
      throw new RangeError(`leaderelection: renewDeadline must be greater than retryPeriod × ${JITTER_FACTOR}`);
    }
    if (!(this.retryPeriodMs > 0)) throw new RangeError('leaderelection: retryPeriod must be greater than zero');
    if (this.leaseDurationMs % 1000 !== 0) throw new RangeError('leaderelection: leaseDuration must be whole seconds');
  }

  get identity(): string {
    return this.lock.identity;
  }

  /** This process holds the lease, as last observed. */
  isLeader(): boolean {
    return this.observed?.holderIdentity === this.lock.identity;
  }

  /** The holder last observed ('' when none). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  /**
   * Contends until leader, leads until the lease is lost or `signal` aborts, then returns. One run at a time; to
   * contend again after losing, call run again (most components exit instead, as upstream's do).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('leaderelection: run is already in progress');
    this.running = true;
    try {
      if (!(await this.acquire(signal))) return;
      this.log.info('became leader');
      const leading = new AbortController();
      const onAbort = () => leading.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      let work: Promise<void>;
      try {
        work = Promise.resolve(this.config.onStartedLeading(leading.signal)).catch((err) =>
          this.log.error({ err }, 'onStartedLeading failed'),
        );
      } catch (err) {
        this.log.error({ err }, 'onStartedLeading failed');
        work = Promise.resolve();
      }
      await this.renew(signal);
      signal.removeEventListener('abort', onAbort);
      leading.abort();
      if (signal.aborted) {
        // Shutting down: let the guarded work finish before anyone else may start it.
        await work;
        if (this.releaseOnCancel) await this.release();
      } else {
        this.log.info('lost leadership');
      }
      this.callStopped();
    } finally {
      this.running = false;
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      const ok = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition();
      if (ok) return true;
      await sleep(this.clock, jittered(this.retryPeriodMs, JITTER_FACTOR, this.random), signal);
    }
    return false;
  }

  /** Renews every retryPeriod; returns when a renewal has not succeeded within renewDeadline, or on abort. */
  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = deadlineSignal(this.clock, this.renewDeadlineMs, signal);
      let renewed = false;
      try {
        while (!deadline.signal.aborted) {
          if (await this.tryAcquireOrRenew(deadline.signal)) {
            renewed = true;
            break;
          }
          await sleep(this.clock, this.retryPeriodMs, deadline.signal);
        }
      } finally {
        deadline.dispose();
      }
      this.maybeReportTransition();
      if (!renewed) return;
      await sleep(this.clock, this.retryPeriodMs, signal);
    }
  }

  /** One attempt to take or keep the lease; false on any failure (logged at debug). */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.lock.identity,
      leaseDurationSeconds: this.leaseDurationMs / 1000,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      // 1. Fast path: the leader renews from its last write without reading first.
      if (this.isLeader() && this.leaseValid(now)) {
        const prev = this.observed!;
        const record = { ...desired, acquireTime: prev.acquireTime, leaseTransitions: prev.leaseTransitions };
        try {
          await this.lock.update(record, signal);
          this.setObserved(record);
          return true;
        } catch (err) {
          if (signal.aborted) return false;
          this.log.debug({ err }, 'optimistic renewal failed; reading the lease');
        }
      }
      // 2. Read (or create) the record.
      const current = await this.lock.get(signal);
      if (!current) {
        await this.lock.create(desired, signal);
        this.setObserved(desired);
        return true;
      }
      // 3. Respect a holder whose lease has not expired by our own observation.
      if (JSON.stringify(current) !== this.observedRaw) this.setObserved(current);
      if (current.holderIdentity && this.leaseValid(now) && !this.isLeader()) return false;
      // 4. Take it (or renew it after a failed fast path).
      const record = this.isLeader()
        ? { ...desired, acquireTime: current.acquireTime, leaseTransitions: current.leaseTransitions }
        : { ...desired, leaseTransitions: current.leaseTransitions + 1 };
      await this.lock.update(record, signal);
      this.setObserved(record);
      return true;
    } catch (err) {
      if (!signal.aborted) this.log.debug({ err }, `cannot acquire or renew ${this.lock.describe()}`);
      return false;
    }
  }

  /** Gives the lease up: no holder and a 1 s duration, so that another candidate takes it at its next retry. */
  private async release(): Promise<void> {
    if (!this.isLeader()) return;
    const now = this.clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: this.observed!.leaseTransitions,
    };
    const deadline = deadlineSignal(this.clock, this.renewDeadlineMs);
    try {
      try {
        await this.lock.update(record, deadline.signal);
      } catch (err) {
        // A renewal cut short by the shutdown may have been applied anyway, leaving our resourceVersion stale:
        // read the lease again and release it if it is still ours.
        if (deadline.signal.aborted) throw err;
        const current = await this.lock.get(deadline.signal);
        if (current?.holderIdentity !== this.lock.identity) return;
        await this.lock.update({ ...record, leaseTransitions: current.leaseTransitions }, deadline.signal);
      }
      this.setObserved(record);
      this.log.info('released the lease');
    } catch (err) {
      this.log.warn({ err }, 'failed to release the lease');
    } finally {
      deadline.dispose();
    }
  }

  private leaseValid(now: number): boolean {
    const seconds = this.observed?.leaseDurationSeconds ?? 0;
    return this.observedTime + seconds * 1000 > now;
  }

  private setObserved(record: LeaderElectionRecord): void {
    this.observed = record;
    this.observedRaw = JSON.stringify(record);
    this.observedTime = this.clock.now();
  }

  private maybeReportTransition(): void {
    const holder = this.observed?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (!holder || !this.config.onNewLeader) return;
    try {
      this.config.onNewLeader(holder);
    } catch (err) {
      this.log.error({ err }, 'onNewLeader failed');
    }
  }

  private callStopped(): void {
    try {
      this.config.onStoppedLeading?.();
    } catch (err) {
      this.log.error({ err }, 'onStoppedLeading failed');
    }
  }
}

/** `hostname_uuid`: unique per process, readable in `kubectl get lease -o yaml`. */
export function defaultIdentity(): string {
  return `${os.hostname()}_${randomUUID()}`;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function recordFromSpec(spec: Lease['spec']): LeaderElectionRecord {
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime,
    renewTime: spec?.renewTime,
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

function specFromRecord(r: LeaderElectionRecord): NonNullable<Lease['spec']> {
  return {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    ...(r.acquireTime ? { acquireTime: r.acquireTime } : {}),
    ...(r.renewTime ? { renewTime: r.renewTime } : {}),
    leaseTransitions: r.leaseTransitions,
  };
}
