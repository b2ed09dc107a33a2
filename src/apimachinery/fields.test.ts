import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FieldSelectorError,
  compileFieldSelector,
  convertFieldLabel,
  escapeFieldValue,
  fieldsOf,
  matchesFieldSelector,
  parseFieldSelector,
  selectableFieldLabels,
  unescapeFieldValue,
} from './fields.ts';

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FieldSelectorError);
    assert.equal(err.status, 400);
    return err.message;
  }
  assert.fail('expected a FieldSelectorError');
};

describe('parseFieldSelector', () => {
  test('operators, AND, sorting, empty terms', () => {
    assert.equal(parseFieldSelector('').toString(), '');
    assert.equal(parseFieldSelector('status.phase=Running').toString(), 'status.phase=Running');
    assert.equal(parseFieldSelector('status.phase==Running').toString(), 'status.phase=Running');
    assert.equal(parseFieldSelector('spec.nodeName!=n1,metadata.name=a').toString(), 'metadata.name=a,spec.nodeName!=n1');
    assert.equal(parseFieldSelector('a=b,,c=d').requirements.length, 2);
    assert.deepEqual(parseFieldSelector('a==b').requirements, [{ field: 'a', operator: '==', value: 'b' }]);
  });

  test('matching: a missing field reads as ""', () => {
    const fields = { 'status.phase': 'Running', 'spec.nodeName': '' };
    assert.equal(parseFieldSelector('status.phase=Running').matches(fields), true);
    assert.equal(parseFieldSelector('status.phase!=Running').matches(fields), false);
    assert.equal(parseFieldSelector('spec.nodeName=').matches(fields), true);
    assert.equal(parseFieldSelector('other=').matches(fields), true);
    assert.equal(parseFieldSelector('other!=x').matches(fields), true);
    assert.equal(parseFieldSelector('status.phase=Running,spec.nodeName=n').matches(fields), false);
  });

  test('escaping in values', () => {
    assert.equal(parseFieldSelector('a=x\\,y').requirements[0]!.value, 'x,y');
    assert.equal(parseFieldSelector('a=x\\=y\\\\z').requirements[0]!.value, 'x=y\\z');
    assert.equal(escapeFieldValue('a,b=c\\d'), 'a\\,b\\=c\\\\d');
    assert.equal(unescapeFieldValue(escapeFieldValue('a,b=c\\d')), 'a,b=c\\d');
    assert.equal(parseFieldSelector('a=x\\,y').toString(), 'a=x\\,y');
  });

  test('errors carry upstream wording', () => {
    assert.equal(errorOf(() => parseFieldSelector('abc')), "invalid selector: 'abc'; can't understand 'abc'");
    assert.equal(errorOf(() => parseFieldSelector('a=b,xyz')), "invalid selector: 'a=b,xyz'; can't understand 'xyz'");
    assert.equal(errorOf(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
    assert.equal(errorOf(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
    assert.equal(errorOf(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
  });

  test('the field name ends at the first operator', () => {
    assert.deepEqual(parseFieldSelector('a!=b').requirements, [{ field: 'a', operator: '!=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('a!b=c').requirements, [{ field: 'a!b', operator: '=', value: 'c' }]);
  });
});

describe('per-kind field labels', () => {
  test('pods', () => {
    for (const l of ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName', 'metadata.name', 'metadata.namespace']) {
      assert.equal(convertFieldLabel('', 'Pod', l), l);
    }
    assert.equal(convertFieldLabel('', 'Pod', 'spec.host'), 'spec.nodeName');
    assert.equal(errorOf(() => convertFieldLabel('', 'Pod', 'spec.containers')), 'field label not supported: spec.containers');
  });

  test('nodes and namespaces do not accept metadata.namespace', () => {
    assert.equal(convertFieldLabel('', 'Node', 'spec.unschedulable'), 'spec.unschedulable');
    assert.equal(errorOf(() => convertFieldLabel('', 'Node', 'metadata.namespace')), 'field label not supported: metadata.namespace');
    assert.equal(convertFieldLabel('', 'Namespace', 'status.phase'), 'status.phase');
    assert.equal(errorOf(() => convertFieldLabel('', 'Namespace', 'metadata.namespace')), 'field label not supported: metadata.namespace');
  });

  test('secrets, services, events', () => {
    assert.equal(convertFieldLabel('', 'Secret', 'type'), 'type');
    assert.equal(convertFieldLabel('', 'Service', 'spec.clusterIP'), 'spec.clusterIP');
    assert.equal(convertFieldLabel('', 'Service', 'spec.type'), 'spec.type');
    assert.equal(convertFieldLabel('', 'Event', 'involvedObject.name'), 'involvedObject.name');
    assert.equal(convertFieldLabel('', 'Event', 'reportingComponent'), 'reportingComponent');
    assert.equal(errorOf(() => convertFieldLabel('', 'Event', 'regarding.name')), 'field label not supported: regarding.name');
  });

  test('events.k8s.io maps its spellings onto the core fields', () => {
    assert.equal(convertFieldLabel('events.k8s.io', 'Event', 'regarding.kind'), 'involvedObject.kind');
    assert.equal(convertFieldLabel('events.k8s.io', 'Event', 'reportingController'), 'reportingComponent');
    assert.equal(convertFieldLabel('events.k8s.io', 'Event', 'type'), 'type');
    assert.equal(errorOf(() => convertFieldLabel('events.k8s.io', 'Event', 'involvedObject.kind')), 'field label not supported: involvedObject.kind');
  });

  test('jobs have their own wording', () => {
    assert.equal(convertFieldLabel('batch', 'Job', 'status.successful'), 'status.successful');
    assert.equal(errorOf(() => convertFieldLabel('batch', 'Job', 'status.active')), 'field label "status.active" not supported for batchv1.Job');
  });

  test('kinds without a conversion of their own accept only metadata.name and metadata.namespace', () => {
    assert.equal(convertFieldLabel('apps', 'Deployment', 'metadata.name'), 'metadata.name');
    assert.equal(convertFieldLabel('', 'ConfigMap', 'metadata.namespace'), 'metadata.namespace');
    assert.equal(
      errorOf(() => convertFieldLabel('networking.k8s.io', 'Ingress', 'foo.bar')),
      '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"',
    );
    assert.equal(errorOf(() => convertFieldLabel('apps', 'ReplicaSet', 'status.replicas')), '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  });

  test('selectableFieldLabels', () => {
    assert.deepEqual(selectableFieldLabels('apps', 'Deployment'), ['metadata.name', 'metadata.namespace']);
    assert.deepEqual(selectableFieldLabels('', 'Node'), ['metadata.name', 'spec.unschedulable']);
    assert.ok(selectableFieldLabels('events.k8s.io', 'Event').includes('regarding.name'));
  });
});

describe('fieldsOf and compiled selectors', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }, { ip: 'fd00::9' }], nominatedNodeName: '' },
  };

  test('pod fields', () => {
    assert.deepEqual(fieldsOf('', 'Pod', pod), {
      'metadata.name': 'web-1',
      'metadata.namespace': 'default',
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'sa',
      'spec.hostNetwork': 'true',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.9',
      'status.nominatedNodeName': '',
    });
    assert.equal(fieldsOf('', 'Pod', { metadata: { name: 'p' } })['spec.hostNetwork'], 'false');
  });

  test('compiled pod selectors, including the spec.host alias', () => {
    assert.equal(matchesFieldSelector(compileFieldSelector('', 'Pod', 'spec.host=n1'), '', 'Pod', pod), true);
    assert.equal(matchesFieldSelector(compileFieldSelector('', 'Pod', 'status.phase!=Running'), '', 'Pod', pod), false);
    assert.equal(matchesFieldSelector(compileFieldSelector('', 'Pod', 'spec.hostNetwork=true,metadata.namespace=default'), '', 'Pod', pod), true);
    assert.equal(matchesFieldSelector(compileFieldSelector('', 'Pod', 'spec.nodeName='), '', 'Pod', { metadata: { name: 'p' } }), true);
    assert.equal(errorOf(() => compileFieldSelector('', 'Pod', 'spec.bogus=1')), 'field label not supported: spec.bogus');
  });

  test('other kinds', () => {
    assert.deepEqual(fieldsOf('', 'Node', { metadata: { name: 'n' }, spec: { unschedulable: true } }), { 'metadata.name': 'n', 'spec.unschedulable': 'true' });
    assert.deepEqual(fieldsOf('', 'Namespace', { metadata: { name: 'ns' }, status: { phase: 'Active' } }), { 'metadata.name': 'ns', 'status.phase': 'Active' });
    assert.equal(fieldsOf('', 'Secret', { metadata: { name: 's' }, type: 'kubernetes.io/tls' }).type, 'kubernetes.io/tls');
    assert.equal(fieldsOf('batch', 'Job', { metadata: { name: 'j' }, status: { succeeded: 3 } })['status.successful'], '3');
    assert.deepEqual(fieldsOf('apps', 'Deployment', { metadata: { name: 'd', namespace: 'x' } }), { 'metadata.name': 'd', 'metadata.namespace': 'x' });
  });

  test('event source falls back to the reporting controller', () => {
    const core = fieldsOf('', 'Event', { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reportingComponent: 'kubelet', type: 'Warning' });
    assert.equal(core.source, 'kubelet');
    assert.equal(core['involvedObject.kind'], 'Pod');
    const v1 = fieldsOf('events.k8s.io', 'Event', { metadata: { name: 'e' }, regarding: { kind: 'Node', name: 'n1' }, reportingController: 'ctrl', reason: 'R' });
    assert.equal(v1['involvedObject.name'], 'n1');
    assert.equal(v1.reportingComponent, 'ctrl');
    assert.equal(v1.source, 'ctrl');
    const sel = compileFieldSelector('events.k8s.io', 'Event', 'regarding.name=n1,reason=R');
    assert.equal(matchesFieldSelector(sel, 'events.k8s.io', 'Event', { metadata: { name: 'e' }, regarding: { name: 'n1' }, reason: 'R' }), true);
  });
});
