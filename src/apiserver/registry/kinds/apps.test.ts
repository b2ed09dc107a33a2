import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../../apimachinery/object.ts';
import type { Store } from '../store.ts';
import { obj, openCluster, podSpec, rejects422, type TestCluster } from './testkit.ts';

const workload = (kind: string, name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KObject =>
  obj({ apiVersion: 'apps/v1', kind, metadata: { name, ...metadata }, spec });
const template = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = podSpec()) => ({ metadata: { labels }, spec });
const selector = (labels: Record<string, string> = { app: 'web' }) => ({ matchLabels: labels });

/** The PodSpec defaults a template gets (no Pod-only enableServiceLinks). */
const DEFAULTED_TEMPLATE_SPEC = {
  containers: [
    { name: 'c', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
  ],
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

describe('apps/v1 strategies', () => {
  let cl: TestCluster;
  let deployments: Store;
  let replicaSets: Store;
  let statefulSets: Store;
  let daemonSets: Store;
  before(async () => {
    cl = await openCluster();
    deployments = cl.store('apps', 'deployments');
    replicaSets = cl.store('apps', 'replicasets');
    statefulSets = cl.store('apps', 'statefulsets');
    daemonSets = cl.store('apps', 'daemonsets');
  });
  after(async () => cl?.destroy());

  describe('Deployment', () => {
    it('defaults replicas, strategy, history, progress deadline and the pod template', async () => {
      const d = await deployments.create('default', workload('Deployment', 'web', { selector: selector(), template: template() }));
      assert.deepEqual(d.spec, {
        selector: selector(),
        template: { metadata: { labels: { app: 'web' } }, spec: DEFAULTED_TEMPLATE_SPEC },
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      });
      assert.deepEqual(d.status, {});
      assert.equal(d.metadata.generation, 1);
      const recreate = await deployments.create('default', workload('Deployment', 'rec', { selector: selector(), template: template(), strategy: { type: 'Recreate' } }));
      assert.deepEqual((recreate.spec as any).strategy, { type: 'Recreate' });
    });

    it('rejects invalid specs with upstream messages', async () => {
      await rejects422(
        deployments.create('default', workload('Deployment', 'neg', { replicas: -1, selector: selector(), template: template() })),
        'Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'nosel', { template: template() })),
        'Deployment.apps "nosel" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'emptysel', { selector: {}, template: template() })),
        'Deployment.apps "emptysel" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'mismatch', { selector: selector({ app: 'x' }), template: template({ app: 'y', tier: 'a' }) })),
        'Deployment.apps "mismatch" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"y", "tier":"a"}: `selector` does not match template `labels`',
      );
      await rejects422(
        deployments.create(
          'default',
          workload('Deployment', 'zero', { selector: selector(), template: template(), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
        ),
        'Deployment.apps "zero" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
      );
      await rejects422(
        deployments.create(
          'default',
          workload('Deployment', 'pct', { selector: selector(), template: template(), strategy: { rollingUpdate: { maxSurge: '20Percent', maxUnavailable: '110%' } } }),
        ),
        `Deployment.apps "pct" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: 20Percent: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 110%: must not be greater than 100%]`,
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'blue', { selector: selector(), template: template(), strategy: { type: 'BlueGreen' } })),
        'Deployment.apps "blue" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'never', { selector: selector(), template: template(undefined, podSpec({ restartPolicy: 'Never' })) })),
        'Deployment.apps "never" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'pds', { selector: selector(), template: template(), minReadySeconds: 30, progressDeadlineSeconds: 30 })),
        'Deployment.apps "pds" is invalid: spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds',
      );
      await rejects422(
        deployments.create('default', workload('Deployment', 'tpl', { selector: selector(), template: template({ app: 'web' }, { containers: [] }) })),
        'Deployment.apps "tpl" is invalid: spec.template.spec.containers: Required value',
      );
    });

    it('the selector is immutable; generation follows spec and annotation changes only', async () => {
      const created = await deployments.create('default', workload('Deployment', 'gen', { selector: selector(), template: template() }));
      const get = async () => structuredClone(await deployments.get('default', 'gen')) as any;
      // the same manifest again (not defaulted): nothing changes, no write
      const same = await deployments.update('default', 'gen', workload('Deployment', 'gen', { selector: selector(), template: template() }));
      assert.equal(same.object.metadata.resourceVersion, created.metadata.resourceVersion);
      let d = await get();
      d.metadata.labels = { team: 'a' };
      assert.equal((await deployments.update('default', 'gen', d)).object.metadata.generation, 1);
      d = await get();
      d.metadata.annotations = { note: 'x' };
      assert.equal((await deployments.update('default', 'gen', d)).object.metadata.generation, 2);
      d = await get();
      d.spec.replicas = 3;
      assert.equal((await deployments.update('default', 'gen', d)).object.metadata.generation, 3);
      d = await get();
      const status = await deployments.update('default', 'gen', { ...d, status: { replicas: 3 } }, { subresource: 'status' });
      assert.equal(status.object.metadata.generation, 3);
      d = await get();
      d.spec.selector = selector({ app: 'web2' });
      d.spec.template.metadata.labels = { app: 'web2' };
      await rejects422(
        deployments.update('default', 'gen', d),
        'Deployment.apps "gen" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      );
    });
  });

  describe('ReplicaSet', () => {
    it('defaults replicas, starts with status.replicas 0, keeps its selector', async () => {
      const rs = await replicaSets.create('default', workload('ReplicaSet', 'rs', { selector: selector(), template: template() }));
      assert.equal((rs.spec as any).replicas, 1);
      assert.deepEqual(rs.status, { replicas: 0 });
      const d = structuredClone(rs) as any;
      d.spec.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
      d.spec.template.metadata.labels.tier = 'front';
      await rejects422(
        replicaSets.update('default', 'rs', d),
        'ReplicaSet.apps "rs" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
      );
      await rejects422(
        replicaSets.create('default', workload('ReplicaSet', 'badop', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template: template() })),
        // (as upstream, the selector also fails to convert: two errors)
        "ReplicaSet.apps \"badop\" is invalid: [spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn', spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"In\", Values:[]string(nil)}}}: invalid label selector]",
      );
    });
  });

  describe('StatefulSet', () => {
    it('defaults policy, update strategy, retention, replicas, history and claim templates', async () => {
      const sts = await statefulSets.create(
        'default',
        workload('StatefulSet', 'db', {
          serviceName: 'db',
          selector: selector(),
          template: template(),
          volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
        }),
      );
      const spec = sts.spec as any;
      assert.equal(spec.podManagementPolicy, 'OrderedReady');
      assert.deepEqual(spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
      assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
      assert.equal(spec.replicas, 1);
      assert.equal(spec.revisionHistoryLimit, 10);
      assert.deepEqual(spec.volumeClaimTemplates[0], {
        metadata: { name: 'data' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      });
      assert.deepEqual(sts.status, { availableReplicas: 0, replicas: 0 });
    });

    it('names are DNS labels; only some spec fields may change', async () => {
      await rejects422(
        statefulSets.create('default', workload('StatefulSet', 'a.b', { selector: selector(), template: template() })),
        'StatefulSet.apps "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots',
      );
      await statefulSets.create('default', workload('StatefulSet', 'up', { serviceName: 'up', selector: selector(), template: template() }));
      const cur = structuredClone(await statefulSets.get('default', 'up')) as any;
      cur.spec.replicas = 3;
      cur.spec.template.spec.containers[0].image = 'busybox:1.37';
      await statefulSets.update('default', 'up', cur);
      const again = structuredClone(await statefulSets.get('default', 'up')) as any;
      again.spec.serviceName = 'other';
      await rejects422(
        statefulSets.update('default', 'up', again),
        "StatefulSet.apps \"up\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      );
    });
  });

  describe('DaemonSet', () => {
    it('defaults the rolling update, tracks the template generation, validates the strategy', async () => {
      const ds = await daemonSets.create('default', workload('DaemonSet', 'agent', { selector: selector(), template: template() }));
      assert.deepEqual((ds.spec as any).updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      assert.equal((ds.spec as any).revisionHistoryLimit, 10);
      assert.deepEqual(ds.status, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 });
      assert.equal(ds.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
      assert.equal(ds.metadata.generation, 1);
      const cur = structuredClone(ds) as any;
      cur.spec.template.spec.containers[0].image = 'busybox:1.37';
      const { object } = await daemonSets.update('default', 'agent', cur);
      assert.equal(object.metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
      assert.equal(object.metadata.generation, 2);
      await rejects422(
        daemonSets.create('default', workload('DaemonSet', 'both', { selector: selector(), template: template(), updateStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } })),
        'DaemonSet.apps "both" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero',
      );
      await rejects422(
        daemonSets.create('default', workload('DaemonSet', 'none', { selector: selector(), template: template(), updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } })),
        'DaemonSet.apps "none" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
      );
    });
  });

  it('ControllerRevision data is required and immutable', async () => {
    const revisions = cl.store('apps', 'controllerrevisions');
    await rejects422(
      revisions.create('default', obj({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r0' }, revision: 1 })),
      'ControllerRevision.apps "r0" is invalid: data: Required value: data is mandatory',
    );
    const r = await revisions.create('default', obj({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r1' }, revision: 1, data: { a: 1 } }));
    const s = await revisions.update('default', 'r1', { ...r, data: { a: 2 } }).catch((e) => e.status);
    assert.equal(s.code, 422);
    assert.match(s.message, /^ControllerRevision.apps "r1" is invalid: data: Invalid value: runtime.RawExtension\{.*\}: field is immutable$/);
  });
});
