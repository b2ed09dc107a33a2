import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  applyPatch,
  InvalidPatchError,
  isPatchError,
  JSON_PATCH,
  MalformedPatchError,
  MERGE_PATCH,
  patchTypeFromContentType,
  STRATEGIC_MERGE_PATCH,
  UnsupportedPatchTypeError,
  type PatchType,
} from './index.ts';
import { podSchema } from './testdata/schemas.ts';

function pod() {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'web' } },
    spec: {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    },
  };
}

describe('applyPatch', () => {
  it('dispatches on the patch type', () => {
    const change = { spec: { containers: [{ name: 'b', image: 'b:2' }] } };
    // strategic: merged by name
    assert.deepEqual(applyPatch(pod(), STRATEGIC_MERGE_PATCH, change, podSchema).spec, {
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:2' },
      ],
    });
    // merge patch: list replaced
    assert.deepEqual(applyPatch(pod(), MERGE_PATCH, change).spec, { containers: [{ name: 'b', image: 'b:2' }] });
    // json patch: positional
    assert.deepEqual(
      applyPatch(pod(), JSON_PATCH, [{ op: 'replace', path: '/spec/containers/1/image', value: 'b:3' }]).spec,
      { containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:3' }] },
    );
  });

  it('accepts the raw body as text or bytes', () => {
    const body = '{"metadata":{"labels":{"app":null,"x":"y"}}}';
    assert.deepEqual(applyPatch(pod(), MERGE_PATCH, body).metadata, { name: 'p', labels: { x: 'y' } });
    assert.deepEqual(applyPatch(pod(), STRATEGIC_MERGE_PATCH, new TextEncoder().encode(body)).metadata, {
      name: 'p',
      labels: { x: 'y' },
    });
  });

  it('400 for a body that is not JSON, or not an object where one is required', () => {
    for (const type of [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH] as PatchType[]) {
      assert.throws(
        () => applyPatch(pod(), type, '{not json'),
        (e: unknown) => e instanceof MalformedPatchError && e.code === 400,
      );
    }
    assert.throws(() => applyPatch(pod(), MERGE_PATCH, '[1]'), MalformedPatchError);
    assert.throws(() => applyPatch(pod(), MERGE_PATCH, 'null'), MalformedPatchError);
    assert.throws(() => applyPatch(pod(), STRATEGIC_MERGE_PATCH, [{}]), MalformedPatchError);
    assert.throws(() => applyPatch(pod(), JSON_PATCH, { op: 'add' }), MalformedPatchError);
  });

  it('422 when a JSON patch turns the object into something else', () => {
    assert.throws(
      () => applyPatch(pod(), JSON_PATCH, [{ op: 'replace', path: '', value: [1] }]),
      (e: unknown) => e instanceof InvalidPatchError && e.code === 422,
    );
  });

  it('415 for an unknown patch type', () => {
    assert.throws(
      () => applyPatch(pod(), 'application/apply-patch+yaml' as PatchType, {}),
      (e: unknown) => e instanceof UnsupportedPatchTypeError && e.code === 415 && isPatchError(e),
    );
  });

  it('returns a new object and leaves the original alone', () => {
    const original = pod();
    const before = structuredClone(original);
    for (const [type, patch] of [
      [MERGE_PATCH, { metadata: { labels: { app: 'x' } } }],
      [STRATEGIC_MERGE_PATCH, { metadata: { labels: { app: 'x' } } }],
      [JSON_PATCH, [{ op: 'replace', path: '/metadata/labels/app', value: 'x' }]],
    ] as Array<[PatchType, unknown]>) {
      const out = applyPatch(original, type, patch, podSchema);
      assert.notEqual(out, original);
      assert.equal((out.metadata as { labels: { app: string } }).labels.app, 'x');
      assert.deepEqual(original, before);
    }
  });
});

describe('patchTypeFromContentType', () => {
  it('reads the media type, ignoring parameters and case', () => {
    assert.equal(patchTypeFromContentType('application/json-patch+json'), JSON_PATCH);
    assert.equal(patchTypeFromContentType('application/merge-patch+json; charset=utf-8'), MERGE_PATCH);
    assert.equal(patchTypeFromContentType('Application/Strategic-Merge-Patch+JSON'), STRATEGIC_MERGE_PATCH);
    assert.equal(patchTypeFromContentType('application/apply-patch+yaml'), undefined);
    assert.equal(patchTypeFromContentType(undefined), undefined);
  });
});
