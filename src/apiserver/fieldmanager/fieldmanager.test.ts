import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KObject } from '../../apimachinery/object.ts';
import { StatusError } from '../../apimachinery/status.ts';
import { loadOpenApi, type OpenApi } from '../openapi/index.ts';
import {
  apply,
  BEFORE_FIRST_APPLY,
  LAST_APPLIED_ANNOTATION,
  managedFieldsTracker,
  updateManagedFields,
  type ApplyOptions,
} from './fieldmanager.ts';
import type { ManagedFieldsEntry } from './managed.ts';
import { widgetSchema } from './testdata/schema.ts';

let clock = Date.parse('2025-01-01T00:00:00Z');
const now = () => new Date(clock);
const tick = () => (clock += 60_000);

const schema = widgetSchema();
const opts = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({
  schema,
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  now,
  ...extra,
});

const widget = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', namespace: 'ns', ...metadata },
  spec,
});

/** What the Store adds on create. */
const stored = (o: KObject): KObject => ({
  ...o,
  metadata: { ...o.metadata, uid: 'uid-1', creationTimestamp: '2025-01-01T00:00:00Z', resourceVersion: '1' },
});

const entries = (o: KObject) => (o.metadata.managedFields ?? []) as ManagedFieldsEntry[];
const entry = (o: KObject, manager: string, operation?: string) =>
  entries(o).find((e) => e.manager === manager && (!operation || e.operation === operation));

function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return err.status;
  }
  assert.fail('expected a StatusError');
}

