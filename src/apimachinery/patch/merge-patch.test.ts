import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { JsonValue } from './json.ts';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';

describe('RFC 7386 merge patch', () => {
  // Each row: target, patch, expected result (cases written from the RFC's rules, including those of its appendix).
  const cases: Array<[JsonValue, JsonValue, JsonValue]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    // arrays are taken as they are, nulls inside included
    [{ a: [1] }, { a: [null, { x: null }] }, { a: [null, { x: null }] }],
    // deleting a key that is not there is a no-op
    [{ a: 1 }, { z: null }, { a: 1 }],
  ];

  cases.forEach(([target, patch, expected], i) => {
    it(`case ${i}: ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), expected);
    });
  });

  it('removes a label and changes another, the way kubectl label/annotate patch', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } }, spec: {} };
    assert.deepEqual(applyMergePatch(pod, { metadata: { labels: { tier: null, env: 'prod' } } }), {
      metadata: { name: 'p', labels: { app: 'web', env: 'prod' }, annotations: { a: '1' } },
      spec: {},
    });
  });

  it('replaces lists wholesale (no merge by name)', () => {
    const spec = { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] };
    assert.deepEqual(applyMergePatch(spec, { containers: [{ name: 'a', image: 'z' }] }), {
      containers: [{ name: 'a', image: 'z' }],
    });
  });

  it('does not mutate its inputs', () => {
    const target = { a: { b: 1 }, l: [1] };
    const patch = { a: { c: { d: 1 } }, l: null };
    const t0 = structuredClone(target);
    const p0 = structuredClone(patch);
    const out = applyMergePatch(target, patch) as { a: { c: { d: number } } };
    out.a.c.d = 2;
    assert.deepEqual(target, t0);
    assert.deepEqual(patch, p0);
  });
});

describe('createMergePatch', () => {
  it('round-trips through applyMergePatch', () => {
    const original = { a: 1, b: { c: 2, d: [1, 2] }, gone: 'x', same: { k: 'v' } };
    const modified = { a: 2, b: { c: 2, d: [1, 2, 3], e: 'new' }, same: { k: 'v' }, added: true };
    const patch = createMergePatch(original, modified);
    assert.deepEqual(patch, { gone: null, a: 2, b: { d: [1, 2, 3], e: 'new' }, added: true });
    assert.deepEqual(applyMergePatch(original, patch), modified);
    assert.deepEqual(createMergePatch(original, structuredClone(original)), {});
  });
});
