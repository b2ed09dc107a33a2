import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store.ts';
import { obj, openCluster, rejects422, statusOf, type TestCluster } from './testkit.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('core/v1 strategies', () => {
  let cl: TestCluster;
  before(async () => {
    cl = await openCluster();
  });
  after(async () => cl?.destroy());

  describe('ConfigMap', () => {
    let cms: Store;
    before(() => {
      cms = cl.store('', 'configmaps');
    });
    const cm = (name: string, body: Record<string, unknown>) => obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, ...body });

    it('validates keys, duplicates and size', async () => {
      await rejects422(
        cms.create('default', cm('keys', { data: { 'bad key': 'x', '..': 'y' } })),
        `ConfigMap "keys" is invalid: [data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'), data[..]: Invalid value: "..": must not be '..']`,
      );
      await rejects422(
        cms.create('default', cm('dup', { data: { a: 'x' }, binaryData: { a: b64('y') } })),
        'ConfigMap "dup" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData',
      );
      await rejects422(
        cms.create('default', cm('big', { data: { a: 'x'.repeat(600 * 1024), b: 'y'.repeat(600 * 1024) } })),
        'ConfigMap "big" is invalid: : Too long: must have at most 1048576 bytes',
      );
      const bad = await statusOf(cms.create('default', cm('b64', { binaryData: { a: 'ab$d' } })));
      assert.equal(bad.code, 400);
      assert.equal(bad.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 2');
    });

    it('an immutable ConfigMap keeps its content', async () => {
      const frozen = await cms.create('default', cm('frozen', { data: { a: '1' }, immutable: true }));
      await rejects422(
        cms.update('default', 'frozen', { ...frozen, data: { a: '2' } }),
        'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
      );
      await rejects422(
        cms.update('default', 'frozen', { ...frozen, immutable: false }),
        'ConfigMap "frozen" is invalid: immutable: Forbidden: field is immutable when `immutable` is set',
      );
      const { object } = await cms.update('default', 'frozen', { ...frozen, metadata: { ...frozen.metadata, labels: { a: 'b' } } });
      assert.deepEqual(object.metadata.labels, { a: 'b' });
      const thawed = await cms.create('default', cm('thawed', { data: { a: '1' } }));
      await cms.update('default', 'thawed', { ...thawed, data: { a: '2' } });
    });
  });

  describe('Secret', () => {
    let secrets: Store;
    before(() => {
      secrets = cl.store('', 'secrets');
    });
    const secret = (name: string, body: Record<string, unknown>) => obj({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, ...body });

    it('defaults the type and merges stringData into data', async () => {
      const s = await secrets.create('default', secret('creds', { data: { user: b64('admin'), password: b64('old') }, stringData: { password: 'hunter2' } }));
      assert.equal(s.type, 'Opaque');
      assert.deepEqual(s.data, { user: b64('admin'), password: b64('hunter2') });
      assert.equal(s.stringData, undefined);
    });

    it('validates per type; the type and immutable content cannot change', async () => {
      await rejects422(
        secrets.create('default', secret('tls', { type: 'kubernetes.io/tls', data: {} })),
        'Secret "tls" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
      );
      await rejects422(
        secrets.create('default', secret('docker', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('[1]') } })),
        'Secret "docker" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
      );
      await rejects422(
        secrets.create('default', secret('sa', { type: 'kubernetes.io/service-account-token' })),
        'Secret "sa" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value',
      );
      const s = await secrets.create('default', secret('typed', { stringData: { a: 'b' } }));
      await rejects422(
        secrets.update('default', 'typed', { ...s, type: 'kubernetes.io/tls' }),
        'Secret "typed" is invalid: [type: Invalid value: "kubernetes.io/tls": field is immutable, data[tls.crt]: Required value, data[tls.key]: Required value]',
      );
      const frozen = await secrets.create('default', secret('frozen', { stringData: { a: 'b' }, immutable: true }));
      await rejects422(
        secrets.update('default', 'frozen', { ...frozen, stringData: { a: 'c' } }),
        'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set',
      );
    });
  });

  describe('Namespace', () => {
    it('gets its name label and validates its name and finalizers', async () => {
      const namespaces = cl.store('', 'namespaces');
      const ns = await namespaces.create(undefined, obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } }));
      assert.deepEqual(ns.metadata.labels, { team: 'a', 'kubernetes.io/metadata.name': 'shop' });
      assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
      assert.deepEqual(ns.status, { phase: 'Active' });
      const sys = await namespaces.get(undefined, 'kube-system');
      assert.equal(sys.metadata.labels?.['kubernetes.io/metadata.name'], 'kube-system');
      await rejects422(
        namespaces.create(undefined, obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Shop' } })),
        `Namespace "Shop" is invalid: metadata.name: Invalid value: "Shop": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      );
      await rejects422(
        namespaces.create(undefined, obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fin' }, spec: { finalizers: ['foo'] } })),
        'Namespace "fin" is invalid: spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
      );
      await rejects422(
        namespaces.update(undefined, 'shop', { ...ns, status: { phase: 'Terminating' } }, { subresource: 'status' }),
        "Namespace \"shop\" is invalid: status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
      );
      // the label follows the name on every write
      const { object } = await namespaces.update(undefined, 'shop', { ...ns, metadata: { ...ns.metadata, labels: {} } });
      assert.deepEqual(object.metadata.labels, { 'kubernetes.io/metadata.name': 'shop' });
    });
  });

  describe('PersistentVolumeClaim', () => {
    it('defaults volumeMode and phase, validates the spec, keeps it immutable', async () => {
      const pvcs = cl.store('', 'persistentvolumeclaims');
      const pvc = (name: string, spec: Record<string, unknown>) => obj({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec });
      const c = await pvcs.create('default', pvc('data', { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1024Mi' } } }));
      assert.deepEqual(c.spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
      assert.deepEqual(c.status, { phase: 'Pending' });
      await rejects422(
        pvcs.create('default', pvc('bad', {})),
        'PersistentVolumeClaim "bad" is invalid: [spec.accessModes: Required value: at least 1 access mode is required, spec.resources[storage]: Required value]',
      );
      await rejects422(
        pvcs.create('default', pvc('mode', { accessModes: ['ReadWriteSometimes'], resources: { requests: { storage: '1Gi' } } })),
        'PersistentVolumeClaim "mode" is invalid: spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      );
      const changed = structuredClone(c) as any;
      changed.spec.storageClassName = 'slow';
      const s = await statusOf(pvcs.update('default', 'data', changed));
      assert.equal(s.code, 422);
      assert.ok(
        s.message!.startsWith('PersistentVolumeClaim "data" is invalid: spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n'),
        s.message,
      );
      assert.match(s.message!, /- \tStorageClassName: "fast",\n\+ \tStorageClassName: "slow",/);
      // the volume may be bound once; a bound claim may grow
      const bound = structuredClone(c) as any;
      bound.spec.volumeName = 'pv-1';
      await pvcs.update('default', 'data', bound);
      const cur = structuredClone(await pvcs.get('default', 'data')) as any;
      await pvcs.update('default', 'data', { ...cur, status: { phase: 'Bound', capacity: { storage: '1Gi' } } }, { subresource: 'status' });
      const grow = structuredClone(await pvcs.get('default', 'data')) as any;
      grow.spec.resources.requests.storage = '2Gi';
      await pvcs.update('default', 'data', grow);
      const shrink = structuredClone(await pvcs.get('default', 'data')) as any;
      shrink.spec.resources.requests.storage = '512Mi';
      await rejects422(pvcs.update('default', 'data', shrink), 'PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity');
    });
  });

  it('a body whose metadata has the wrong JSON types is a 400 decode error, not a 500', async () => {
    const cms = cl.store('', 'configmaps');
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'a', labels: ['x'] }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
      [{ name: 'a', annotations: { k: 1 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string'],
      [{ name: 'a', finalizers: { a: 'b' } }, 'json: cannot unmarshal object into Go struct field ObjectMeta.metadata.finalizers of type []string'],
      [{ name: 'a', ownerReferences: true }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference'],
    ];
    for (const [metadata, why] of cases) {
      const s = await statusOf(cms.create('default', obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata })));
      assert.equal(s.code, 400);
      assert.equal(s.message, `ConfigMap in version "v1" cannot be handled as a ConfigMap: ${why}`);
    }
    const s = await statusOf(cms.create('default', obj({ apiVersion: 'v1', kind: 'ConfigMap', metadata: 'x' })));
    assert.equal(s.code, 400);
    assert.equal(s.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta');
  });

  it('Endpoints default their port protocol and validate addresses; Nodes keep the status they are created with', async () => {
    const endpoints = cl.store('', 'endpoints');
    const ep = await endpoints.create('default', obj({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.42.0.5' }], ports: [{ port: 80 }] }] }));
    assert.deepEqual((ep as any).subsets[0].ports, [{ port: 80, protocol: 'TCP' }]);
    await rejects422(
      endpoints.create('default', obj({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'bad' }, subsets: [{ addresses: [{ ip: 'nope' }] }] })),
      'Endpoints "bad" is invalid: subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
    const nodes = cl.store('', 'nodes');
    const n = await nodes.create(undefined, obj({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { capacity: { cpu: '4' } } }));
    assert.deepEqual(n.status, { capacity: { cpu: '4' } });
    const sas = cl.store('', 'serviceaccounts');
    await rejects422(
      sas.create('default', obj({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Robot' } })),
      `ServiceAccount "Robot" is invalid: metadata.name: Invalid value: "Robot": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });
});
