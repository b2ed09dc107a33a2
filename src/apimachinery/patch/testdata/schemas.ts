/**
 * Hand-written schema fixtures for patch tests: a slice of the core/apps types with the patch metadata the
 * published OpenAPI carries for them (x-kubernetes-patch-strategy / -patch-merge-key).
 */
import { schemaFromDef, type SchemaDef, type SchemaNode } from '../schema.ts';

const str: SchemaDef = { type: 'string' };
const int: SchemaDef = { type: 'integer' };
const stringMap: SchemaDef = { type: 'object', additionalProperties: str };
const stringList: SchemaDef = { type: 'array', items: str };

const envVar: SchemaDef = {
  type: 'object',
  properties: {
    name: str,
    value: str,
    valueFrom: { type: 'object', properties: { fieldRef: { type: 'object', properties: { fieldPath: str } } } },
  },
};

const containerPort: SchemaDef = {
  type: 'object',
  properties: { containerPort: int, protocol: str, name: str, hostPort: int },
};

const container: SchemaDef = {
  type: 'object',
  properties: {
    name: str,
    image: str,
    imagePullPolicy: str,
    command: stringList,
    args: stringList,
    terminationMessagePath: str,
    env: { type: 'array', items: envVar, patchStrategy: 'merge', patchMergeKey: 'name' },
    ports: {
      type: 'array',
      items: containerPort,
      patchStrategy: 'merge',
      patchMergeKey: 'containerPort',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
    },
    volumeMounts: {
      type: 'array',
      items: { type: 'object', properties: { name: str, mountPath: str } },
      patchStrategy: 'merge',
      patchMergeKey: 'mountPath',
    },
    resources: { type: 'object', properties: { limits: stringMap, requests: stringMap } },
  },
};

const volume: SchemaDef = {
  type: 'object',
  properties: {
    name: str,
    configMap: { type: 'object', properties: { name: str, defaultMode: int } },
    secret: { type: 'object', properties: { secretName: str, defaultMode: int } },
    emptyDir: { type: 'object', properties: { medium: str } },
  },
};

const podSpec: SchemaDef = {
  type: 'object',
  properties: {
    containers: { type: 'array', items: container, patchStrategy: 'merge', patchMergeKey: 'name' },
    initContainers: { type: 'array', items: container, patchStrategy: 'merge', patchMergeKey: 'name' },
    volumes: { type: 'array', items: volume, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
    tolerations: {
      type: 'array',
      items: { type: 'object', properties: { key: str, operator: str, value: str, effect: str } },
    },
    nodeSelector: stringMap,
    restartPolicy: str,
    dnsPolicy: str,
  },
};

const objectMeta: SchemaDef = {
  type: 'object',
  properties: {
    name: str,
    namespace: str,
    uid: str,
    resourceVersion: str,
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: str, patchStrategy: 'merge' },
    ownerReferences: {
      type: 'array',
      items: { type: 'object', properties: { apiVersion: str, kind: str, name: str, uid: str } },
      patchStrategy: 'merge',
      patchMergeKey: 'uid',
    },
  },
};

const podTemplateSpec: SchemaDef = { type: 'object', properties: { metadata: objectMeta, spec: podSpec } };

const podDef: SchemaDef = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: podSpec,
    status: { type: 'object', properties: { phase: str } },
  },
};

const deploymentDef: SchemaDef = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        selector: { type: 'object', properties: { matchLabels: stringMap } },
        template: podTemplateSpec,
        strategy: {
          type: 'object',
          patchStrategy: 'retainKeys',
          properties: {
            type: str,
            rollingUpdate: { type: 'object', properties: { maxSurge: str, maxUnavailable: str } },
          },
        },
      },
    },
  },
};

export const podSchema: SchemaNode = schemaFromDef(podDef);
export const deploymentSchema: SchemaNode = schemaFromDef(deploymentDef);
