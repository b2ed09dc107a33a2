/**
 * The request generator of the API fuzz test (api-fuzz.test.ts): every request is a pure function of (seed, index,
 * startRev), so a failing request can be regenerated and replayed on its own. Nothing here talks to a server.
 */
import YAML from 'yaml';

export const PROTECTED_NS = 'fuzz-protected';
/** Fuzz target namespaces; requests may write into them but never modify or delete the namespaces themselves. */
export const TARGET_NS = ['fz-a', 'fz-b'] as const;
/** Namespaces whose Namespace objects the fuzzer may create, modify and delete. */
export const PLAY_NS = ['fz-ns-0', 'fz-ns-1', 'fz-ns-2', 'fz-ns-3'];

// ---- PRNG -------------------------------------------------------------------------------------------------------

/** sfc32, seeded through splitmix32: small, fast, and good enough for fuzzing. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    let s = seed >>> 0;
    const split = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(arr: readonly T[]): T {
    return arr[this.int(arr.length)]!;
  }
  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(entries: readonly (readonly [number, T])[]): T {
    const total = entries.reduce((s, [w]) => s + w, 0);
    let x = this.next() * total;
    for (const [w, v] of entries) {
      if ((x -= w) < 0) return v;
    }
    return entries[entries.length - 1]![1];
  }
  str(len: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-'): string {
    let s = '';
    for (let i = 0; i < len; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

const requestSeed = (seed: number, index: number) => (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1)) >>> 0;

// ---- the kinds --------------------------------------------------------------------------------------------------

export interface Kind {
  kind: string;
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
  abbr: string;
  template(name: string, rng?: Rng): Record<string, any>;
}

export const KINDS: Kind[] = [
  {
    kind: 'ConfigMap', group: '', version: 'v1', resource: 'configmaps', namespaced: true, abbr: 'cm',
    template: (name) => ({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name, labels: { app: 'fuzz', tier: 'a' }, annotations: { note: 'hello' } },
      data: { key: 'value', other: 'v2', 'config.yaml': 'a: 1\nb: [1, 2]\n' },
    }),
  },
  {
    kind: 'Secret', group: '', version: 'v1', resource: 'secrets', namespaced: true, abbr: 'sec',
    template: (name) => ({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name, labels: { app: 'fuzz' } },
      type: 'Opaque',
      data: { password: 'cGFzc3dvcmQ=' },
      stringData: { user: 'me' },
    }),
  },
  {
    kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, abbr: 'dep',
    template: (name) => ({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [
              {
                name: 'web', image: 'nginx:1.27',
                ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
                env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              },
              { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] },
            ],
            tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
    }),
  },
  {
    kind: 'Service', group: '', version: 'v1', resource: 'services', namespaced: true, abbr: 'svc',
    template: (name) => ({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, labels: { app: 'fuzz' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'fuzz' },
        ports: [
          { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
        ],
      },
    }),
  },
  {
    kind: 'Pod', group: '', version: 'v1', resource: 'pods', namespaced: true, abbr: 'pod',
    template: (name) => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name, labels: { app: 'fuzz' } },
      spec: {
        restartPolicy: 'Always',
        containers: [
          {
            name: 'main', image: 'busybox:1.36', command: ['sleep', '3600'],
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '50m', memory: '32Mi' } },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    }),
  },
  {
    kind: 'Namespace', group: '', version: 'v1', resource: 'namespaces', namespaced: false, abbr: 'ns',
    template: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { fuzz: 'true' } } }),
  },
  {
    kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespaced: true, abbr: 'lease',
    template: (name) => ({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: { name },
      spec: {
        holderIdentity: 'holder-1', leaseDurationSeconds: 15, leaseTransitions: 0,
        acquireTime: '2024-01-01T00:00:00.000000Z', renewTime: '2024-01-01T00:00:10.000000Z',
      },
    }),
  },
];
export const NAMESPACED_KINDS = KINDS.filter((k) => k.namespaced);
export const NS_KIND = KINDS.find((k) => k.kind === 'Namespace')!;

/** Other resources the server serves (reached with bodies of the wrong kind or random ones). */
const OTHER_RESOURCES: { group: string; version: string; resource: string; namespaced: boolean }[] = [
  { group: '', version: 'v1', resource: 'nodes', namespaced: false },
  { group: '', version: 'v1', resource: 'endpoints', namespaced: true },
  { group: '', version: 'v1', resource: 'events', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true },
  { group: '', version: 'v1', resource: 'persistentvolumes', namespaced: false },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true },
  { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespaced: true },
  { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespaced: true },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true },
  { group: 'events.k8s.io', version: 'v1', resource: 'events', namespaced: true },
];

export const KNOWN_SEGMENTS = new Set([
  'api', 'apis', 'v1', 'v2', 'namespaces', 'watch', 'status', 'scale', 'binding', 'finalize', 'log', 'exec', 'eviction',
  ...KINDS.map((k) => k.resource), ...KINDS.map((k) => k.group).filter(Boolean),
  ...OTHER_RESOURCES.map((r) => r.resource), ...OTHER_RESOURCES.map((r) => r.group).filter(Boolean),
]);

/** Objects made before fuzzing: per namespace, per kind, OBJECTS_PER_KIND names (unique across namespaces). */
export const OBJECTS_PER_KIND = 3;
const nsTag = (ns: string) => (ns === PROTECTED_NS ? 'p' : ns === 'fz-a' ? 'a' : 'b');
export const objectName = (ns: string, k: Kind, i: number) => `${nsTag(ns)}-${k.abbr}-${i}`;
/** Names of objects the fuzzer creates itself (a small pool, so later updates, patches and deletes find them). */
const genName = (k: Kind, i: number) => `gen-${k.abbr}-${i}`;

// ---- values -----------------------------------------------------------------------------------------------------

const ODD_STRINGS = [
  '', ' ', '.', '..', '...', '-', 'A', 'UPPER', 'a_b', 'a.b', 'a..b', '-a', 'a-', 'x/y', '\u0000', 'a\u0000b', '%', '%00',
  '?', '#', '&', '=', ';', ',', '\\', '"', "'", '\n', '\t', '\r\n', 'ñ', '🙂', '\ud800', 'undefined', 'null', 'true', '0',
  '-1', '1e3', 'NaN', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '$patch', '${x}', '{{x}}',
  'kube-system', 'default', '*', '**', 'a b',
];

function oddString(rng: Rng): string {
  return rng.weighted<() => string>([
    [6, () => rng.pick(ODD_STRINGS)],
    [2, () => rng.str(rng.range(1, 20))],
    [1, () => 'a'.repeat(rng.pick([62, 63, 64, 253, 254, 300, 1024, 5000]))],
    [0.03, () => 'x'.repeat(rng.pick([100_000, 500_000]))],
    [1, () => rng.str(rng.range(1, 12), 'aA0-._/:~!@$^*()[]{}|<>\u00e9\u4e2d')],
  ])();
}

function oddNumber(rng: Rng): number {
  return rng.pick([0, -1, 1, -0, 1.5, -1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, 1e21, -1e21, 1e308, 5e-324, 65536, 65535]);
}

/** A value of a random JSON type, nested at most `depth` deep. */
function randomJson(rng: Rng, depth = 2): unknown {
  const choice = rng.int(depth > 0 ? 9 : 6);
  switch (choice) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return oddNumber(rng);
    case 3:
    case 4:
      return rng.chance(0.6) ? rng.str(rng.range(0, 12)) : oddString(rng);
    case 5:
      return rng.int(1000);
    case 6: {
      const a: unknown[] = [];
      for (let i = rng.int(4); i > 0; i--) a.push(randomJson(rng, depth - 1));
      return a;
    }
    default: {
      const o: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) setKey(o, rng.chance(0.7) ? rng.str(rng.range(1, 8)) : oddKey(rng), randomJson(rng, depth - 1));
      return o;
    }
  }
}

