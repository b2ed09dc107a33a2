import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  InvalidPatchError,
  MalformedPatchError,
  PatchError,
  StrategicMergePatchError,
} from './errors.ts';
import type { JsonObject, JsonValue } from './json.ts';
import { schemaFromDef } from './schema.ts';
import { applyStrategicMergePatch as smp } from './strategic-merge-patch.ts';
import { deploymentSchema, podSchema } from './testdata/schemas.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** A live pod as the server would store it: two containers with server-defaulted fields. */
function livePod(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u-1',
      labels: { app: 'web', tier: 'frontend' },
      annotations: { [LAST_APPLIED]: '{"old":true}' },
      finalizers: ['example.com/a', 'example.com/b', 'example.com/c'],
    },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
        },
        {
          name: 'sidecar',
          image: 'busybox:1.36',
          imagePullPolicy: 'IfNotPresent',
          terminationMessagePath: '/dev/termination-log',
          args: ['sleep', '3600'],
        },
      ],
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
      restartPolicy: 'Always',
    },
    status: { phase: 'Running' },
  };
}

function containers(obj: JsonObject): JsonObject[] {
  return ((obj['spec'] as JsonObject)['containers'] as JsonObject[]);
}

function names(list: JsonValue): unknown[] {
  return (list as JsonObject[]).map((c) => c['name']);
}

function throwsPatchError<T extends PatchError>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => T,
  code: number,
  match?: RegExp,
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    assert.equal((err as PatchError).code, code);
    if (match) assert.match((err as Error).message, match);
    return true;
  });
}

