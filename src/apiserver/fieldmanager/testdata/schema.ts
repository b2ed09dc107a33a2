/**
 * A small hand-written schema for the field manager's unit tests: the shapes that matter (structs, granular and
 * atomic maps, atomic structs, list maps with one and two keys, sets, atomic lists, a merge-strategy list without
 * list type) without loading the OpenAPI model.
 */
import type { FieldSchema } from '../schema.ts';

export interface Def {
  type?: string;
  properties?: Record<string, Def>;
  items?: Def;
  additionalProperties?: Def;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  patchStrategy?: string;
  patchMergeKey?: string;
  mapType?: 'atomic' | 'granular';
  preserveUnknownFields?: boolean;
}

const cache = new Map<Def, FieldSchema>();

export function schemaOf(d: Def): FieldSchema {
  let n = cache.get(d);
  if (n) return n;
  n = {
    type: d.type,
    isMap: !!d.additionalProperties,
    listType: d.listType,
    listMapKeys: d.listMapKeys,
    patchStrategy: d.patchStrategy,
    patchMergeKey: d.patchMergeKey,
    mapType: d.mapType,
    preserveUnknownFields: d.preserveUnknownFields,
    opaque: d.type === 'object' && !d.properties && !d.additionalProperties,
    raw: d,
    field: (name) => (d.properties && Object.hasOwn(d.properties, name) ? schemaOf(d.properties[name]!) : undefined),
    items: () => (d.items ? schemaOf(d.items) : d.additionalProperties ? schemaOf(d.additionalProperties) : undefined),
    fieldNames: () => Object.keys(d.properties ?? {}),
  };
  cache.set(d, n);
  return n;
}

const str: Def = { type: 'string' };
const int: Def = { type: 'integer' };
const strMap: Def = { type: 'object', additionalProperties: str };

const container: Def = {
  type: 'object',
  properties: {
    name: str,
    image: str,
    args: { type: 'array', items: str, listType: 'atomic' },
    ports: {
      type: 'array',
      listType: 'map',
      listMapKeys: ['containerPort', 'protocol'],
      items: { type: 'object', properties: { containerPort: int, protocol: str, name: str } },
    },
    env: {
      type: 'array',
      patchStrategy: 'merge',
      patchMergeKey: 'name',
      items: { type: 'object', properties: { name: str, value: str } },
    },
  },
};

export const WIDGET: Def = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: {
      type: 'object',
      properties: {
        name: str,
        namespace: str,
        uid: str,
        resourceVersion: str,
        generation: int,
        creationTimestamp: str,
        labels: strMap,
        annotations: strMap,
        finalizers: { type: 'array', items: str, listType: 'set' },
        managedFields: { type: 'array', listType: 'atomic', items: { type: 'object' } },
      },
    },
    spec: {
      type: 'object',
      properties: {
        replicas: int,
        paused: { type: 'boolean' },
        selector: { type: 'object', mapType: 'atomic', properties: { matchLabels: strMap } },
        nodeSelector: { type: 'object', mapType: 'atomic', additionalProperties: str },
        tags: { type: 'array', patchStrategy: 'merge', items: str },
        containers: { type: 'array', listType: 'map', listMapKeys: ['name'], items: container },
        limits: { type: 'object', additionalProperties: { type: 'object', properties: { max: int, min: int } } },
        extra: { type: 'object' },
      },
    },
    status: { type: 'object', properties: { phase: str, replicas: int } },
  },
};

export const widgetSchema = (): FieldSchema => schemaOf(WIDGET);
