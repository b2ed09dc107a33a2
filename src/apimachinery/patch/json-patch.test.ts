import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidPatchError, MalformedPatchError, PatchError, PatchTooLargeError } from './errors.ts';
import { applyJsonPatch, formatJsonPointer, MAX_JSON_PATCH_OPERATIONS, parseJsonPointer } from './json-patch.ts';
import type { JsonValue } from './json.ts';

function rejects422(doc: JsonValue, patch: unknown, match?: RegExp): InvalidPatchError {
  let caught: unknown;
  try {
    applyJsonPatch(doc, patch);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof InvalidPatchError, `expected InvalidPatchError, got ${String(caught)}`);
  assert.equal(caught.code, 422);
  assert.equal(caught.reason, 'Invalid');
  if (match) assert.match(caught.message, match);
  return caught;
}

describe('JSON pointer', () => {
  it('unescapes ~1 before ~0', () => {
    assert.deepEqual(parseJsonPointer(''), []);
    assert.deepEqual(parseJsonPointer('/'), ['']);
    assert.deepEqual(parseJsonPointer('/a~1b/m~0n/~01'), ['a/b', 'm~n', '~1']);
    assert.equal(formatJsonPointer(['a/b', 'm~n', '~1']), '/a~1b/m~0n/~01');
  });

  it('rejects pointers not starting with / and bad escapes', () => {
    assert.throws(() => parseJsonPointer('a/b'), InvalidPatchError);
    assert.throws(() => parseJsonPointer('/a~2'), InvalidPatchError);
    assert.throws(() => parseJsonPointer('/a~'), InvalidPatchError);
  });
});

describe('RFC 6902 operations', () => {
  it('add: object member, nested member, array insert, "-" append, whole array value', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/b', value: 'x' }]), { a: 1, b: 'x' });
    assert.deepEqual(applyJsonPatch({ a: { b: 1 } }, [{ op: 'add', path: '/a/c', value: [1] }]), {
      a: { b: 1, c: [1] },
    });
    assert.deepEqual(applyJsonPatch({ list: ['x', 'z'] }, [{ op: 'add', path: '/list/1', value: 'y' }]), {
      list: ['x', 'y', 'z'],
    });
    assert.deepEqual(applyJsonPatch({ list: ['x'] }, [{ op: 'add', path: '/list/1', value: 'end' }]), {
      list: ['x', 'end'],
    });
    assert.deepEqual(applyJsonPatch({ list: ['x'] }, [{ op: 'add', path: '/list/-', value: { k: 1 } }]), {
      list: ['x', { k: 1 }],
    });
    // add to an existing member replaces it
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '/a', value: 2 }]), { a: 2 });
    // null is a value
    assert.deepEqual(applyJsonPatch({}, [{ op: 'add', path: '/n', value: null }]), { n: null });
    // the root
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'add', path: '', value: { b: 2 } }]), { b: 2 });
  });

  it('add: the parent must exist and the index must be in range', () => {
    rejects422({ a: 1 }, [{ op: 'add', path: '/missing/child', value: 1 }], /\/missing does not exist/);
    rejects422({ list: [1] }, [{ op: 'add', path: '/list/3', value: 1 }], /out of range/);
    rejects422({ list: [1] }, [{ op: 'add', path: '/list/x', value: 1 }], /not an array index/);
    rejects422({ a: 'str' }, [{ op: 'add', path: '/a/b', value: 1 }], /string/);
  });

  it('remove: member and array element; missing target is an error', () => {
    assert.deepEqual(applyJsonPatch({ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/1' }]), { l: [1, 3] });
    rejects422({ a: 1 }, [{ op: 'remove', path: '/b' }], /does not exist/);
    rejects422({ l: [1] }, [{ op: 'remove', path: '/l/1' }], /out of range/);
    rejects422({ l: [1] }, [{ op: 'remove', path: '/l/-' }]);
    rejects422({ a: 1 }, [{ op: 'remove', path: '' }], /whole document/);
  });

  it('replace: member, element, root; missing target is an error', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: { x: true } }]), { a: { x: true } });
    assert.deepEqual(applyJsonPatch({ l: [1, 2] }, [{ op: 'replace', path: '/l/0', value: 9 }]), { l: [9, 2] });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: [] }]), []);
    rejects422({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], /does not exist/);
  });

  it('move: member, array element; not into its own child', () => {
    assert.deepEqual(
      applyJsonPatch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [
        { op: 'move', from: '/foo/waldo', path: '/qux/thud' },
      ]),
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    );
    assert.deepEqual(applyJsonPatch({ l: ['a', 'b', 'c', 'd'] }, [{ op: 'move', from: '/l/1', path: '/l/3' }]), {
      l: ['a', 'c', 'd', 'b'],
    });
    rejects422({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], /own child/);
    rejects422({ a: 1 }, [{ op: 'move', from: '/nope', path: '/b' }], /does not exist/);
  });

  it('copy: deep, independent copy', () => {
    const out = applyJsonPatch({ a: { deep: [1] } }, [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'add', path: '/b/deep/-', value: 2 },
    ]);
    assert.deepEqual(out, { a: { deep: [1] }, b: { deep: [1, 2] } });
  });

  it('test: structural equality; numbers and strings differ; failure is 422', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'], obj: { x: 1, y: [true, null] } };
    assert.deepEqual(
      applyJsonPatch(doc, [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
        { op: 'test', path: '/obj', value: { y: [true, null], x: 1 } },
      ]),
      doc,
    );
    rejects422(doc, [{ op: 'test', path: '/foo/1', value: '2' }], /test failed/);
    rejects422(doc, [{ op: 'test', path: '/baz', value: 'bar' }], /test failed/);
    rejects422(doc, [{ op: 'test', path: '/missing', value: null }], /does not exist/);
  });

  it('escaped keys: ~1 and ~0', () => {
    const doc = { 'a/b': 1, 'm~n': 2 };
    assert.deepEqual(
      applyJsonPatch(doc, [
        { op: 'test', path: '/a~1b', value: 1 },
        { op: 'replace', path: '/m~0n', value: 3 },
        { op: 'add', path: '/metadata~1labels', value: 'x' },
      ]),
      { 'a/b': 1, 'm~n': 3, 'metadata/labels': 'x' },
    );
  });

  it('negative indices count from the end, as kube-apiserver accepts', () => {
    assert.deepEqual(applyJsonPatch({ l: [1, 2, 3] }, [{ op: 'remove', path: '/l/-1' }]), { l: [1, 2] });
    assert.deepEqual(applyJsonPatch({ l: [1, 2] }, [{ op: 'add', path: '/l/-1', value: 3 }]), { l: [1, 2, 3] });
    rejects422({ l: [1] }, [{ op: 'remove', path: '/l/-2' }], /out of range/);
  });

  it('ignores unknown members of an operation', () => {
    assert.deepEqual(applyJsonPatch({}, [{ op: 'add', path: '/a', value: 1, extra: 'ignored' }]), { a: 1 });
  });

  it('is atomic and never mutates its input', () => {
    const doc = { a: 1, l: [1] };
    const before = structuredClone(doc);
    rejects422(doc, [
      { op: 'add', path: '/b', value: 2 },
      { op: 'remove', path: '/l/0' },
      { op: 'test', path: '/a', value: 2 },
    ]);
    assert.deepEqual(doc, before);
    const value = { nested: true };
    const out = applyJsonPatch(doc, [{ op: 'add', path: '/v', value }]) as { v: { nested: boolean } };
    out.v.nested = false;
    assert.equal(value.nested, true);
    assert.deepEqual(doc, before);
  });

  it('treats __proto__ as an ordinary key', () => {
    const out = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<
      string,
      unknown
    >;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    rejects422({}, [{ op: 'remove', path: '/constructor' }], /does not exist/);
  });
});