describe('apply', () => {
  it('creates: the object is the configuration, the manager owns what it set (not server-owned metadata)', () => {
    const out = apply(undefined, widget({ replicas: 2, containers: [{ name: 'web', image: 'nginx' }] }, { labels: { app: 'w' } }), 'a', opts());
    assert.deepEqual(out.spec, { replicas: 2, containers: [{ name: 'web', image: 'nginx' }] });
    assert.deepEqual(entries(out), [
      {
        manager: 'a',
        operation: 'Apply',
        apiVersion: 'example.com/v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
            'f:replicas': {},
          },
        },
      },
    ]);
  });

  it('re-applying the same configuration changes nothing (managedFields kept as they are)', () => {
    const cfg = widget({ replicas: 2 });
    const live = stored(apply(undefined, cfg, 'a', opts()));
    tick();
    const again = apply(live, cfg, 'a', opts());
    assert.deepEqual(again, live);
    assert.equal(again.metadata.managedFields, live.metadata.managedFields);
  });

  it('a different value of a field another manager applied is a conflict, with upstream message and causes', () => {
    const live = stored(apply(undefined, widget({ replicas: 2 }), 'a', opts()));
    const st = statusOf(() => apply(live, widget({ replicas: 3 }), 'b', opts()));
    assert.equal(st.code, 409);
    assert.equal(st.reason, 'Conflict');
    assert.equal(st.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
    assert.deepEqual(st.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }] });
  });

  it('several conflicts are grouped by manager', () => {
    let live = stored(apply(undefined, widget({ replicas: 2, paused: false }), 'a', opts()));
    const upd = structuredClone(live);
    (upd.spec as { containers?: unknown }).containers = [{ name: 'c', image: '1' }];
    updateManagedFields(upd, live, 'ctl', 'Update', undefined, { schema, now });
    live = upd;
    const st = statusOf(() => apply(live, widget({ replicas: 3, paused: true, containers: [{ name: 'c', image: '2' }] }), 'b', opts()));
    assert.equal(
      st.message,
      'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.paused\n- .spec.replicas\n' +
        'conflicts with "ctl" using example.com/v1:\n- .spec.containers[name="c"].image',
    );
    assert.equal(st.details?.causes?.length, 3);
  });

  it('the same value is not a conflict: ownership is shared', () => {
    const live = stored(apply(undefined, widget({ replicas: 2 }), 'a', opts()));
    const out = apply(live, widget({ replicas: 2 }), 'b', opts());
    assert.deepEqual(entry(out, 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(entry(out, 'b')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(entry(out, 'b')?.time, undefined, 'the object did not change');
  });

  it('force takes the field: the other manager loses it (and its entry when empty)', () => {
    const live = stored(apply(undefined, widget({ replicas: 2, paused: true }), 'a', opts()));
    tick();
    const out = apply(live, widget({ replicas: 5 }), 'b', opts({ force: true }));
    assert.equal((out.spec as { replicas: number }).replicas, 5);
    assert.deepEqual(entry(out, 'a')?.fieldsV1, { 'f:spec': { 'f:paused': {} } });
    assert.deepEqual(entry(out, 'b')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(entry(out, 'b')?.time, '2025-01-01T00:02:00Z');
    const all = apply(stored(out), widget({ replicas: 6, paused: false }), 'b', opts({ force: true }));
    assert.equal(entry(all, 'a'), undefined);
  });

  it('a field the manager stops applying is removed, list items and map entries included', () => {
    const cfg = widget(
      { replicas: 2, containers: [{ name: 'web', image: 'nginx', args: ['a'] }, { name: 'sidecar', image: 'busybox' }] },
      { labels: { app: 'w', tier: 'x' } },
    );
    const live = stored(apply(undefined, cfg, 'a', opts()));
    const out = apply(live, widget({ containers: [{ name: 'web', image: 'nginx' }] }, { labels: { app: 'w' } }), 'a', opts());
    assert.deepEqual(out.spec, { containers: [{ name: 'web', image: 'nginx' }] });
    assert.deepEqual(out.metadata.labels, { app: 'w' });
    assert.equal(out.metadata.uid, 'uid-1', 'fields nobody applied stay');
    assert.deepEqual(entry(out, 'a')?.fieldsV1, {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
    });
  });

  it('a dropped field another manager also owns stays (and stays theirs)', () => {
    let live = stored(apply(undefined, widget({ replicas: 2, paused: true }), 'a', opts()));
    live = apply(live, widget({ replicas: 2 }), 'b', opts());
    // an Update by a controller on a label
    const upd = structuredClone(live);
    upd.metadata.labels = { team: 'x' };
    updateManagedFields(upd, live, 'labeler', 'Update', undefined, { schema, now });
    live = upd;
    const out = apply(live, widget({}, { labels: {} }), 'a', opts());
    assert.equal((out.spec as { replicas?: number }).replicas, 2, 'b still applies it');
    assert.equal((out.spec as { paused?: boolean }).paused, undefined, 'only a applied it');
    assert.deepEqual(out.metadata.labels, { team: 'x' });
    const gone = apply(stored(out), widget({}), 'b', opts());
    assert.equal((gone.spec as { replicas?: number } | undefined)?.replicas, undefined);
  });

  it('values the server defaulted (owned by nobody) are kept', () => {
    const live = stored(apply(undefined, widget({ containers: [{ name: 'a', image: 'i' }] }), 'a', opts()));
    (live.spec as { containers: { ports?: unknown }[] }).containers[0]!.ports = [{ containerPort: 80, protocol: 'TCP' }];
    const out = apply(live, widget({ containers: [{ name: 'a', image: 'j' }] }), 'a', opts());
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'j', ports: [{ containerPort: 80, protocol: 'TCP' }] }] });
  });

  it('status is neither applied nor owned on the main resource of a kind with a status subresource', () => {
    const live = stored({ ...apply(undefined, widget({ replicas: 1 }), 'a', opts({ statusSubresource: true })), status: { phase: 'Ready' } });
    const out = apply(live, { ...widget({ replicas: 1 }), status: { phase: 'Broken' } }, 'a', opts({ statusSubresource: true }));
    assert.deepEqual(out.status, { phase: 'Ready' });
    assert.deepEqual(entry(out, 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    const sub = apply(live, { ...widget({ replicas: 9 }), status: { phase: 'Broken' } }, 'a', opts({ statusSubresource: true, subresource: 'status' }));
    assert.deepEqual(sub.status, { phase: 'Broken' });
    assert.equal((sub.spec as { replicas: number }).replicas, 1);
    const e = entries(sub).find((x) => x.subresource === 'status');
    assert.deepEqual(e, {
      manager: 'a',
      operation: 'Apply',
      apiVersion: 'example.com/v1',
      time: '2025-01-01T00:02:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:phase': {} } },
      subresource: 'status',
    });
  });

  it('an object nobody owns yet: its values belong to before-first-apply', () => {
    const live = stored(widget({ replicas: 2, paused: true }));
    const st = statusOf(() => apply(live, widget({ replicas: 3 }), 'a', opts()));
    assert.equal(st.message, `Apply failed with 1 conflict: conflict with "${BEFORE_FIRST_APPLY}" using example.com/v1: .spec.replicas`);
    const out = apply(live, widget({ replicas: 2 }), 'a', opts());
    assert.deepEqual(entry(out, BEFORE_FIRST_APPLY, 'Update')?.fieldsV1, {
      'f:spec': { '.': {}, 'f:paused': {}, 'f:replicas': {} },
    });
    assert.deepEqual(entry(out, 'a', 'Apply')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  it('kubectl moving from client-side apply may take what its last-applied annotation sets, and keeps the annotation current', () => {
    const lastApplied = JSON.stringify(widget({ replicas: 2 }));
    let live = stored(widget({ replicas: 2 }, { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } }));
    const created = structuredClone(live);
    updateManagedFields(created, undefined, 'kubectl-client-side-apply', 'Update', undefined, { schema, now });
    live = created;
    const cfg = widget({ replicas: 4 });
    const st = statusOf(() => apply(live, cfg, 'someone', opts()));
    assert.match(st.message!, /conflict with "kubectl-client-side-apply" using example.com\/v1: \.spec\.replicas/);
    const out = apply(live, cfg, 'kubectl', opts());
    assert.equal((out.spec as { replicas: number }).replicas, 4);
    assert.equal(
      out.metadata.annotations?.[LAST_APPLIED_ANNOTATION],
      '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","namespace":"ns"},"spec":{"replicas":4}}\n',
    );
    // what the annotation does not cover still conflicts
    const owned = structuredClone(live);
    owned.metadata.labels = { x: 'z' };
    updateManagedFields(owned, live, 'labeler', 'Update', undefined, { schema, now });
    const st3 = statusOf(() => apply(owned, widget({ replicas: 4 }, { labels: { x: 'y' } }), 'kubectl', opts()));
    assert.equal(st3.message, 'Apply failed with 1 conflict: conflict with "labeler" using example.com/v1: .metadata.labels.x');
  });

  it('takes the kind as gvk too', () => {
    const out = apply(undefined, widget({ replicas: 1 }), 'a', { schema, gvk: { group: 'example.com', version: 'v1', kind: 'Widget' }, now });
    assert.equal(entry(out, 'a')?.apiVersion, 'example.com/v1');
  });

  it('refuses a configuration for another kind, with managedFields, or with undeclared fields (400)', () => {
    assert.equal(statusOf(() => apply(undefined, { ...widget({}), kind: 'Gadget' }, 'a', opts())).message, 'invalid object type: example.com/v1, Kind=Gadget');
    assert.equal(
      statusOf(() => apply(undefined, widget({}, { managedFields: [] }), 'a', opts())).message,
      'metadata.managedFields must be nil',
    );
    const st = statusOf(() => apply(undefined, widget({ bogus: 1 }), 'a', opts()));
    assert.equal(st.code, 400);
    assert.equal(st.message, 'failed to create typed patch object (ns/w; example.com/v1, Kind=Widget): .spec.bogus: field not declared in schema');
  });
});

