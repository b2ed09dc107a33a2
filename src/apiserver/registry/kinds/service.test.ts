import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KObject } from '../../../apimachinery/object.ts';
import { Registry } from '../index.ts';
import type { Store } from '../store.ts';
import { NODE_PORTS_PREFIX, SERVICE_IPS_PREFIX } from './allocator.ts';
import { obj, openCluster, rejects422, statusOf, type TestCluster } from './testkit.ts';

const svc = (name: string, spec: Record<string, unknown>): KObject => obj({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
const web = (extra: Record<string, unknown> = {}) => ({ selector: { app: 'web' }, ports: [{ port: 80 }], ...extra });
const ipNum = (ip: string) => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
const inCidr = (ip: string, base: string, bits: number) => Math.floor(ipNum(ip) / 2 ** (32 - bits)) === Math.floor(ipNum(base) / 2 ** (32 - bits));
const spec = (o: KObject) => o.spec as any;

describe('Service strategy and allocation', () => {
  let cl: TestCluster;
  let services: Store;
  before(async () => {
    cl = await openCluster();
    services = cl.store('', 'services');
  });
  after(async () => cl?.destroy());

  it('defaults a ClusterIP service and allocates its IP from 10.43.0.0/16, never .1 or .10', async () => {
    const s = await services.create('default', svc('web', web()));
    const ip = spec(s).clusterIP as string;
    assert.ok(inCidr(ip, '10.43.0.0', 16), ip);
    assert.deepEqual(spec(s), {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      clusterIPs: [ip],
      clusterIP: ip,
    });
    assert.deepEqual(s.status, { loadBalancer: {} });
    assert.ok(await cl.backend.get(SERVICE_IPS_PREFIX + ip), 'the IP is claimed in the store');
    const ips = new Set([ip]);
    for (let i = 0; i < 20; i++) ips.add(spec(await services.create('default', svc(`many-${i}`, web()))).clusterIP);
    assert.equal(ips.size, 21);
    assert.ok(!ips.has('10.43.0.1') && !ips.has('10.43.0.10'));
  });

  it('honours a requested clusterIP; a taken or out-of-range one is rejected with upstream wording', async () => {
    const dns = await services.create('default', svc('dns', web({ clusterIP: '10.43.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] })));
    assert.deepEqual(spec(dns).clusterIPs, ['10.43.0.10']);
    assert.equal(spec(dns).ports[0].targetPort, 53);
    await rejects422(
      services.create('default', svc('dns2', web({ clusterIP: '10.43.0.10' }))),
      'Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.10"}: failed to allocate IP 10.43.0.10: provided IP is already allocated',
    );
    await rejects422(
      services.create('default', svc('far', web({ clusterIP: '10.44.0.1' }))),
      'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.44.0.1"}: failed to allocate IP 10.44.0.1: the provided IP (10.44.0.1) is not in the valid range. The range of valid IPs is 10.43.0.0/16',
    );
    await rejects422(
      services.create('default', svc('base', web({ clusterIP: '10.43.0.0' }))),
      'Service "base" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.0.0"}: failed to allocate IP 10.43.0.0: the provided IP (10.43.0.0) is not in the valid range. The range of valid IPs is 10.43.0.0/16',
    );
    await rejects422(
      services.create('default', svc('badip', web({ clusterIP: '10.43.0.x' }))),
      'Service "badip" is invalid: spec.clusterIPs[0]: Invalid value: "10.43.0.x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    );
    await rejects422(
      services.create('default', svc('v6', web({ clusterIP: 'fd00::10' }))),
      'Service "v6" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster',
    );
  });

  it('headless and ExternalName services get no IP', async () => {
    const headless = await services.create('default', svc('headless', web({ clusterIP: 'None' })));
    assert.deepEqual(
      [spec(headless).clusterIP, spec(headless).clusterIPs, spec(headless).ipFamilyPolicy, spec(headless).ipFamilies],
      ['None', ['None'], 'SingleStack', ['IPv4']],
    );
    const bare = await services.create('default', svc('bare', { clusterIP: 'None', ports: [{ port: 80 }] }));
    assert.deepEqual([spec(bare).ipFamilyPolicy, spec(bare).ipFamilies], ['RequireDualStack', ['IPv4', 'IPv6']]);
    const ext = await services.create('default', svc('ext', { type: 'ExternalName', externalName: 'example.com.' }));
    assert.deepEqual(spec(ext), { type: 'ExternalName', externalName: 'example.com.', sessionAffinity: 'None' });
    await rejects422(services.create('default', svc('ext2', { type: 'ExternalName' })), 'Service "ext2" is invalid: spec.externalName: Required value');
  });

  it('NodePort and LoadBalancer services get node ports from 30000-32767; conflicts are rejected', async () => {
    const np = await services.create('default', svc('np', web({ type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] })));
    const [a, b] = spec(np).ports.map((p: any) => p.nodePort);
    assert.ok(a >= 30000 && a <= 32767 && b >= 30000 && b <= 32767 && a !== b, `${a} ${b}`);
    assert.equal(spec(np).externalTrafficPolicy, 'Cluster');
    const fixed = await services.create('default', svc('np2', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
    assert.equal(spec(fixed).ports[0].nodePort, 30080);
    await rejects422(
      services.create('default', svc('np3', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))),
      'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    await rejects422(
      services.create('default', svc('np4', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }))),
      'Service "np4" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    // a failed create gives back what it took
    await statusOf(
      services.create('default', svc('np5', web({ type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ name: 'a', port: 81, nodePort: 30090 }, { name: 'b', port: 82, nodePort: 30080 }] }))),
    );
    assert.equal(await cl.backend.get(NODE_PORTS_PREFIX + '30090'), undefined);
    assert.equal(await cl.backend.get(SERVICE_IPS_PREFIX + '10.43.5.5'), undefined);
    await services.create('default', svc('np6', web({ type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ port: 80, nodePort: 30090 }] })));
    const lb = await services.create('default', svc('lb', web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' })));
    assert.equal(spec(lb).allocateLoadBalancerNodePorts, true);
    assert.ok(spec(lb).ports[0].nodePort >= 30000);
    assert.ok(spec(lb).healthCheckNodePort >= 30000 && spec(lb).healthCheckNodePort !== spec(lb).ports[0].nodePort);
    const noPorts = await services.create('default', svc('lb2', web({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false })));
    assert.equal(spec(noPorts).ports[0].nodePort, undefined);
  });

  it('delete releases the IP and the node ports', async () => {
    await services.create('default', svc('rel', web({ type: 'NodePort', clusterIP: '10.43.7.7', ports: [{ port: 80, nodePort: 30777 }] })));
    assert.ok(await cl.backend.get(NODE_PORTS_PREFIX + '30777'));
    await services.delete('default', 'rel');
    assert.equal(await cl.backend.get(SERVICE_IPS_PREFIX + '10.43.7.7'), undefined);
    assert.equal(await cl.backend.get(NODE_PORTS_PREFIX + '30777'), undefined);
    await services.create('default', svc('rel2', web({ type: 'NodePort', clusterIP: '10.43.7.7', ports: [{ port: 80, nodePort: 30777 }] })));
  });

  it('type changes release what the old type held and allocate what the new one needs', async () => {
    await services.create('default', svc('morph', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 30501 }] })));
    const get = async () => structuredClone(await services.get('default', 'morph')) as any;
    let s = await get();
    const ip = s.spec.clusterIP;
    s.spec.type = 'ClusterIP'; // node ports are left in place, as `kubectl patch` would
    let { object } = await services.update('default', 'morph', s);
    assert.equal(spec(object).ports[0].nodePort, undefined);
    assert.equal(spec(object).externalTrafficPolicy, undefined);
    assert.equal(await cl.backend.get(NODE_PORTS_PREFIX + '30501'), undefined);
    s = await get();
    s.spec.type = 'ExternalName';
    s.spec.externalName = 'db.example.com';
    ({ object } = await services.update('default', 'morph', s));
    assert.equal(spec(object).clusterIP, undefined);
    assert.equal(spec(object).ipFamilies, undefined);
    assert.equal(await cl.backend.get(SERVICE_IPS_PREFIX + ip), undefined);
    s = await get();
    s.spec.type = 'NodePort';
    delete s.spec.externalName;
    ({ object } = await services.update('default', 'morph', s));
    assert.ok(inCidr(spec(object).clusterIP, '10.43.0.0', 16));
    assert.ok(spec(object).ports[0].nodePort >= 30000);
    assert.ok(await cl.backend.get(SERVICE_IPS_PREFIX + spec(object).clusterIP));
    assert.ok(await cl.backend.get(NODE_PORTS_PREFIX + spec(object).ports[0].nodePort));
  });

  it('updates keep allocated values; the clusterIP may not change', async () => {
    const created = await services.create('default', svc('keep', web({ type: 'NodePort' })));
    // a replace with the original manifest (no clusterIP, no nodePort) keeps them: nothing changes
    const { object } = await services.update('default', 'keep', svc('keep', web({ type: 'NodePort' })));
    assert.equal(object.metadata.resourceVersion, created.metadata.resourceVersion);
    const s = structuredClone(created) as any;
    s.spec.clusterIP = '10.43.9.9';
    await rejects422(services.update('default', 'keep', s), 'Service "keep" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.43.9.9"}: may not change once set');
    const moved = structuredClone(created) as any;
    const oldPort = moved.spec.ports[0].nodePort;
    moved.spec.ports[0].nodePort = 30601;
    await services.update('default', 'keep', moved);
    assert.equal(await cl.backend.get(NODE_PORTS_PREFIX + oldPort), undefined);
    assert.ok(await cl.backend.get(NODE_PORTS_PREFIX + '30601'));
  });

  it('rejects invalid services with upstream messages', async () => {
    await rejects422(services.create('default', svc('noports', { selector: { app: 'x' } })), 'Service "noports" is invalid: spec.ports: Required value');
    await rejects422(
      services.create('default', svc('names', web({ ports: [{ port: 80 }, { port: 81 }] }))),
      'Service "names" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]',
    );
    await rejects422(
      services.create('default', svc('dupe', web({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }))),
      'Service "dupe" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    );
    await rejects422(
      services.create('default', svc('kind', web({ type: 'Magic' }))),
      'Service "kind" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    );
    await rejects422(
      services.create('default', svc('cip', web({ ports: [{ port: 80, nodePort: 30111 }] }))),
      "Service \"cip\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    );
    await rejects422(
      services.create('default', svc('hnp', web({ type: 'NodePort', clusterIP: 'None' }))),
      "Service \"hnp\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    );
    await rejects422(
      services.create('default', svc('port', web({ ports: [{ port: 0, targetPort: 'http-port-name-too-long' }] }))),
      'Service "port" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: "http-port-name-too-long": must be no more than 15 characters]',
    );
    await rejects422(
      services.create('default', svc('web.x', web())),
      `Service "web.x" is invalid: metadata.name: Invalid value: "web.x": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
    await rejects422(
      services.create('default', svc('aff', web({ sessionAffinity: 'Sticky' }))),
      'Service "aff" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    );
    const client = await services.create('default', svc('client', web({ sessionAffinity: 'ClientIP' })));
    assert.deepEqual(spec(client).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  it('allocations survive a restart of the API server', async () => {
    const other = await openCluster();
    try {
      await other.store('', 'services').create('default', svc('persist', web({ type: 'NodePort', clusterIP: '10.43.44.44', ports: [{ port: 80, nodePort: 30444 }] })));
      await other.close();
      const again = await openCluster({}, other.dir);
      const s2 = again.store('', 'services');
      await rejects422(
        s2.create('default', svc('thief', web({ clusterIP: '10.43.44.44' }))),
        'Service "thief" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.44.44"}: failed to allocate IP 10.43.44.44: provided IP is already allocated',
      );
      await rejects422(
        s2.create('default', svc('thief2', web({ type: 'NodePort', ports: [{ port: 80, nodePort: 30444 }] }))),
        'Service "thief2" is invalid: spec.ports[0].nodePort: Invalid value: 30444: provided port is already allocated',
      );
      await s2.delete('default', 'persist');
      await s2.create('default', svc('heir', web({ type: 'NodePort', clusterIP: '10.43.44.44', ports: [{ port: 80, nodePort: 30444 }] })));
      await again.destroy();
    } finally {
      await other.destroy();
    }
  });

  it('reclaims a marker whose service never got written, once it is old enough', async () => {
    const marker = (name: string, at: number) => Buffer.from(JSON.stringify({ namespace: 'default', name, uid: 'gone', at }));
    await cl.backend.create(SERVICE_IPS_PREFIX + '10.43.50.50', marker('ghost', Date.now()));
    await cl.backend.create(SERVICE_IPS_PREFIX + '10.43.50.51', marker('ghost', 0));
    await rejects422(
      services.create('default', svc('fresh', web({ clusterIP: '10.43.50.50' }))),
      'Service "fresh" is invalid: spec.clusterIPs: Invalid value: []string{"10.43.50.50"}: failed to allocate IP 10.43.50.50: provided IP is already allocated',
    );
    const s = await services.create('default', svc('stale', web({ clusterIP: '10.43.50.51' })));
    const m = JSON.parse(Buffer.from((await cl.backend.get(SERVICE_IPS_PREFIX + '10.43.50.51'))!.value).toString());
    assert.equal(m.uid, s.metadata.uid);
    // an old marker whose service still holds the IP is not taken
    const held = await services.create('default', svc('holder', web({ clusterIP: '10.43.50.52' })));
    const kv = (await cl.backend.get(SERVICE_IPS_PREFIX + '10.43.50.52'))!;
    await cl.backend.update(SERVICE_IPS_PREFIX + '10.43.50.52', Buffer.from(JSON.stringify({ namespace: 'default', name: 'holder', uid: held.metadata.uid, at: 0 })), {
      expectedModRevision: kv.modRevision,
    });
    await statusOf(services.create('default', svc('taker', web({ clusterIP: '10.43.50.52' }))));
  });
});

describe('Service allocation across API servers sharing a store, with configured ranges', () => {
  let cl: TestCluster;
  let second: Registry;
  before(async () => {
    cl = await openCluster({ services: { serviceClusterIPRange: '10.96.0.0/28', serviceNodePortRange: '30000-30009' } });
    second = new Registry(cl.backend, { services: { serviceClusterIPRange: '10.96.0.0/28', serviceNodePortRange: '30000-30009' } });
    await second.start();
  });
  after(async () => {
    second?.stop();
    await cl?.destroy();
  });

  it('never hands out an IP or a port twice, and reports a full range', async () => {
    const a = cl.store('', 'services');
    const b = second.store('', 'v1', 'services')!;
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create('default', svc(`np-${i}`, web({ type: 'NodePort' })))),
    );
    const ips = created.map((s) => spec(s).clusterIP as string);
    const ports = created.map((s) => spec(s).ports[0].nodePort as number);
    assert.equal(new Set(ips).size, 10);
    assert.equal(new Set(ports).size, 10);
    for (const ip of ips) assert.ok(inCidr(ip, '10.96.0.0', 28) && ip !== '10.96.0.1' && ip !== '10.96.0.10', ip);
    for (const p of ports) assert.ok(p >= 30000 && p <= 30009, String(p));
    const full = await statusOf(b.create('default', svc('np-full', web({ type: 'NodePort' }))));
    assert.equal(full.code, 500);
    assert.equal(full.message, 'Internal error occurred: failed to allocate a nodePort: range is full');
    // its IP went back: the last two dynamic IPs are still there
    await a.create('default', svc('c1', web()));
    await b.create('default', svc('c2', web()));
    const noIP = await statusOf(a.create('default', svc('c3', web())));
    assert.equal(noIP.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
    // the conventional addresses are still available on request
    await a.create('default', svc('kubernetes-like', web({ clusterIP: '10.96.0.1' })));
    await b.create('default', svc('dns-like', web({ clusterIP: '10.96.0.10' })));
  });
});
