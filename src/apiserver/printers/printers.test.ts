import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RESOURCES } from '../../apimachinery/resources.ts';
import { hasTablePrinter, printRow, tableColumns, tableRow } from './index.ts';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CREATED = ago(5 * DAY);

const names = (group: string, kind: string) => tableColumns(group, kind).map((c) => c.name);
const narrow = (group: string, kind: string) => tableColumns(group, kind).filter((c) => c.priority === 0).map((c) => c.name);
const row = (group: string, kind: string, o: unknown) => tableRow(group, kind, o, { now: NOW });
/** the default (non-wide) cells */
const cells = (group: string, kind: string, o: unknown) => {
  const cols = tableColumns(group, kind);
  return row(group, kind, o).filter((_, i) => cols[i]!.priority === 0);
};

describe('every served kind', () => {
  test('has columns, one cell per column, and a name column', () => {
    for (const r of RESOURCES) {
      const cols = tableColumns(r.group, r.kind);
      const o = { metadata: { name: 'x', namespace: 'default', creationTimestamp: CREATED } };
      assert.equal(row(r.group, r.kind, o).length, cols.length, `${r.group}/${r.kind}`);
      assert.ok(cols.some((c) => c.name === 'Name' && c.format === 'name'), `${r.group}/${r.kind} has a Name column`);
      for (const c of cols) {
        assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
        assert.ok(c.priority === 0 || c.priority === 1);
      }
    }
  });

  test('kinds upstream prints with its default table get NAME / CREATED AT', () => {
    for (const [group, kind] of [['', 'LimitRange'], ['rbac.authorization.k8s.io', 'Role'], ['rbac.authorization.k8s.io', 'ClusterRole']] as const) {
      assert.deepEqual(tableColumns(group, kind), [
        { name: 'Name', type: 'string', format: 'name', description: "The object's name, unique within its namespace.", priority: 0 },
        { name: 'Created At', type: 'date', format: '', description: 'When the object was created.', priority: 0 },
      ]);
      assert.equal(hasTablePrinter(group, kind), false);
    }
    assert.deepEqual(row('rbac.authorization.k8s.io', 'Role', { metadata: { name: 'r', creationTimestamp: '2024-04-26T12:00:00.250Z' } }), ['r', '2024-04-26T12:00:00Z']);
    assert.deepEqual(row('', 'LimitRange', { metadata: { name: 'l' } }), ['l', '0001-01-01T00:00:00Z']);
  });

  test('unknown kinds fall back to NAME / AGE', () => {
    assert.deepEqual(names('example.com', 'Widget'), ['Name', 'Age']);
    assert.deepEqual(row('example.com', 'Widget', { metadata: { name: 'w', creationTimestamp: CREATED } }), ['w', '5d']);
  });
});

