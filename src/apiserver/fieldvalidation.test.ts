import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { StatusError } from '../apimachinery/status.ts';
import {
  applyProblems,
  applyStrictError,
  bodyProblems,
  checkFieldValidation,
  decodeStrictError,
  findDuplicateFields,
  findUnknownFields,
  findYamlDuplicateKeys,
  formatWarningHeader,
  goPrint,
  goQuote,
  parseFieldValidation,
  patchInvalidValue,
  patchProblems,
  patchStrictError,
  WarningRecorder,
  warningHeaders,
} from './fieldvalidation.ts';
import { loadOpenApi, type OpenApi, type SchemaNode } from './openapi/index.ts';

let api: OpenApi;
let deployment: SchemaNode;
let pod: SchemaNode;

before(async () => {
  api = await loadOpenApi({ lazy: true });
  deployment = api.schemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
  pod = api.schemaFor({ group: '', version: 'v1', kind: 'Pod' })!;
});

/** Asserts that fn throws a StatusError and returns its Status. */
function statusOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    return err.status;
  }
  assert.fail('expected a StatusError');
}

const deploy = (spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, ...metadata },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    },
    ...spec,
  },
});

describe('findUnknownFields', () => {
  it('finds nothing in a valid object', () => {
    const d = deploy() as Record<string, unknown>;
    d.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
    assert.deepEqual(findUnknownFields(d, deployment), []);
  });

  it('reports top-level, spec and metadata fields the schema does not have', () => {
    const d = { ...deploy({ replicass: 3 }, { foo: 'bar' }), extra: true };
    assert.deepEqual(findUnknownFields(d, deployment), ['metadata.foo', 'spec.replicass', 'extra']);
    assert.deepEqual(findUnknownFields(d, deployment, { sortKeys: true }), ['extra', 'metadata.foo', 'spec.replicass']);
  });

  it('writes list items with their index', () => {
    const d = deploy();
    const containers = (d.spec.template.spec as { containers: Record<string, unknown>[] }).containers;
    containers.push({ name: 'side', image: 'busybox', imagePullPolicyy: 'Always', ports: [{ containerPort: 1, hostPortt: 2 }] });
    assert.deepEqual(findUnknownFields(d, deployment), [
      'spec.template.spec.containers[1].imagePullPolicyy',
      'spec.template.spec.containers[1].ports[0].hostPortt',
    ]);
  });

  it('leaves map keys, quantities, int-or-strings and raw values alone', () => {
    const d = deploy({}, {
      labels: { 'app.kubernetes.io/name': 'x', anything: 'y' },
      annotations: { 'x/y': 'z' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:whatever': {} } } }],
    });
    const c = (d.spec.template.spec as { containers: Record<string, unknown>[] }).containers[0]!;
    c.resources = { limits: { cpu: '1', 'example.com/gpu': 2 }, requests: { memory: '1Gi' } };
    c.livenessProbe = { httpGet: { port: 'http', path: '/' } };
    c.env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    assert.deepEqual(findUnknownFields(d, deployment), []);
  });

  it('reports fields inside a map value of a typed struct', () => {
    const pv = api.schemaFor({ group: '', version: 'v1', kind: 'Secret' })!;
    assert.deepEqual(findUnknownFields({ data: { a: 'eA==' }, stringData: { b: 'x' }, typee: 'Opaque' }, pv), ['typee']);
  });

  it('knows the x-kubernetes-* fields of a CRD schema and leaves raw JSON values alone', () => {
    const crd = api.schemaFor({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
    const body = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: {
              openAPIV3Schema: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: {
                  spec: {
                    type: 'object',
                    default: { anything: { goes: 1 } },
                    'x-kubernetes-validations': [{ rule: 'self.a > 0' }],
                    properties: { a: { type: 'integer', 'x-kubernetes-int-or-string': true, typo: 1 } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    assert.deepEqual(findUnknownFields(body, crd), ['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.a.typo']);
    // an empty Go struct takes no field at all
    (body.spec.versions[0]!.subresources as Record<string, unknown>).status = { foo: 1 };
    assert.deepEqual(findUnknownFields(body, crd)[0], 'spec.versions[0].subresources.status.foo');
  });

  it('knows nothing without a schema', () => {
    assert.deepEqual(findUnknownFields({ anything: 1 }, undefined), []);
  });
});

describe('findDuplicateFields', () => {
  it('reports repeated keys with their paths, in document order', () => {
    const text = `{"metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},
      "spec":{"template":{"spec":{"containers":[{"name":"c"},{"name":"d","image":"i","image":"j"}]}},"paused":true,"paused":false}}`;
    assert.deepEqual(findDuplicateFields(text), [
      'metadata.name',
      'metadata.labels.x',
      'spec.template.spec.containers[1].image',
      'spec.paused',
    ]);
  });

  it('compares decoded keys and reports each path once', () => {
    assert.deepEqual(findDuplicateFields('{"ab":1,"a\\u0062":2,"ab":3}'), ['ab']);
    assert.deepEqual(findDuplicateFields('{"a":{"b":1},"a":{"b":2,"b":3}}'), ['a', 'a.b']);
  });

  it('starts paths at the index in a top-level list', () => {
    assert.deepEqual(findDuplicateFields('[{"op":"add"},{"op":"add","path":"/a","path":"/b"}]'), ['[1].path']);
  });

  it('finds none in valid JSON, and stops quietly at a syntax error', () => {
    assert.deepEqual(findDuplicateFields('{"a":[1,2,{"b":"}\\"{"}],"c":null,"d":-1.5e3}'), []);
    assert.deepEqual(findDuplicateFields('{"a":1,"a":2,'), ['a']);
  });
});

describe('findYamlDuplicateKeys', () => {
  it('words each repeated key as the YAML decoder does, with its 1-based line', () => {
    const text = ['metadata:', '  name: a', '  name: b', 'spec:', '  items:', '  - x: 1', '    x: 2', '  1: a', '  1: b', ''].join('\n');
    assert.deepEqual(findYamlDuplicateKeys(text), [
      'line 3: key "name" already set in map',
      'line 7: key "x" already set in map',
      'line 9: key 1 already set in map',
    ]);
    assert.deepEqual(findYamlDuplicateKeys('a: 1\nb: 2\n'), []);
  });
});

describe('create and update bodies', () => {
  const jsonBody = `{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "first", "name": "web", "labels": {"app": "web"}, "color": "blue"},
  "spec": {
    "replicass": 2,
    "extraDupe": 1,
    "extraDupe": 2,
    "paused": true,
    "paused": false,
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{"name": "nginx", "image": "nginx", "sidecar": true, "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}
    }
  }
}`;

  it('JSON: unknown and duplicate fields in document order, an unknown repeated key reported once', () => {
    assert.deepEqual(bodyProblems(jsonBody, 'application/json', deployment), [
      'duplicate field "metadata.name"',
      'unknown field "metadata.color"',
      'unknown field "spec.replicass"',
      'unknown field "spec.extraDupe"',
      'duplicate field "spec.paused"',
      'unknown field "spec.template.spec.containers[0].sidecar"',
      'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    ]);
  });

  it('Strict: 400 with upstream message', () => {
    const problems = bodyProblems(jsonBody, 'application/json', deployment);
    const status = statusOf(() =>
      checkFieldValidation('Strict', problems, {
        strictError: decodeStrictError({ kind: 'Deployment', apiVersion: 'apps/v1' }, { kind: 'Deployment', version: 'v1' }),
      }),
    );
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(
      status.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.name", ' +
        'unknown field "metadata.color", unknown field "spec.replicass", unknown field "spec.extraDupe", duplicate field "spec.paused", ' +
        'unknown field "spec.template.spec.containers[0].sidecar", duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    );
  });

  it('the kind and version of the message default to the endpoint', () => {
    const status = statusOf(() =>
      checkFieldValidation('Strict', ['unknown field "foo"'], { strictError: decodeStrictError({}, { kind: 'Pod', version: 'v1' }) }),
    );
    assert.equal(status.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "foo"');
  });

  it('YAML: the duplicate-key error first, then unknown fields in sorted order', () => {
    const yaml = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: first',
      '  name: web',
      '  color: blue',
      'spec:',
      '  replicass: 2',
      '  paused: true',
      '  paused: false',
      '  selector:',
      '    matchLabels: {app: web}',
      '  template:',
      '    metadata:',
      '      labels: {app: web}',
      '    spec:',
      '      containers:',
      '      - name: nginx',
      '        image: nginx',
      '        sidecar: true',
      '',
    ].join('\n');
    const problems = bodyProblems(yaml, 'application/yaml', deployment);
    assert.deepEqual(problems, [
      'yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 10: key "paused" already set in map',
      'unknown field "metadata.color"',
      'unknown field "spec.replicass"',
      'unknown field "spec.template.spec.containers[0].sidecar"',
    ]);
    // Warn splits the YAML error into one warning per line
    assert.deepEqual(checkFieldValidation(undefined, problems).warnings, [
      'line 5: key "name" already set in map',
      'line 10: key "paused" already set in map',
      'unknown field "metadata.color"',
      'unknown field "spec.replicass"',
      'unknown field "spec.template.spec.containers[0].sidecar"',
    ]);
  });

  it('a pod body with a known but repeated map key and nothing else', () => {
    const text = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","annotations":{"a":"1","a":"2"}},"spec":{"containers":[{"name":"c","image":"i"}]}}';
    assert.deepEqual(bodyProblems(text, 'application/json', pod), ['duplicate field "metadata.annotations.a"']);
  });

  it('values under an unknown key are not looked into', () => {
    const text = '{"spec":{"bogus":{"x":1,"x":2,"y":{"z":1}}}}';
    assert.deepEqual(bodyProblems(text, 'application/json', deployment), ['unknown field "spec.bogus"']);
  });

  it('without a schema only duplicates are found', () => {
    assert.deepEqual(bodyProblems('{"a":1,"a":2,"b":3}', 'application/json', undefined), ['duplicate field "a"']);
  });
});

describe('checkFieldValidation', () => {
  const problems = ['unknown field "spec.replicass"', 'duplicate field "metadata.name"'];

  it('Strict throws a 400 BadRequest by default', () => {
    const status = statusOf(() => checkFieldValidation('Strict', problems));
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'strict decoding error: unknown field "spec.replicass", duplicate field "metadata.name"');
  });

  it('Warn, an absent and an empty directive return the warnings; Ignore none; no problems, nothing', () => {
    assert.deepEqual(checkFieldValidation('Warn', problems), { warnings: problems });
    assert.deepEqual(checkFieldValidation(undefined, problems), { warnings: problems });
    assert.deepEqual(checkFieldValidation(null, problems), { warnings: problems });
    assert.deepEqual(checkFieldValidation('', problems), { warnings: problems });
    assert.deepEqual(checkFieldValidation('Ignore', problems), { warnings: [] });
    assert.deepEqual(checkFieldValidation('Strict', []), { warnings: [] });
  });

  it('an invalid directive is a 422 on the options kind, problems or not', () => {
    for (const value of ['strict', 'foo']) {
      const status = statusOf(() => checkFieldValidation(value, [], { optionsKind: 'PatchOptions' }));
      assert.equal(status.code, 422);
      assert.equal(status.reason, 'Invalid');
      assert.equal(
        status.message,
        `PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "${value}": supported values: "", "Ignore", "Strict", "Warn"`,
      );
      assert.deepEqual(status.details, {
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [
          {
            reason: 'FieldValueNotSupported',
            field: 'fieldValidation',
            message: `Unsupported value: "${value}": supported values: "", "Ignore", "Strict", "Warn"`,
          },
        ],
      });
    }
    assert.equal(parseFieldValidation(undefined), 'Warn');
    assert.equal(parseFieldValidation('Ignore'), 'Ignore');
    assert.equal(statusOf(() => parseFieldValidation('x')).message?.startsWith('CreateOptions.meta.k8s.io "" is invalid'), true);
  });
});

describe('patches', () => {
  const current = deploy();

  it('merge patch: duplicate keys of the patch, then unknown fields of the patched object, sorted', () => {
    const body = '{"spec":{"zzz":1,"replicass":2,"paused":true,"paused":false,"template":{"spec":{"containers":[{"name":"nginx","extra":1}]}}}}';
    const patched = structuredClone(current) as unknown as Record<string, Record<string, unknown>>;
    Object.assign(patched.spec!, { zzz: 1, replicass: 2, paused: false });
    (patched.spec!.template as { spec: { containers: unknown[] } }).spec.containers = [{ name: 'nginx', extra: 1 }];
    const problems = patchProblems('application/merge-patch+json', body, patched, deployment, current);
    assert.deepEqual(problems, [
      'duplicate field "spec.paused"',
      'unknown field "spec.replicass"',
      'unknown field "spec.template.spec.containers[0].extra"',
      'unknown field "spec.zzz"',
    ]);
    const status = statusOf(() =>
      checkFieldValidation('Strict', problems, { strictError: patchStrictError(patchInvalidValue('application/merge-patch+json', body, { a: '<"x">' })) }),
    );
    assert.equal(status.code, 422);
    assert.equal(status.reason, 'Invalid');
    assert.equal(
      status.message,
      ' "" is invalid: patch: Invalid value: "{\\"a\\":\\"\\\\u003c\\\\\\"x\\\\\\"\\\\u003e\\"}": strict decoding error: ' + problems.join(', '),
    );
    assert.deepEqual(status.details, {
      causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: status.message!.slice(' "" is invalid: patch: '.length) }],
    });
  });

  it('strategic merge patch: the invalid value is the patch as Go prints a map', () => {
    const body = '{"spec":{"replicass":3,"template":{"spec":{"containers":[{"name":"a","x":1.5,"y":null,"z":0.00001}]}}}}';
    assert.equal(
      patchInvalidValue('application/strategic-merge-patch+json', body, {}),
      'map[spec:map[replicass:3 template:map[spec:map[containers:[map[name:a x:1.5 y:<nil> z:1e-05]]]]]]',
    );
    assert.equal(goPrint({ b: [true, 'x y'], a: {} }), 'map[a:map[] b:[true x y]]');
  });

  it('JSON patch: problems of the operations are prefixed, then the patched object', () => {
    const body = '[{"op":"add","path":"/spec/replicass","value":3,"foo":"bar"},{"op":"add","path":"/a","path":"/b","value":{"k":1,"k":2}}]';
    const patched = { ...current, spec: { ...current.spec, replicass: 3 } };
    assert.deepEqual(patchProblems('application/json-patch+json', body, patched, deployment, current), [
      'json patch unknown field "[0].foo"',
      'json patch duplicate field "[1].path"',
      'json patch duplicate field "[1].value.k"',
      'unknown field "spec.replicass"',
    ]);
  });

  it('unknown fields already stored are not blamed on the patch', () => {
    const stored = { ...current, spec: { ...current.spec, legacy: 1 } };
    const patched = { ...stored, spec: { ...stored.spec, replicas: 3 } };
    assert.deepEqual(patchProblems('application/merge-patch+json', '{"spec":{"replicas":3}}', patched, deployment, stored), []);
    assert.deepEqual(patchProblems('application/merge-patch+json', '{"spec":{"replicas":3}}', patched, deployment), ['unknown field "spec.legacy"']);
  });

  it('apply: duplicate keys only, as one YAML error; Strict is a 400, Warn one warning per line', () => {
    const yaml = '{\n  "spec": {\n    "paused": false,\n    "paused": true,\n    "replicass": 1\n  }\n}\n';
    const problems = applyProblems(yaml);
    assert.deepEqual(problems, ['error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key "paused" already set in map']);
    const status = statusOf(() => checkFieldValidation('Strict', problems, { strictError: applyStrictError }));
    assert.equal(status.code, 400);
    assert.equal(
      status.message,
      'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key "paused" already set in map',
    );
    assert.deepEqual(checkFieldValidation('Warn', problems).warnings, ['line 4: key "paused" already set in map']);
    assert.deepEqual(applyProblems('a: 1\n'), []);
  });
});

describe('Warning headers', () => {
  it('formats 299 - "text" with quotes and backslashes escaped', () => {
    assert.equal(formatWarningHeader('unknown field "spec.replicass"'), '299 - "unknown field \\"spec.replicass\\""');
    assert.equal(formatWarningHeader('a\\b'), '299 - "a\\\\b"');
    assert.equal(formatWarningHeader(''), undefined);
    assert.equal(formatWarningHeader('two\nlines'), undefined);
  });

  it('spells UTF-8 as latin1 so that Node writes the bytes verbatim', () => {
    const h = formatWarningHeader('unknown field "métadata"')!;
    assert.equal(Buffer.from(h, 'latin1').toString('utf8'), '299 - "unknown field \\"métadata\\""');
    assert.doesNotMatch(h, /[^\t\x20-\x7e\x80-\xff]/);
  });

  it('drops repeats and truncates each warning once they pass 4096 characters', () => {
    assert.deepEqual(warningHeaders(['a', 'b', 'a']), ['299 - "a"', '299 - "b"']);
    const long = Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(300, 'x'));
    const headers = new WarningRecorder().add(...long).headers();
    assert.equal(headers.length, 16); // 16 * 256 = 4096, then nothing more
    assert.ok(headers.every((h) => h.length === '299 - ""'.length + 256));
  });
});

describe('goQuote', () => {
  it('quotes as Go %q does', () => {
    assert.equal(goQuote('a"b\\c\n\t\u0001é\u00a0'), '"a\\"b\\\\c\\n\\t\\x01é\\u00a0"');
  });
});
