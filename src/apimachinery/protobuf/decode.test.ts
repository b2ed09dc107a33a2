import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RESOURCES, apiVersionOf } from '../resources.ts';
import {
  PROTOBUF_MEDIA_TYPE,
  ProtobufDecodeError,
  decodeKubernetesProtobuf,
  formatGoDuration,
  isProtobufContentType,
  messageForKind,
  toStatusError,
} from './decode.ts';
import { KUBECTL_BODIES } from './kubectl-bodies.fixture.ts';

// ---------------------------------------------------------------------------------------------------------------
// A tiny test-only protobuf encoder. Field numbers below are written out by hand from the upstream types (not read
// from the generated table), so these tests cross-check the table as well as the decoder.

type Bytes = Uint8Array;
const enc = new TextEncoder();

function varint(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v)); // negative numbers become 10-byte two's complement, as in Go
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n !== 0n) b |= 0x80;
    out.push(b);
  } while (n !== 0n);
  return out;
}
const cat = (...parts: (Bytes | number[])[]): Bytes => Uint8Array.from(parts.flatMap((p) => [...p]));
const tag = (field: number, wire: number) => varint((field << 3) | wire);
/** varint field (int32, int64, bool) */
const vi = (field: number, v: number | bigint | boolean) => cat(tag(field, 0), varint(typeof v === 'boolean' ? (v ? 1 : 0) : v));
/** length-delimited field: string, bytes or embedded message */
const ld = (field: number, v: string | Bytes) => {
  const b = typeof v === 'string' ? enc.encode(v) : v;
  return cat(tag(field, 2), varint(b.length), b);
};
const msg = (...fields: Bytes[]) => cat(...fields);
/** map<string, V> entry */
const entry = (field: number, key: string, value: Bytes, valueIsVarint = false) =>
  ld(field, msg(ld(1, key), valueIsVarint ? value : ld(2, value)));
const fixed32 = (field: number, v: number) => cat(tag(field, 5), [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]);
const fixed64 = (field: number) => cat(tag(field, 1), [1, 2, 3, 4, 5, 6, 7, 8]);

/** The k8s\0 + runtime.Unknown envelope client-go writes (contentEncoding/contentType present and empty). */
const envelope = (apiVersion: string, kind: string, raw: Bytes) =>
  cat([0x6b, 0x38, 0x73, 0x00], msg(ld(1, msg(ld(1, apiVersion), ld(2, kind))), ld(2, raw), ld(3, ''), ld(4, '')));

/** ObjectMeta the way gogo writes it: every non-pointer field present, even when empty. */
function objectMeta(o: { name?: string; namespace?: string; labels?: Record<string, string>; creation?: Bytes; extra?: Bytes[] } = {}) {
  return msg(
    ld(1, o.name ?? ''),
    ld(2, ''),
    ld(3, o.namespace ?? ''),
    ld(4, ''),
    ld(5, ''),
    ld(6, ''),
    vi(7, 0),
    ld(8, o.creation ?? new Uint8Array(0)),
    ...Object.entries(o.labels ?? {}).map(([k, v]) => entry(11, k, enc.encode(v))),
    ...(o.extra ?? []),
  );
}
const quantity = (s: string) => msg(ld(1, s));
const intOrInt = (n: number) => msg(vi(1, 0), vi(2, n), ld(3, ''));
const intOrStr = (s: string) => msg(vi(1, 1), vi(2, 0), ld(3, s));
const timestamp = (seconds: number, nanos = 0) => msg(vi(1, seconds), vi(2, nanos));

const decode = (apiVersion: string, kind: string, raw: Bytes) => decodeKubernetesProtobuf(envelope(apiVersion, kind, raw));

function decodeError(body: Bytes): ProtobufDecodeError {
  try {
    decodeKubernetesProtobuf(body);
  } catch (err) {
    assert.ok(err instanceof ProtobufDecodeError, `expected ProtobufDecodeError, got ${err}`);
    return err;
  }
  assert.fail('expected the body to be rejected');
}