describe('pods', () => {
  const pod = (status: object, spec: object = { containers: [{}, {}] }, metadata: object = {}) => ({
    metadata: { name: 'p', creationTimestamp: CREATED, ...metadata },
    spec,
    status,
  });
  const podCells = (o: unknown) => cells('', 'Pod', o);

  test('columns', () => {
    assert.deepEqual(names('', 'Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    assert.deepEqual(narrow('', 'Pod'), ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.equal(tableColumns('', 'Pod')[3]!.type, 'string');
  });

  test('ready count, phase, restarts', () => {
    const running = { state: { running: {} } };
    assert.deepEqual(podCells(pod({ phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, ...running }, { restartCount: 3 }] })), ['p', '1/2', 'podPhase', '6', '5d']);
    assert.deepEqual(
      podCells(pod({ phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, ...running }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }] })),
      ['p', '1/2', 'ContainerWaitingReason', '6', '5d'],
    );
    assert.deepEqual(podCells(pod({ reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, ...running }, { ready: true }] })), ['p', '1/2', 'podReason', '0', '5d']);
  });

  test('a completed container next to a running one: NotReady or Running by the Ready condition', () => {
    const statuses = [
      { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
      { ready: true, restartCount: 3, state: { running: {} } },
    ];
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: statuses }))[2], 'NotReady');
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }))[2], 'Running');
  });

  test('terminated without a reason: Signal / ExitCode', () => {
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 2 } } }] }))[2], 'ExitCode:2');
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }] }))[2], 'Signal:9');
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: [{ state: { waiting: { reason: 'CrashLoopBackOff' } } }] }))[2], 'CrashLoopBackOff');
    assert.equal(podCells(pod({ phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }] }))[2], 'ContainerCreating');
  });

  test('init containers', () => {
    const restarting = { restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: ago(10 * SEC) } } };
    const waiting = { state: { waiting: {} } };
    assert.deepEqual(podCells(pod({ phase: 'podPhase', initContainerStatuses: [restarting], containerStatuses: [waiting] }, { initContainers: [{}], containers: [{}] })), [
      'p',
      '0/1',
      'Init:0/1',
      '3 (10s ago)',
      '5d',
    ]);
    assert.deepEqual(
      podCells(pod({ phase: 'podPhase', initContainerStatuses: [{ state: { terminated: {} } }, restarting], containerStatuses: [waiting] }, { initContainers: [{}, {}], containers: [{}] })),
      ['p', '0/1', 'Init:1/2', '3 (10s ago)', '5d'],
    );
    const doneWithRestarts = { restartCount: 2, state: { terminated: {} }, lastState: { terminated: { finishedAt: ago(2 * MIN) } } };
    assert.deepEqual(
      podCells(pod({ phase: 'podPhase', initContainerStatuses: [doneWithRestarts, restarting], containerStatuses: [waiting] }, { initContainers: [{}, {}], containers: [{}] })),
      ['p', '0/1', 'Init:1/2', '5 (10s ago)', '5d'],
    );
    // once initialized, only the app containers' restarts count
    assert.deepEqual(
      podCells(
        pod(
          {
            phase: 'Running',
            initContainerStatuses: [doneWithRestarts],
            containerStatuses: [{ restartCount: 4, state: { running: {} }, lastState: { terminated: { finishedAt: ago(20 * SEC) } } }],
          },
          { initContainers: [{}], containers: [{}] },
        ),
      ),
      ['p', '0/1', 'Running', '4 (20s ago)', '5d'],
    );
    assert.equal(podCells(pod({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, { initContainers: [{}], containers: [{}] }))[2], 'Init:Error');
    assert.equal(podCells(pod({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }, { initContainers: [{}], containers: [{}] }))[2], 'Init:ExitCode:3');
    assert.equal(
      podCells(pod({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] }, { initContainers: [{}], containers: [{}] }))[2],
      'Init:ImagePullBackOff',
    );
    assert.equal(
      podCells(pod({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] }, { initContainers: [{}], containers: [{}] }))[2],
      'Init:0/1',
    );
  });

  test('restartable init containers (sidecars) count as containers', () => {
    const spec = { initContainers: [{ name: 'sidecar', restartPolicy: 'Always' }], containers: [{ name: 'app' }] };
    const status = {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'sidecar', ready: true, started: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(3 * MIN) } } }],
      containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }],
    };
    assert.deepEqual(podCells(pod(status, spec)), ['p', '2/2', 'Running', '2 (3m ago)', '5d']);
  });

  test('restarts several days ago; the latest restart wins', () => {
    const c = (n: number, when: number) => ({ ready: true, restartCount: n, state: { running: {} }, lastState: { terminated: { finishedAt: ago(when) } } });
    assert.deepEqual(podCells(pod({ phase: 'Running', containerStatuses: [c(6, 5 * DAY), c(3, 20 * DAY)] })), ['p', '2/2', 'Running', '9 (5d ago)', '5d']);
  });

  test('SchedulingGated, Completed, Error, Terminating, Unknown', () => {
    assert.equal(podCells(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }))[2], 'SchedulingGated');
    const succeeded = printRow('', 'Pod', pod({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }, { containers: [{}] }), { now: NOW });
    assert.equal(succeeded.cells[2], 'Completed');
    assert.deepEqual(succeeded.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const failed = printRow('', 'Pod', pod({ phase: 'Failed', containerStatuses: [{ state: { terminated: { reason: 'Error', exitCode: 1 } } }] }, { containers: [{}] }), { now: NOW });
    assert.equal(failed.cells[2], 'Error');
    assert.deepEqual(failed.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
    assert.equal(printRow('', 'Pod', pod({ phase: 'Running' }), { now: NOW }).conditions, undefined);
    const deleting = { deletionTimestamp: ago(10 * SEC) };
    assert.equal(podCells(pod({ phase: 'Running', containerStatuses: [{ state: { running: {} } }] }, { containers: [{}] }, deleting))[2], 'Terminating');
    assert.equal(podCells(pod({ phase: 'Pending' }, { containers: [{}] }, deleting))[2], 'Terminating');
    assert.equal(podCells(pod({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed' } } }] }, { containers: [{}] }, deleting))[2], 'Completed');
    assert.equal(podCells(pod({ phase: 'Running', reason: 'NodeLost' }, { containers: [{}] }, deleting))[2], 'Unknown');
  });

  test('wide cells: IP, node, nominated node, readiness gates', () => {
    const o = pod(
      { phase: 'Running', podIP: '10.1.2.3', podIPs: [{ ip: '10.1.2.3' }, { ip: 'fd00::3' }], conditions: [{ type: 'example.com/gate', status: 'True' }] },
      { containers: [{}], nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/gate' }, { conditionType: 'other' }] },
    );
    assert.deepEqual(row('', 'Pod', o).slice(5), ['10.1.2.3', 'node-1', '<none>', '1/2']);
    assert.deepEqual(row('', 'Pod', pod({ phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
    assert.deepEqual(row('', 'Pod', pod({ phase: 'Pending', podIP: '10.9.9.9', nominatedNodeName: 'n2' })).slice(5), ['10.9.9.9', '<none>', 'n2', '<none>']);
  });
});

describe('workloads', () => {
  const meta = { name: 'web', namespace: 'default', creationTimestamp: CREATED };
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

  test('deployments', () => {
    assert.deepEqual(names('apps', 'Deployment'), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    const d = { metadata: meta, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
    assert.deepEqual(row('apps', 'Deployment', d), ['web', '2/3', 3, 2, '5d', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
    assert.deepEqual(row('apps', 'Deployment', { metadata: meta, spec: { template: { spec: {} } } }).slice(1, 4), ['0/1', 0, 0]);
    assert.equal(row('apps', 'Deployment', { metadata: meta, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] } } })[7], '<invalid>');
    assert.equal(row('apps', 'Deployment', { metadata: meta, spec: {} })[7], '');
  });

  test('replicasets, statefulsets, daemonsets', () => {
    assert.deepEqual(names('apps', 'ReplicaSet'), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
    assert.deepEqual(row('apps', 'ReplicaSet', { metadata: meta, spec: { replicas: 2, selector: { matchLabels: { app: 'web', h: '1' } }, template }, status: { replicas: 2, readyReplicas: 1 } }), [
      'web', 2, 2, 1, '5d', 'nginx,side', 'nginx:1.25,busybox', 'app=web,h=1',
    ]);
    assert.deepEqual(names('apps', 'StatefulSet'), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    assert.deepEqual(row('apps', 'StatefulSet', { metadata: meta, spec: { replicas: 3, template }, status: { readyReplicas: 1 } }), ['web', '1/3', '5d', 'nginx,side', 'nginx:1.25,busybox']);
    assert.deepEqual(names('apps', 'DaemonSet'), ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector']);
    const ds = {
      metadata: meta,
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    };
    assert.deepEqual(row('apps', 'DaemonSet', ds), ['web', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5d', 'a', 'agent:1', 'app=agent']);
    assert.equal(row('apps', 'DaemonSet', { metadata: meta, spec: {} })[6], '<none>');
  });

  test('controller revisions', () => {
    assert.deepEqual(names('apps', 'ControllerRevision'), ['Name', 'Controller', 'Revision', 'Age']);
    const cr = { metadata: { ...meta, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true }] }, revision: 4 };
    assert.deepEqual(row('apps', 'ControllerRevision', cr), ['web', 'statefulset.apps/db', 4, '5d']);
    assert.equal(row('apps', 'ControllerRevision', { metadata: meta })[1], '<none>');
  });

  test('jobs', () => {
    assert.deepEqual(names('batch', 'Job'), ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector']);
    const job = (spec: object, status: object, extraMeta: object = {}) => ({ metadata: { ...meta, ...extraMeta }, spec: { template, ...spec }, status });
    assert.deepEqual(
      row('batch', 'Job', job({ completions: 3, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } }, { succeeded: 1, startTime: ago(90 * SEC) })),
      ['web', 'Running', '1/3', '90s', '5d', 'nginx,side', 'nginx:1.25,busybox', 'batch.kubernetes.io/controller-uid=u'],
    );
    const complete = job({ completions: 1 }, { succeeded: 1, startTime: ago(10 * MIN), completionTime: ago(7 * MIN), conditions: [{ type: 'Complete', status: 'True' }] });
    assert.deepEqual(row('batch', 'Job', complete).slice(1, 4), ['Complete', '1/1', '3m']);
    assert.deepEqual(row('batch', 'Job', job({ parallelism: 2 }, {})).slice(1, 4), ['Running', '0/1 of 2', '']);
    assert.equal(row('batch', 'Job', job({}, { conditions: [{ type: 'Failed', status: 'True' }] }))[1], 'Failed');
    assert.equal(row('batch', 'Job', job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }))[1], 'Suspended');
    assert.equal(row('batch', 'Job', job({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] }))[1], 'FailureTarget');
    assert.equal(row('batch', 'Job', job({}, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(1) }))[1], 'Terminating');
  });

  test('cronjobs', () => {
    assert.deepEqual(names('batch', 'CronJob'), ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector']);
    const cj = {
      metadata: meta,
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'web-1' }], lastScheduleTime: ago(4 * MIN) },
    };
    assert.deepEqual(row('batch', 'CronJob', cj), ['web', '*/5 * * * *', '<none>', 'False', 1, '4m', '5d', 'nginx,side', 'nginx:1.25,busybox', '<none>']);
    assert.deepEqual(row('batch', 'CronJob', { metadata: meta, spec: { schedule: '@daily', timeZone: 'Etc/UTC', suspend: true } }).slice(2, 6), ['Etc/UTC', 'True', 0, '<none>']);
  });

  test('horizontal pod autoscalers', () => {
    assert.deepEqual(names('autoscaling', 'HorizontalPodAutoscaler'), ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    const hpa = {
      metadata: meta,
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
          { type: 'Pods', pods: { target: { averageValue: '1k' } } },
        ],
      },
      status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
    };
    assert.deepEqual(row('autoscaling', 'HorizontalPodAutoscaler', hpa), ['web', 'Deployment/web', 'cpu: 45%/80%, memory: <unknown>/100Mi + 1 more...', '2', 10, 3, '5d']);
    assert.equal(row('autoscaling', 'HorizontalPodAutoscaler', { metadata: meta, spec: { scaleTargetRef: {} } })[2], '<none>');
    const external = {
      metadata: meta,
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'w' }, maxReplicas: 1, metrics: [{ type: 'External', external: { target: { averageValue: '30' } } }, { type: 'Resource', resource: { name: 'cpu', target: {} } }] },
      status: { currentMetrics: [{ type: 'External', external: { current: { averageValue: '12' } } }] },
    };
    assert.equal(row('autoscaling', 'HorizontalPodAutoscaler', external)[2], '12/30 (avg), cpu: <unknown>/<auto>');
  });

  test('pod disruption budgets', () => {
    assert.deepEqual(names('policy', 'PodDisruptionBudget'), ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }), ['web', '2', 'N/A', 1, '5d']);
    assert.deepEqual(row('policy', 'PodDisruptionBudget', { metadata: meta, spec: { maxUnavailable: '25%' } }), ['web', 'N/A', '25%', 0, '5d']);
  });
});

