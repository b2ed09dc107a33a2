/**
 * Facts about the built-in types that kubernetes-types does not carry: the strategic-merge-patch directives
 * (patch strategy / merge key), the server-side-apply topology (list type, list-map keys, map type) and the integer
 * and byte formats. They mirror upstream's published OpenAPI spec (api/openapi-spec/v3 in kubernetes/kubernetes); each
 * entry is a fact about a field, written down here by hand.
 *
 * Rules the generator applies on top of these tables:
 * - every array not listed in FIELDS gets `x-kubernetes-list-type: atomic` (upstream marks essentially every built-in
 *   list since 1.30; an unmarked list is atomic for server-side apply anyway), except the `items` of List kinds;
 * - every integer not listed in INT64 is `int32`;
 * - types listed in ATOMIC_STRUCTS get `x-kubernetes-map-type: atomic` on the type itself.
 */

export interface FieldFacts {
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  patchStrategy?: string;
  patchMergeKey?: string;
  mapType?: 'atomic' | 'granular';
}

/** A list merged by key: strategic merge patch merges entries by `key`, server-side apply treats it as a map. */
const merge = (key: string, ...extraKeys: string[]): FieldFacts => ({
  patchStrategy: 'merge',
  patchMergeKey: key,
  listType: 'map',
  listMapKeys: [key, ...extraKeys],
});
const mergeRetain = (key: string): FieldFacts => ({ ...merge(key), patchStrategy: 'merge,retainKeys' });
const mapList = (...keys: string[]): FieldFacts => ({ listType: 'map', listMapKeys: keys });
const set: FieldFacts = { listType: 'set' };
const conditions = merge('type');

/**
 * Per-type field facts, keyed by the short schema name ('core.v1.PodSpec' = io.k8s.api.core.v1.PodSpec,
 * 'meta.v1.ObjectMeta' = io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta). Fields absent from the installed
 * kubernetes-types are ignored.
 */