describe('strategic merge patch: what kubectl apply sends', () => {
  it("changes one container's image by merge key, keeping the other container and defaulted fields", () => {
    const live = livePod();
    const patch = {
      metadata: { annotations: { [LAST_APPLIED]: '{"new":true}' } },
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [{ image: 'nginx:1.27', name: 'app' }],
      },
    };
    const out = smp(live, patch, podSchema);
    const [app, sidecar] = containers(out);
    assert.deepEqual(names(containers(out)), ['app', 'sidecar']);
    assert.equal(app!['image'], 'nginx:1.27');
    assert.equal(app!['imagePullPolicy'], 'IfNotPresent');
    assert.deepEqual(app!['env'], [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ]);
    assert.deepEqual(sidecar, containers(livePod())[1]);
    assert.equal((((out['metadata'] as JsonObject)['annotations']) as JsonObject)[LAST_APPLIED], '{"new":true}');
    assert.deepEqual(out['status'], { phase: 'Running' });
    // the input is untouched
    assert.deepEqual(live, livePod());
  });

  it('adds an env var where $setElementOrder/env puts it', () => {
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/env': [{ name: 'A' }, { name: 'NEW' }, { name: 'B' }],
            env: [{ name: 'NEW', value: 'x' }],
            name: 'app',
          },
        ],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(containers(out)[0]!['env'], [
      { name: 'A', value: '1' },
      { name: 'NEW', value: 'x' },
      { name: 'B', value: '2' },
    ]);
  });

  it('removes an env var with a $patch: delete item', () => {
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [
          {
            '$setElementOrder/env': [{ name: 'A' }],
            env: [{ $patch: 'delete', name: 'B' }],
            name: 'app',
          },
        ],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(containers(out)[0]!['env'], [{ name: 'A', value: '1' }]);
  });

  it('changes an env var value in place', () => {
    const patch = { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: 'two' }] }] } };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(containers(out)[0]!['env'], [
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
    ]);
  });

  it('reorders a merge list with $setElementOrder alone', () => {
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }] } };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(names(containers(out)), ['sidecar', 'app']);
    assert.equal(containers(out)[1]!['image'], 'nginx:1.25');
  });

  it('keeps a server-only item (an injected sidecar) in place when the applied list grows', () => {
    const live = livePod();
    containers(live).splice(1, 0, { name: 'istio-proxy', image: 'proxy:1' });
    // live order: app, istio-proxy, sidecar; the user's config: app, sidecar, new
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }, { name: 'new' }],
        containers: [{ name: 'new', image: 'new:1' }],
      },
    };
    const out = smp(live, patch, podSchema);
    assert.deepEqual(names(containers(out)), ['app', 'istio-proxy', 'sidecar', 'new']);
  });

  it('deletes a list item with $patch: delete (a container removed from the config)', () => {
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ $patch: 'delete', name: 'sidecar' }],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(names(containers(out)), ['app']);
  });

  it('removes finalizers with $deleteFromPrimitiveList/finalizers', () => {
    const patch = {
      metadata: {
        '$setElementOrder/finalizers': ['example.com/a', 'example.com/c'],
        '$deleteFromPrimitiveList/finalizers': ['example.com/b', 'example.com/not-there'],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], ['example.com/a', 'example.com/c']);
    assert.ok(!Object.keys(out['metadata'] as JsonObject).some((k) => k.startsWith('$')));
  });

  it('adds to a primitive merge list as a set (no duplicates, patch values first)', () => {
    const patch = { metadata: { finalizers: ['example.com/new', 'example.com/b'] } };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual((out['metadata'] as JsonObject)['finalizers'], [
      'example.com/new',
      'example.com/a',
      'example.com/b',
      'example.com/c',
    ]);
  });

  it('$retainKeys: switching a Deployment from RollingUpdate to Recreate drops rollingUpdate', () => {
    const live = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        replicas: 2,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      },
    };
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } };
    const out = smp(live, patch, deploymentSchema);
    assert.deepEqual((out['spec'] as JsonObject)['strategy'], { type: 'Recreate' });
    assert.equal((out['spec'] as JsonObject)['replicas'], 2);

    // without the directive (a plain kubectl patch), rollingUpdate would stay: the directive is what drops it
    const plain = smp(live, { spec: { strategy: { type: 'Recreate' } } }, deploymentSchema);
    assert.deepEqual((plain['spec'] as JsonObject)['strategy'], {
      type: 'Recreate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
  });

  it('$retainKeys on merge-list items: a volume switching from configMap to secret', () => {
    const live = {
      spec: {
        volumes: [
          { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
          { name: 'tmp', emptyDir: {} },
        ],
      },
    };
    const patch = {
      spec: {
        '$setElementOrder/volumes': [{ name: 'cfg' }, { name: 'tmp' }],
        volumes: [{ $retainKeys: ['name', 'secret'], name: 'cfg', secret: { secretName: 's' } }],
      },
    };
    const out = smp(live, patch, podSchema);
    assert.deepEqual((out['spec'] as JsonObject)['volumes'], [
      { name: 'cfg', secret: { secretName: 's' } },
      { name: 'tmp', emptyDir: {} },
    ]);
  });

  it('null removes a label', () => {
    const patch = { metadata: { labels: { tier: null } } };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual((out['metadata'] as JsonObject)['labels'], { app: 'web' });
  });

  it('the whole three-way patch of an apply: image, env add+delete, container removal, replicas', () => {
    const live: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', annotations: { [LAST_APPLIED]: 'v1' }, labels: { app: 'd' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'd' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'app:v1',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
                terminationMessagePath: '/dev/termination-log',
              },
              { name: 'side', image: 'busybox', terminationMessagePath: '/dev/termination-log' },
            ],
            restartPolicy: 'Always',
            dnsPolicy: 'ClusterFirst',
          },
        },
      },
    };
    const patch = {
      metadata: { annotations: { [LAST_APPLIED]: 'v2' } },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'app' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }],
                env: [
                  { name: 'C', value: '3' },
                  { $patch: 'delete', name: 'B' },
                ],
                image: 'app:v2',
                name: 'app',
              },
              { $patch: 'delete', name: 'side' },
            ],
          },
        },
      },
    };
    const out = smp(live, patch, deploymentSchema);
    const spec = out['spec'] as JsonObject;
    assert.equal(spec['replicas'], 3);
    assert.deepEqual(spec['strategy'], (live['spec'] as JsonObject)['strategy']);
    const tmpl = (spec['template'] as JsonObject)['spec'] as JsonObject;
    assert.deepEqual(tmpl['containers'], [
      {
        name: 'app',
        image: 'app:v2',
        env: [
          { name: 'A', value: '1' },
          { name: 'C', value: '3' },
        ],
        terminationMessagePath: '/dev/termination-log',
      },
    ]);
    assert.equal(tmpl['dnsPolicy'], 'ClusterFirst');
    assert.deepEqual((out['metadata'] as JsonObject)['annotations'], { [LAST_APPLIED]: 'v2' });
  });
});

