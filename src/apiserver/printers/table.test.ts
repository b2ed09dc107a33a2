import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource } from '../../apimachinery/resources.ts';
import { TableOptionsError, tableColumns, toTable, validateIncludeObject } from './index.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const pods = findResource('', 'v1', 'pods')!;
const deployments = findResource('apps', 'v1', 'deployments')!;

const pod = (name: string, phase = 'Running') => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', creationTimestamp: '2024-05-01T11:59:00Z', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
  status: { phase, containerStatuses: [{ ready: true, state: { running: {} } }] },
});

describe('toTable', () => {
  test('a list with includeObject=Object, as kubectl asks', () => {
    const t = toTable([pod('a'), pod('b')], pods, {
      includeObject: 'Object',
      listMeta: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 },
      now: NOW,
    });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
    assert.deepEqual(t.columnDefinitions, tableColumns('', 'Pod'));
    assert.equal(t.rows.length, 2);
    assert.deepEqual(t.rows[0]!.cells, ['a', '1/1', 'Running', '0', '60s', '<none>', '<none>', '<none>', '<none>']);
    const embedded = t.rows[0]!.object as Record<string, unknown>;
    assert.equal(embedded.kind, 'Pod');
    assert.equal(embedded.apiVersion, 'v1');
    assert.deepEqual(embedded.metadata, pod('a').metadata);
    assert.deepEqual(embedded.spec, pod('a').spec);
    assert.equal('conditions' in t.rows[0]!, false);
  });

  test('the embedded object keeps its own apiVersion and kind when set', () => {
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} };
    const t = toTable([d], deployments, { includeObject: 'Object', now: NOW });
    assert.deepEqual(t.rows[0]!.object, d);
  });

  test('Metadata (the default) embeds PartialObjectMetadata', () => {
    for (const includeObject of [undefined, '', 'Metadata']) {
      const t = toTable([pod('a')], pods, { includeObject, now: NOW });
      assert.deepEqual(t.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod('a').metadata });
    }
    const beta = toTable([pod('a')], pods, { apiVersion: 'meta.k8s.io/v1beta1', now: NOW });
    assert.equal(beta.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal((beta.rows[0]!.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
  });

  test('None embeds null', () => {
    const t = toTable([pod('a')], pods, { includeObject: 'None', now: NOW });
    assert.equal(t.rows[0]!.object, null);
    assert.ok('object' in t.rows[0]!);
  });

  test('noHeaders drops the column definitions but keeps every cell', () => {
    const t = toTable([pod('a')], pods, { noHeaders: true, now: NOW });
    assert.deepEqual(t.columnDefinitions, []);
    assert.equal(t.rows[0]!.cells.length, 9);
  });

  test('a single object: the table carries its resourceVersion', () => {
    const t = toTable(pod('a'), pods, { now: NOW, listMeta: { resourceVersion: 'ignored' } });
    assert.deepEqual(t.metadata, { resourceVersion: '7' });
    assert.equal(t.rows.length, 1);
  });

  test('an empty list has no rows and an empty-list metadata', () => {
    const t = toTable([], pods, { listMeta: { resourceVersion: '9' }, now: NOW });
    assert.deepEqual(t.rows, []);
    assert.deepEqual(t.metadata, { resourceVersion: '9' });
    assert.deepEqual(toTable([], pods, { now: NOW }).metadata, {});
  });

  test('row conditions mark completed pods', () => {
    const t = toTable([pod('done', 'Succeeded')], pods, { now: NOW });
    assert.deepEqual(t.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  test('the clock can be a Date or a function', () => {
    assert.equal(toTable([pod('a')], pods, { now: new Date(NOW + 60_000) }).rows[0]!.cells[4], '2m');
    assert.equal(toTable([pod('a')], pods, { now: () => NOW + 120_000 }).rows[0]!.cells[4], '3m');
  });

  test('the table serializes to the JSON the server sends', () => {
    const json = JSON.parse(JSON.stringify(toTable([pod('a')], pods, { includeObject: 'None', now: NOW })));
    assert.deepEqual(Object.keys(json), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
    assert.deepEqual(json.columnDefinitions[0], {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: "The object's name, unique within its namespace.",
      priority: 0,
    });
    assert.deepEqual(json.rows[0], { cells: ['a', '1/1', 'Running', '0', '60s', '<none>', '<none>', '<none>', '<none>'], object: null });
  });

  test('an unknown includeObject is a bad request', () => {
    assert.throws(() => toTable([pod('a')], pods, { includeObject: 'Everything' }), (err: unknown) => {
      assert.ok(err instanceof TableOptionsError);
      assert.equal(err.status, 400);
      assert.equal(err.message, `Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be 'Metadata', 'Object', 'None', or empty`);
      return true;
    });
    assert.equal(validateIncludeObject('Object'), 'Object');
    assert.equal(validateIncludeObject(undefined), 'Metadata');
  });
});