const ODD_KEYS = [
  '$patch', '$retainKeys', '$setElementOrder/containers', '$setElementOrder/ports', '$deleteFromPrimitiveList/finalizers',
  '__proto__', 'constructor', 'prototype', '', 'metadata', 'spec', 'status', 'kind', 'apiVersion', 'items', 'x.y/z',
  'a~b', 'a/b', '🙂', 'resourceVersion', 'name', 'namespace', 'uid', 'generation', 'deletionTimestamp', 'managedFields',
];
const oddKey = (rng: Rng) => (rng.chance(0.97) ? rng.pick(ODD_KEYS) : 'k'.repeat(rng.chance(0.9) ? 300 : 70_000));

/** Sets an own enumerable property, even `__proto__` (plain assignment would change the prototype instead). */
function setKey(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every (parent, key) in a JSON value, for mutation. */
function slots(root: unknown): { parent: any; key: string | number; path: string[] }[] {
  const out: { parent: any; key: string | number; path: string[] }[] = [];
  const walk = (v: unknown, p: string[]) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ parent: v, key: i, path: [...p, String(i)] });
        walk(x, [...p, String(i)]);
      });
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        out.push({ parent: v, key: k, path: [...p, k] });
        walk((v as Record<string, unknown>)[k], [...p, k]);
      }
    }
  };
  walk(root, []);
  return out;
}

/** Metadata fields the server owns or validates, with values worth trying. */
function metadataMutation(rng: Rng, meta: Record<string, any>, nsForMismatch: string): void {
  const field = rng.pick([
    'name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'resourceVersion',
    'uid', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'creationTimestamp', 'managedFields',
    'selfLink', 'metadata-itself',
  ]);
  const pickValue = (): unknown =>
    rng.weighted<() => unknown>([
      [3, () => randomJson(rng, 2)],
      [2, () => oddString(rng)],
      [1, () => oddNumber(rng)],
      [1, () => [null]],
      [1, () => ({ '': null })],
    ])();
  switch (field) {
    case 'namespace':
      meta.namespace = rng.pick([nsForMismatch, 'default', 'kube-system', ...PLAY_NS, oddString(rng), 5, null]);
      break;
    case 'labels':
    case 'annotations': {
      const v = rng.weighted<() => unknown>([
        [3, () => ({ [oddString(rng)]: rng.chance(0.5) ? oddString(rng) : rng.str(5) })],
        [2, () => ({ ok: randomJson(rng, 1) })],
        [1, () => pickValue()],
        [0.3, () => Object.fromEntries(Array.from({ length: rng.pick([100, 2000]) }, (_, i) => [`k${i}`, 'v']))],
      ])();
      meta[field] = v;
      break;
    }
    case 'finalizers':
      meta.finalizers = rng.weighted<() => unknown>([
        [2, () => ['example.com/block']],
        [2, () => pickValue()],
        [1, () => ['kubernetes', 'foregroundDeletion', 'orphan']],
        [1, () => [oddString(rng), 5, null]],
      ])();
      break;
    case 'ownerReferences':
      meta.ownerReferences = rng.weighted<() => unknown>([
        [2, () => [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: '00000000-0000-0000-0000-000000000000', controller: rng.chance(0.5) }]],
        [2, () => [randomJson(rng, 2)]],
        [1, () => pickValue()],
      ])();
      break;
    case 'metadata-itself':
      return void (meta.__replaceWith = pickValue());
    default:
      meta[field] = pickValue();
  }
}

/**
 * A valid object of `k` mutated in 1-4 places: metadata type confusion, spec values of the wrong type, odd keys,
 * deleted keys, duplicated or emptied arrays, huge values.
 */
function mutateObject(rng: Rng, obj: Record<string, any>, nsForMismatch: string): unknown {
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.35) && obj.metadata && typeof obj.metadata === 'object' && !Array.isArray(obj.metadata)) {
      metadataMutation(rng, obj.metadata, nsForMismatch);
      if ('__replaceWith' in obj.metadata) {
        obj.metadata = obj.metadata.__replaceWith;
      }
      continue;
    }
    const all = slots(obj);
    if (all.length === 0) break;
    const s = rng.pick(all);
    const op = rng.int(8);
    if (op <= 2) s.parent[s.key] = randomJson(rng, 2);
    else if (op === 3) {
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key];
    } else if (op === 4) {
      const target = s.parent[s.key];
      if (target && typeof target === 'object' && !Array.isArray(target)) setKey(target, oddKey(rng), randomJson(rng, 1));
      else if (Array.isArray(target)) target.push(rng.chance(0.5) ? clone(target[0] ?? null) : randomJson(rng, 1));
      else s.parent[s.key] = [target];
    } else if (op === 5) s.parent[s.key] = rng.pick([null, '', [], {}, 0, -1, true, 'x', [null], { '': null }]);
    else if (op === 6) s.parent[s.key] = oddString(rng);
    else s.parent[s.key] = oddNumber(rng);
  }
  if (rng.chance(0.08)) return rng.chance(0.5) ? [obj] : randomJson(rng, 0);
  return obj;
}

// ---- bodies -----------------------------------------------------------------------------------------------------

interface Body {
  bytes: Buffer;
  contentType?: string;
  chunked?: boolean;
  note: string;
}

/** Deeply nested JSON text: `depth` levels of arrays or objects inside an otherwise valid object. */
function deepJson(rng: Rng, k: Kind, name: string): string {
  const depth = rng.weighted([[4, 1_000], [4, 10_000], [2, 100_000], [1, 1_000_000]] as const);
  const arrays = rng.chance(0.5);
  const inner = arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const obj = k.template(name);
  const text = JSON.stringify({ ...obj, data: { x: 'PLACEHOLDER' }, spec: obj.spec ? { ...obj.spec, deep: 'PLACEHOLDER' } : undefined });
  return text.replace('"PLACEHOLDER"', inner);
}