// ---------------------------------------------------------------------------------------------------------------

describe('real kubectl bodies', () => {
  for (const c of KUBECTL_BODIES) {
    test(`${c.name}: ${c.command}`, () => {
      assert.deepEqual(decodeKubernetesProtobuf(Buffer.from(c.hex, 'hex')), c.json);
    });
  }
  test('covers the typed-client commands the brief lists', () => {
    const names = new Set(KUBECTL_BODIES.map((c) => c.name));
    for (const n of ['namespace', 'configmap', 'secret', 'deployment', 'job', 'cronjob', 'service', 'serviceaccount', 'role', 'rolebinding', 'quota', 'deleteoptions-drain']) {
      assert.ok(names.has(n), n);
    }
  });
});

describe('envelope', () => {
  test('exports the media type and recognises it with parameters', () => {
    assert.equal(PROTOBUF_MEDIA_TYPE, 'application/vnd.kubernetes.protobuf');
    assert.ok(isProtobufContentType('application/vnd.kubernetes.protobuf'));
    assert.ok(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=utf-8'));
    assert.ok(!isProtobufContentType('application/vnd.kubernetes.protobufx'));
    assert.ok(!isProtobufContentType('application/json'));
    assert.ok(!isProtobufContentType(undefined));
  });

  test('bad magic is a 400', () => {
    const err = decodeError(Buffer.from('{"kind":"Namespace"}'));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.match(err.message, /magic/);
    assert.equal(decodeError(Uint8Array.of(0x6b, 0x38)).code, 400);
  });

  test('unknown kind is a 415 naming the kind', () => {
    const err = decodeError(envelope('example.com/v1', 'Widget', msg()));
    assert.equal(err.code, 415);
    assert.equal(err.reason, 'UnsupportedMediaType');
    assert.match(err.message, /example\.com\/v1, Kind=Widget/);
    const status = toStatusError(err).status;
    assert.equal(status.code, 415);
    assert.equal(status.reason, 'UnsupportedMediaType');
    assert.equal(toStatusError(decodeError(Uint8Array.of(1, 2, 3, 4, 5))).status.code, 400);
  });

  test('missing kind is a 400; expected fills in an empty typeMeta', () => {
    const noTypeMeta = cat([0x6b, 0x38, 0x73, 0x00], ld(2, msg(ld(1, objectMeta({ name: 'x' })))));
    assert.equal(decodeError(noTypeMeta).code, 400);
    assert.deepEqual(decodeKubernetesProtobuf(noTypeMeta, { apiVersion: 'v1', kind: 'ConfigMap' }), {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'x', creationTimestamp: null },
    });
  });

  test('truncated data is a 400 with a path', () => {
    const full = envelope('v1', 'ConfigMap', msg(ld(1, objectMeta({ name: 'x' }))));
    for (const cut of [5, 12, full.length - 6, full.length - 1]) {
      const err = decodeError(full.subarray(0, cut));
      assert.equal(err.code, 400, `cut at ${cut}`);
      assert.match(err.message, /malformed protobuf/);
    }
  });

  test('a content encoding is refused; a JSON payload in the envelope is passed through', () => {
    const gz = cat([0x6b, 0x38, 0x73, 0x00], msg(ld(1, msg(ld(1, 'v1'), ld(2, 'ConfigMap'))), ld(2, 'x'), ld(3, 'gzip')));
    assert.equal(decodeError(gz).code, 415);
    const json = cat([0x6b, 0x38, 0x73, 0x00], msg(ld(1, msg(ld(1, 'v1'), ld(2, 'ConfigMap'))), ld(2, '{"kind":"ConfigMap","data":{"a":"b"}}'), ld(4, 'application/json')));
    assert.deepEqual(decodeKubernetesProtobuf(json), { kind: 'ConfigMap', data: { a: 'b' } });
  });

  test('a wire type that contradicts the schema is a 400', () => {
    // ConfigMap.metadata (1) sent as a varint
    assert.equal(decodeError(envelope('v1', 'ConfigMap', vi(1, 5))).code, 400);
    // DeploymentSpec.replicas (1) sent as a string
    assert.equal(decodeError(envelope('apps/v1', 'Deployment', ld(2, ld(1, 'three')))).code, 400);
  });

  test('every served kind, its List and the subresource/options kinds have a decoder', () => {
    for (const r of RESOURCES) {
      assert.ok(messageForKind(apiVersionOf(r), r.kind), `${apiVersionOf(r)} ${r.kind}`);
      assert.ok(messageForKind(apiVersionOf(r), `${r.kind}List`), `${apiVersionOf(r)} ${r.kind}List`);
    }
    assert.equal(messageForKind('v1', 'DeleteOptions'), 'meta/v1.DeleteOptions');
    assert.equal(messageForKind('apps/v1', 'DeleteOptions'), 'meta/v1.DeleteOptions');
    assert.equal(messageForKind('meta.k8s.io/v1', 'DeleteOptions'), 'meta/v1.DeleteOptions');
    assert.ok(messageForKind('policy/v1', 'Eviction'));
    assert.ok(messageForKind('v1', 'Binding'));
    assert.ok(messageForKind('autoscaling/v1', 'Scale'));
    assert.equal(messageForKind('v1', 'Deployment'), undefined);
  });
});

