/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset): keeps `spec.replicas` pods alive for every
 * ReplicaSet, and reports what it sees in `status`.
 *
 *   replicaset informer ──add/update/delete──────────────────────────────► WorkQueue (ns/name) ──► sync(key)
 *   pod informer ──add/update/delete──► owner's key (controller ownerReference),     │ RS gone → forget expectations
 *                                       orphans: every RS whose selector matches      │ pods: same ns, selector matches,
 *                                       (and observes its expectations)               │   active, owned (orphans adopted)
 *                                                                                     │ expectations satisfied?
 *                                                                                     │   create missing / delete surplus
 *                                                                                     └ status via /status
 *
 * Expectations (upstream's ControllerExpectations) make the controller wait for its own writes: before creating N
 * pods it expects N adds; each pod add seen through the watch lowers the count; until it reaches 0 (or 5 min pass)
 * sync does not create or delete anything more, so a sync that runs before the watch caught up never creates twice.
 * Deletions are expected by pod key, so a pod seen first as terminating and later as deleted counts once.
 *
 * Not done yet (upstream has them): releasing owned pods whose labels no longer match the selector (they are just
 * not counted here), ranking surplus pods by how many siblings share their node, events on the ReplicaSet, and the
 * recheck through a live GET of the ReplicaSet before adopting (here the adoption is a JSON patch with `test`s on the
 * pod's uid and resourceVersion, so a stale cache makes it fail and retry instead of clobbering a change).
 */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromObject, selectorFromSet, type LabelSelector } from '../../apimachinery/labels.ts';
import type { Client } from '../../client/client.ts';
import { realClock, type Clock } from '../../client/clock.ts';
import { isConflict, isNotFound } from '../../client/errors.ts';
import {
  controllerOwnerIndexFunc,
  deletedObject,
  OWNER_INDEX,
  type DeletedFinalStateUnknown,
  type SharedInformer,
  type SharedInformerFactory,
} from '../../client/informer.ts';
import { objectKey, PODS, REPLICASETS, splitKey } from '../../client/kinds.ts';
import { runWorkers, WorkQueue } from '../../client/workqueue.ts';
import { logger, type Logger } from '../../util/log.ts';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** Upstream's ExpectationsTimeout: expectations older than this are considered satisfied (a lost watch event). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;
/** Upstream's SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH = 1;

const RS_API_VERSION = 'apps/v1';
const RS_KIND = 'ReplicaSet';

// ---- expectations ---------------------------------------------------------------------------------------------------

interface Expectation {
  add: number;
  /** Pod keys whose deletion is expected (upstream's UIDTrackingControllerExpectations). */
  deletes: Set<string>;
  timestamp: number;
}

/**
 * Upstream's (UID-tracking) ControllerExpectations, per controller key. `satisfied` is true when nothing is recorded,
 * every expected add and delete has been observed, or the record is older than `EXPECTATIONS_TIMEOUT_MS`.
 */
export class ControllerExpectations {
  private readonly records = new Map<string, Expectation>();
  constructor(private readonly clock: Clock = realClock) {}

