import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { KINDS, MESSAGES } from './table.generated.ts';
import { F_INLINE, F_MAP, F_REPEATED } from './types.ts';

// Cross-checks the generated table against an independent source: the JSON field names in the kubernetes-types
// package (generated from the upstream OpenAPI spec, Kubernetes 1.30). The table was derived from 1.32 Go types, so a
// few newer fields are expected to be missing there; anything else that differs is a transcription mistake.

const KT = new URL('../../../node_modules/kubernetes-types/', import.meta.url);
const FILES: Record<string, string> = {
  'core/v1': 'core/v1.d.ts',
  'apps/v1': 'apps/v1.d.ts',
  'batch/v1': 'batch/v1.d.ts',
  'autoscaling/v1': 'autoscaling/v1.d.ts',
  'autoscaling/v2': 'autoscaling/v2.d.ts',
  'policy/v1': 'policy/v1.d.ts',
  'coordination.k8s.io/v1': 'coordination/v1.d.ts',
  'discovery.k8s.io/v1': 'discovery/v1.d.ts',
  'networking.k8s.io/v1': 'networking/v1.d.ts',
  'events.k8s.io/v1': 'events/v1.d.ts',
  'rbac.authorization.k8s.io/v1': 'rbac/v1.d.ts',
  'authentication.k8s.io/v1': 'authentication/v1.d.ts',
  'authorization.k8s.io/v1': 'authorization/v1.d.ts',
  'meta/v1': 'meta/v1.d.ts',
};

/** Fields added after Kubernetes 1.30 (or lost by kubernetes-types' own generator), by message. */
const NEWER_THAN_KUBERNETES_TYPES: Record<string, string[]> = {
  'coordination.k8s.io/v1.LeaseSpec': ['strategy', 'preferredHolder'],
  'core/v1.ContainerStatus': ['user', 'allocatedResourcesStatus'],
  'core/v1.NodeRuntimeHandlerFeatures': ['userNamespaces'],
  'core/v1.NodeStatus': ['features'],
  'core/v1.PodResourceClaim': ['resourceClaimName', 'resourceClaimTemplateName'],
  'core/v1.PodSecurityContext': ['supplementalGroupsPolicy', 'seLinuxChangePolicy'],
  'core/v1.PodSpec': ['resources'],
  'core/v1.ResourceClaim': ['request'],
  'core/v1.Volume': ['image'],
  'meta/v1.DeleteOptions': ['ignoreStoreReadErrorWithClusterBreakingPotential'],
  'authorization.k8s.io/v1.ResourceAttributes': ['fieldSelector', 'labelSelector'],
  // kubernetes-types drops these: a "*/foo" in their doc comment ends the comment early
  'authorization.k8s.io/v1.ResourceRule': ['verbs', 'resources'],
};
/** Fields removed upstream before 1.32 that kubernetes-types 1.30 still lists. */
const REMOVED: Record<string, string[]> = {
  'core/v1.PodResourceClaim': ['source'],
};

function kubernetesTypes(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [pkg, file] of Object.entries(FILES)) {
    let current: Set<string> | undefined;
    for (const line of readFileSync(new URL(file, KT), 'utf8').split('\n')) {
      const iface = /^export interface (\w+)/.exec(line);
      if (iface) {
        out.set(`${pkg}.${iface[1]}`, (current = new Set()));
        continue;
      }
      const field = /^ {4}(?:readonly )?"?([\w$-]+)"?\??:/.exec(line);
      if (field && current) current.add(field[1]!);
    }
  }
  return out;
}

const jsonNames = (message: string): string[] =>
  MESSAGES[message]!.flatMap(([, json, type, flags]) => (flags & F_INLINE ? jsonNames(type) : [json]));

describe('generated protobuf table', () => {
  test('JSON field names agree with kubernetes-types', () => {
    const kt = kubernetesTypes();
    const problems: string[] = [];
    let compared = 0;
    for (const message of Object.keys(MESSAGES)) {
      const theirs = kt.get(message);
      if (!theirs) continue; // inline-only structs (VolumeSource, ProbeHandler...) and types newer than 1.30
      compared++;
      const ours = new Set(jsonNames(message));
      for (const j of ours) {
        if (!theirs.has(j) && !NEWER_THAN_KUBERNETES_TYPES[message]?.includes(j)) problems.push(`${message}: ${j} unknown to kubernetes-types`);
      }
      for (const j of theirs) {
        if (j === 'apiVersion' && !ours.has(j)) continue; // TypeMeta is not on the wire
        if (j === 'kind' && !ours.has(j)) continue;
        if (!ours.has(j) && !REMOVED[message]?.includes(j)) problems.push(`${message}: missing ${j}`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(compared > 250, `compared only ${compared} messages`);
  });

  test('every referenced message exists; field numbers are unique; map/repeated flags are exclusive', () => {
    for (const [name, fields] of Object.entries(MESSAGES)) {
      const nums = new Set<number>();
      for (const [num, json, type, flags] of fields) {
        assert.ok(!nums.has(num), `${name} duplicate field ${num}`);
        nums.add(num);
        if (type.includes('.')) assert.ok(MESSAGES[type], `${name}.${json} → missing ${type}`);
        assert.ok(!(flags & F_MAP && flags & F_REPEATED), `${name}.${json}`);
      }
    }
    for (const [, , message] of KINDS) assert.ok(MESSAGES[message], message);
  });

  test('well-known JSON-name exceptions survived', () => {
    const field = (m: string, num: number) => MESSAGES[m]!.find((f) => f[0] === num)!;
    assert.equal(field('core/v1.VolumeSource', 14)[1], 'cephfs');
    assert.equal(field('core/v1.VolumeSource', 27)[1], 'storageos');
    assert.equal(field('core/v1.DaemonEndpoint', 1)[1], 'Port');
    assert.equal(field('networking.k8s.io/v1.IngressClassParametersReference', 1)[1], 'apiGroup');
    assert.equal(field('core/v1.Volume', 2)[3] & F_INLINE, F_INLINE);
    assert.equal(field('core/v1.EphemeralContainer', 1)[3] & F_INLINE, F_INLINE);
  });
});
