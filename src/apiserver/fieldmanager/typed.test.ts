import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet, pathString } from './fieldpath.ts';
import { SType } from './schema.ts';
import { widgetSchema } from './testdata/schema.ts';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, SchemaError, stripNulls, toFieldSet } from './typed.ts';

const T = SType.of(widgetSchema());
const show = (s: FieldSet) => s.paths().map(pathString);

describe('toFieldSet', () => {
  it('struct fields are implied by their leaves; map entries and list items are members', () => {
    const obj = {
      metadata: { name: 'w', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      },
    };
    assert.deepEqual(show(toFieldSet(obj, T)), [
      '.metadata.name',
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.containers[name="web"]',
      '.spec.containers[name="web"].image',
      '.spec.containers[name="web"].name',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].containerPort',
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"].protocol',
    ]);
  });

  it('atomic structs, atomic maps and atomic lists are owned whole; empty and null struct fields are members', () => {
    const obj = {
      spec: {
        selector: { matchLabels: { a: 'b' } },
        nodeSelector: { disk: 'ssd' },
        containers: [{ name: 'c', args: ['a', 'b'] }],
        limits: {},
        paused: null,
      },
    };
    assert.deepEqual(show(toFieldSet(obj, T)), [
      '.spec.limits',
      '.spec.nodeSelector',
      '.spec.paused',
      '.spec.selector',
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].args',
      '.spec.containers[name="c"].name',
    ]);
  });

  it('sets by value; a merge-strategy list with a merge key is a list map; a missing protocol key defaults to TCP', () => {
    const obj = {
      metadata: { finalizers: ['a/b', 'c'] },
      spec: {
        tags: ['x'],
        containers: [{ name: 'c', env: [{ name: 'E', value: '1' }], ports: [{ containerPort: 8080 }] }],
      },
    };
    const s = show(toFieldSet(obj, T));
    assert.ok(s.includes('.metadata.finalizers[="a/b"]'));
    assert.ok(s.includes('.spec.tags[="x"]'));
    assert.ok(s.includes('.spec.containers[name="c"].env[name="E"].value'));
    assert.ok(s.includes('.spec.containers[name="c"].ports[containerPort=8080,protocol="TCP"].containerPort'));
  });

  it('map values that are structs: the key is a member and so are the fields', () => {
    assert.deepEqual(show(toFieldSet({ spec: { limits: { cpu: { max: 2 } } } }, T)), [
      '.spec.limits.cpu',
      '.spec.limits.cpu.max',
    ]);
  });

  it('undeclared and untyped (opaque) fields are deduced: maps granular, lists atomic', () => {
    assert.deepEqual(show(toFieldSet({ spec: { extra: { a: { b: 1 }, l: [1, 2] } } }, T)), [
      '.spec.extra.a',
      '.spec.extra.l',
      '.spec.extra.a.b',
    ]);
    assert.deepEqual(show(toFieldSet({ x: { y: [1] } }, SType.DEDUCED)), ['.x', '.x.y']);
  });

  it('strict reading (an applied configuration) refuses undeclared fields, unkeyable items and duplicates', () => {
    const strict = (o: unknown) => () => toFieldSet(o, T, { strict: true });
    assert.throws(strict({ spec: { bogus: 1 } }), (e: SchemaError) => e.message === '.spec.bogus: field not declared in schema');
    assert.throws(
      strict({ spec: { containers: [{ image: 'x' }] } }),
      (e: SchemaError) =>
        e.message === '.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
    assert.throws(
      strict({ spec: { containers: [{ name: 'a' }, { name: 'a' }] } }),
      (e: SchemaError) => e.message === '.spec.containers: duplicate entries for key [name="a"]',
    );
    assert.doesNotThrow(strict({ spec: { extra: { anything: [1] } } }));
  });

  it('lenient reading: duplicate keys are owned as a whole; an unkeyable list is atomic', () => {
    assert.deepEqual(show(toFieldSet({ spec: { containers: [{ name: 'a', image: '1' }, { name: 'a', image: '2' }] } }, T)), [
      '.spec.containers[name="a"]',
    ]);
    assert.deepEqual(show(toFieldSet({ spec: { containers: [{ image: 'x' }] } }, T)), ['.spec.containers']);
  });
});