describe('core kinds', () => {
  const meta = { name: 'x', namespace: 'default', creationTimestamp: CREATED };

  test('services', () => {
    assert.deepEqual(names('', 'Service'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    const svc = (spec: object, status: object = {}) => ({ metadata: meta, spec, status });
    assert.deepEqual(row('', 'Service', svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { k8s: 'dns' } })), [
      'x', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '5d', 'k8s=dns',
    ]);
    assert.deepEqual(row('', 'Service', svc({ type: 'NodePort', clusterIPs: ['10.0.0.1'], externalIPs: ['1.2.3.4'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] })).slice(1, 7), [
      'NodePort', '10.0.0.1', '1.2.3.4', '80:30080/TCP', '5d', '<none>',
    ]);
    assert.equal(row('', 'Service', svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.2'] }))[3], '<pending>');
    assert.equal(row('', 'Service', svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }, { ip: '5.6.7.8' }] } }))[3], '5.6.7.8,lb.example.com');
    assert.equal(row('', 'Service', svc({ type: 'LoadBalancer', externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } }))[3], '5.6.7.8,9.9.9.9');
    assert.deepEqual(row('', 'Service', svc({ type: 'ExternalName', externalName: 'db.example.com' })).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
    assert.equal(row('', 'Service', svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }))[2], 'None');
  });

  test('endpoints', () => {
    assert.deepEqual(row('', 'Endpoints', { metadata: meta }), ['x', '<none>', '5d']);
    const ep = { metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::1' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] };
    assert.equal(row('', 'Endpoints', ep)[1], '10.0.0.1:80,10.0.0.2:80,[fd00::1]:80 + 1 more...');
    assert.equal(row('', 'Endpoints', { metadata: meta, subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] })[1], '10.0.0.1');
  });

  test('configmaps, secrets, service accounts, namespaces', () => {
    assert.deepEqual(row('', 'ConfigMap', { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), ['x', 3, '5d']);
    assert.deepEqual(names('', 'Secret'), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(row('', 'Secret', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }), ['x', 'kubernetes.io/tls', 2, '5d']);
    assert.deepEqual(row('', 'ServiceAccount', { metadata: meta, secrets: [{ name: 's' }] }), ['x', 1, '5d']);
    assert.deepEqual(row('', 'Namespace', { metadata: meta, status: { phase: 'Terminating' } }), ['x', 'Terminating', '5d']);
  });

  test('nodes', () => {
    assert.deepEqual(names('', 'Node'), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
    const node = {
      metadata: { name: 'n1', creationTimestamp: CREATED, labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'worker' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
        nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
      },
    };
    assert.deepEqual(row('', 'Node', node), ['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '5d', 'v1.30.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12', '6.1.0', 'containerd://1.7.0']);
    assert.deepEqual(row('', 'Node', { metadata: { name: 'n2' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }), [
      'n2', 'NotReady', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>',
    ]);
    assert.equal(row('', 'Node', { metadata: { name: 'n3' } })[1], 'Unknown');
  });

  test('persistent volumes and claims', () => {
    assert.deepEqual(names('', 'PersistentVolume'), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
    const pv = {
      metadata: meta,
      spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'fast', volumeMode: 'Filesystem' },
      status: { phase: 'Bound' },
    };
    assert.deepEqual(row('', 'PersistentVolume', pv), ['x', '10Gi', 'RWO,RWX', 'Delete', 'Bound', 'default/data', 'fast', '<unset>', '', '5d', 'Filesystem']);
    assert.equal(row('', 'PersistentVolume', { ...pv, metadata: { ...meta, deletionTimestamp: ago(1), annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } } })[4], 'Terminating');
    assert.equal(row('', 'PersistentVolume', { ...pv, metadata: { ...meta, annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } } })[6], 'old');
    assert.deepEqual(names('', 'PersistentVolumeClaim'), ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    const pvc = { metadata: meta, spec: { volumeName: 'pv-1', storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] } };
    assert.deepEqual(row('', 'PersistentVolumeClaim', pvc), ['x', 'Bound', 'pv-1', '10Gi', 'RWO', 'fast', '<unset>', '5d', 'Filesystem']);
    assert.deepEqual(row('', 'PersistentVolumeClaim', { metadata: meta, spec: {}, status: { phase: 'Pending' } }).slice(1, 6), ['Pending', '', '', '', '']);
  });

  test('resource quotas', () => {
    const rq = { metadata: meta, status: { hard: { pods: '10', 'limits.cpu': '4', 'requests.cpu': '2' }, used: { pods: '3', 'requests.cpu': '500m' } } };
    assert.deepEqual(row('', 'ResourceQuota', rq), ['x', 'pods: 3/10, requests.cpu: 500m/2', 'limits.cpu: 0/4', '5d']);
  });

  test('core events', () => {
    assert.deepEqual(names('', 'Event'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
    assert.deepEqual(narrow('', 'Event'), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    const ev = {
      metadata: { name: 'web.17c', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{nginx}' },
      reason: 'Pulled',
      message: '  Successfully pulled image\n',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(10 * MIN),
      lastTimestamp: ago(2 * MIN),
      count: 4,
      type: 'Normal',
    };
    assert.deepEqual(row('', 'Event', ev), ['2m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, n1', 'Successfully pulled image', '10m', 4, 'web.17c']);
    const newApi = { metadata: { name: 'e' }, involvedObject: { kind: 'Node' }, eventTime: ago(30 * SEC), reportingComponent: 'ctrl', reportingInstance: 'ctrl-1', type: 'Warning', reason: 'R' };
    assert.deepEqual(row('', 'Event', newApi), ['30s', 'Warning', 'R', 'node', '', 'ctrl, ctrl-1', '', '30s', 1, 'e']);
    const series = { ...newApi, series: { count: 7, lastObservedTime: ago(5 * SEC) } };
    assert.deepEqual(row('', 'Event', series).slice(0, 1).concat(row('', 'Event', series)[8]), ['5s', 7]);
  });
});

describe('networking, discovery, coordination, events.k8s.io, rbac', () => {
  const meta = { name: 'x', namespace: 'default', creationTimestamp: CREATED };

  test('ingresses and classes', () => {
    assert.deepEqual(names('networking.k8s.io', 'Ingress'), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    const ing = {
      metadata: meta,
      spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, {}, { host: 'b.example.com' }, { host: 'c.example.com' }, { host: 'd.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.100' }] } },
    };
    assert.deepEqual(row('networking.k8s.io', 'Ingress', ing), ['x', 'nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '10.0.0.100', '80, 443', '5d']);
    assert.deepEqual(row('networking.k8s.io', 'Ingress', { metadata: meta, spec: {} }), ['x', '<none>', '*', '', '80', '5d']);
    assert.deepEqual(row('networking.k8s.io', 'IngressClass', { metadata: meta, spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }), [
      'x', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '5d',
    ]);
    assert.deepEqual(row('networking.k8s.io', 'IngressClass', { metadata: meta, spec: { controller: 'c' } })[2], '<none>');
  });

  test('network policies', () => {
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta, spec: { podSelector: {} } }), ['x', '<none>', '5d']);
    assert.deepEqual(row('networking.k8s.io', 'NetworkPolicy', { metadata: meta, spec: { podSelector: { matchLabels: { role: 'db' } } } }), ['x', 'role=db', '5d']);
  });

  test('endpoint slices', () => {
    assert.deepEqual(names('discovery.k8s.io', 'EndpointSlice'), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    const es = { metadata: meta, addressType: 'IPv4', ports: [{ port: 80 }, { name: 'metrics' }, {}], endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4'] }] };
    assert.deepEqual(row('discovery.k8s.io', 'EndpointSlice', es), ['x', 'IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '5d']);
    assert.deepEqual(row('discovery.k8s.io', 'EndpointSlice', { metadata: meta, addressType: 'IPv6' }).slice(2, 4), ['<unset>', '<unset>']);
  });

  test('leases', () => {
    assert.deepEqual(row('coordination.k8s.io', 'Lease', { metadata: meta, spec: { holderIdentity: 'node-1' } }), ['x', 'node-1', '5d']);
  });

  test('events.k8s.io events print through the core event', () => {
    assert.deepEqual(names('events.k8s.io', 'Event'), names('', 'Event'));
    const ev = {
      metadata: { name: 'e1' },
      regarding: { kind: 'Deployment', name: 'web' },
      reason: 'ScalingReplicaSet',
      note: 'Scaled up',
      type: 'Normal',
      eventTime: ago(70 * SEC),
      reportingController: 'deployment-controller',
      reportingInstance: '',
      deprecatedCount: 2,
      deprecatedFirstTimestamp: ago(3 * MIN),
      deprecatedLastTimestamp: ago(1 * MIN),
    };
    assert.deepEqual(row('events.k8s.io', 'Event', ev), ['60s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up', '3m', 2, 'e1']);
  });

  test('role bindings', () => {
    assert.deepEqual(names('rbac.authorization.k8s.io', 'RoleBinding'), ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
    const rb = {
      metadata: meta,
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
      ],
    };
    assert.deepEqual(row('rbac.authorization.k8s.io', 'RoleBinding', rb), ['x', 'ClusterRole/view', '5d', 'alice, bob', 'devs', 'ci/builder']);
    assert.deepEqual(row('rbac.authorization.k8s.io', 'ClusterRoleBinding', { metadata: meta, roleRef: { kind: 'ClusterRole', name: 'admin' } }), ['x', 'ClusterRole/admin', '5d', '', '', '']);
  });
});