describe('updateManagedFields', () => {
  const track = (next: KObject, prev: KObject | undefined, manager: string, subresource?: string) => {
    updateManagedFields(next, prev, manager, 'Update', subresource, { schema, now });
    return next;
  };

  it('create: the creator owns what it set (server-owned metadata excluded)', () => {
    clock = Date.parse('2025-01-01T00:00:00Z');
    const obj = track(stored(widget({ replicas: 1 }, { labels: { a: 'b' } })), undefined, 'kubectl-create');
    assert.deepEqual(entries(obj), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'example.com/v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { '.': {}, 'f:replicas': {} } },
      },
    ]);
  });

  it('an update moves the changed fields to its manager; the same manager keeps one merged entry', () => {
    clock = Date.parse('2025-01-01T00:00:00Z');
    const v1 = track(stored(widget({ replicas: 1, paused: false })), undefined, 'creator');
    tick();
    const v2 = track({ ...structuredClone(v1), spec: { replicas: 2, paused: false } }, v1, 'scaler');
    assert.deepEqual(entry(v2, 'creator')?.fieldsV1, { 'f:spec': { '.': {}, 'f:paused': {} } });
    assert.deepEqual(entry(v2, 'scaler')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    tick();
    const v3 = track({ ...structuredClone(v2), spec: { replicas: 2, paused: true } }, v2, 'scaler');
    assert.equal(entries(v3).filter((e) => e.manager === 'scaler').length, 1);
    assert.deepEqual(entry(v3, 'scaler')?.fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
    assert.equal(entry(v3, 'scaler')?.time, '2025-01-01T00:02:00Z');
    assert.deepEqual(entry(v3, 'creator')?.fieldsV1, { 'f:spec': {} }, 'the creator still owns the spec struct itself');
  });

  it('a no-op write leaves managedFields exactly as they were (no time bump)', () => {
    const v1 = track(stored(widget({ replicas: 1 })), undefined, 'creator');
    tick();
    const same = track(structuredClone(v1), v1, 'someone-else');
    assert.deepEqual(same.metadata.managedFields, v1.metadata.managedFields);
  });

  it('removed fields are dropped from their owners', () => {
    const v1 = track(stored(widget({ replicas: 1, paused: true })), undefined, 'creator');
    const v2 = track({ ...structuredClone(v1), spec: { replicas: 1 } }, v1, 'editor');
    assert.deepEqual(entry(v2, 'creator')?.fieldsV1, { 'f:spec': { '.': {}, 'f:replicas': {} } });
    assert.equal(entry(v2, 'editor'), undefined, 'removing takes nothing');
  });

  it('the status subresource records its own entry and ignores managedFields in the request', () => {
    const v1 = track(stored(widget({ replicas: 1 })), undefined, 'creator');
    const next = { ...structuredClone(v1), status: { phase: 'Up' } };
    next.metadata.managedFields = [];
    const v2 = track(next, v1, 'controller', 'status');
    const e = entry(v2, 'controller');
    assert.equal(e?.subresource, 'status');
    assert.deepEqual(e?.fieldsV1, { 'f:status': { '.': {}, 'f:phase': {} } });
    assert.ok(entry(v2, 'creator'));
  });

  it('managedFields: [] (or [{}]) clears the bookkeeping; a client may set valid managedFields itself', () => {
    const v1 = track(stored(widget({ replicas: 1 })), undefined, 'creator');
    const reset = structuredClone(v1);
    reset.metadata.managedFields = [{}];
    assert.equal(track(reset, v1, 'x').metadata.managedFields, undefined);
    const own = structuredClone(v1);
    own.metadata.managedFields = [
      { manager: 'mine', operation: 'Apply', apiVersion: 'example.com/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ];
    assert.deepEqual(track(own, v1, 'x').metadata.managedFields, own.metadata.managedFields);
    const bad = structuredClone(v1);
    bad.metadata.managedFields = [{ manager: 'bad', operation: 'Nope' as never }];
    assert.deepEqual(track(bad, v1, 'x').metadata.managedFields, v1.metadata.managedFields, 'invalid ones fall back to the stored');
  });

  it('an existing object without managedFields stays untracked until applied', () => {
    const v1 = stored(widget({ replicas: 1 }));
    const v2 = track({ ...structuredClone(v1), spec: { replicas: 2 } }, v1, 'x');
    assert.equal(v2.metadata.managedFields, undefined);
  });

  it('at most 10 Update entries: the oldest are merged into ancient-changes', () => {
    clock = Date.parse('2025-01-01T00:00:00Z');
    let cur = track(stored(widget({ containers: [] })), undefined, 'creator');
    for (let i = 0; i < 11; i++) {
      tick();
      const next = structuredClone(cur);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), [`l${i}`]: 'x' };
      cur = track(next, cur, `m${i}`);
    }
    const updates = entries(cur).filter((e) => e.operation === 'Update');
    assert.equal(updates.length, 10);
    assert.ok(entry(cur, 'ancient-changes'), JSON.stringify(updates.map((e) => e.manager)));
  });

  it('managedFieldsTracker finds the schema by the object\'s group, version and kind; Apply writes are left alone', () => {
    const seen: unknown[] = [];
    const hook = managedFieldsTracker((gvk) => (seen.push(gvk), schema), { now });
    const obj = stored(widget({ replicas: 1 }));
    hook(obj, undefined, 'm', 'Update');
    assert.deepEqual(seen, [{ group: 'example.com', version: 'v1', kind: 'Widget' }]);
    assert.ok(entry(obj, 'm'));
    const applied = stored(widget({ replicas: 1 }));
    hook(applied, undefined, 'm', 'Apply');
    assert.equal(applied.metadata.managedFields, undefined);
  });
});