describe('ensureNamedFieldsAreMembers', () => {
  it('adds struct fields on the way, not map keys', () => {
    const s = toFieldSet({ metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, T);
    assert.deepEqual(show(ensureNamedFieldsAreMembers(s, T)), [
      '.metadata',
      '.spec',
      '.metadata.labels',
      '.metadata.labels.a',
      '.spec.containers',
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].image',
      '.spec.containers[name="c"].name',
    ]);
  });
});

describe('compare', () => {
  it('added, modified and removed leaves; an added or removed item brings its whole subtree', () => {
    const before = { spec: { replicas: 1, containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } };
    const after = { spec: { replicas: 2, containers: [{ name: 'a', image: '1' }, { name: 'c', image: '1' }] } };
    const c = compare(before, after, T);
    assert.deepEqual(show(c.modified), ['.spec.replicas']);
    assert.deepEqual(show(c.added), ['.spec.containers[name="c"]', '.spec.containers[name="c"].image', '.spec.containers[name="c"].name']);
    assert.deepEqual(show(c.removed), ['.spec.containers[name="b"]', '.spec.containers[name="b"].image', '.spec.containers[name="b"].name']);
  });

  it('a struct that appears is added with its leaves; atomic values are compared whole', () => {
    const c = compare({}, { spec: { selector: { matchLabels: { a: 'b' } } } }, T);
    assert.deepEqual(show(c.added), ['.spec', '.spec.selector']);
    const m = compare({ spec: { selector: { matchLabels: { a: 'b' } } } }, { spec: { selector: { matchLabels: { a: 'c' } } } }, T);
    assert.deepEqual(show(m.modified), ['.spec.selector']);
  });

  it('equal objects: nothing', () => {
    const o = { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'a' }] } };
    const c = compare(o, structuredClone(o), T);
    assert.ok(c.added.empty() && c.modified.empty() && c.removed.empty());
  });
});

describe('merge', () => {
  it('granular maps and list maps merge; atomic values are replaced; live-only fields stay', () => {
    const live = {
      metadata: { labels: { a: '1', b: '2' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { a: '1', b: '2' } },
        containers: [
          { name: 'a', image: 'old', args: ['x', 'y'] },
          { name: 'b', image: 'b' },
        ],
      },
    };
    const config = {
      metadata: { labels: { a: 'changed' } },
      spec: { selector: { matchLabels: { z: '9' } }, containers: [{ name: 'a', image: 'new', args: ['z'] }, { name: 'n', image: 'n' }] },
    };
    assert.deepEqual(merge(live, config, T), {
      metadata: { labels: { a: 'changed', b: '2' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { z: '9' } },
        containers: [
          { name: 'a', image: 'new', args: ['z'] },
          { name: 'n', image: 'n' },
          { name: 'b', image: 'b' },
        ],
      },
    });
  });

  it('new items go after the item they follow in the configuration', () => {
    const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const config = { spec: { containers: [{ name: 'x' }, { name: 'a' }, { name: 'y' }] } };
    assert.deepEqual(
      (merge(live, config, T) as { spec: { containers: { name: string }[] } }).spec.containers.map((c) => c.name),
      ['x', 'a', 'y', 'b', 'c'],
    );
  });

  it('sets merge by value', () => {
    assert.deepEqual(merge({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['c', 'a'] } }, T), {
      metadata: { finalizers: ['c', 'a', 'b'] },
    });
  });
});

describe('removeItems', () => {
  it('removes members with what is under them; a list or map left empty becomes null', () => {
    const obj = { metadata: { labels: { a: '1' } }, spec: { replicas: 1, containers: [{ name: 'a', image: 'i' }, { name: 'b' }] } };
    const set = FieldSet.of(
      ['f:metadata', 'f:labels', 'f:a'],
      ['f:spec', 'f:containers', 'k:{"name":"b"}'],
      ['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image'],
    );
    const out = removeItems(obj, set, T);
    assert.deepEqual(out, { metadata: { labels: null }, spec: { replicas: 1, containers: [{ name: 'a' }] } });
    assert.deepEqual(stripNulls(out), { metadata: {}, spec: { replicas: 1, containers: [{ name: 'a' }] } });
  });

  it('leaves atomic values alone below their path', () => {
    const obj = { spec: { selector: { matchLabels: { a: '1' } } } };
    assert.deepEqual(removeItems(obj, FieldSet.of(['f:spec', 'f:selector', 'f:matchLabels']), T), obj);
  });
});