describe('malformed JSON patches', () => {
  it('400 when the body is not a list of objects', () => {
    for (const bad of [{ op: 'add' }, 'x', null, [1], [[]]]) {
      assert.throws(
        () => applyJsonPatch({}, bad),
        (err: unknown) => err instanceof MalformedPatchError && err.code === 400 && err.reason === 'BadRequest',
      );
    }
  });

  it('422 for unknown ops and missing fields (upstream fails these while applying)', () => {
    rejects422({}, [{ op: 'frobnicate', path: '/a' }], /unknown operation/);
    rejects422({}, [{ path: '/a', value: 1 }], /missing "op"/);
    rejects422({}, [{ op: 'add', value: 1 }], /requires "path"/);
    rejects422({}, [{ op: 'add', path: '/a' }], /requires "value"/);
    rejects422({ a: 1 }, [{ op: 'move', path: '/b' }], /requires "from"/);
    rejects422({}, [{ op: 'add', path: 'a', value: 1 }], /must be empty or start with/);
  });

  it('413 past 10,000 operations', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '', value: {} }));
    assert.throws(
      () => applyJsonPatch({}, ops),
      (err: unknown) => err instanceof PatchTooLargeError && err.code === 413,
    );
    assert.deepEqual(applyJsonPatch({}, ops.slice(1)), {});
  });

  it('errors name the failing operation', () => {
    const err = rejects422({ a: 1 }, [
      { op: 'test', path: '/a', value: 1 },
      { op: 'remove', path: '/b' },
    ]);
    assert.match(err.message, /operation 1 \(remove \/b\)/);
    assert.ok(err instanceof PatchError);
    assert.equal(err.format, 'json-patch');
  });
});
