import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../../apimachinery/object.ts';
import type { Store } from '../store.ts';
import { obj, openCluster, rejects422, statusOf, type TestCluster } from './testkit.ts';

const pod = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject =>
  obj({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec });
const c = (extra: Record<string, unknown> = {}) => ({ name: 'c', image: 'busybox:1.36', ...extra });

describe('Pod strategy', () => {
  let cl: TestCluster;
  let pods: Store;
  before(async () => {
    cl = await openCluster();
    pods = cl.store('', 'pods');
  });
  after(async () => cl?.destroy());

  it('applies the v1 pod defaults', async () => {
    const p = await pods.create(
      'default',
      pod('defaults', {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
            lifecycle: { preStop: { httpGet: { port: 80 } } },
          },
        ],
        initContainers: [{ name: 'init', image: 'busybox:1.36', terminationMessagePolicy: 'FallbackToLogsOnError' }],
        volumes: [
          { name: 'scratch' },
          { name: 'cm', configMap: { name: 'settings' } },
          { name: 'sec', secret: { secretName: 'creds', defaultMode: 256 } },
          { name: 'host', hostPath: { path: '/var/log' } },
          { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        ],
      }),
    );
    const spec = p.spec as any;
    assert.deepEqual(spec.containers[0], {
      name: 'web',
      image: 'nginx',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
      livenessProbe: { httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
      lifecycle: { preStop: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } },
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    });
    assert.equal(spec.initContainers[0].terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.equal(spec.initContainers[0].imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(spec.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'cm', configMap: { name: 'settings', defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 'creds', defaultMode: 256 } },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }], defaultMode: 420 } },
    ]);
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.schedulerName, 'default-scheduler');
    assert.deepEqual(spec.securityContext, {});
    assert.equal(spec.enableServiceLinks, true);
    assert.deepEqual(p.status, { phase: 'Pending', qosClass: 'BestEffort' });
    assert.equal(p.metadata.generation, undefined);
  });

  it('imagePullPolicy is Always for :latest or no tag, else IfNotPresent; an explicit one is kept', async () => {
    const images: [string, string | undefined, string][] = [
      ['nginx', undefined, 'Always'],
      ['nginx:latest', undefined, 'Always'],
      ['nginx:1.25', undefined, 'IfNotPresent'],
      [`nginx@sha256:${'a'.repeat(64)}`, undefined, 'IfNotPresent'],
      ['localhost:5000/team/app', undefined, 'Always'],
      ['registry.example.com:5000/team/app:v2', undefined, 'IfNotPresent'],
      ['nginx:1.25', 'Never', 'Never'],
    ];
    const p = await pods.create(
      'default',
      pod('pull', { containers: images.map(([image, policy], i) => ({ name: `c${i}`, image, ...(policy ? { imagePullPolicy: policy } : {}) })) }),
    );
    assert.deepEqual((p.spec as any).containers.map((x: any) => x.imagePullPolicy), images.map(([, , want]) => want));
  });

  it('canonicalizes quantities, defaults requests from limits, and computes the QoS class', async () => {
    const p = await pods.create(
      'default',
      pod('qos', { containers: [c({ resources: { limits: { cpu: '0.5', memory: '1.5Gi' } } })] }),
    );
    const res = (p.spec as any).containers[0].resources;
    assert.deepEqual(res, { limits: { cpu: '500m', memory: '1536Mi' }, requests: { cpu: '500m', memory: '1536Mi' } });
    assert.equal((p.status as any).qosClass, 'Guaranteed');
    const b = await pods.create('default', pod('burst', { containers: [c({ resources: { requests: { cpu: '1000m' } } })] }));
    assert.deepEqual((b.spec as any).containers[0].resources, { requests: { cpu: '1' } });
    assert.equal((b.status as any).qosClass, 'Burstable');
  });

  it('a pod with scheduling gates starts with the SchedulingGated condition', async () => {
    const p = await pods.create('default', pod('gates', { containers: [c()], schedulingGates: [{ name: 'example.com/quota' }] }));
    assert.deepEqual((p.status as any).conditions, [
      { type: 'PodScheduled', status: 'False', reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates', lastProbeTime: null, lastTransitionTime: null },
    ]);
    // gates may only be removed
    const cur = structuredClone(p) as any;
    cur.spec.schedulingGates = [{ name: 'example.com/quota' }, { name: 'example.com/more' }];
    await rejects422(
      pods.update('default', 'gates', cur),
      "Pod \"gates\" is invalid: spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/more'",
    );
    cur.spec.schedulingGates = [];
    await pods.update('default', 'gates', cur);
  });

  it('a quantity that does not parse is a 400, as a decode error upstream', async () => {
    const s = await statusOf(pods.create('default', pod('q', { containers: [c({ resources: { limits: { cpu: 'lots' } } })] })));
    assert.equal(s.code, 400);
    assert.equal(
      s.message,
      `Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  });

  it('rejects invalid pods with upstream messages and field paths', async () => {
    await rejects422(pods.create('default', pod('empty', { containers: [] })), 'Pod "empty" is invalid: spec.containers: Required value');
    const s = await rejects422(
      pods.create('default', pod('rp', { restartPolicy: 'Sometimes', containers: [c()] })),
      'Pod "rp" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
    assert.deepEqual(s.details?.causes, [
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
    ]);
    await rejects422(
      pods.create('default', pod('dup', { containers: [c(), { name: 'c' }] })),
      'Pod "dup" is invalid: [spec.containers[1].image: Required value, spec.containers[1].name: Duplicate value: "c"]',
    );
    await rejects422(
      pods.create('default', pod('port', { containers: [c({ ports: [{ containerPort: 70000, protocol: 'ICMP' }] })] })),
      'Pod "port" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"]',
    );
    await rejects422(
      pods.create('default', pod('mount', { containers: [c({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] })),
      'Pod "mount" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"',
    );
    await rejects422(
      pods.create('default', pod('res', { containers: [c({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } })] })),
      'Pod "res" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    );
    await rejects422(
      pods.create('default', pod('pull', { containers: [c({ imagePullPolicy: 'Sometimes' })] })),
      'Pod "pull" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    );
    await rejects422(
      pods.create('default', pod('probe', { containers: [c({ livenessProbe: { periodSeconds: 3 } })] })),
      'Pod "probe" is invalid: spec.containers[0].livenessProbe: Required value: must specify a handler type',
    );
    await rejects422(
      pods.create('default', pod('vol', { containers: [c()], volumes: [{ name: 'v', emptyDir: {}, configMap: { name: 'x' } }] })),
      'Pod "vol" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type',
    );
    await rejects422(
      pods.create('default', pod('env', { containers: [c({ env: [{ name: 'A=B', value: 'x' }] })] })),
      `Pod "env" is invalid: spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
    );
    await rejects422(
      pods.create('default', pod('Bad_Name', { containers: [c()] })),
      `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    await rejects422(
      pods.create('default', pod('gated', { containers: [c()], nodeName: 'node-1', schedulingGates: [{ name: 'example.com/wait' }] })),
      'Pod "gated" is invalid: spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared',
    );
    await rejects422(
      pods.create('default', pod('tol', { containers: [c()], tolerations: [{ operator: 'Equal', value: 'x' }] })),
      'Pod "tol" is invalid: spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    );
  });

  describe('updates', () => {
    let base: KObject;
    before(async () => {
      base = await pods.create(
        'default',
        pod('u', { containers: [c()], activeDeadlineSeconds: 10, tolerations: [{ key: 'a', operator: 'Exists' }] }),
      );
    });

    const change = async (fn: (p: any) => void) => {
      const cur = structuredClone(await pods.get('default', 'u')) as any;
      fn(cur);
      return pods.update('default', 'u', cur);
    };

    it('an update with the same content (before defaulting) is a no-op', async () => {
      const { object } = await pods.update('default', 'u', pod('u', { containers: [c()], activeDeadlineSeconds: 10, tolerations: [{ key: 'a', operator: 'Exists' }] }));
      assert.equal(object.metadata.resourceVersion, base.metadata.resourceVersion);
    });

    it('image, activeDeadlineSeconds (down), added tolerations and labels may change', async () => {
      const { object } = await change((p) => {
        p.spec.containers[0].image = 'busybox:1.37';
        p.spec.activeDeadlineSeconds = 5;
        p.spec.tolerations.push({ key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 });
        p.metadata.labels = { tier: 'x' };
      });
      assert.equal((object.spec as any).containers[0].image, 'busybox:1.37');
      assert.equal((object.spec as any).activeDeadlineSeconds, 5);
    });

    it('other spec changes are forbidden with upstream message', async () => {
      const s = await statusOf(change((p) => (p.spec.restartPolicy = 'Never')));
      assert.equal(s.code, 422);
      const prefix =
        'Pod "u" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n';
      assert.ok(s.message!.startsWith(prefix), s.message);
      assert.match(s.message!, /- \tRestartPolicy: "Always",\n\+ \tRestartPolicy: "Never",/);
      assert.equal(s.details?.causes?.[0]?.field, 'spec');
      await rejects422(
        change((p) => p.spec.containers.push({ name: 'd', image: 'x' })),
        'Pod "u" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers',
      );
      await rejects422(change((p) => (p.spec.activeDeadlineSeconds = 20)), 'Pod "u" is invalid: spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value');
      await rejects422(
        change((p) => (p.spec.tolerations = [])),
        'Pod "u" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds',
      );
      const nodeName = await statusOf(change((p) => (p.spec.nodeName = 'node-1')));
      assert.match(nodeName.message!, /^Pod "u" is invalid: spec: Forbidden: pod updates may not change fields other than/);
    });

    it('server-internal writes (binding) bypass update validation; status writes keep the QoS class', async () => {
      const bound = await pods.guaranteedUpdate('default', 'u', (p) => ((p.spec as any).nodeName = 'node-1', p), { bypassStrategy: true });
      assert.equal((bound.spec as any).nodeName, 'node-1');
      const { object } = await pods.update('default', 'u', { ...bound, status: { phase: 'Running' } }, { subresource: 'status' });
      assert.deepEqual(object.status, { phase: 'Running', qosClass: 'BestEffort' });
    });
  });
});