/** Text-level damage to a JSON document. */
function corruptText(rng: Rng, text: string): Buffer {
  const pos = rng.int(text.length + 1);
  switch (rng.int(10)) {
    case 0:
      return Buffer.from(text.slice(0, pos));
    case 1:
      return Buffer.from(text.slice(0, pos) + rng.pick(['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\u0000', 'NaN', '//']) + text.slice(pos));
    case 2:
      return Buffer.concat([Buffer.from(text.slice(0, pos)), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(text.slice(pos))]);
    case 3:
      return Buffer.from('\ufeff' + text);
    case 4:
      return Buffer.from(text + rng.pick(['}', ' x', '\n{}', ',']));
    case 5:
      // Duplicate keys.
      return Buffer.from(text.replace('"metadata":{', '"metadata":{"name":"dup-a","name":"dup-b",'));
    case 6:
      return Buffer.from(rng.pick(['', ' ', '\n', 'null', '[]', '1', '"s"', 'true', '{}', '{"metadata":null}', '{"metadata":[]}', '[{}]', '{"a":1e999}', '{"a":-}']));
    case 7:
      return Buffer.from(text.replace(/:/g, rng.pick([': ', ':\t', ' : '])).replace(/"/, "'"));
    case 8:
      return Buffer.from(text.replace(/"(\w+)":/, '$1:'));
    default:
      return Buffer.from(text.slice(0, pos) + text.slice(pos + rng.range(1, 20)));
  }
}

const YAML_GARBAGE = [
  'a: b: c', '- a\nb: c', 'key: [unclosed', 'key: {a: 1', '\tmetadata: {}', 'metadata:\n\t name: x', '? [a, b]\n: c',
  '&a [*a]', 'a: *nope', '--- !!js/function "function(){}"', 'metadata: !!binary aGVsbG8=', 'metadata: !!set {a, b}',
  'metadata: !!omap [a: 1, b: 2]', 'data: !!timestamp 2001-12-14', 'data: {a: 0777, b: 1:20, c: yes, d: on, e: ~}',
  'metadata: {name: a, name: b}', '<<: {metadata: {name: merge}}', 'metadata: !custom {name: x}', '%YAML 1.2\n---\na: 1',
  'a: 1\n---\nb: 2', '@foo', '`bar`', "'unterminated", '"\\x"', 'a: |\n  x\n y', '- - - - -', '!!', '*', '&',
  'a: &x 1\nb: *x\nc: *x', 'metadata: {name: "\\u0000"}',
  'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
];

function yamlBody(rng: Rng, obj: unknown): Body {
  if (rng.chance(0.5)) {
    let text: string;
    try {
      text = YAML.stringify(obj);
    } catch {
      text = JSON.stringify(obj);
    }
    if (rng.chance(0.3)) text = text.slice(0, rng.int(text.length + 1));
    return { bytes: Buffer.from(text), contentType: 'application/yaml', note: 'yaml' };
  }
  const text = rng.pick(YAML_GARBAGE) + (rng.chance(0.3) ? '\n' + YAML.stringify({ kind: 'ConfigMap' }) : '');
  return { bytes: Buffer.from(text), contentType: 'application/yaml', note: 'malformed-yaml' };
}

const CONTENT_TYPES_ODD = [
  undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', ';;;',
  'APPLICATION/JSON', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'application/json;;',
  'application/vnd.kubernetes.protobuf', '*/*', 'application/*', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/yaml', 'text/yaml', 'bogus',
  'application/json\u00e9',
];

/** Body for create/update of `k`: mostly JSON, valid or mutated, sometimes broken in every other way. */
function objectBody(rng: Rng, k: Kind, name: string | undefined, ns: string): Body {
  const valid = () => {
    const o = k.template(name ?? `${k.abbr}-${rng.str(6)}`);
    if (name === undefined) {
      delete o.metadata.name;
      o.metadata.generateName = rng.chance(0.8) ? `${k.abbr}-` : oddString(rng);
    }
    return o;
  };
  const json = (v: unknown, note: string, ct = 'application/json'): Body => ({ bytes: Buffer.from(JSON.stringify(v) ?? 'null'), contentType: ct, note });
  return rng.weighted<() => Body>([
    [12, () => json(valid(), 'valid')],
    [40, () => json(mutateObject(rng, valid(), otherNs(rng, ns)), 'mutated')],
    [4, () => json({ ...valid(), kind: rng.pick(['Pod', 'ConfigMap', 'Deployment', 'Foo', '', 'configmap', 5, null]) }, 'wrong-kind')],
    [4, () => json({ ...valid(), apiVersion: rng.pick(['v1', 'apps/v1', 'v2', 'apps/v1beta1', 'extensions/v1beta1', '', 'coordination.k8s.io/v1', 7, null]) }, 'wrong-apiVersion')],
    [5, () => json({ ...valid(), metadata: { ...valid().metadata, namespace: otherNs(rng, ns) } }, 'namespace-mismatch')],
    [3, () => json(randomJson(rng, 3), 'random-json')],
    [2, () => json(Object.fromEntries(Object.entries(valid()).filter(() => rng.chance(0.5))), 'partial')],
    [8, () => ({ bytes: corruptText(rng, JSON.stringify(valid())), contentType: 'application/json', note: 'malformed-json' })],
    [6, () => yamlBody(rng, rng.chance(0.5) ? valid() : mutateObject(rng, valid(), otherNs(rng, ns)))],
    [5, () => ({ ...json(rng.chance(0.5) ? valid() : mutateObject(rng, valid(), otherNs(rng, ns)), 'odd-content-type'), contentType: rng.pick(CONTENT_TYPES_ODD) })],
    [1, () => ({ bytes: Buffer.from(deepJson(rng, k, name ?? 'deep')), contentType: 'application/json', note: 'deep-nesting' })],
    [0.6, () => bigBody(rng, valid())],
  ])();
}

/** Bodies around and over the 3 MiB request limit (and the 1.5 MiB object limit). */
function bigBody(rng: Rng, obj: Record<string, any>): Body {
  const size = rng.pick([3 * 1024 * 1024 + 1, 3 * 1024 * 1024 + 1, 4 * 1024 * 1024, 1024 * 1024 * 3 - 200, 1.6 * 1024 * 1024]);
  const big = { ...obj, data: { blob: 'x'.repeat(Math.max(0, size - 300)) } };
  const bytes = Buffer.from(JSON.stringify(big));
  const chunked = rng.chance(0.5);
  return { bytes, contentType: 'application/json', chunked, note: `big-${bytes.length}${chunked ? '-chunked' : ''}` };
}

function otherNs(rng: Rng, ns: string): string {
  const others = [...TARGET_NS, ...PLAY_NS, 'default', 'kube-system'].filter((n) => n !== ns);
  return rng.pick(others);
}

// ---- patches ----------------------------------------------------------------------------------------------------

const PATCH_TYPES = [
  [30, 'application/merge-patch+json'],
  [30, 'application/strategic-merge-patch+json'],
  [30, 'application/json-patch+json'],
  [3, 'application/apply-patch+yaml'],
  [4, 'odd'],
] as const;

function pointer(pathParts: string[]): string {
  return pathParts.map((p) => '/' + p.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function jsonPatchOps(rng: Rng, k: Kind, name: string): unknown {
  const template = k.template(name);
  const paths = slots(template).map((s) => pointer(s.path));
  const oddPaths = [
    '', '/', '/-', '/metadata/labels/-', '~', '/~2', '/a~1b', '/spec/containers/99', '/spec/containers/-1',
    '/spec/containers/01', '/spec/template/spec/containers/-', 'metadata', '/metadata/name', '/metadata/resourceVersion',
    '/metadata/uid', '/metadata/namespace', '/kind', '/apiVersion', '/status', '/metadata', '/metadata/finalizers',
    '/metadata/finalizers/-', '/metadata/labels/a~1b', '/data/__proto__', '/__proto__/x', '/constructor/prototype',
  ];
  const pathOf = () => (rng.chance(0.6) ? rng.pick(paths.length ? paths : oddPaths) : rng.pick(oddPaths));
  const ops: unknown[] = [];
  for (let n = rng.range(1, 5); n > 0; n--) {
    if (rng.chance(0.05)) {
      ops.push(randomJson(rng, 1));
      continue;
    }
    const op: Record<string, unknown> = {
      op: rng.weighted<unknown>([[5, 'add'], [4, 'replace'], [3, 'remove'], [2, 'test'], [2, 'move'], [2, 'copy'], [1, 'bogus'], [1, 5], [1, undefined]]),
      path: rng.chance(0.95) ? pathOf() : randomJson(rng, 0),
    };
    if (op.op === 'move' || op.op === 'copy' || rng.chance(0.05)) op.from = rng.chance(0.9) ? pathOf() : randomJson(rng, 0);
    if (op.op !== 'remove' && rng.chance(0.93)) {
      op.value = rng.weighted<() => unknown>([
        [3, () => randomJson(rng, 2)],
        [2, () => oddString(rng)],
        [1, () => mutateObject(rng, k.template(name), 'fz-b')],
      ])();
    }
    ops.push(op);
  }
  return rng.chance(0.05) ? { ops } : ops;
}

function partialPatch(rng: Rng, k: Kind, name: string, strategic: boolean): unknown {
  const full = k.template(name);
  const patch: Record<string, any> = {};
  for (const key of Object.keys(full)) if (rng.chance(0.5)) patch[key] = full[key];
  if (Object.keys(patch).length === 0) patch.metadata = { labels: { patched: rng.str(4) } };
  let out = mutateObject(rng, patch, otherNs(rng, 'fz-a')) as Record<string, any>;
  if (!strategic && rng.chance(0.3) && out && typeof out === 'object') {
    // Merge patch deletions.
    for (const s of slots(out)) if (rng.chance(0.15) && !Array.isArray(s.parent)) s.parent[s.key] = null;
  }
  if (strategic && out && typeof out === 'object' && !Array.isArray(out)) {
    const spots = [out, ...slots(out).map((s) => s.parent[s.key]).filter((v) => v && typeof v === 'object' && !Array.isArray(v))];
    for (let n = rng.range(1, 3); n > 0; n--) {
      const at = rng.pick(spots);
      rng.weighted<() => void>([
        [3, () => setKey(at, '$patch', rng.pick(['replace', 'delete', 'merge', 'bogus', '', 5, null]))],
        [2, () => setKey(at, '$retainKeys', rng.chance(0.7) ? Object.keys(at).slice(0, 2) : randomJson(rng, 1))],
        [2, () => setKey(at, `$setElementOrder/${rng.pick(['containers', 'ports', 'env', 'finalizers', 'x'])}`, rng.chance(0.6) ? [{ name: 'web' }, { name: 'sidecar' }] : randomJson(rng, 1))],
        [2, () => setKey(at, `$deleteFromPrimitiveList/${rng.pick(['finalizers', 'command', 'x'])}`, rng.chance(0.6) ? ['a'] : randomJson(rng, 1))],
        [2, () => setKey(at, 'containers', [{ name: 'web', $patch: rng.pick(['delete', 'replace', 'x']) }, { image: 'no-name' }, null])],
        [1, () => setKey(at, 'ports', [{ port: 80 }, { port: 80 }, { containerPort: 'x' }])],
      ])();
    }
  }
  if (rng.chance(0.05)) out = rng.pick([null, [], 5, 'x', [{}]]) as any;
  return out;
}

function patchBody(rng: Rng, k: Kind, name: string): Body {
  const type = rng.weighted(PATCH_TYPES);
  let value: unknown;
  if (type === 'application/json-patch+json') value = jsonPatchOps(rng, k, name);
  else value = partialPatch(rng, k, name, type !== 'application/merge-patch+json');
  const contentType = type === 'odd' ? rng.pick(CONTENT_TYPES_ODD) : type;
  if (type === 'application/apply-patch+yaml') return yamlBody(rng, value);
  if (rng.chance(0.08)) return { bytes: corruptText(rng, JSON.stringify(value) ?? 'null'), contentType, note: `malformed-${type}` };
  if (rng.chance(0.003)) return { ...bigBody(rng, k.template(name)), contentType };
  if (rng.chance(0.005)) return { bytes: Buffer.from(deepJson(rng, k, name)), contentType, note: `deep-${type}` };
  return { bytes: Buffer.from(JSON.stringify(value) ?? 'null'), contentType, note: `${type}` };
}

// ---- paths, queries, headers ------------------------------------------------------------------------------------

/** Encodes one path segment, usually properly, sometimes oddly. */
function encodeSegment(rng: Rng, seg: string): string {
  return rng.weighted<() => string>([
    [20, () => enc(seg)],
    [1, () => enc(enc(seg))],
    [1, () => [...seg].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('').slice(0, 3 * 300)],
    [1, () => enc(seg).replace(/-/g, '%2D').replace(/a/g, '%61')],
  ])();
}

function namespaceFor(rng: Rng): string {
  return rng.weighted<() => string>([
    [40, () => rng.pick(TARGET_NS)],
    [4, () => rng.pick(PLAY_NS)],
    [2, () => rng.pick(['default', 'kube-system', 'kube-public'])],
    [2, () => `missing-${rng.str(4)}`],
    [2, () => oddString(rng)],
  ])();
}

/** Names of existing objects (fz-a/fz-b, fuzz-created), or random and odd ones. */
function nameFor(rng: Rng, k: Kind, ns: string): string {
  if (k.kind === 'Namespace') {
    return rng.weighted<() => string>([
      [6, () => rng.pick(PLAY_NS)],
      [2, () => `fz-gen-ns-${rng.int(4)}`],
      [1, () => oddString(rng)],
    ])();
  }
  return rng.weighted<() => string>([
    [10, () => (ns === 'fz-a' || ns === 'fz-b' ? objectName(ns, k, rng.int(OBJECTS_PER_KIND)) : genName(k, rng.int(6)))],
    [10, () => genName(k, rng.int(6))],
    [2, () => `${k.abbr}-${rng.str(6)}`],
    [3, () => oddString(rng)],
  ])();
}

interface Target {
  prefix: string; // /api/v1 or /apis/G/V
  resource: string;
  namespaced: boolean;
  kind?: Kind;
}

export function targetFor(k: Kind): Target {
  return { prefix: k.group ? `/apis/${k.group}/${k.version}` : `/api/${k.version}`, resource: k.resource, namespaced: k.namespaced, kind: k };
}

/** A plainly encoded path (setup and checks). */
export function plainPath(k: Kind, ns: string | undefined, name?: string): string {
  const t = targetFor(k);
  return `${t.prefix}${ns !== undefined ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${t.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}

function resourcePath(rng: Rng, t: Target, ns: string | undefined, name?: string, sub?: string): string {
  let p = t.prefix;
  if (ns !== undefined) p += `/namespaces/${encodeSegment(rng, ns)}`;
  p += `/${t.resource}`;
  if (name !== undefined) p += `/${encodeSegment(rng, name)}`;
  if (sub !== undefined) p += `/${sub}`;
  return p;
}

const LABEL_SELECTORS_OK = ['app=fuzz', 'app!=fuzz', 'tier in (a,b)', 'tier notin (a)', 'app', '!app', 'app=fuzz,tier=a', 'a.b/c=d', ''];
const LABEL_SELECTORS_BAD = [
  'a in (', '==', '!', 'a=b=c', 'a in', ',', 'a,', '(a)', 'a b', 'a=' + 'x'.repeat(100), 'x'.repeat(400) + '=a', 'a!', 'a in (b,,c)',
  'a notin ()', 'a=%', '%00', 'a=\u0000', 'a>1', 'a<b', 'a in (b) c', 'a=b)', '🙂=x', 'a,,b', '!!a', 'a==', 'in', 'a in ((b))',
];
const FIELD_SELECTORS_OK = ['metadata.name=a-cm-0', 'metadata.namespace=fz-a', 'metadata.name!=x', 'spec.nodeName=', 'status.phase=Pending', 'type=Opaque', ''];
const FIELD_SELECTORS_BAD = [
  'foo=bar', 'metadata.labels=x', 'metadata.name', 'metadata.name==', '=', ',', 'metadata.name=a,', 'metadata.name in (a)',
  'metadata.name=\\', 'metadata.name=a\\,b', 'spec.nodeName=%', 'metadata.name!', '!metadata.name', 'a'.repeat(500) + '=b',
];

function continueToken(rng: Rng, startRev: number): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  return rng.weighted<() => string>([
    [3, () => oddString(rng)],
    [2, () => b64(JSON.stringify({ v: 'meta.k8s.io/v1', rv: rng.range(1, startRev), start: rng.pick(['a-cm-0', 'x', '', '\u0000', '../b', 'a-cm-0\u0000']) }))],
    [2, () => b64(JSON.stringify({ v: rng.pick(['meta.k8s.io/v1', 'v2', '', 5]), rv: rng.pick([-1, 0, 1.5, 'x', null, 2 ** 60, startRev]), start: rng.pick(['a', 5, null, {}]) }))],
    [1, () => b64(rng.pick(['null', '[]', '{}', '"x"', 'garbage', '{"v":"meta.k8s.io/v1"}']))],
    [1, () => Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: 'a' })).toString('base64')],
  ])();
}

/** A resourceVersion that is garbage or in the past (a future one is a legitimate 504 upstream, so never sent). */
function resourceVersion(rng: Rng, startRev: number): string {
  return rng.weighted<() => string>([
    [3, () => rng.pick(['0', '', '1', String(startRev)])],
    [2, () => String(rng.range(1, startRev))],
    [3, () => rng.pick(['abc', '-1', '1.5', '0x10', '1e3', ' 1', '+1', '99999999999999999999', '9007199254740993', '%00', '١'])],
    [1, () => oddString(rng)],
  ])();
}

/** Query string for list/watch/get/delete etc. */
function queryFor(rng: Rng, verb: string, startRev: number): [string, string][] {
  const q: [string, string][] = [];
  const add = (k: string, v: string) => q.push([k, v]);
  const n = rng.weighted([[3, 0], [4, 1], [3, 2], [2, 3], [1, 5]] as const);
  const isRead = verb === 'list' || verb === 'watch' || verb === 'get';
  for (let i = 0; i < n; i++) {
    const which = isRead
      ? rng.pick(['limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'labelSelector', 'labelSelector', 'fieldSelector', 'fieldSelector', 'allowWatchBookmarks', 'sendInitialEvents', 'pretty', 'includeObject', 'odd'])
      : rng.pick(['dryRun', 'dryRun', 'fieldManager', 'fieldValidation', 'gracePeriodSeconds', 'propagationPolicy', 'orphanDependents', 'pretty', 'labelSelector', 'fieldSelector', 'odd']);
    switch (which) {
      case 'limit':
        add('limit', rng.pick(['1', '2', '5', '500', '0', '-1', 'abc', '1.5', '1e3', '99999999999999999999', '', '-0']));
        break;
      case 'continue':
        add('continue', continueToken(rng, startRev));
        if (rng.chance(0.5)) add('limit', rng.pick(['1', '2', '-1']));
        break;
      case 'resourceVersion':
        add('resourceVersion', resourceVersion(rng, startRev));
        break;
      case 'resourceVersionMatch':
        add('resourceVersionMatch', rng.pick(['Exact', 'NotOlderThan', 'exact', 'bogus', '']));
        if (rng.chance(0.7)) add('resourceVersion', resourceVersion(rng, startRev));
        break;
      case 'labelSelector':
        add('labelSelector', rng.chance(0.5) ? rng.pick(LABEL_SELECTORS_OK) : rng.pick(LABEL_SELECTORS_BAD));
        break;
      case 'fieldSelector':
        add('fieldSelector', rng.chance(0.5) ? rng.pick(FIELD_SELECTORS_OK) : rng.pick(FIELD_SELECTORS_BAD));
        break;
      case 'allowWatchBookmarks':
        add('allowWatchBookmarks', rng.pick(['true', 'false', '1', 'x']));
        break;
      case 'sendInitialEvents':
        add('sendInitialEvents', rng.pick(['true', 'false', 'x']));
        break;
      case 'pretty':
        add('pretty', rng.pick(['true', 'false', 'x']));
        break;
      case 'includeObject':
        add('includeObject', rng.pick(['None', 'Object', 'Metadata', 'x']));
        break;
      case 'dryRun':
        add('dryRun', rng.pick(['All', 'all', 'true', '', 'x']));
        if (rng.chance(0.2)) add('dryRun', 'All');
        break;
      case 'fieldManager':
        add('fieldManager', rng.chance(0.7) ? rng.pick(['kubectl', 'fuzz', '', '\u0000']) : 'm'.repeat(rng.pick([128, 129, 5000])));
        break;
      case 'fieldValidation':
        add('fieldValidation', rng.pick(['Strict', 'Warn', 'Ignore', 'x']));
        break;
      case 'gracePeriodSeconds':
        add('gracePeriodSeconds', rng.pick(['0', '1', '-1', '30', 'abc', '1.5', '99999999999999999999']));
        break;
      case 'propagationPolicy':
        add('propagationPolicy', rng.pick(['Orphan', 'Background', 'Foreground', 'orphan', 'x', '']));
        break;
      case 'orphanDependents':
        add('orphanDependents', rng.pick(['true', 'false', 'x']));
        break;
      default:
        add(rng.pick(['watch', 'timeoutSeconds', 'x', '', '%00', 'limit[]', 'labelSelector', '\u00e9']), oddString(rng));
    }
  }
  return q;
}

function encodeQuery(rng: Rng, q: [string, string][]): string {
  if (q.length === 0) return '';
  const parts = q.map(([k, v]) => {
    if (rng.chance(0.03)) return `${k}=${rng.pick(['%', '%zz', '%E0%A4%A', '%00', '%2', '&&', '=='])}${enc(v)}`;
    if (rng.chance(0.02)) return k;
    return `${enc(k)}=${enc(v)}`;
  });
  return '?' + parts.join('&');
}

const ACCEPTS = [
  [40, undefined],
  [10, 'application/json'],
  [4, '*/*'],
  [6, 'application/json;as=Table;v=v1;g=meta.k8s.io'],
  [2, 'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json'],
  [3, 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'],
  [3, 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io'],
  [2, 'application/vnd.kubernetes.protobuf'],
  [2, 'application/yaml'],
  [2, 'text/html'],
  [2, 'bogus'],
  [1, ''],
  [1, ';'],
  [1, ',,,'],
  [1, 'application/json;as='],
  [1, 'application/json;as=Table'],
  [1, 'application/json;as=Table;g=meta.k8s.io;v=v2'],
  [1, 'application/json;;;===;as=Table;v=v1;g=meta.k8s.io'],
  [1, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'],
  [1, 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList, application/json'],
] as const;

function headersFor(rng: Rng, body?: Body): Record<string, string> {
  const h: Record<string, string> = {};
  const accept = rng.weighted(ACCEPTS);
  if (accept !== undefined) h.Accept = accept;
  if (body?.contentType !== undefined) h['Content-Type'] = body.contentType;
  if (rng.chance(0.05)) h['User-Agent'] = rng.pick(['', 'kubectl/v1.32.0', '/', 'x'.repeat(3000), 'fuzz/1.0 (linux)']);
  if (rng.chance(0.02)) h['Authorization'] = rng.pick(['Bearer garbage', 'Basic Zm9vOmJhcg==', '']);
  if (rng.chance(0.02)) h['Impersonate-User'] = 'system:anonymous';
  if (rng.chance(0.02)) h['Accept-Encoding'] = rng.pick(['gzip', 'br', 'identity', 'bogus']);
  if (rng.chance(0.01)) h['X-Huge'] = 'h'.repeat(rng.pick([8_000, 20_000]));
  if (rng.chance(0.01) && body) h['Expect'] = '100-continue';
  return h;
}

// ---- requests -----------------------------------------------------------------------------------------------------

export type Category =
  | 'create' | 'update' | 'patch' | 'get' | 'delete' | 'deletecollection' | 'list' | 'watch' | 'subresource'
  | 'namespace' | 'odd-path' | 'odd-method' | 'must-405' | 'discovery';

export interface FuzzRequest {
  index: number;
  category: Category;
  note: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  chunked?: boolean;
  /** Lists, watches and collection deletes: run by the slow pool. */
  slow: boolean;
  /** A watch the server might hold open: we close it after WATCH_CLIENT_DEADLINE_MS (not a failure if it had started). */
  mayHold: boolean;
  /** Upstream answers 405; sent with dryRun=All; a 2xx is a failure. */
  expect405: boolean;
}

function withQuery(rng: Rng, p: string, q: [string, string][]): string {
  return p + encodeQuery(rng, q);
}

function genOne(rng: Rng, index: number, startRev: number): FuzzRequest {
  const category = rng.weighted<Category>([
    [16, 'create'],
    [12, 'update'],
    [18, 'patch'],
    [10, 'get'],
    [5, 'delete'],
    [1.2, 'deletecollection'],
    [3, 'list'],
    [2, 'watch'],
    [7, 'subresource'],
    [4, 'namespace'],
    [8, 'odd-path'],
    [3, 'odd-method'],
    [2, 'must-405'],
    [2, 'discovery'],
  ]);
  const k = category === 'namespace' ? NS_KIND : rng.pick(NAMESPACED_KINDS);
  const t = targetFor(k);
  const ns = namespaceFor(rng);
  const base = { index, category, slow: false, mayHold: false, expect405: false, chunked: undefined as boolean | undefined };
  const mk = (method: string, p: string, body: Body | undefined, note: string, extra: Partial<FuzzRequest> = {}): FuzzRequest => ({
    ...base,
    note: body ? `${note} ${body.note}` : note,
    method,
    path: p,
    headers: headersFor(rng, body),
    body: body?.bytes,
    chunked: body?.chunked,
    ...extra,
  });
  switch (category) {
    case 'create': {
      const name = rng.chance(0.15) ? undefined : rng.chance(0.7) ? genName(k, rng.int(6)) : nameFor(rng, k, ns);
      const body = objectBody(rng, k, name, ns);
      return mk('POST', withQuery(rng, resourcePath(rng, t, ns), queryFor(rng, 'create', startRev)), body, `create ${k.kind}`);
    }
    case 'update': {
      const name = nameFor(rng, k, ns);
      const body = objectBody(rng, k, rng.chance(0.9) ? name : nameFor(rng, k, ns), ns);
      return mk('PUT', withQuery(rng, resourcePath(rng, t, ns, name), queryFor(rng, 'update', startRev)), body, `update ${k.kind}`);
    }
    case 'patch': {
      const name = nameFor(rng, k, ns);
      const body = patchBody(rng, k, name);
      return mk('PATCH', withQuery(rng, resourcePath(rng, t, ns, name), queryFor(rng, 'patch', startRev)), body, `patch ${k.kind}`);
    }
    case 'get': {
      const name = nameFor(rng, k, ns);
      return mk(rng.chance(0.9) ? 'GET' : 'HEAD', withQuery(rng, resourcePath(rng, t, ns, name), queryFor(rng, 'get', startRev)), undefined, `get ${k.kind}`);
    }
    case 'delete': {
      const name = nameFor(rng, k, ns);
      let body: Body | undefined;
      if (rng.chance(0.4)) {
        const opts: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background', preconditions: { resourceVersion: String(startRev) } };
        const v = rng.chance(0.7) ? mutateObject(rng, opts as Record<string, any>, 'fz-b') : randomJson(rng, 2);
        body = rng.chance(0.85) ? { bytes: Buffer.from(JSON.stringify(v) ?? ''), contentType: rng.chance(0.8) ? 'application/json' : rng.pick(CONTENT_TYPES_ODD), note: 'delete-options' } : { bytes: corruptText(rng, JSON.stringify(opts)), contentType: 'application/json', note: 'malformed-delete-options' };
      }
      return mk('DELETE', withQuery(rng, resourcePath(rng, t, ns, name), queryFor(rng, 'delete', startRev)), body, `delete ${k.kind}`);
    }
    case 'deletecollection': {
      const q = queryFor(rng, 'delete', startRev);
      if (rng.chance(0.8)) q.push(['labelSelector', rng.pick(['app=nomatch', 'fuzz-gen=1', 'app=fuzz', 'a in (', '!!'])]);
      return mk('DELETE', withQuery(rng, resourcePath(rng, t, ns), q), undefined, `deletecollection ${k.kind}`, { slow: true });
    }
    case 'list': {
      const onlyCluster = rng.chance(0.2);
      return mk(rng.chance(0.9) ? 'GET' : 'HEAD', withQuery(rng, resourcePath(rng, t, onlyCluster ? undefined : ns), queryFor(rng, 'list', startRev)), undefined, `list ${k.kind}`, { slow: true });
    }
    case 'watch': {
      const q = queryFor(rng, 'watch', startRev);
      const prefix = rng.chance(0.15);
      if (!prefix) q.unshift(['watch', rng.pick(['true', 'true', 'true', '1'])]);
      const timeout = rng.weighted([[8, '1'], [1, '0'], [1, '-1'], [1, 'abc'], [1, '1.5'], [1, ''], [1, 'none'], [1, '99999999999']] as const);
      if (timeout !== 'none') q.push(['timeoutSeconds', timeout]);
      const scope = rng.chance(0.2) ? undefined : ns;
      let p = resourcePath(rng, t, scope);
      if (prefix) p = p.replace(/^(\/api\/v1|\/apis\/[^/]+\/[^/]+)/, '$1/watch');
      const mayHold = timeout !== '1' && timeout !== '0' && timeout !== '-1';
      return mk(mayHold || rng.chance(0.95) ? 'GET' : 'HEAD', withQuery(rng, p, q), undefined, `watch ${k.kind} timeout=${timeout}`, { slow: true, mayHold });
    }
    case 'subresource': {
      const sub = rng.weighted([[6, 'status'], [4, 'scale'], [3, 'binding'], [1, 'eviction'], [1, 'log'], [1, 'exec'], [1, 'foo'], [1, 'status/extra'], [1, '']] as const);
      const kk = sub === 'scale' ? rng.pick([KINDS.find((x) => x.kind === 'Deployment')!, k]) : sub === 'binding' ? rng.pick([KINDS.find((x) => x.kind === 'Pod')!, k]) : k;
      const tt = targetFor(kk);
      const name = nameFor(rng, kk, ns);
      const method = rng.weighted([[3, 'GET'], [3, 'PUT'], [4, 'PATCH'], [2, 'POST'], [1, 'DELETE']] as const);
      let body: Body | undefined;
      if (method === 'PATCH') {
        if (sub === 'scale') {
          const v = rng.chance(0.7) ? { spec: { replicas: rng.pick([0, 1, 3, -1, 1.5, '3', null, 2 ** 53]) } } : randomJson(rng, 2);
          body = { bytes: Buffer.from(JSON.stringify(v) ?? 'null'), contentType: rng.pick(['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'bogus']), note: 'scale-patch' };
          if (body.contentType === 'application/json-patch+json' && rng.chance(0.7)) body.bytes = Buffer.from(JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: rng.pick([2, -3, 'x', null]) }]));
        } else body = patchBody(rng, kk, name);
      } else if (method === 'PUT' || method === 'POST') {
        if (sub === 'scale') {
          const v = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name }, spec: { replicas: rng.pick([0, 2, -1, 'x', null, 1.5]) } };
          body = { bytes: Buffer.from(JSON.stringify(rng.chance(0.6) ? v : mutateObject(rng, v, 'fz-b'))), contentType: 'application/json', note: 'scale' };
        } else if (sub === 'binding') {
          const v = { kind: 'Binding', apiVersion: 'v1', metadata: { name }, target: { kind: 'Node', name: rng.pick(['node-1', '', 'x'.repeat(300)]) } };
          body = { bytes: Buffer.from(JSON.stringify(rng.chance(0.6) ? v : mutateObject(rng, v, 'fz-b'))), contentType: 'application/json', note: 'binding' };
        } else body = objectBody(rng, kk, name, ns);
      }
      const p = resourcePath(rng, tt, ns, name, sub || undefined) + (sub === '' ? '/' : '');
      return mk(method, withQuery(rng, p, queryFor(rng, method === 'GET' ? 'get' : 'update', startRev)), body, `${method.toLowerCase()} ${kk.kind}/${sub}`);
    }
    case 'namespace': {
      const name = nameFor(rng, NS_KIND, '');
      const op = rng.weighted([[3, 'create'], [2, 'update'], [3, 'patch'], [1, 'delete'], [2, 'get'], [1, 'status'], [1, 'finalize']] as const);
      const tt = targetFor(NS_KIND);
      if (op === 'create') return mk('POST', resourcePath(rng, tt, undefined), objectBody(rng, NS_KIND, name, ''), 'create Namespace');
      if (op === 'update') return mk('PUT', resourcePath(rng, tt, undefined, name), objectBody(rng, NS_KIND, name, ''), 'update Namespace');
      if (op === 'patch') return mk('PATCH', resourcePath(rng, tt, undefined, name), patchBody(rng, NS_KIND, name), 'patch Namespace');
      if (op === 'delete') return mk('DELETE', withQuery(rng, resourcePath(rng, tt, undefined, name), queryFor(rng, 'delete', startRev)), undefined, 'delete Namespace');
      if (op === 'get') return mk('GET', resourcePath(rng, tt, undefined, name), undefined, 'get Namespace');
      if (op === 'status') {
        const v = rng.chance(0.5) ? { ...NS_KIND.template(name), status: { phase: rng.pick(['Active', 'Terminating', 'x', 5]) } } : mutateObject(rng, NS_KIND.template(name), 'fz-b');
        return mk(rng.pick(['PUT', 'PATCH']), resourcePath(rng, tt, undefined, name, 'status'), { bytes: Buffer.from(JSON.stringify(v) ?? 'null'), contentType: rng.pick(['application/json', 'application/merge-patch+json']), note: 'ns-status' }, 'namespace status');
      }
      const v = rng.chance(0.6) ? { ...NS_KIND.template(name), spec: { finalizers: rng.pick([[], ['kubernetes'], ['x', 'y'], 'x', [5], null]) } } : mutateObject(rng, NS_KIND.template(name), 'fz-b');
      return mk('PUT', resourcePath(rng, tt, undefined, name, 'finalize'), { bytes: Buffer.from(JSON.stringify(v) ?? 'null'), contentType: 'application/json', note: 'finalize' }, 'namespace finalize');
    }
    case 'odd-path':
      return oddPathRequest(rng, base, startRev);
    case 'odd-method': {
      const method = rng.pick(['OPTIONS', 'TRACE', 'PROPFIND', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PURGE', 'SEARCH', 'REPORT', 'FOO', 'get', 'Post', 'LINK', 'QUERY']);
      const name = rng.chance(0.6) ? nameFor(rng, k, ns) : undefined;
      const body = rng.chance(0.4) ? objectBody(rng, k, name, ns) : undefined;
      return mk(method, resourcePath(rng, t, ns, name), body, `method ${method}`);
    }
    case 'must-405':
      return must405Request(rng, base, k, ns);
    case 'discovery': {
      const p = rng.pick([
        '/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/apis/apps/v2', '/apis/nope', '/apis/nope/v1', '/version',
        '/openapi/v3', '/openapi/v3/api/v1', '/openapi/v3/apis/apps/v1', '/openapi/v3/apis/nope/v1', '/openapi/v3/%zz',
        '/openapi/v3/api/v1?hash=garbage', '/openapi/v2', '/healthz/garbage', '/livez?verbose', '/readyz/etcd', '/metrics',
        '/api/v1/', '/apis/', '/apis/coordination.k8s.io/v1', '/logs', '/ui', '/', '/.well-known/openid-configuration',
      ]);
      return mk(rng.chance(0.9) ? 'GET' : 'HEAD', p, undefined, 'discovery');
    }
  }
}

function oddPathRequest(rng: Rng, base: Omit<FuzzRequest, 'note' | 'method' | 'path' | 'headers'>, startRev: number): FuzzRequest {
  const k = rng.pick(NAMESPACED_KINDS);
  const ns = rng.pick(TARGET_NS);
  const long = (n: number) => 'a'.repeat(n);
  const p = rng.pick<() => string>([
    () => '/api/v1/namespaces//pods',
    () => '/api/v1/namespaces//configmaps/x',
    () => `/api/v1/namespaces/${ns}//configmaps`,
    () => `/api/v1/namespaces/${ns}/configmaps//`,
    () => '//api/v1/namespaces/fz-a/pods',
    () => '///',
    () => `/api/v1/namespaces/${ns}/configmaps/a%00b`,
    () => `/api/v1/namespaces/${ns}%00/configmaps`,
    () => `/api/v1/namespaces/${ns}/configmaps/%`,
    () => `/api/v1/namespaces/${ns}/configmaps/%zz`,
    () => `/api/v1/namespaces/${ns}/configmaps/%E0%A4%A`,
    () => `/api/v1/namespaces/${ns}/configmaps/%C0%AF`,
    () => `/api/v1/namespaces/${ns}%2Fconfigmaps/x`,
    () => `/api/v1/namespaces/${ns}/configmaps/x%2Fy`,
    () => `/api/v1/namespaces/${ns}/configmaps/..`,
    () => `/api/v1/namespaces/${ns}/configmaps/.`,
    () => `/api/v1/namespaces/${ns}/configmaps/%2e%2e`,
    () => `/api/v1/namespaces/${ns}/configmaps/../secrets`,
    () => `/api/v1/namespaces/${ns}/configmaps/${long(rng.pick([254, 1000, 2000, 8000]))}`,
    () => `/api/v1/namespaces/${long(rng.pick([64, 1000, 3000]))}/configmaps`,
    () => `/api/v1/namespaces/${ns}/configmaps/${long(rng.pick([15_000, 20_000]))}`,
    () => `/api/v1/namespaces/${ns}/${k.resource}/x/status/extra/more`,
    () => `/api/v1/namespaces/${ns}/${k.resource}/x/y/z/w/v`,
    () => `/api/v1/namespaces/${ns}/nope`,
    () => `/api/v1/namespaces/${ns}/ConfigMaps`,
    () => `/api/v1/namespaces/${ns}/configmap`,
    () => '/api/v2/namespaces/fz-a/configmaps',
    () => '/apis/apps/v1/namespaces/fz-a/configmaps',
    () => '/api/v1/namespaces/fz-a/deployments',
    () => '/apis/apps/v1beta1/namespaces/fz-a/deployments',
    () => '/apis/extensions/v1beta1/namespaces/fz-a/deployments',
    () => '/apis/nope.example.com/v1/namespaces/fz-a/things',
    () => '/apis/apps',
    () => '/apis/apps/v1/namespaces',
    () => '/api/v1/namespaces/fz-a/nodes',
    () => '/api/v1/namespaces/fz-a/namespaces',
    () => '/api/v1/namespaces/fz-a/namespaces/fz-b',
    () => '/api/v1/watch',
    () => '/api/v1/watch/namespaces',
    () => `/api/v1/watch/namespaces/${ns}/configmaps/x?timeoutSeconds=1`,
    () => '/api/v1/namespaces/fz-a/configmaps?watch=true&watch=false&timeoutSeconds=1',
    () => '/api/v1/nodes/x/status',
    () => '/api/v1/namespaces/fz-a/pods/x/binding',
    () => '/api/v1/namespaces/fz-a/pods/x/log',
    () => '/api/v1/namespaces/fz-a/pods/x/exec?command=ls',
    () => '/api/v1/namespaces/fz-a/finalize',
    () => '/api/v1/namespaces/fz-a/status/x',
    () => '/api/v1/namespaces/fz-a/configmaps#frag',
    () => '/api/v1/namespaces/fz-a/configmaps?%zz=1',
    () => '/api/v1/namespaces/fz-a/configmaps?limit=1&limit=2&limit=-1',
    () => '/api/v1/namespaces/fz-a/configmaps/a-cm-0?' + 'x='.repeat(3000),
    () => '/api/v1/namespaces/\u00e9/configmaps',
    () => '/api/v1/%6eamespaces/fz-a/configmaps/a-cm-0',
    () => '/%61pi/v1/namespaces/fz-a/configmaps/a-cm-0',
    () => '/api/v1/namespaces/fz-a/configmaps/a-cm-0/',
    () => '/api/v1/namespaces/fz-a/configmaps/a-cm-0;x=y',
    () => '/api/v1/namespaces/fz-a/configmaps/a-cm-0\\..\\..',
    () => '/api/v1/namespaces/fz-a/configmaps/' + enc(oddString(rng)),
    () => '/api/v1/namespaces/' + enc(oddString(rng)) + '/configmaps',
    () => '*',
    () => 'relative/path',
    () => '/api/v1/namespaces/fz-a/configmaps/%F0%9F%99%82',
    () => '/api/v1/namespaces/fz-a/configmaps/%ED%A0%80',
  ])();
  // Reads mostly; writes sometimes (to the same odd paths).
  const method = rng.weighted([[10, 'GET'], [2, 'POST'], [2, 'PUT'], [2, 'PATCH'], [1, 'DELETE'], [1, 'HEAD']] as const);
  let body: Body | undefined;
  if (method === 'POST' || method === 'PUT') body = objectBody(rng, k, rng.chance(0.5) ? genName(k, rng.int(6)) : undefined, ns);
  if (method === 'PATCH') body = patchBody(rng, k, 'x');
  void startRev;
  return {
    ...base,
    note: `odd path${body ? ' ' + body.note : ''}`,
    method,
    path: p,
    headers: headersFor(rng, body),
    body: body?.bytes,
    chunked: body?.chunked,
  };
}

/** Requests upstream refuses with 405 MethodNotAllowed; sent with dryRun=All, so a wrong acceptance changes nothing. */
function must405Request(rng: Rng, base: Omit<FuzzRequest, 'note' | 'method' | 'path' | 'headers'>, k: Kind, ns: string): FuzzRequest {
  const t = targetFor(k);
  const nsT = targetFor(NS_KIND);
  const [method, p, note] = rng.pick<() => [string, string, string]>([
    () => ['DELETE', resourcePath(rng, t, undefined), `deletecollection of all ${k.resource} across namespaces`],
    () => ['POST', resourcePath(rng, t, undefined), `create at cluster scope of namespaced ${k.resource}`],
    () => ['PUT', resourcePath(rng, t, undefined), `update on cluster-wide ${k.resource}`],
    () => ['PATCH', resourcePath(rng, t, undefined), `patch on cluster-wide ${k.resource}`],
    () => ['DELETE', resourcePath(rng, nsT, undefined), 'deletecollection of namespaces (not a namespaces verb)'],
    () => ['POST', resourcePath(rng, t, ns, genName(k, rng.int(6))), `POST to a named ${k.resource} path`],
    () => ['PUT', resourcePath(rng, t, ns), `PUT on the ${k.resource} collection`],
    () => ['PATCH', resourcePath(rng, t, ns), `PATCH on the ${k.resource} collection`],
  ])();
  const body: Body | undefined =
    method === 'DELETE'
      ? undefined
      : method === 'PATCH'
        ? { bytes: Buffer.from('{"metadata":{"labels":{"x":"y"}}}'), contentType: 'application/merge-patch+json', note: 'patch' }
        : { bytes: Buffer.from(JSON.stringify({ ...k.template('x'), metadata: { name: 'x', namespace: 'fz-a' } })), contentType: 'application/json', note: 'object' };
  return {
    ...base,
    note: `must-405: ${note}`,
    method,
    path: p + '?dryRun=All',
    headers: headersFor(rng, body),
    body: body?.bytes,
    slow: method === 'DELETE',
    expect405: true,
  };
}

// ---- safety: never name the protected namespace, never modify the target namespaces themselves -------------------

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD; raw surrogate bytes are in the odd paths). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The path as the server sees it: WHATWG-normalised (the server parses req.url with new URL), split and decoded. */
export function serverSegments(rawPath: string): string[] | undefined {
  let url: URL;
  try {
    url = new URL(rawPath, 'https://localhost');
  } catch {
    return undefined;
  }
  return url.pathname.split('/').filter(Boolean).map(safeDecode);
}

export const isWriteMethod = (m: string) => !['GET', 'HEAD', 'OPTIONS'].includes(m.toUpperCase());

function unsafe(r: FuzzRequest): boolean {
  const everything = [safeDecode(r.path), r.path, safeDecode(safeDecode(r.path))].join(' ');
  if (everything.includes(PROTECTED_NS)) return true;
  if (r.body && r.body.includes(PROTECTED_NS)) return true;
  const segs = serverSegments(r.path) ?? [];
  if (segs.some((s) => s.includes(PROTECTED_NS))) return true;
  if (isWriteMethod(r.method) && !r.expect405) {
    // The target namespaces themselves, and the system ones, are not to be modified or deleted, by any path that could
    // name them (the server resolves /api/v1/namespaces/X/namespaces/Y to namespace Y).
    const guarded = [...TARGET_NS, 'default', 'kube-system', 'kube-public', 'kube-node-lease'];
    const j = segs.lastIndexOf('namespaces');
    if (j >= 0 && guarded.includes(segs[j + 1] ?? '')) {
      const tail = segs.slice(j + 2);
      if (tail.length === 0 || (tail.length === 1 && ['status', 'finalize'].includes(tail[0]!))) return true;
    }
    // A delete of the namespace collection (the server might take it as deletecollection): only as must-405.
    if (r.method.toUpperCase() === 'DELETE' && segs.at(-1) === 'namespaces') return true;
    // Cluster-wide deletes of namespaced resources: only as must-405 (with dryRun).
    if (r.method === 'DELETE' && segs[0] === 'api' && segs.length === 3 && segs[2] !== 'namespaces') return true;
    if (r.method === 'DELETE' && segs[0] === 'apis' && segs.length === 4) return true;
    if (r.method === 'DELETE' && segs.includes('watch')) return true;
  }
  return false;
}

/**
 * Anything that might be a watch (a watch path segment or a watch parameter, however odd) may be held open by the
 * server: it goes to the slow pool, we close it after a short deadline, and it is sent as GET (a HEAD response ends at
 * once for the client, which would then reuse a connection the server is still streaming the watch on).
 */
function markWatches(r: FuzzRequest): FuzzRequest {
  if (!/watch/i.test(r.path) || isWriteMethod(r.method)) return r;
  const q = new URLSearchParams(r.path.includes('?') ? r.path.slice(r.path.indexOf('?') + 1) : '');
  const quick = q.getAll('timeoutSeconds').length === 1 && ['1', '0', '-1'].includes(q.get('timeoutSeconds')!);
  return { ...r, slow: true, mayHold: r.mayHold || !quick, method: r.mayHold || !quick ? 'GET' : r.method };
}

export function generate(seed: number, index: number, startRev: number): FuzzRequest {
  const rng = new Rng(requestSeed(seed, index));
  for (let attempt = 0; ; attempt++) {
    const r = markWatches(genOne(rng, index, startRev));
    if (!unsafe(r)) return r;
    if (attempt > 50) throw new Error(`could not generate a safe request for index ${index}`);
  }
}