const FIELDS_SHORT: Record<string, Record<string, FieldFacts>> = {
  // --- apimachinery meta/v1
  'meta.v1.ObjectMeta': {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: merge('uid'),
  },

  // --- core/v1: pod
  'core.v1.PodSpec': {
    containers: merge('name'),
    initContainers: merge('name'),
    ephemeralContainers: merge('name'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    volumes: mergeRetain('name'),
    resourceClaims: mergeRetain('name'),
    schedulingGates: merge('name'),
    topologySpreadConstraints: merge('topologyKey', 'whenUnsatisfiable'),
    nodeSelector: { mapType: 'atomic' },
  },
  'core.v1.Container': {
    env: merge('name'),
    ports: merge('containerPort', 'protocol'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  'core.v1.EphemeralContainer': {
    env: merge('name'),
    ports: merge('containerPort', 'protocol'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  'core.v1.ResourceRequirements': { claims: mapList('name') },
  'core.v1.SecurityContext': { ulimits: mapList('name') },
  'core.v1.PodStatus': {
    conditions,
    podIPs: merge('ip'),
    // merge key for strategic merge patch, but atomic for server-side apply
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    resourceClaimStatuses: mergeRetain('name'),
  },
  'core.v1.ContainerStatus': {
    volumeMounts: merge('mountPath'),
    allocatedResourcesStatus: merge('name'),
  },
  'core.v1.ResourceStatus': { resources: mapList('resourceID') },
  'core.v1.ContainerRestartRuleOnExitCodes': { values: set },

  // --- core/v1: other kinds
  'core.v1.NodeSpec': { podCIDRs: { patchStrategy: 'merge', listType: 'set' } },
  'core.v1.NodeStatus': { conditions, addresses: merge('type') },
  'core.v1.NamespaceStatus': { conditions },
  'core.v1.PersistentVolumeClaimStatus': { conditions, allocatedResourceStatuses: { mapType: 'granular' } },
  'core.v1.ServiceSpec': { ports: merge('port', 'protocol'), selector: { mapType: 'atomic' } },
  'core.v1.ServiceStatus': { conditions },
  'core.v1.ServiceAccount': { secrets: merge('name') },
  'core.v1.ReplicationControllerSpec': { selector: { mapType: 'atomic' } },
  'core.v1.ReplicationControllerStatus': { conditions },
  'core.v1.ComponentStatus': { conditions },

  // --- apps/v1
  'apps.v1.DeploymentSpec': { strategy: { patchStrategy: 'retainKeys' } },
  'apps.v1.DeploymentStatus': { conditions },
  'apps.v1.ReplicaSetStatus': { conditions },
  'apps.v1.StatefulSetStatus': { conditions },
  'apps.v1.DaemonSetStatus': { conditions },

  // --- batch/v1
  'batch.v1.JobStatus': { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  'batch.v1.UncountedTerminatedPods': { succeeded: set, failed: set },
  'batch.v1.PodFailurePolicyOnExitCodesRequirement': { values: set },

  // --- autoscaling
  'autoscaling.v2.HorizontalPodAutoscalerStatus': { conditions },

  // --- policy/v1
  'policy.v1.PodDisruptionBudgetStatus': { conditions },

  // --- discovery/v1
  'discovery.v1.Endpoint': { addresses: set },

  // --- other groups present in kubernetes-types (not served yet)
  'apiextensions.v1.CustomResourceDefinitionStatus': { conditions: mapList('type') },
};

/** Types that server-side apply treats as a unit (`+structType=atomic` upstream). */
const ATOMIC_STRUCTS_SHORT = [
  'meta.v1.LabelSelector',
  'meta.v1.OwnerReference',
  'core.v1.LocalObjectReference',
  'core.v1.ObjectReference',
  'core.v1.TypedLocalObjectReference',
  'core.v1.ConfigMapKeySelector',
  'core.v1.SecretKeySelector',
  'core.v1.FileKeySelector',
  'core.v1.ObjectFieldSelector',
  'core.v1.ResourceFieldSelector',
  'core.v1.NodeSelector',
  'core.v1.NodeSelectorTerm',
  'core.v1.TopologySelectorTerm',
  'core.v1.EndpointAddress',
  'core.v1.EndpointPort',
  'core.v1.SecretReference',
  'core.v1.ScopeSelector',
  'rbac.v1.RoleRef',
];

/** Integer fields that are int64 upstream (all other integers are int32). `[]` marks the element of an array. */
const INT64_SHORT: Record<string, string[]> = {
  'meta.v1.ObjectMeta': ['generation', 'deletionGracePeriodSeconds'],
  'meta.v1.ListMeta': ['remainingItemCount'],
  'meta.v1.DeleteOptions': ['gracePeriodSeconds'],
  'meta.v1.Condition': ['observedGeneration'],
  'core.v1.PodSpec': ['activeDeadlineSeconds', 'terminationGracePeriodSeconds'],
  'core.v1.Probe': ['terminationGracePeriodSeconds'],
  'core.v1.PodSecurityContext': ['fsGroup', 'runAsUser', 'runAsGroup', 'supplementalGroups[]'],
  'core.v1.SecurityContext': ['runAsUser', 'runAsGroup'],
  'core.v1.LinuxContainerUser': ['uid', 'gid', 'supplementalGroups[]'],
  'core.v1.Toleration': ['tolerationSeconds'],
  'core.v1.ContainerImage': ['sizeBytes'],
  'core.v1.ServiceAccountTokenProjection': ['expirationSeconds'],
  'core.v1.SleepAction': ['seconds'],
  'core.v1.Ulimit': ['hard', 'soft'],
  'core.v1.PodCondition': ['observedGeneration'],
  'core.v1.PodStatus': ['observedGeneration'],
  'apps.v1.ControllerRevision': ['revision'],
  'apps.v1.DeploymentStatus': ['observedGeneration'],
  'apps.v1.ReplicaSetStatus': ['observedGeneration'],
  'apps.v1.StatefulSetStatus': ['observedGeneration'],
  'apps.v1.DaemonSetStatus': ['observedGeneration'],
  'batch.v1.JobSpec': ['activeDeadlineSeconds'],
  'batch.v1.CronJobSpec': ['startingDeadlineSeconds'],
  'autoscaling.v1.HorizontalPodAutoscalerStatus': ['observedGeneration'],
  'autoscaling.v2.HorizontalPodAutoscalerStatus': ['observedGeneration'],
  'policy.v1.PodDisruptionBudgetStatus': ['observedGeneration'],
  'authentication.v1.TokenRequestSpec': ['expirationSeconds'],
  'certificates.v1.CertificateSigningRequestSpec': ['expirationSeconds'],
  'apiextensions.v1.JSONSchemaProps': ['maxItems', 'maxLength', 'maxProperties', 'minItems', 'minLength', 'minProperties'],
};

/** Number fields that are floating point upstream (`type: number, format: double`). */
const DOUBLE_SHORT: Record<string, string[]> = {
  'apiextensions.v1.JSONSchemaProps': ['maximum', 'minimum', 'multipleOf'],
};

/** String fields carrying base64 data upstream (`format: byte`). `{}` marks the values of a map. */
const BYTE_SHORT: Record<string, string[]> = {
  'core.v1.Secret': ['data{}'],
  'core.v1.ConfigMap': ['binaryData{}'],
  'admissionregistration.v1.WebhookClientConfig': ['caBundle'],
  'apiextensions.v1.WebhookClientConfig': ['caBundle'],
  'certificates.v1.CertificateSigningRequestSpec': ['request'],
  'certificates.v1.CertificateSigningRequestStatus': ['certificate'],
};

/** 'core.v1.PodSpec' -> 'io.k8s.api.core.v1.PodSpec'; 'meta.v1.X' -> apimachinery; 'apiextensions.v1.X' -> its package. */
export function fullSchemaName(short: string): string {
  if (short.startsWith('meta.v1.')) return 'io.k8s.apimachinery.pkg.apis.' + short;
  if (short.startsWith('apiextensions.v1.')) return 'io.k8s.apiextensions-apiserver.pkg.apis.' + short;
  return 'io.k8s.api.' + short;
}

const expand = <T>(rec: Record<string, T>): Map<string, T> =>
  new Map(Object.entries(rec).map(([k, v]) => [fullSchemaName(k), v]));

export const FIELDS: ReadonlyMap<string, Record<string, FieldFacts>> = expand(FIELDS_SHORT);
export const ATOMIC_STRUCTS: ReadonlySet<string> = new Set(ATOMIC_STRUCTS_SHORT.map(fullSchemaName));
export const INT64: ReadonlyMap<string, string[]> = expand(INT64_SHORT);
export const DOUBLE: ReadonlyMap<string, string[]> = expand(DOUBLE_SHORT);
export const BYTE: ReadonlyMap<string, string[]> = expand(BYTE_SHORT);
