/**
 * Generates `table.generated.ts`: the message → field table the Kubernetes protobuf decoder runs on.
 *
 *   node --import tsx src/apimachinery/protobuf/gen-table.ts [SOURCE_DIR]   (default /tmp/k8s-types)
 *
 * SOURCE_DIR holds plain-text transcriptions of the upstream Go API types (k8s.io/api and k8s.io/apimachinery
 * meta/v1, k8s 1.32), one file per package, reduced to the facts the wire format needs. They are not committed;
 * only the derived table is. Format, one item per line:
 *
 *   pkg <package>                e.g. `pkg core/v1`, `pkg apps/v1`, `pkg meta/v1` (first line of a file)
 *   import <alias> <package>     Go import alias for another package (`metav1` → meta/v1 is implicit)
 *   alias <Name> <GoType>        a named Go type that is not a struct (`alias Protocol string`)
 *   struct <Name>                starts a struct; the field lines that follow belong to it
 *   <GoType>\t<json tag>\t<protobuf field number>
 *
 * Why the Go types and not the .proto files: go-to-protobuf writes every non-pointer field on the wire even when
 * it is the zero value, so reproducing the JSON an object would have needs what the .proto cannot say: whether a
 * field is a pointer (presence on the wire = set, keep zero values) or carries `omitempty` (drop zero values), the
 * JSON names that differ from the proto names (cephfs/cephFS, storageos/storageOS, apiGroup/aPIGroup, Port), and
 * which embedded structs JSON inlines (Volume.volumeSource, PersistentVolumeSpec.persistentVolumeSource,
 * EphemeralContainer.ephemeralContainerCommon, IngressRule.ingressRuleValue, the LocalObjectReference embeds...).
 * The struct tags also carry the field numbers; the Go type (not the tag's wire type, which is wrong in places
 * upstream, e.g. SecretVolumeSource.defaultMode says "bytes") decides the proto type, exactly as go-to-protobuf does.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Scalar = 'string' | 'bool' | 'int32' | 'int64' | 'double' | 'bytes';
type WellKnown = 'time' | 'microtime' | 'duration' | 'fieldsv1' | 'quantity' | 'intorstring' | 'rawextension' | 'stringlist';

interface RawField {
  goType: string;
  json: string;
  num: number;
}
interface Pkg {
  name: string;
  imports: Map<string, string>;
  aliases: Map<string, string>;
  structs: Map<string, RawField[]>;
}

const SCALARS: Record<string, Scalar> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  int: 'int64',
  float64: 'double',
};
/** Cross-package types with their own wire/JSON encodings (values of `qualified name`). */
const WELL_KNOWN: Record<string, WellKnown | 'string'> = {
  'meta/v1.Time': 'time',
  'meta/v1.MicroTime': 'microtime',
  'meta/v1.Duration': 'duration',
  'meta/v1.FieldsV1': 'fieldsv1',
  'resource.Quantity': 'quantity',
  'intstr.IntOrString': 'intorstring',
  'runtime.RawExtension': 'rawextension',
  'types.UID': 'string',
};
const BUILTIN_IMPORTS: Record<string, string> = { metav1: 'meta/v1', resource: 'resource', intstr: 'intstr', runtime: 'runtime', types: 'types' };