describe('kinds', () => {
  test('Namespace: empty spec/status objects, creationTimestamp null, empty strings dropped', () => {
    const raw = msg(ld(1, objectMeta({ name: 'foo' })), ld(2, msg()), ld(3, msg()));
    assert.deepEqual(decode('v1', 'Namespace', raw), {
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: 'foo', creationTimestamp: null },
      spec: {},
      status: {},
    });
  });

  test('ConfigMap: data map and binaryData bytes → base64, immutable pointer false kept', () => {
    const raw = msg(
      ld(1, objectMeta({ name: 'cm', namespace: 'ns', labels: { app: 'x' } })),
      entry(2, 'k1', enc.encode('v1')),
      entry(2, 'k2', enc.encode('')),
      entry(3, 'blob', Uint8Array.of(0, 1, 2, 0xff)),
      vi(4, false),
    );
    assert.deepEqual(decode('v1', 'ConfigMap', raw), {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cm', namespace: 'ns', creationTimestamp: null, labels: { app: 'x' } },
      immutable: false,
      data: { k1: 'v1', k2: '' },
      binaryData: { blob: 'AAEC/w==' },
    });
  });

  test('Secret: data bytes → base64, stringData and type', () => {
    const raw = msg(
      ld(1, objectMeta({ name: 's' })),
      entry(2, 'password', enc.encode('s3cr3t')),
      entry(2, 'empty', new Uint8Array(0)),
      ld(3, 'kubernetes.io/basic-auth'),
      entry(4, 'plain', enc.encode('text')),
    );
    assert.deepEqual(decode('v1', 'Secret', raw), {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 's', creationTimestamp: null },
      data: { password: Buffer.from('s3cr3t').toString('base64'), empty: '' },
      stringData: { plain: 'text' },
      type: 'kubernetes.io/basic-auth',
    });
  });

  test('Deployment: nested PodSpec, containers, ports, env, resources, volumes, IntOrString strategy', () => {
    const container = msg(
      ld(1, 'web'),
      ld(2, 'nginx:1.25'),
      ld(3, 'nginx'),
      ld(3, '-g'),
      ld(4, 'daemon off;'),
      ld(5, ''),
      ld(6, msg(ld(1, 'http'), vi(2, 0), vi(3, 8080), ld(4, 'TCP'), ld(5, ''))),
      ld(7, msg(ld(1, 'MODE'), ld(2, 'prod'))),
      ld(7, msg(ld(1, 'POD'), ld(2, ''), ld(3, msg(ld(1, msg(ld(1, 'v1'), ld(2, 'metadata.name'))))))),
      ld(8, msg(entry(1, 'cpu', quantity('500m')), entry(1, 'memory', quantity('128Mi')), entry(2, 'cpu', quantity('250m')))),
      ld(9, msg(ld(1, 'cfg'), vi(2, true), ld(3, '/etc/cfg'), ld(4, ''), ld(6, ''))),
      ld(13, ''),
      ld(14, 'IfNotPresent'),
      vi(16, false),
      vi(17, false),
      vi(18, false),
      ld(20, ''),
    );
    const podSpec = msg(
      ld(1, msg(ld(1, 'cfg'), ld(2, msg(ld(19, msg(ld(1, msg(ld(1, 'app-config'))), vi(3, 420))))))),
      ld(1, msg(ld(1, 'scratch'), ld(2, msg(ld(2, msg(ld(1, 'Memory'), ld(2, quantity('64Mi')))))))),
      ld(2, container),
      ld(3, 'Always'),
      vi(4, 30),
      ld(6, 'ClusterFirst'),
      ld(8, ''),
      ld(9, ''),
      ld(10, ''),
      vi(11, false),
      vi(12, false),
      vi(13, false),
      ld(16, ''),
      ld(17, ''),
      ld(19, 'default-scheduler'),
      ld(24, ''),
    );
    const spec = msg(
      vi(1, 0), // replicas: 0 is a pointer → kept
      ld(2, msg(entry(1, 'app', enc.encode('web')))),
      ld(3, msg(ld(1, objectMeta({ labels: { app: 'web' } })), ld(2, podSpec))),
      ld(4, msg(ld(1, 'RollingUpdate'), ld(2, msg(ld(1, intOrInt(1)), ld(2, intOrStr('25%')))))),
      vi(5, 0),
      vi(6, 10),
      vi(7, false),
      vi(9, 600),
    );
    assert.deepEqual(decode('apps/v1', 'Deployment', msg(ld(1, objectMeta({ name: 'web' })), ld(2, spec), ld(3, msg()))), {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [
              { name: 'cfg', configMap: { name: 'app-config', defaultMode: 420 } },
              { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
            ],
            containers: [
              {
                name: 'web',
                image: 'nginx:1.25',
                command: ['nginx', '-g'],
                args: ['daemon off;'],
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                env: [
                  { name: 'MODE', value: 'prod' },
                  { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
                ],
                resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
                volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/cfg' }],
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            schedulerName: 'default-scheduler',
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  test('Service: IntOrString targetPort as number and as name, non-omitempty port 0 kept', () => {
    const port = (name: string, p: number, target: Bytes) => ld(1, msg(ld(1, name), ld(2, 'TCP'), vi(3, p), ld(4, target), vi(5, 0)));
    const spec = msg(
      port('http', 80, intOrInt(8080)),
      port('https', 443, intOrStr('https')),
      port('zero', 0, intOrInt(0)),
      entry(2, 'app', enc.encode('web')),
      ld(3, ''),
      ld(4, 'ClusterIP'),
      ld(7, 'None'),
      vi(13, false),
    );
    assert.deepEqual(decode('v1', 'Service', msg(ld(1, objectMeta({ name: 'svc' })), ld(2, spec), ld(3, msg(ld(1, msg()))))), {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 'svc', creationTimestamp: null },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' },
          { name: 'zero', protocol: 'TCP', port: 0, targetPort: 0 },
        ],
        selector: { app: 'web' },
        type: 'ClusterIP',
        sessionAffinity: 'None',
      },
      status: { loadBalancer: {} },
    });
  });

  test('Job and CronJob: pointer int32/bool kept at zero, packed and unpacked repeated int32', () => {
    const template = msg(ld(1, objectMeta()), ld(2, msg(ld(2, msg(ld(1, 'c'), ld(2, 'busybox'))), ld(3, 'Never'))));
    const jobSpec = msg(
      vi(1, 2), // parallelism
      vi(2, 4), // completions
      ld(6, template),
      vi(7, 0), // backoffLimit 0 (pointer)
      vi(10, false), // suspend false (pointer)
      ld(
        11,
        msg(
          ld(
            1,
            msg(
              ld(1, 'FailJob'),
              ld(2, msg(ld(2, 'In'), ld(3, Uint8Array.from([...varint(1), ...varint(42)])))), // packed
              ld(3, msg(ld(1, 'DisruptionTarget'), ld(2, 'True'))),
            ),
          ),
          ld(1, msg(ld(1, 'Ignore'), ld(2, msg(ld(2, 'NotIn'), vi(3, 7), vi(3, 9))))),
        ),
      ),
    );
    assert.deepEqual(decode('batch/v1', 'Job', msg(ld(1, objectMeta({ name: 'j' })), ld(2, jobSpec), ld(3, msg(vi(4, 0), vi(5, 0), vi(6, 0), ld(7, ''))))), {
      kind: 'Job',
      apiVersion: 'batch/v1',
      metadata: { name: 'j', creationTimestamp: null },
      spec: {
        parallelism: 2,
        completions: 4,
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 42] }, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
            { action: 'Ignore', onExitCodes: { operator: 'NotIn', values: [7, 9] } },
          ],
        },
        backoffLimit: 0,
        template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } },
        suspend: false,
      },
      status: {},
    });

    const cronSpec = msg(
      ld(1, '*/5 * * * *'),
      ld(3, 'Forbid'),
      vi(4, true),
      ld(5, msg(ld(1, objectMeta({ name: 'cj' })), ld(2, msg(ld(6, template))))),
      vi(6, 3),
      vi(7, 1),
      ld(8, 'Etc/UTC'),
    );
    assert.deepEqual(decode('batch/v1', 'CronJob', msg(ld(1, objectMeta({ name: 'cj' })), ld(2, cronSpec), ld(3, msg(ld(4, timestamp(1704164645)))))), {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'cj', creationTimestamp: null },
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'Etc/UTC',
        concurrencyPolicy: 'Forbid',
        suspend: true,
        jobTemplate: {
          metadata: { name: 'cj', creationTimestamp: null },
          spec: { template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } },
        },
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
      },
      status: { lastScheduleTime: '2024-01-02T03:04:05Z' },
    });
  });

  test('Pod: zero-valued pointers kept, omitempty zeros dropped, negative ints, tolerations, security context', () => {
    const container = msg(
      ld(1, 'app'),
      ld(2, 'img'),
      ld(6, msg(ld(1, ''), vi(2, 0), vi(3, 0), ld(4, ''), ld(5, ''))), // containerPort 0 has no omitempty
      ld(15, msg(vi(5, false), vi(4, 0), vi(7, false), ld(1, msg(ld(1, 'NET_ADMIN'), ld(2, 'ALL'))))),
    );
    const spec = msg(
      ld(2, container),
      vi(4, 0), // terminationGracePeriodSeconds 0
      vi(5, 3600n), // activeDeadlineSeconds (int64)
      vi(11, false),
      vi(21, false), // automountServiceAccountToken false
      ld(22, msg(ld(1, 'node.kubernetes.io/not-ready'), ld(2, 'Exists'), ld(3, ''), ld(4, 'NoExecute'), vi(5, 300))),
      ld(22, msg(ld(1, ''), ld(2, 'Exists'), ld(3, ''), ld(4, ''))),
      vi(25, -5), // priority (int32, negative → 10-byte varint)
      vi(30, true),
      ld(14, msg(vi(2, 1000), vi(4, 1000), vi(4, 2000), vi(5, 0))), // runAsUser, supplementalGroups (unpacked), fsGroup 0
    );
    const meta = objectMeta({
      name: 'p',
      namespace: 'default',
      creation: timestamp(1704164645, 999_000_000),
      extra: [ld(9, timestamp(1704164700)), vi(10, 0), ld(14, 'kubernetes.io/pv-protection'), ld(13, msg(ld(1, 'ReplicaSet'), ld(3, 'rs'), ld(4, 'uid-1'), ld(5, 'apps/v1'), vi(6, true)))],
    });
    assert.deepEqual(decode('v1', 'Pod', msg(ld(1, meta), ld(2, spec), ld(3, msg(ld(1, 'Pending'))))), {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: 'p',
        namespace: 'default',
        creationTimestamp: '2024-01-02T03:04:05Z',
        deletionTimestamp: '2024-01-02T03:05:00Z',
        deletionGracePeriodSeconds: 0,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-1', controller: true }],
        finalizers: ['kubernetes.io/pv-protection'],
      },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'img',
            ports: [{ containerPort: 0 }],
            securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, runAsUser: 0, runAsNonRoot: false, allowPrivilegeEscalation: false },
          },
        ],
        terminationGracePeriodSeconds: 0,
        activeDeadlineSeconds: 3600,
        automountServiceAccountToken: false,
        securityContext: { runAsUser: 1000, supplementalGroups: [1000, 2000], fsGroup: 0 },
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
          { operator: 'Exists' },
        ],
        priority: -5,
        enableServiceLinks: true,
      },
      status: { phase: 'Pending' },
    });
  });

  test('Eviction and DeleteOptions', () => {
    const deleteOptions = msg(
      vi(1, 0),
      ld(2, msg(ld(1, 'uid-1'), ld(2, '42'))),
      vi(3, false),
      ld(4, 'Foreground'),
      ld(5, 'All'),
    );
    assert.deepEqual(decode('policy/v1', 'Eviction', msg(ld(1, objectMeta({ name: 'p', namespace: 'default' })), ld(2, deleteOptions))), {
      kind: 'Eviction',
      apiVersion: 'policy/v1',
      metadata: { name: 'p', namespace: 'default', creationTimestamp: null },
      deleteOptions: {
        gracePeriodSeconds: 0,
        preconditions: { uid: 'uid-1', resourceVersion: '42' },
        orphanDependents: false,
        propagationPolicy: 'Foreground',
        dryRun: ['All'],
      },
    });
    assert.deepEqual(decode('apps/v1', 'DeleteOptions', msg(vi(1, 30), ld(4, 'Background'))), {
      kind: 'DeleteOptions',
      apiVersion: 'apps/v1',
      gracePeriodSeconds: 30,
      propagationPolicy: 'Background',
    });
    // an empty DeleteOptions body is just the type
    assert.deepEqual(decode('v1', 'DeleteOptions', msg()), { kind: 'DeleteOptions', apiVersion: 'v1' });
  });

  test('Binding and Scale', () => {
    assert.deepEqual(decode('v1', 'Binding', msg(ld(1, objectMeta({ name: 'p' })), ld(2, msg(ld(1, 'Node'), ld(2, ''), ld(3, 'n1'), ld(4, ''), ld(5, ''), ld(6, ''), ld(7, ''))))), {
      kind: 'Binding',
      apiVersion: 'v1',
      metadata: { name: 'p', creationTimestamp: null },
      target: { kind: 'Node', name: 'n1' },
    });
    assert.deepEqual(decode('autoscaling/v1', 'Scale', msg(ld(1, objectMeta({ name: 'web' })), ld(2, msg(vi(1, 0))), ld(3, msg(vi(1, 0), ld(2, ''))))), {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: 'web', creationTimestamp: null },
      spec: {},
      status: { replicas: 0 },
    });
  });
});

