import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FieldSet,
  comparePathElements,
  keyElement,
  parsePathElement,
  pathString,
  valueElement,
  indexElement,
  fieldElement,
} from './fieldpath.ts';

const p = (...els: string[]) => els;

describe('path elements', () => {
  it('are spelled as fieldsV1 keys, JSON canonical (sorted keys, no spaces)', () => {
    assert.equal(fieldElement('spec'), 'f:spec');
    assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(valueElement('example.com/a'), 'v:"example.com/a"');
    assert.equal(valueElement(5), 'v:5');
    assert.equal(indexElement(3), 'i:3');
  });

  it('parse to the canonical spelling; unknown kinds are skipped, bad JSON is an error', () => {
    assert.equal(parsePathElement('k:{"protocol": "TCP", "containerPort": 80}'), 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(parsePathElement('v:"x"'), 'v:"x"');
    assert.equal(parsePathElement('i:2'), 'i:2');
    assert.equal(parsePathElement('z:whatever'), undefined);
    assert.throws(() => parsePathElement('k:{nope'));
    assert.throws(() => parsePathElement('k:[1]'));
  });

  it('sort as upstream: fields, keys, values, indices; values numbers < strings < booleans', () => {
    const els = ['i:1', 'v:true', 'v:"b"', 'v:2', 'k:{"name":"b"}', 'k:{"name":"a"}', 'f:z', 'f:a', 'i:0'];
    assert.deepEqual([...els].sort(comparePathElements), [
      'f:a',
      'f:z',
      'k:{"name":"a"}',
      'k:{"name":"b"}',
      'v:2',
      'v:"b"',
      'v:true',
      'i:0',
      'i:1',
    ]);
  });

  it('print as upstream paths', () => {
    assert.equal(pathString(p('f:spec', 'f:replicas')), '.spec.replicas');
    assert.equal(
      pathString(p('f:spec', 'f:containers', 'k:{"name":"web"}', 'f:ports', 'k:{"containerPort":80,"protocol":"TCP"}')),
      '.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]',
    );
    assert.equal(pathString(p('f:metadata', 'f:finalizers', 'v:"a/b"')), '.metadata.finalizers[="a/b"]');
    assert.equal(pathString(p('f:x', 'i:0')), '.x[0]');
  });
});

describe('FieldSet', () => {
  const a = FieldSet.of(p('f:a'), p('f:b', 'f:c'), p('f:b', 'f:d'));

  it('insert, has, paths (members before children, each sorted), empty', () => {
    assert.ok(a.has(p('f:a')));
    assert.ok(a.has(p('f:b', 'f:c')));
    assert.ok(!a.has(p('f:b')), 'a parent is not a member');
    assert.ok(!a.has([]));
    assert.deepEqual(a.paths().map(pathString), ['.a', '.b.c', '.b.d']);
    assert.ok(new FieldSet().empty());
    assert.ok(FieldSet.of([]).empty(), 'the whole object is never tracked');
    assert.equal(a.size(), 3);
  });

  it('union and intersection', () => {
    const b = FieldSet.of(p('f:b', 'f:c'), p('f:e'));
    assert.deepEqual(a.union(b).paths().map(pathString), ['.a', '.e', '.b.c', '.b.d']);
    assert.deepEqual(a.intersection(b).paths().map(pathString), ['.b.c']);
    assert.ok(a.intersection(FieldSet.of(p('f:b'))).empty(), 'a member does not intersect its children');
  });

  it('difference is not recursive; recursiveDifference removes what is under a member', () => {
    const parent = FieldSet.of(p('f:b'));
    assert.ok(a.difference(parent).equals(a), 'child - parent = child (upstream)');
    assert.deepEqual(a.recursiveDifference(parent).paths().map(pathString), ['.a']);
    assert.deepEqual(a.difference(FieldSet.of(p('f:b', 'f:c'), p('f:a'))).paths().map(pathString), ['.b.d']);
    const withSelf = FieldSet.of(p('f:b'), p('f:b', 'f:c'));
    assert.deepEqual(withSelf.difference(FieldSet.of(p('f:b', 'f:c'))).paths().map(pathString), ['.b']);
  });

  it('equals ignores construction order', () => {
    assert.ok(FieldSet.of(p('f:x', 'f:y'), p('f:a')).equals(FieldSet.of(p('f:a'), p('f:x', 'f:y'))));
    assert.ok(!FieldSet.of(p('f:x')).equals(FieldSet.of(p('f:x', 'f:y'))));
  });
});

describe('fieldsV1', () => {
  // The shape of a real entry (kubectl-client-side-apply on a Deployment), as the API server writes it.
  const upstream = {
    'f:metadata': {
      'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
      'f:labels': { '.': {}, 'f:app': {} },
    },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"nginx"}': {
              '.': {},
              'f:image': {},
              'f:name': {},
              'f:ports': {
                '.': {},
                'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
              },
            },
          },
        },
      },
    },
  };

  it('decodes "." as membership of an element that has children, {} as a leaf member', () => {
    const s = FieldSet.fromFieldsV1(upstream);
    assert.ok(s.has(p('f:metadata', 'f:labels')));
    assert.ok(s.has(p('f:metadata', 'f:labels', 'f:app')));
    assert.ok(!s.has(p('f:spec')));
    assert.ok(s.has(p('f:spec', 'f:selector')));
    assert.ok(s.has(p('f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}')));
    assert.ok(s.has(p('f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:ports')));
    assert.equal(s.size(), 13);
  });

  it('round-trips exactly, in upstream key order', () => {
    const s = FieldSet.fromFieldsV1(upstream);
    const again = s.toFieldsV1();
    assert.deepEqual(again, upstream);
    assert.equal(JSON.stringify(again), JSON.stringify(upstream));
    assert.ok(FieldSet.fromFieldsV1(again).equals(s));
  });

  it('encodes sorted with "." first', () => {
    const s = FieldSet.of(p('f:b'), p('f:b', 'f:z'), p('f:b', 'f:a'), p('f:a'), p('f:l', 'k:{"name":"x"}'), p('f:l', 'v:"y"'));
    assert.equal(
      JSON.stringify(s.toFieldsV1()),
      '{"f:a":{},"f:b":{".":{},"f:a":{},"f:z":{}},"f:l":{"k:{\\"name\\":\\"x\\"}":{},"v:\\"y\\"":{}}}',
    );
  });

  it('an empty object is the empty set; unknown element kinds are ignored; bad input throws', () => {
    assert.ok(FieldSet.fromFieldsV1({}).empty());
    assert.ok(FieldSet.fromFieldsV1(undefined).empty());
    assert.ok(FieldSet.fromFieldsV1({ 'x:future': {} }).empty());
    assert.throws(() => FieldSet.fromFieldsV1([]));
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }));
    assert.throws(() => FieldSet.fromFieldsV1({ 'k:{': {} }));
  });
});