/** Top-level kinds the decoder must recognise: apiVersion → kinds. Lists are added automatically when they exist. */
const ROOTS: Record<string, string[]> = {
  v1: [
    'Namespace', 'Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'Node', 'Event', 'ServiceAccount',
    'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'Binding', 'PodTemplate',
  ],
  'apps/v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
  'batch/v1': ['Job', 'CronJob'],
  'autoscaling/v1': ['Scale'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'coordination.k8s.io/v1': ['Lease'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'events.k8s.io/v1': ['Event'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'authentication.k8s.io/v1': ['TokenRequest', 'TokenReview', 'SelfSubjectReview'],
  'authorization.k8s.io/v1': ['SubjectAccessReview', 'SelfSubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview'],
  'meta/v1': ['DeleteOptions'],
};
const pkgOfApiVersion = (apiVersion: string) => (apiVersion === 'v1' ? 'core/v1' : apiVersion);

function parse(file: string): Pkg {
  const lines = readFileSync(file, 'utf8').split('\n');
  let pkg: Pkg | undefined;
  let current: RawField[] | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = raw.trimEnd();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    const words = line.split(' ');
    if (words[0] === 'pkg') {
      pkg = { name: words[1]!, imports: new Map(), aliases: new Map(), structs: new Map() };
      continue;
    }
    if (!pkg) throw new Error(`${where}: expected "pkg" first`);
    if (words[0] === 'import') {
      pkg.imports.set(words[1]!, words[2]!);
    } else if (words[0] === 'alias') {
      pkg.aliases.set(words[1]!, words.slice(2).join(' '));
    } else if (words[0] === 'struct') {
      if (pkg.structs.has(words[1]!)) throw new Error(`${where}: duplicate struct ${words[1]}`);
      current = [];
      pkg.structs.set(words[1]!, current);
    } else {
      const cols = line.split('\t');
      if (cols.length !== 3 || !current) throw new Error(`${where}: bad field line ${JSON.stringify(line)}`);
      const num = Number(cols[2]);
      if (!Number.isInteger(num) || num < 1) throw new Error(`${where}: bad field number`);
      if (current.some((f) => f.num === num)) throw new Error(`${where}: duplicate field number ${num}`);
      current.push({ goType: cols[0]!, json: cols[1]!, num });
    }
  }
  if (!pkg) throw new Error(`${file}: empty`);
  return pkg;
}

// Field flags, mirrored in decode.ts.
const REPEATED = 1;
const MAP = 2;
const POINTER = 4;
const OMITEMPTY = 8;
const INLINE = 16;

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const src = process.argv[2] ?? '/tmp/k8s-types';
  const pkgs = new Map<string, Pkg>();
  for (const f of readdirSync(src).filter((f) => f.endsWith('.txt')).sort()) {
    const p = parse(join(src, f));
    pkgs.set(p.name, p);
  }

  // Resolve a Go type name (no pointer/slice/map prefix) seen in package `pkg` to a proto type.
  const resolveNamed = (pkg: Pkg, name: string, seen: string[] = []): { type: string; map?: boolean; repeated?: boolean } => {
    if (SCALARS[name]) return { type: SCALARS[name] };
    if (name === '[]byte') return { type: 'bytes' };
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const alias = name.slice(0, dot);
      const target = pkg.imports.get(alias) ?? BUILTIN_IMPORTS[alias];
      if (!target) throw new Error(`${pkg.name}: unknown import alias in ${name}`);
      const local = name.slice(dot + 1);
      const wk = WELL_KNOWN[`${target}.${local}`];
      if (wk) return { type: wk };
      const other = pkgs.get(target);
      if (!other) throw new Error(`${pkg.name}: ${name} refers to untranscribed package ${target}`);
      return resolveNamed(other, local, seen);
    }
    const wk = WELL_KNOWN[`${pkg.name}.${name}`];
    if (wk) return { type: wk };
    if (pkg.structs.has(name)) return { type: `${pkg.name}.${name}` };
    const alias = pkg.aliases.get(name);
    if (alias !== undefined) {
      if (seen.includes(name)) throw new Error(`${pkg.name}: alias cycle ${name}`);
      return resolveGo(pkg, alias, [...seen, name]);
    }
    throw new Error(`${pkg.name}: unresolved type ${name}`);
  };
  // Resolve a full Go type expression; returns type plus REPEATED/MAP flags (POINTER is handled by the caller).
  const resolveGo = (pkg: Pkg, goType: string, seen: string[] = []): { type: string; map?: boolean; repeated?: boolean } => {
    if (goType === '[]byte') return { type: 'bytes' };
    if (goType.startsWith('[]')) {
      const inner = resolveGo(pkg, goType.slice(2), seen);
      if (inner.map || inner.repeated) throw new Error(`${pkg.name}: nested collection ${goType}`);
      return { type: inner.type, repeated: true };
    }
    if (goType.startsWith('map[')) {
      const close = goType.indexOf(']');
      const key = resolveGo(pkg, goType.slice(4, close), seen);
      if (key.type !== 'string') throw new Error(`${pkg.name}: non-string map key in ${goType}`);
      const value = resolveGo(pkg, goType.slice(close + 1), seen);
      // A named []string map value (authentication/authorization ExtraValue) is a wrapper message {repeated string items = 1}.
      if (value.repeated && value.type === 'string' && !goType.slice(close + 1).startsWith('[]')) return { type: 'stringlist', map: true };
      if (value.map || value.repeated) throw new Error(`${pkg.name}: nested collection ${goType}`);
      return { type: value.type, map: true };
    }
    return resolveNamed(pkg, goType, seen);
  };

  const messages = new Map<string, [number, string, string, number][]>();
  const queue: string[] = [];
  const want = (name: string) => {
    if (!messages.has(name) && !queue.includes(name)) queue.push(name);
  };
  const kinds: [string, string, string][] = [];
  for (const [apiVersion, ks] of Object.entries(ROOTS)) {
    const pkg = pkgs.get(pkgOfApiVersion(apiVersion));
    if (!pkg) throw new Error(`no transcription for ${apiVersion}`);
    for (const k of ks) {
      if (!pkg.structs.has(k)) throw new Error(`${apiVersion}: no struct ${k}`);
      kinds.push([apiVersion, k, `${pkg.name}.${k}`]);
      want(`${pkg.name}.${k}`);
      if (pkg.structs.has(`${k}List`)) {
        kinds.push([apiVersion, `${k}List`, `${pkg.name}.${k}List`]);
        want(`${pkg.name}.${k}List`);
      }
    }
  }
  while (queue.length) {
    const name = queue.shift()!;
    const dot = name.lastIndexOf('.');
    const pkg = pkgs.get(name.slice(0, dot))!;
    const fields = pkg.structs.get(name.slice(dot + 1))!;
    const out: [number, string, string, number][] = [];
    for (const f of fields) {
      const pointer = f.goType.startsWith('*');
      const r = resolveGo(pkg, pointer ? f.goType.slice(1) : f.goType);
      const [jsonName, ...opts] = f.json.split(',');
      let flags = 0;
      if (r.repeated) flags |= REPEATED;
      if (r.map) flags |= MAP;
      if (pointer) flags |= POINTER;
      if (opts.includes('omitempty')) flags |= OMITEMPTY;
      if (opts.includes('inline')) {
        if (jsonName || pointer || r.repeated || r.map || !r.type.includes('.')) throw new Error(`${name}: odd inline field ${f.num}`);
        flags |= INLINE;
      } else if (!jsonName) throw new Error(`${name}: field ${f.num} has no JSON name`);
      out.push([f.num, jsonName!, r.type, flags]);
      if (r.type.includes('.')) want(r.type);
    }
    messages.set(name, out);
  }

  const names = [...messages.keys()].sort();
  const body = [
    '// Generated by gen-table.ts from the upstream Go API types (k8s.io/api, k8s.io/apimachinery, Kubernetes 1.32).',
    '// Do not edit by hand: re-run the generator. Facts only: message → [field number, JSON name, type, flags].',
    '/* eslint-disable */',
    "import type { FieldSpec } from './types.ts';",
    '',
    'export const MESSAGES: Readonly<Record<string, readonly FieldSpec[]>> = {',
    ...names.map((n) => `  '${n}': [${messages.get(n)!.map(([num, j, t, fl]) => `[${num}, '${j}', '${t}', ${fl}]`).join(', ')}],`),
    '};',
    '',
    '/** [apiVersion, kind, message] for every top-level object the decoder accepts. */',
    'export const KINDS: readonly (readonly [string, string, string])[] = [',
    ...kinds.map(([a, k, m]) => `  ['${a}', '${k}', '${m}'],`),
    '];',
    '',
  ].join('\n');
  const outFile = join(here, 'table.generated.ts');
  writeFileSync(outFile, body);
  console.log(`wrote ${outFile}: ${names.length} messages, ${kinds.length} kinds`);
}

main();