  satisfied(key: string): boolean {
    const e = this.records.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.deletes.size === 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  /** Replaces the record: `n` creations are now expected. */
  expectCreations(key: string, n: number): void {
    this.records.set(key, { add: n, deletes: new Set(), timestamp: this.clock.now() });
  }

  /** Replaces the record: the deletion of these pods (by key) is now expected. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.records.set(key, { add: 0, deletes: new Set(podKeys), timestamp: this.clock.now() });
  }

  creationObserved(key: string): void {
    const e = this.records.get(key);
    if (e) e.add--;
  }

  /** Counts only for a pod whose deletion was expected, and only once. */
  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  /** For tests and logs: what is still expected. */
  pending(key: string): { add: number; del: number } | undefined {
    const e = this.records.get(key);
    return e && { add: e.add, del: e.deletes.size };
  }
}

// ---- pure helpers ---------------------------------------------------------------------------------------------------

export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready for at least `minReadySeconds` (upstream podutil.IsPodAvailable), judged by the Ready condition's transition. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

function controllerRef(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

function time(s: string | undefined): number {
  const t = Date.parse(s ?? '');
  return Number.isFinite(t) ? t : 0;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods so the ones to delete first come first (upstream's ActivePods less-function, without the co-location
 * rank): unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; ready for less time < longer;
 * more restarts < fewer; newer < older.
 */
export function comparePodsForDeletion(a: Pod, b: Pod): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0;
  const phaseB = PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  if (readyA && readyB) {
    const sinceA = time(readyCondition(a)?.lastTransitionTime);
    const sinceB = time(readyCondition(b)?.lastTransitionTime);
    if (sinceA !== sinceB) return sinceB - sinceA; // ready more recently → first
  }
  const restarts = (p: Pod) => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return time(b.metadata?.creationTimestamp) - time(a.metadata?.creationTimestamp);
}

/** The pods to delete to go down by `diff`: the first `diff` in deletion order. */
export function podsToDelete(pods: readonly Pod[], diff: number): Pod[] {
  return [...pods].sort(comparePodsForDeletion).slice(0, Math.max(0, diff));
}

/** A ReplicaSet's status as computed from its active, owned pods (conditions are carried over by the caller). */
export function calculateStatus(rs: ReplicaSet, pods: readonly Pod[], now: number): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  const fullyLabeled = selectorFromSet(templateLabels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  for (const pod of pods) {
    if (fullyLabeled.matches(pod.metadata?.labels)) fullyLabeledReplicas++;
    if (isPodReady(pod)) {
      readyReplicas++;
      if (isPodAvailable(pod, minReadySeconds, now)) availableReplicas++;
    }
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas,
    readyReplicas,
    availableReplicas,
    observedGeneration: rs.metadata?.generation ?? 0,
  };
}

/** The pod upstream's GetPodFromTemplate builds: template labels, annotations, finalizers and spec, owned by `rs`. */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const template: PodTemplateSpec = structuredClone(rs.spec?.template ?? {});
  const ref: OwnerReference = {
    apiVersion: RS_API_VERSION,
    kind: RS_KIND,
    name: rs.metadata!.name!,
    uid: rs.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata!.name}-`,
      namespace: rs.metadata!.namespace,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      ownerReferences: [ref],
    },
    spec: template.spec!,
  };
}

function sameStatus(a: ReplicaSetStatus | undefined, b: ReplicaSetStatus): boolean {
  return (
    (a?.replicas ?? 0) === b.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    (a?.observedGeneration ?? 0) === (b.observedGeneration ?? 0) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}

// ---- the controller -------------------------------------------------------------------------------------------------

export interface ReplicaSetControllerDeps {
  informers: SharedInformerFactory;
  client: Client;
  clock?: Clock;
  log?: Logger;
  /** At most this many creates or deletes per sync (default BURST_REPLICAS). */
  burstReplicas?: number;
}

export class ReplicaSetController {
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly burstReplicas: number;
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;

  constructor(deps: ReplicaSetControllerDeps) {
    this.client = deps.client;
    this.clock = deps.clock ?? realClock;
    this.log = deps.log ?? logger('replicaset-controller');
    this.burstReplicas = deps.burstReplicas ?? BURST_REPLICAS;
    this.expectations = new ControllerExpectations(this.clock);
    this.queue = new WorkQueue<string>({ name: 'replicaset', clock: this.clock });

    this.rsInformer = deps.informers.informerFor(REPLICASETS);
    this.rsInformer.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (_old, rs) => this.enqueue(rs),
      onDelete: (x) => {
        const rs = deletedObject(x);
        this.expectations.delete(objectKey(rs));
        this.enqueue(rs);
      },
    });

    this.podInformer = deps.informers.informerFor(PODS);
    this.podInformer.addIndexers({ [OWNER_INDEX]: controllerOwnerIndexFunc });
    this.podInformer.addEventHandler({
      onAdd: (pod) => this.onPodAdd(pod),
      onUpdate: (old, cur) => this.onPodUpdate(old, cur),
      onDelete: (x) => this.onPodDelete(x),
    });
  }

  /** Waits for the ReplicaSet and pod caches, then runs `workers` sync loops until the signal aborts. */
  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.rsInformer.waitForSync(signal))) return;
    if (!(await this.podInformer.waitForSync(signal))) return;
    this.log.info({ workers }, 'replicaset controller started');
    await runWorkers(this.queue, workers, (key) => this.sync(key), signal, {
      onError: (key, err) => this.log.warn({ err, replicaset: key }, 'syncing replicaset failed; will retry'),
    });
  }

  private enqueue(rs: ReplicaSet): void {
    if (rs.metadata?.name) this.queue.add(objectKey(rs));
  }

  /** The ReplicaSet a controller ownerReference names, if the cache has it with that uid. */
  private resolveControllerRef(namespace: string | undefined, ref: OwnerReference): ReplicaSet | undefined {
    if (ref.kind !== RS_KIND || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const rs = this.rsInformer.lister.get(namespace ?? '', ref.name);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    return this.rsInformer.lister.listInNamespace(pod.metadata?.namespace ?? '').filter((rs) => {
      const sel = safeSelector(rs);
      return !!sel && !sel.empty() && sel.matches(pod.metadata?.labels);
    });
  }

  private onPodAdd(pod: Pod): void {
    // A pod already being deleted when first seen (e.g. after a restart) counts as a deletion.
    if (pod.metadata?.deletionTimestamp) return this.onPodDelete(pod);
    const ref = controllerRef(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata?.namespace, ref);
      if (!rs) return;
      const key = objectKey(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.replicaSetsSelecting(pod)) this.enqueue(rs);
  }

  private onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // a resync: nothing changed
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // Marked for deletion: the owner may create a replacement now, without waiting for the grace period.
      this.onPodDelete(cur);
      if (labelsChanged) this.onPodDelete(old);
      return;
    }
    const oldRef = controllerRef(old);
    const curRef = controllerRef(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // A pod that just became ready becomes available minReadySeconds later: look again then.
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.replicaSetsSelecting(cur)) this.enqueue(rs);
  }

  private onPodDelete(x: Pod | DeletedFinalStateUnknown<Pod>): void {
    const pod = deletedObject(x);
    const ref = controllerRef(pod);
    if (!ref) return; // an orphan's deletion changes no ReplicaSet
    const rs = this.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(pod));
    this.queue.add(key);
  }

  /**
   * Level-based: reads the cached ReplicaSet and pods. Gone → forget its expectations. Otherwise adopts matching
   * orphans, creates or deletes pods toward spec.replicas when its expectations are satisfied, and writes status.
   * Returns `{ requeueAfterMs }` when pods are ready but not yet available (minReadySeconds).
   * @throws on API errors (the worker retries with backoff); a failed create/delete still gets its status written
   */
  async sync(key: string): Promise<{ requeueAfterMs?: number }> {
    const { namespace, name } = splitKey(key);
    const rs = this.rsInformer.lister.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return {};
    }
    const selector = safeSelector(rs);
    if (!selector) {
      this.log.warn({ replicaset: key }, 'invalid selector; not syncing');
      return {};
    }
    const needsSync = this.expectations.satisfied(key) && !rs.metadata?.deletionTimestamp;
    const pods = await this.claimPods(rs, selector);

    let manageError: unknown;
    if (needsSync) {
      try {
        await this.manageReplicas(key, rs, pods);
      } catch (err) {
        manageError = err;
      }
    }

    const now = this.clock.now();
    const status = calculateStatus(rs, pods, now);
    status.conditions = replicaFailureConditions(rs, manageError, pods.length, now);
    const written = await this.updateStatus(rs, status);

    if (manageError) throw manageError;
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && written.readyReplicas === (rs.spec?.replicas ?? 1) && written.availableReplicas !== written.readyReplicas) {
      return { requeueAfterMs: minReady * 1000 };
    }
    return {};
  }

  /**
   * The RS's active pods: those it controls whose labels match, plus orphans that match, adopted (upstream's
   * PodControllerRefManager.ClaimPods, without releasing owned pods that stopped matching).
   */
  private async claimPods(rs: ReplicaSet, selector: LabelSelector): Promise<Pod[]> {
    const uid = rs.metadata?.uid;
    const claimed: Pod[] = [];
    for (const pod of this.podInformer.lister.listInNamespace(rs.metadata?.namespace ?? '')) {
      if (!isPodActive(pod)) continue;
      const ref = controllerRef(pod);
      if (ref) {
        if (ref.uid === uid && selector.matches(pod.metadata?.labels)) claimed.push(pod);
        continue;
      }
      if (rs.metadata?.deletionTimestamp || !selector.matches(pod.metadata?.labels)) continue;
      const adopted = await this.adopt(rs, pod);
      if (adopted) claimed.push(adopted);
    }
    return claimed;
  }

  /** Adds this RS as the pod's controller; a pod gone meanwhile is skipped. The cache's uid and resourceVersion are preconditions. */
  private async adopt(rs: ReplicaSet, pod: Pod): Promise<Pod | undefined> {
    const ref: OwnerReference = {
      apiVersion: RS_API_VERSION,
      kind: RS_KIND,
      name: rs.metadata!.name!,
      uid: rs.metadata!.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };
    const patch = [
      { op: 'test', path: '/metadata/uid', value: pod.metadata?.uid },
      { op: 'test', path: '/metadata/resourceVersion', value: pod.metadata?.resourceVersion },
      { op: 'add', path: '/metadata/ownerReferences', value: [...(pod.metadata?.ownerReferences ?? []), ref] },
    ];
    try {
      const adopted = await this.client.pods.patch(pod.metadata!.namespace!, pod.metadata!.name!, 'json', patch);
      this.log.info({ replicaset: objectKey(rs), pod: pod.metadata?.name }, 'adopted pod');
      return adopted;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Creates (in slow-start batches) or deletes pods toward spec.replicas, at most `burstReplicas` per sync. */
  private async manageReplicas(key: string, rs: ReplicaSet, pods: readonly Pod[]): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    const diff = pods.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, this.burstReplicas);
      // Expect them all before the first create: its pod may come back through the watch before create() returns.
      this.expectations.expectCreations(key, n);
      const template = podFromTemplate(rs);
      let created = 0;
      let failed = 0;
      let firstError: unknown;
      for (let batch = Math.min(n, SLOW_START_INITIAL_BATCH); batch > 0 && !firstError; ) {
        const results = await Promise.allSettled(
          Array.from({ length: batch }, () => this.client.pods.create(rs.metadata!.namespace!, structuredClone(template))),
        );
        for (const r of results) {
          if (r.status === 'fulfilled') created++;
          else {
            failed++;
            firstError ??= r.reason;
            // Its add will never be observed.
            this.expectations.creationObserved(key);
          }
        }
        const remaining = n - created - failed;
        batch = Math.min(2 * batch, remaining);
      }
      const skipped = n - created - failed;
      for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
      if (created) this.log.info({ replicaset: key, created, want }, 'created pods');
      if (firstError) throw firstError;
    } else if (diff > 0) {
      const victims = podsToDelete(pods, Math.min(diff, this.burstReplicas));
      this.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
      const results = await Promise.allSettled(
        victims.map((p) =>
          this.client.pods.delete(p.metadata!.namespace!, p.metadata!.name!, { preconditions: { uid: p.metadata?.uid } }),
        ),
      );
      let firstError: unknown;
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          // Either gone already or not deleted: in both cases no (further) deletion event will come for it.
          this.expectations.deletionObserved(key, objectKey(victims[i]!));
          if (!isNotFound(r.reason)) firstError ??= r.reason;
        }
      });
      this.log.info({ replicaset: key, deleted: victims.length, want }, 'deleted pods');
      if (firstError) throw firstError;
    }
  }

  /** Writes status when it changed; on a conflict reads the RS again and retries once. Returns what the RS now reports. */
  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    if (sameStatus(rs.status, status)) return status;
    let current: ReplicaSet = rs;
    for (let attempt = 0; ; attempt++) {
      const updated: ReplicaSet = { ...structuredClone(current), status };
      try {
        await this.client.replicaSets.updateStatus(updated);
        return status;
      } catch (err) {
        if (isNotFound(err)) return status;
        if (!isConflict(err) || attempt > 0) throw err;
        current = await this.client.replicaSets.get(rs.metadata!.namespace!, rs.metadata!.name!);
        if (current.metadata?.uid !== rs.metadata?.uid) return status;
      }
    }
  }
}

function safeSelector(rs: ReplicaSet): LabelSelector | undefined {
  try {
    return labelSelectorFromObject(rs.spec?.selector);
  } catch {
    return undefined;
  }
}

/** Carries over other conditions; sets ReplicaFailure while creating/deleting fails, drops it once that works. */
function replicaFailureConditions(rs: ReplicaSet, err: unknown, have: number, now: number): ReplicaSetCondition[] | undefined {
  const others = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const existing = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (!err) return others.length ? structuredClone(others) : undefined;
  const want = rs.spec?.replicas ?? 1;
  const reason = have < want ? 'FailedCreate' : 'FailedDelete';
  const message = err instanceof Error ? err.message : String(err);
  const cond: ReplicaSetCondition =
    existing && existing.reason === reason && existing.message === message
      ? structuredClone(existing)
      : { type: 'ReplicaFailure', status: 'True', reason, message, lastTransitionTime: new Date(now).toISOString() };
  return [...structuredClone(others), cond];
}
