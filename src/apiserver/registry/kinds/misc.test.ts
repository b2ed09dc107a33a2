import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { obj, openCluster, rejects422, type TestCluster } from './testkit.ts';

const backend = (name = 'web', port: Record<string, unknown> = { number: 80 }) => ({ service: { name, port } });

describe('networking, rbac, autoscaling, policy, coordination, discovery and events strategies', () => {
  let cl: TestCluster;
  before(async () => {
    cl = await openCluster();
  });
  after(async () => cl?.destroy());

  it('Ingress: pathType is required, a backend or rules must be given, paths are checked', async () => {
    const ingresses = cl.store('networking.k8s.io', 'ingresses');
    const ing = (name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
      obj({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...metadata }, spec });
    const ok = await ingresses.create('default', ing('web', { rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend() }] } }] }));
    assert.deepEqual(ok.status, { loadBalancer: {} });
    assert.equal(ok.metadata.generation, 1);
    await rejects422(
      ingresses.create('default', ing('nopt', { rules: [{ http: { paths: [{ path: '/', backend: backend() }] } }] })),
      'Ingress.networking.k8s.io "nopt" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    );
    await rejects422(
      ingresses.create('default', ing('empty', {})),
      'Ingress.networking.k8s.io "empty" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    );
    await rejects422(
      ingresses.create('default', ing('rel', { rules: [{ host: '10.0.0.1', http: { paths: [{ path: 'shop', pathType: 'Exact', backend: backend('web', {}) }] } }] })),
      'Ingress.networking.k8s.io "rel" is invalid: [spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address, spec.rules[0].http.paths[0].path: Invalid value: "shop": must be an absolute path, spec.rules[0].http.paths[0].backend: Required value: port name or number is required]',
    );
    await rejects422(
      ingresses.create('default', ing('cls', { ingressClassName: 'nginx', defaultBackend: backend() }, { annotations: { 'kubernetes.io/ingress.class': 'traefik' } })),
      'Ingress.networking.k8s.io "cls" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
    );
  });

  it('IngressClass: a domain-prefixed, immutable controller; parameters scope defaults to Cluster', async () => {
    const classes = cl.store('networking.k8s.io', 'ingressclasses');
    const ic = await classes.create(
      undefined,
      obj({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller', parameters: { kind: 'Config', name: 'c' } } }),
    );
    assert.deepEqual((ic.spec as any).parameters, { kind: 'Config', name: 'c', scope: 'Cluster' });
    await rejects422(
      classes.update(undefined, 'traefik', { ...ic, spec: { controller: 'example.com/other' } }),
      'IngressClass.networking.k8s.io "traefik" is invalid: spec.controller: Invalid value: "example.com/other": field is immutable',
    );
    await rejects422(
      classes.create(undefined, obj({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'x' }, spec: { controller: 'nginx' } })),
      'IngressClass.networking.k8s.io "x" is invalid: spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
    );
  });

  it('NetworkPolicy: policyTypes and port protocols default', async () => {
    const policies = cl.store('networking.k8s.io', 'networkpolicies');
    const np = await policies.create(
      'default',
      obj({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } }),
    );
    assert.deepEqual((np.spec as any).policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual((np.spec as any).egress[0].ports, [{ port: 53, protocol: 'TCP' }]);
  });

  it('RBAC: rules need verbs; bindings default their API groups and keep their roleRef', async () => {
    const roles = cl.store('rbac.authorization.k8s.io', 'roles');
    await rejects422(
      roles.create('default', obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['pods'] }] })),
      'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value',
    );
    await rejects422(
      roles.create('default', obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'u' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] })),
      'Role.rbac.authorization.k8s.io "u" is invalid: rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    );
    const bindings = cl.store('rbac.authorization.k8s.io', 'rolebindings');
    const rb = await bindings.create(
      'default',
      obj({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb' },
        roleRef: { kind: 'Role', name: 'reader' },
        subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'default' }],
      }),
    );
    assert.deepEqual(rb.roleRef, { kind: 'Role', name: 'reader', apiGroup: 'rbac.authorization.k8s.io' });
    assert.deepEqual(rb.subjects, [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'default' }]);
    await rejects422(
      bindings.update('default', 'rb', { ...rb, roleRef: { kind: 'ClusterRole', name: 'admin', apiGroup: 'rbac.authorization.k8s.io' } }),
      'RoleBinding.rbac.authorization.k8s.io "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef',
    );
    const crbs = cl.store('rbac.authorization.k8s.io', 'clusterrolebindings');
    await rejects422(
      crbs.create(undefined, obj({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'c' }, roleRef: { kind: 'Role', name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] })),
      'ClusterRoleBinding.rbac.authorization.k8s.io "c" is invalid: [roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole", subjects[0].namespace: Required value]',
    );
  });

  it('HorizontalPodAutoscaler: minReplicas 1 and the CPU metric by default; replicas are checked', async () => {
    const hpas = cl.store('autoscaling', 'horizontalpodautoscalers');
    const hpa = (name: string, spec: Record<string, unknown>) => obj({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name }, spec });
    const h = await hpas.create('default', hpa('web', { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } }));
    const spec = h.spec as any;
    assert.equal(spec.minReplicas, 1);
    assert.deepEqual(spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.deepEqual(spec.behavior.scaleDown, { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 });
    assert.deepEqual(spec.behavior.scaleUp.policies, [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]);
    assert.deepEqual(h.status, { desiredReplicas: 0 });
    await rejects422(
      hpas.create('default', hpa('bad', { scaleTargetRef: { kind: 'Deployment' }, minReplicas: 3, maxReplicas: 2 })),
      'HorizontalPodAutoscaler.autoscaling "bad" is invalid: [spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`, spec.scaleTargetRef.name: Required value]',
    );
  });

  it('PodDisruptionBudget, Lease, EndpointSlice and events', async () => {
    const pdbs = cl.store('policy', 'poddisruptionbudgets');
    const pdb = await pdbs.create('default', obj({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } }));
    assert.deepEqual(pdb.status, { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 });
    const both = await cl
      .store('policy', 'poddisruptionbudgets')
      .create('default', obj({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'q' }, spec: { minAvailable: 1, maxUnavailable: 1 } }))
      .catch((e) => e.status);
    assert.equal(both.code, 422);
    assert.match(both.message, /^PodDisruptionBudget\.policy "q" is invalid: spec: Invalid value: policy\.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/);

    // PUT creates a missing Lease (AllowCreateOnUpdate), not a missing ConfigMap
    const leases = cl.store('coordination.k8s.io', 'leases');
    const put = await leases.update('default', 'leader', obj({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader' }, spec: { holderIdentity: 'a' } }));
    assert.equal(put.created, true);
    const missing = await cl
      .store('', 'configmaps')
      .update('default', 'nope', obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nope' } }))
      .catch((e) => e.status);
    assert.equal(missing.code, 404);
    await rejects422(
      cl.store('coordination.k8s.io', 'leases').create('default', obj({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } })),
      'Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );

    const slices = cl.store('discovery.k8s.io', 'endpointslices');
    const slice = await slices.create(
      'default',
      obj({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'] }], ports: [{ port: 80 }] }),
    );
    assert.deepEqual((slice as any).ports, [{ port: 80, name: '', protocol: 'TCP' }]);
    await rejects422(
      slices.update('default', 'web-abc', { ...slice, addressType: 'IPv6', endpoints: [{ addresses: ['fd00::5'] }] }),
      'EndpointSlice.discovery.k8s.io "web-abc" is invalid: addressType: Invalid value: "IPv6": field is immutable',
    );
    await rejects422(
      slices.create('default', obj({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x' }, addressType: 'IPv5', endpoints: [] })),
      'EndpointSlice.discovery.k8s.io "x" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    );

    const events = cl.store('', 'events');
    await events.create('default', obj({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started' }));
    await rejects422(
      events.create('default', obj({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e2' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } })),
      'Event "e2" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    );
  });
});