describe('field semantics', () => {
  test('creationTimestamp: absent stays absent, empty is null, set is RFC 3339 seconds', () => {
    const cm = (meta: Bytes) => decode('v1', 'ConfigMap', msg(ld(1, meta)));
    assert.deepEqual(cm(msg(ld(1, 'a'))).metadata, { name: 'a' });
    assert.deepEqual(cm(msg(ld(1, 'a'), ld(8, msg()))).metadata, { name: 'a', creationTimestamp: null });
    assert.deepEqual(cm(msg(ld(1, 'a'), ld(8, timestamp(0)))).metadata, { name: 'a', creationTimestamp: '1970-01-01T00:00:00Z' });
    assert.deepEqual(cm(msg(ld(1, 'a'), ld(8, timestamp(1704164645, 5)))).metadata, { name: 'a', creationTimestamp: '2024-01-02T03:04:05Z' });
  });

  test('int64 omitempty zero dropped, non-zero kept; pointer int64 zero kept', () => {
    const cm = (meta: Bytes) => decode('v1', 'ConfigMap', msg(ld(1, meta))).metadata;
    assert.deepEqual(cm(msg(vi(7, 0))), {});
    assert.deepEqual(cm(msg(vi(7, 9007199254740991n))), { generation: 9007199254740991 });
    assert.deepEqual(cm(msg(vi(10, 0))), { deletionGracePeriodSeconds: 0 });
  });

  test('empty repeated and map fields are absent', () => {
    assert.deepEqual(decode('rbac.authorization.k8s.io/v1', 'Role', msg(ld(1, objectMeta({ name: 'r' })))), {
      kind: 'Role',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'r', creationTimestamp: null },
    });
  });

  test('unknown fields of every wire type are skipped', () => {
    const raw = msg(vi(900, 1), ld(1, msg(ld(1, 'x'), ld(901, 'junk'), fixed32(902, 7), fixed64(903))), fixed64(904), entry(2, 'a', enc.encode('b')), ld(905, msg(vi(1, 1))));
    assert.deepEqual(decode('v1', 'ConfigMap', raw), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x' }, data: { a: 'b' } });
  });

  test('MicroTime keeps microseconds; Lease spec pointers', () => {
    const spec = msg(ld(1, 'holder-1'), vi(2, 15), ld(3, timestamp(1704164645, 123456789)), ld(4, timestamp(1704164646)), vi(5, 0));
    assert.deepEqual(decode('coordination.k8s.io/v1', 'Lease', msg(ld(1, objectMeta({ name: 'l' })), ld(2, spec))), {
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'l', creationTimestamp: null },
      spec: {
        holderIdentity: 'holder-1',
        leaseDurationSeconds: 15,
        acquireTime: '2024-01-02T03:04:05.123456Z',
        renewTime: '2024-01-02T03:04:06.000000Z',
        leaseTransitions: 0,
      },
    });
  });

  test('RawExtension (ControllerRevision.data) and FieldsV1 (managedFields) carry JSON', () => {
    const mf = ld(17, msg(ld(1, 'kubectl'), ld(2, 'Update'), ld(3, 'apps/v1'), ld(4, timestamp(1704164645)), ld(6, 'FieldsV1'), ld(7, msg(ld(1, '{"f:data":{".":{}}}'))), ld(8, '')));
    const raw = msg(ld(1, objectMeta({ name: 'rev', extra: [mf] })), ld(2, msg(ld(1, '{"spec":{"template":{"x":1}}}'))), vi(3, 2));
    assert.deepEqual(decode('apps/v1', 'ControllerRevision', raw), {
      kind: 'ControllerRevision',
      apiVersion: 'apps/v1',
      metadata: {
        name: 'rev',
        creationTimestamp: null,
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } }],
      },
      data: { spec: { template: { x: 1 } } },
      revision: 2,
    });
    assert.deepEqual(decode('apps/v1', 'ControllerRevision', msg(ld(2, msg()), vi(3, 0))), { kind: 'ControllerRevision', apiVersion: 'apps/v1', data: null, revision: 0 });
    assert.equal(decodeError(envelope('apps/v1', 'ControllerRevision', msg(ld(2, msg(ld(1, '{nope')))))).code, 400);
  });

  test('inlined structs: PersistentVolume sources, projected volume LocalObjectReference, Ingress rule value', () => {
    const pv = msg(
      ld(1, objectMeta({ name: 'pv' })),
      ld(2, msg(entry(1, 'storage', quantity('10Gi')), ld(2, msg(ld(3, msg(ld(1, '/data'), ld(2, 'DirectoryOrCreate'))))), ld(3, 'ReadWriteOnce'), ld(5, 'Retain'), ld(6, ''))),
      ld(3, msg()),
    );
    assert.deepEqual(decode('v1', 'PersistentVolume', pv).spec, {
      capacity: { storage: '10Gi' },
      hostPath: { path: '/data', type: 'DirectoryOrCreate' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
    });
    const rule = msg(ld(1, 'foo.com'), ld(2, msg(ld(1, msg(ld(1, msg(ld(1, '/'), ld(3, 'Prefix'), ld(2, msg(ld(4, msg(ld(1, 'svc'), ld(2, msg(ld(1, ''), vi(2, 80))))))))))))));
    assert.deepEqual(decode('networking.k8s.io/v1', 'Ingress', msg(ld(2, msg(ld(3, rule))))).spec, {
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }],
    });
  });

  test('Quantity zero value and map<string, Time>', () => {
    const status = msg(vi(1, 3), entry(2, 'p1', timestamp(1704164645)), vi(3, 0), vi(4, 0), vi(5, 0), vi(6, 0));
    assert.deepEqual(decode('policy/v1', 'PodDisruptionBudget', msg(ld(2, msg(ld(1, intOrStr('50%')))), ld(3, status))), {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      spec: { minAvailable: '50%' },
      status: { observedGeneration: 3, disruptedPods: { p1: '2024-01-02T03:04:05Z' }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
    const resourceFieldRef = msg(ld(1, ''), ld(2, 'limits.cpu'), ld(3, msg())); // divisor: an empty Quantity
    const envVar = msg(ld(1, 'X'), ld(3, msg(ld(2, resourceFieldRef))));
    const pod = msg(ld(2, msg(ld(2, msg(ld(1, 'c'), ld(7, envVar))))));
    assert.deepEqual(((decode('v1', 'Pod', pod).spec as { containers: { env: unknown }[] }).containers[0]!.env), [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } }]);
  });

  test('authorization and authentication review kinds, ExtraValue map', () => {
    const spec = msg(ld(1, msg(ld(1, 'ns'), ld(2, 'get'), ld(5, 'pods'))), ld(3, 'alice'), ld(4, 'devs'), ld(5, msg(ld(1, 'scopes'), ld(2, msg(ld(1, 'a'), ld(1, 'b'))))), ld(6, ''));
    assert.deepEqual(decode('authorization.k8s.io/v1', 'SubjectAccessReview', msg(ld(2, spec))).spec, {
      resourceAttributes: { namespace: 'ns', verb: 'get', resource: 'pods' },
      user: 'alice',
      groups: ['devs'],
      extra: { scopes: ['a', 'b'] },
    });
  });
});

describe('formatGoDuration', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [1500n, '1.5µs'],
    [500_000_000n, '500ms'],
    [1_500_000_000n, '1.5s'],
    [3_723_000_000_000n, '1h2m3s'],
    [5_400_000_000_000n, '1h30m0s'],
    [60_000_000_000n, '1m0s'],
    [-2_000_000_000n, '-2s'],
    [100_000_000_001n, '1m40.000000001s'],
  ];
  for (const [ns, s] of cases) test(`${ns}ns → ${s}`, () => assert.equal(formatGoDuration(ns), s));
});