describe('strategic merge patch: what kubectl patch sends', () => {
  it('a container not in the list is added first (as the kubectl patch docs show)', () => {
    const patch = { spec: { containers: [{ name: 'redis', image: 'redis' }] } };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(names(containers(out)), ['redis', 'app', 'sidecar']);
  });

  it('patch items named in the live list keep their live position', () => {
    const patch = {
      spec: {
        containers: [
          { name: 'sidecar', image: 'busybox:2' },
          { name: 'app', image: 'nginx:2' },
        ],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    // both are in the patch, so patch order wins
    assert.deepEqual(names(containers(out)), ['sidecar', 'app']);
    const one = smp(livePod(), { spec: { containers: [{ name: 'sidecar', image: 'x' }] } }, podSchema);
    assert.deepEqual(names(containers(one)), ['app', 'sidecar']);
  });

  it('merges ports by the numeric merge key containerPort', () => {
    const patch = {
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual(containers(out)[0]!['ports'], [
      { containerPort: 80, protocol: 'TCP', name: 'http' },
      { containerPort: 443 },
    ]);
  });

  it('replaces a list without a merge strategy (tolerations, args)', () => {
    const patch = {
      spec: {
        tolerations: [{ key: 'other', operator: 'Exists' }],
        containers: [{ name: 'sidecar', args: ['sleep', '10'] }],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    assert.deepEqual((out['spec'] as JsonObject)['tolerations'], [{ key: 'other', operator: 'Exists' }]);
    assert.deepEqual(containers(out)[1]!['args'], ['sleep', '10']);
  });

  it('$patch: replace on a map replaces it; on a merge list replaces the list', () => {
    const mapOut = smp(livePod(), { metadata: { labels: { $patch: 'replace', only: 'this' } } }, podSchema);
    assert.deepEqual((mapOut['metadata'] as JsonObject)['labels'], { only: 'this' });

    const listOut = smp(
      livePod(),
      {
        spec: {
          containers: [{ $patch: 'replace' }, { name: 'solo', image: 'solo:1', env: [{ name: 'X', value: null }] }],
        },
      },
      podSchema,
    );
    assert.deepEqual(containers(listOut), [{ name: 'solo', image: 'solo:1', env: [{ name: 'X' }] }]);

    const emptied = smp(livePod(), { spec: { containers: [{ $patch: 'replace' }] } }, podSchema);
    assert.deepEqual(containers(emptied), []);
  });

  it('$patch: delete on a map empties it (upstream keeps the key as {})', () => {
    const out = smp(livePod(), { metadata: { labels: { $patch: 'delete' } } }, podSchema);
    assert.deepEqual((out['metadata'] as JsonObject)['labels'], {});
    // on a key that does not exist, nothing is added
    const none = smp(livePod(), { spec: { nodeSelector: { $patch: 'delete' } } }, podSchema);
    assert.ok(!('nodeSelector' in (none['spec'] as JsonObject)));
  });

  it('$patch: merge is accepted and means the default', () => {
    const out = smp(
      livePod(),
      {
        metadata: { labels: { $patch: 'merge', env: 'prod' } },
        spec: { containers: [{ $patch: 'merge', name: 'app', image: 'i:2' }] },
      },
      podSchema,
    );
    assert.deepEqual((out['metadata'] as JsonObject)['labels'], { app: 'web', tier: 'frontend', env: 'prod' });
    assert.equal(containers(out)[0]!['image'], 'i:2');
    assert.equal(containers(out).length, 2);
  });

  it('deletes every live item with a given merge key', () => {
    const live = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'a', dup: 'x' }] } };
    const out = smp(live, { spec: { containers: [{ name: 'a', $patch: 'delete' }] } }, podSchema);
    assert.deepEqual(containers(out), [{ name: 'b' }]);
  });

  it('an empty merge list in the patch changes nothing (clearing takes $patch: replace)', () => {
    const out = smp(livePod(), { spec: { containers: [] }, metadata: { finalizers: [] } }, podSchema);
    assert.deepEqual(out, livePod());
  });

  it('values taken over from the patch carry no nulls or directives', () => {
    const patch = {
      spec: {
        nodeSelector: { zone: 'a', gone: null },
        containers: [
          {
            name: 'fresh',
            image: 'f:1',
            command: null,
            '$setElementOrder/env': [{ name: 'B' }, { name: 'A' }],
            env: [
              { name: 'B', value: '2' },
              { name: 'Z', $patch: 'delete' },
              { name: 'A', value: '1' },
            ],
          },
        ],
        tolerations: [{ key: 'x', value: null }, { $patch: 'delete', key: 'y' }, { $patch: 'replace', key: 'z' }],
      },
    };
    const out = smp(livePod(), patch, podSchema);
    const spec = out['spec'] as JsonObject;
    assert.deepEqual(spec['nodeSelector'], { zone: 'a' });
    assert.deepEqual(containers(out)[0], {
      name: 'fresh',
      image: 'f:1',
      env: [
        { name: 'B', value: '2' },
        { name: 'A', value: '1' },
      ],
    });
    assert.deepEqual(spec['tolerations'], [{ key: 'x' }]);
  });

  it('replaces a value whose kind changes', () => {
    const out = smp({ a: { b: 1 }, l: [1], s: 'x' }, { a: 'now a string', l: { k: 1 }, s: [1, 2] });
    assert.deepEqual(out, { a: 'now a string', l: { k: 1 }, s: [1, 2] });
  });

  it('keys starting with $ that are not directives are data (CRD schemas use $ref)', () => {
    const live = { spec: { validation: { $schema: 'x', properties: { a: { $ref: '#/a' } } } } };
    const out = smp(live, { spec: { validation: { properties: { b: { $ref: '#/b' } } } } });
    assert.deepEqual(out, {
      spec: { validation: { $schema: 'x', properties: { a: { $ref: '#/a' }, b: { $ref: '#/b' } } } },
    });
  });
});

describe('strategic merge patch: unknown schema falls back to JSON merge patch', () => {
  const cr = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: '1' } },
    spec: { items: [{ name: 'x', size: 1 }, { name: 'y', size: 2 }], config: { deep: { k: 'v' }, keep: true } },
  };

  it('without any schema: maps merge, lists are replaced, null deletes', () => {
    const out = smp(cr, {
      metadata: { labels: { b: '2', a: null } },
      spec: { items: [{ name: 'x', size: 10 }], config: { deep: { k2: 'v2' } } },
    });
    assert.deepEqual(out, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { b: '2' } },
      spec: { items: [{ name: 'x', size: 10 }], config: { deep: { k: 'v', k2: 'v2' }, keep: true } },
    });
  });

  it('below a field the schema does not know, lists are replaced even if they look mergeable', () => {
    const live = {
      spec: { containers: [{ name: 'a', image: 'a' }], extra: [{ name: 'a', v: 1 }, { name: 'b', v: 2 }] },
    };
    const patch = { spec: { extra: [{ name: 'a', v: 3 }], containers: [{ name: 'b', image: 'b' }] } };
    const out = smp(live, patch, podSchema);
    assert.deepEqual((out['spec'] as JsonObject)['extra'], [{ name: 'a', v: 3 }]);
    assert.deepEqual(names(containers(out)), ['b', 'a']); // the known field still merges
  });

  it('a listMapKeys-only list (no patch strategy) is still replaced, as upstream does', () => {
    const schema = schemaFromDef({
      type: 'object',
      properties: { items: { type: 'array', listType: 'map', listMapKeys: ['name'], items: { type: 'object' } } },
    });
    const out = smp({ items: [{ name: 'a' }, { name: 'b' }] }, { items: [{ name: 'c' }] }, schema);
    assert.deepEqual(out, { items: [{ name: 'c' }] });
  });
});