describe('apply with the OpenAPI schema (Deployment)', () => {
  let api: OpenApi;
  before(async () => {
    api = await loadOpenApi({ lazy: true });
  });
  const deployment = (containers: object[], replicas = 2): KObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers } },
    },
  });

  it('removes a container the applier dropped; ports keyed by containerPort and protocol (default TCP)', () => {
    const o: ApplyOptions = {
      schema: api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' }),
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      statusSubresource: true,
      now,
    };
    const web = { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] };
    const live = stored(apply(undefined, deployment([web, { name: 'sidecar', image: 'busybox' }]), 'kubectl', o));
    const fields = entry(live, 'kubectl')!.fieldsV1 as any;
    assert.deepEqual(fields['f:spec']['f:selector'], {}, 'LabelSelector is an atomic struct');
    assert.ok(fields['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']['f:ports']['k:{"containerPort":80,"protocol":"TCP"}']);
    // the server defaults the protocol; the next apply still matches the port
    (live.spec as any).template.spec.containers[0].ports[0].protocol = 'TCP';
    const out = apply(live, deployment([web], 3), 'kubectl', o);
    assert.deepEqual((out.spec as any).template.spec.containers, [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    assert.equal((out.spec as any).replicas, 3);
    const st = statusOf(() => apply(stored(out), deployment([web], 5), 'other', o));
    assert.equal(st.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
  });
});