describe('strategic merge patch errors', () => {
  it('400 for a patch that is not an object and for malformed directives', () => {
    throwsPatchError(() => smp({}, [] as JsonValue), MalformedPatchError, 400);
    throwsPatchError(() => smp({}, 'x'), MalformedPatchError, 400);
    throwsPatchError(
      () => smp(livePod(), { metadata: { '$deleteFromPrimitiveList/finalizers': 'example.com/a' } }, podSchema),
      MalformedPatchError,
      400,
      /must be a list/,
    );
    throwsPatchError(
      () => smp(livePod(), { metadata: { $deleteFromPrimitiveListfinalizers: ['x'] } }, podSchema),
      MalformedPatchError,
      400,
      /invalid directive key/,
    );
    throwsPatchError(
      () => smp(livePod(), { spec: { '$setElementOrder/containers': { name: 'app' } } }, podSchema),
      MalformedPatchError,
      400,
    );
    throwsPatchError(
      () => smp({ spec: { strategy: {} } }, { spec: { strategy: { $retainKeys: 'type' } } }, deploymentSchema),
      MalformedPatchError,
      400,
    );
  });

  it('400 when the patch sets a key its $retainKeys list leaves out', () => {
    throwsPatchError(
      () =>
        smp(
          { spec: { strategy: { type: 'RollingUpdate' } } },
          { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: '1' } } } },
          deploymentSchema,
        ),
      MalformedPatchError,
      400,
      /rollingUpdate/,
    );
  });

  it('422 for lists of lists in a merge list', () => {
    const schema = schemaFromDef({ type: 'object', properties: { l: { type: 'array', patchStrategy: 'merge' } } });
    throwsPatchError(() => smp({ l: [[1]] }, { l: [[2]] }, schema), InvalidPatchError, 422, /lists of lists/);
  });

  it('500 (untyped upstream) for missing merge keys, unknown $patch values, mixed items, bad order lists', () => {
    throwsPatchError(
      () => smp(livePod(), { spec: { containers: [{ image: 'no-name' }] } }, podSchema),
      StrategicMergePatchError,
      500,
      /merge key "name"/,
    );
    throwsPatchError(
      () => smp(livePod(), { spec: { containers: [{ name: 'app', $patch: 'explode' }] } }, podSchema),
      StrategicMergePatchError,
      500,
      /unknown patch type/,
    );
    throwsPatchError(
      () => smp(livePod(), { metadata: { labels: { $patch: 'explode' } } }, podSchema),
      StrategicMergePatchError,
      500,
      /unknown patch type/,
    );
    throwsPatchError(
      () => smp(livePod(), { metadata: { finalizers: [1] } }, podSchema),
      StrategicMergePatchError,
      500,
      /not all of one type/,
    );
    throwsPatchError(
      () =>
        smp(
          livePod(),
          {
            spec: {
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
              containers: [
                { name: 'app', image: 'a' },
                { name: 'sidecar', image: 's' },
              ],
            },
          },
          podSchema,
        ),
      StrategicMergePatchError,
      500,
      /does not match/,
    );
  });

  it('errors carry the field path', () => {
    try {
      smp(livePod(), { spec: { containers: [{ name: 'app', env: [{ value: 'x' }] }] } }, podSchema);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof StrategicMergePatchError);
      assert.equal(err.path, 'spec.containers[name="app"].env');
    }
  });
});

describe('strategic merge patch purity', () => {
  it('never mutates the original or the patch', () => {
    const live = livePod();
    const patch = {
      metadata: { labels: { tier: null }, '$deleteFromPrimitiveList/finalizers': ['example.com/b'] },
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }],
        containers: [{ name: 'app', env: [{ name: 'A', $patch: 'delete' }] }, { name: 'sidecar', $patch: 'delete' }],
      },
    };
    const live0 = structuredClone(live);
    const patch0 = structuredClone(patch);
    const out = smp(live, patch, podSchema);
    assert.deepEqual(live, live0);
    assert.deepEqual(patch, patch0);
    containers(out)[0]!['image'] = 'changed';
    assert.equal(containers(live)[0]!['image'], 'nginx:1.25');
  });
});
