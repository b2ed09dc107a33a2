import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiVersionOf, groupVersions, RESOURCES, verbsOf } from '../../../apimachinery/resources.ts';
import { loadOpenApi, serveOpenApi, type OpenApi } from '../index.ts';
import { encodeDocument, MIME_PROTOBUF, MIME_PROTOBUF_REQUEST, openApiV2, ProtoWriter, serveOpenApiV2, toV2Schema, type OpenApiV2 } from './index.ts';
import { apiGroupList, apiResourceList, apiVersions } from '../../discovery.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// ---------------------------------------------------------------------------------------------------------------
// A small table-driven protobuf decoder for the gnostic messages the encoder writes, and the way back from the
// decoded messages to Swagger JSON, so the encoder can be checked by a full round trip.

type Kind = 'string' | 'bool' | 'int64' | 'double' | string; // other strings: a message name
type FieldSpec = [name: string, kind: Kind, repeated?: true];

const ANY_EXT: FieldSpec = ['vendor_extension', 'NamedAny', true];
/** the primitive parameter layouts: query and formData have allow_empty_value = 5 and every later field one up */
const PRIMITIVE_PARAM = (o: number): Record<number, FieldSpec> => {
  const spec: Record<number, FieldSpec> = {
    1: ['required', 'bool'],
    2: ['in', 'string'],
    3: ['description', 'string'],
    4: ['name', 'string'],
    [5 + o]: ['type', 'string'],
    [6 + o]: ['format', 'string'],
    [19 + o]: ['unique_items', 'bool'],
    [22 + o]: ANY_EXT,
  };
  if (o) spec[5] = ['allow_empty_value', 'bool'];
  return spec;
};

const MESSAGES: Record<string, Record<number, FieldSpec>> = {
  Document: {
    1: ['swagger', 'string'],
    2: ['info', 'Info'],
    8: ['paths', 'Paths'],
    9: ['definitions', 'Definitions'],
    12: ['security', 'SecurityRequirement', true],
    13: ['security_definitions', 'SecurityDefinitions'],
    16: ANY_EXT,
  },
  Info: { 1: ['title', 'string'], 2: ['version', 'string'], 3: ['description', 'string'], 7: ANY_EXT },
  Paths: { 1: ANY_EXT, 2: ['path', 'NamedPathItem', true] },
  NamedPathItem: { 1: ['name', 'string'], 2: ['value', 'PathItem'] },
  PathItem: {
    1: ['_ref', 'string'],
    2: ['get', 'Operation'],
    3: ['put', 'Operation'],
    4: ['post', 'Operation'],
    5: ['delete', 'Operation'],
    6: ['options', 'Operation'],
    7: ['head', 'Operation'],
    8: ['patch', 'Operation'],
    9: ['parameters', 'ParametersItem', true],
    10: ANY_EXT,
  },
  Operation: {
    1: ['tags', 'string', true],
    2: ['summary', 'string'],
    3: ['description', 'string'],
    5: ['operation_id', 'string'],
    6: ['produces', 'string', true],
    7: ['consumes', 'string', true],
    8: ['parameters', 'ParametersItem', true],
    9: ['responses', 'Responses'],
    10: ['schemes', 'string', true],
    11: ['deprecated', 'bool'],
    13: ANY_EXT,
  },
  ParametersItem: { 1: ['parameter', 'Parameter'], 2: ['json_reference', 'JsonReference'] },
  JsonReference: { 1: ['_ref', 'string'], 2: ['description', 'string'] },
  Parameter: { 1: ['body_parameter', 'BodyParameter'], 2: ['non_body_parameter', 'NonBodyParameter'] },
  BodyParameter: { 1: ['description', 'string'], 2: ['name', 'string'], 3: ['in', 'string'], 4: ['required', 'bool'], 5: ['schema', 'Schema'], 6: ANY_EXT },
  NonBodyParameter: {
    1: ['header_parameter_sub_schema', 'HeaderParameterSubSchema'],
    2: ['form_data_parameter_sub_schema', 'FormDataParameterSubSchema'],
    3: ['query_parameter_sub_schema', 'QueryParameterSubSchema'],
    4: ['path_parameter_sub_schema', 'PathParameterSubSchema'],
  },
  QueryParameterSubSchema: PRIMITIVE_PARAM(1),
  FormDataParameterSubSchema: PRIMITIVE_PARAM(1),
  PathParameterSubSchema: PRIMITIVE_PARAM(0),
  HeaderParameterSubSchema: PRIMITIVE_PARAM(0),
  Responses: { 1: ['response_code', 'NamedResponseValue', true], 2: ANY_EXT },
  NamedResponseValue: { 1: ['name', 'string'], 2: ['value', 'ResponseValue'] },
  ResponseValue: { 1: ['response', 'Response'], 2: ['json_reference', 'JsonReference'] },
  Response: { 1: ['description', 'string'], 2: ['schema', 'SchemaItem'], 5: ANY_EXT },
  SchemaItem: { 1: ['schema', 'Schema'] },
  Definitions: { 1: ['additional_properties', 'NamedSchema', true] },
  Properties: { 1: ['additional_properties', 'NamedSchema', true] },
  NamedSchema: { 1: ['name', 'string'], 2: ['value', 'Schema'] },
  Schema: {
    1: ['_ref', 'string'],
    2: ['format', 'string'],
    3: ['title', 'string'],
    4: ['description', 'string'],
    5: ['default', 'Any'],
    6: ['multiple_of', 'double'],
    7: ['maximum', 'double'],
    9: ['minimum', 'double'],
    11: ['max_length', 'int64'],
    12: ['min_length', 'int64'],
    13: ['pattern', 'string'],
    14: ['max_items', 'int64'],
    15: ['min_items', 'int64'],
    16: ['unique_items', 'bool'],
    19: ['required', 'string', true],
    20: ['enum', 'Any', true],
    21: ['additional_properties', 'AdditionalPropertiesItem'],
    22: ['type', 'TypeItem'],
    23: ['items', 'ItemsItem'],
    24: ['all_of', 'Schema', true],
    25: ['properties', 'Properties'],
    27: ['read_only', 'bool'],
    30: ['example', 'Any'],
    31: ANY_EXT,
  },
  AdditionalPropertiesItem: { 1: ['schema', 'Schema'], 2: ['boolean', 'bool'] },
  TypeItem: { 1: ['value', 'string', true] },
  ItemsItem: { 1: ['schema', 'Schema', true] },
  NamedAny: { 1: ['name', 'string'], 2: ['value', 'Any'] },
  Any: { 2: ['yaml', 'string'] },
  SecurityRequirement: { 1: ['additional_properties', 'NamedStringArray', true] },
  NamedStringArray: { 1: ['name', 'string'], 2: ['value', 'StringArray'] },
  StringArray: { 1: ['value', 'string', true] },
  SecurityDefinitions: { 1: ['additional_properties', 'NamedSecurityDefinitionsItem', true] },
  NamedSecurityDefinitionsItem: { 1: ['name', 'string'], 2: ['value', 'SecurityDefinitionsItem'] },
  SecurityDefinitionsItem: { 2: ['api_key_security', 'ApiKeySecurity'] },
  ApiKeySecurity: { 1: ['type', 'string'], 2: ['name', 'string'], 3: ['in', 'string'], 4: ['description', 'string'], 5: ANY_EXT },
  // for the writer's own tests
  TestHolders: { 1: ['m', 'TestHolder', true] },
  TestHolder: { 1: ['s', 'string'] },
};

function readVarint(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    if (b === undefined) throw new Error('truncated varint');
    n += (b & 127) * mul;
    if (b < 128) return [n, pos];
    mul *= 128;
  }
}

/** Decodes `buf` as message `type`: field names as in the .proto, repeated fields as arrays. */
function decode(buf: Buffer, type: string): Json {
  const spec = MESSAGES[type];
  assert.ok(spec, `no decoder spec for ${type}`);
  const out: Json = {};
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    const f = spec[field];
    assert.ok(f, `${type}: unexpected field ${field} (wire type ${wire})`);
    const [name, kind, repeated] = f;
    let value: Json;
    if (wire === 0) {
      let n: number;
      [n, pos] = readVarint(buf, pos);
      assert.ok(kind === 'bool' || kind === 'int64', `${type}.${name}: varint for ${kind}`);
      value = kind === 'bool' ? n !== 0 : n;
    } else if (wire === 1) {
      assert.equal(kind, 'double', `${type}.${name}`);
      value = buf.readDoubleLE(pos);
      pos += 8;
    } else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(buf, pos);
      assert.ok(pos + len <= buf.length, `${type}.${name}: length ${len} past the end`);
      const bytes = buf.subarray(pos, pos + len);
      pos += len;
      value = kind === 'string' ? bytes.toString('utf8') : decode(bytes, kind);
    } else {
      assert.fail(`${type}.${name}: wire type ${wire}`);
    }
    if (repeated) (out[name] ??= []).push(value);
    else {
      assert.ok(!(name in out), `${type}.${name} written twice`);
      out[name] = value;
    }
  }
  return out;
}

// decoded gnostic messages -> Swagger JSON (the inverse of the encoder's mapping)
const yamlValue = (a: Json) => JSON.parse(a.yaml);
const exts = (list: Json[] | undefined) => Object.fromEntries((list ?? []).map((na: Json) => [na.name, yamlValue(na.value)]));
const namedMap = (list: Json[] | undefined, f: (v: Json) => Json) => Object.fromEntries((list ?? []).map((n: Json) => [n.name, f(n.value ?? {})]));
const drop = (o: Json) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function schemaBack(s: Json): Json {
  return drop({
    $ref: s._ref,
    format: s.format,
    description: s.description,
    default: s.default && yamlValue(s.default),
    required: s.required,
    enum: s.enum?.map(yamlValue),
    additionalProperties: s.additional_properties && (s.additional_properties.schema ? schemaBack(s.additional_properties.schema) : s.additional_properties.boolean),
    type: s.type && (s.type.value.length === 1 ? s.type.value[0] : s.type.value),
    items: s.items && schemaBack(s.items.schema[0]),
    allOf: s.all_of?.map(schemaBack),
    properties: s.properties && namedMap(s.properties.additional_properties, schemaBack),
    uniqueItems: s.unique_items,
    ...exts(s.vendor_extension),
  });
}

function paramBack(p: Json): Json {
  if (p.json_reference) return { $ref: p.json_reference._ref };
  const param = p.parameter;
  if (param.body_parameter) {
    const b = param.body_parameter;
    return drop({ description: b.description, in: b.in, name: b.name, required: b.required, schema: b.schema && schemaBack(b.schema) });
  }
  const nb = param.non_body_parameter;
  const sub = nb.query_parameter_sub_schema ?? nb.path_parameter_sub_schema ?? nb.header_parameter_sub_schema ?? nb.form_data_parameter_sub_schema;
  return drop({ description: sub.description, in: sub.in, name: sub.name, required: sub.required, type: sub.type, format: sub.format, uniqueItems: sub.unique_items });
}

function operationBack(o: Json): Json {
  return drop({
    tags: o.tags,
    description: o.description,
    operationId: o.operation_id,
    produces: o.produces,
    consumes: o.consumes,
    parameters: o.parameters?.map(paramBack),
    responses:
      o.responses &&
      namedMap(o.responses.response_code, (rv) =>
        rv.json_reference ? { $ref: rv.json_reference._ref } : drop({ description: rv.response.description ?? '', schema: rv.response.schema && schemaBack(rv.response.schema.schema) }),
      ),
    schemes: o.schemes,
    deprecated: o.deprecated,
    ...exts(o.vendor_extension),
  });
}

function documentBack(d: Json): Json {
  return {
    swagger: d.swagger,
    info: drop({ title: d.info.title, version: d.info.version }),
    paths: namedMap(d.paths.path, (item) =>
      drop({
        ...Object.fromEntries(['get', 'put', 'post', 'delete', 'options', 'head', 'patch'].filter((m) => item[m]).map((m) => [m, operationBack(item[m])])),
        parameters: item.parameters?.map(paramBack),
        ...exts(item.vendor_extension),
      }),
    ),
    definitions: namedMap(d.definitions.additional_properties, schemaBack),
    security: (d.security ?? []).map((r: Json) => namedMap(r.additional_properties, (sa) => sa.value ?? [])),
    securityDefinitions: namedMap(d.security_definitions.additional_properties, (i) => drop({ ...i.api_key_security, vendor_extension: undefined })),
  };
}

// ---------------------------------------------------------------------------------------------------------------

let api: OpenApi;
let v2: OpenApiV2;

before(async () => {
  api = await loadOpenApi({ lazy: true });
  v2 = openApiV2(api);
});

describe('protobuf writer', () => {
  it('varints, strings, bools, doubles and nested lengths (incl. multi-byte lengths)', () => {
    const w = new ProtoWriter();
    const long = 'x'.repeat(300);
    w.string(1, 'hé');
    w.string(2, '');
    w.string(3, '', true);
    w.bool(4, true);
    w.bool(5, false);
    w.int64(6, 2 ** 40 + 5);
    w.double(7, 1.5);
    w.message(8, () => {
      w.message(1, () => w.string(2, long));
      w.message(2, () => {});
    });
    const buf = w.finish();
    const expected = Buffer.concat([
      Buffer.from([0x0a, 3]), Buffer.from('hé'),
      Buffer.from([0x1a, 0]),
      Buffer.from([0x20, 1]),
      Buffer.from([0x30, 0x85, 0x80, 0x80, 0x80, 0x80, 0x20]),
      Buffer.from([0x39]), (() => { const b = Buffer.alloc(8); b.writeDoubleLE(1.5); return b; })(),
      // 8: length 308 = 0xb4 0x02; inside: field 1 (len 303 = 0xaf 0x02) { field 2 (len 300 = 0xac 0x02) }, field 2 (len 0)
      Buffer.from([0x42, 0xb4, 0x02, 0x0a, 0xaf, 0x02, 0x12, 0xac, 0x02]), Buffer.from(long), Buffer.from([0x12, 0x00]),
    ]);
    assert.deepEqual(buf, expected);
  });

  it('spans output chunks', () => {
    const w = new ProtoWriter();
    const big = 'y'.repeat(100_000);
    for (let i = 0; i < 3; i++) w.message(1, () => w.string(1, big));
    const buf = w.finish();
    const d = decode(buf, 'TestHolders');
    assert.equal(d.m.length, 3);
    for (const m of d.m) assert.equal(m.s.length, 100_000);
  });
});

describe('Swagger 2.0 document', () => {
  it('top level as kube-apiserver serves it', () => {
    const d = v2.document();
    assert.equal(d.swagger, '2.0');
    assert.equal(d.info.title, 'Kubernetes');
    assert.deepEqual(d.security, [{ BearerToken: [] }]);
    assert.equal(d.securityDefinitions.BearerToken.type, 'apiKey');
    assert.deepEqual(Object.keys(d.paths), Object.keys(d.paths).sort());
    assert.deepEqual(Object.keys(d.definitions), Object.keys(d.definitions).sort());
  });

  it('every $ref points at a definition, and every definition parses the way kube-openapi parses it', () => {
    const d = v2.document();
    const defs = d.definitions as Record<string, Json>;
    const check = (s: Json, where: string) => {
      assert.ok(s && typeof s === 'object', where);
      if (s.$ref) {
        assert.match(s.$ref, /^#\/definitions\//, where);
        assert.ok(defs[s.$ref.slice('#/definitions/'.length)], `${where}: dangling ${s.$ref}`);
        assert.ok(!s.type && !s.properties, `${where}: a reference with a type or properties`);
        return;
      }
      assert.ok(!s.allOf && !s.oneOf && !s.anyOf, `${where}: composition left in a v2 schema`);
      const t = s.type;
      assert.ok(t === undefined || typeof t === 'string', `${where}: type ${JSON.stringify(t)}`);
      if (t === 'array') {
        assert.ok(s.items && !Array.isArray(s.items), `${where}: array without exactly one items schema`);
        check(s.items, `${where}[]`);
      } else if (t === 'object' || (t === undefined && s.properties)) {
        for (const [k, p] of Object.entries(s.properties ?? {})) check(p, `${where}.${k}`);
        if (s.additionalProperties && typeof s.additionalProperties === 'object') check(s.additionalProperties, `${where}{}`);
      } else if (t !== undefined) {
        assert.ok(['string', 'integer', 'number', 'boolean'].includes(t), `${where}: primitive ${t}`);
      }
    };
    for (const [n, s] of Object.entries(defs)) check(s, n);
    // every $ref anywhere (paths too) resolves
    const walk = (v: Json, where: string) => {
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') assert.ok(defs[(x as string).replace('#/definitions/', '')], `${where}: ${x}`);
        else walk(x, `${where}.${k}`);
      }
    };
    walk(d.paths, 'paths');
  });

  it('kinds carry their GVK list; merge keys, strategies and list types survive', () => {
    const d = v2.document();
    for (const r of RESOURCES) {
      const carriers = Object.entries(d.definitions as Record<string, Json>).filter(([, s]) =>
        (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === r.group && g.version === r.version && g.kind === r.kind),
      );
      assert.equal(carriers.length, 1, `${apiVersionOf(r)} ${r.kind}`);
      assert.equal(carriers[0][1].type, 'object');
    }
    const spec = d.definitions['io.k8s.api.core.v1.PodSpec'];
    assert.equal(spec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
    assert.equal(spec.properties.containers['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(spec.properties.containers['x-kubernetes-list-type'], 'map');
    assert.deepEqual(spec.properties.containers['x-kubernetes-list-map-keys'], ['name']);
    assert.deepEqual(spec.properties.containers.items, { $ref: '#/definitions/io.k8s.api.core.v1.Container', default: {} });
    const strategy = d.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy;
    assert.equal(strategy.$ref, '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy');
    assert.equal(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
    assert.match(strategy.description, /deployment strategy/i);
    assert.deepEqual(
      { ...d.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'], description: undefined },
      { description: undefined, format: 'int-or-string', type: 'string' },
    );
    assert.equal(d.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
    assert.equal(d.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].format, undefined);
    assert.equal(d.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
    const meta = d.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    assert.deepEqual(meta.properties.labels, { additionalProperties: { type: 'string' }, description: meta.properties.labels.description, type: 'object' });
  });

  it('toV2Schema: allOf with a default, items, maps', () => {
    assert.deepEqual(toV2Schema({ allOf: [{ $ref: '#/components/schemas/A' }], default: {}, description: 'd' }), {
      $ref: '#/definitions/A',
      default: {},
      description: 'd',
    });
    assert.deepEqual(toV2Schema({ type: 'object', additionalProperties: { allOf: [{ $ref: '#/components/schemas/B' }] } }), {
      additionalProperties: { $ref: '#/definitions/B' },
      type: 'object',
    });
  });

  it('every patch operation of a kind lists fieldValidation inline, with consumes and the GVK object', () => {
    const d = v2.document();
    for (const r of RESOURCES) {
      if (!verbsOf(r).includes('patch')) continue;
      const patches = Object.values(d.paths as Record<string, Json>)
        .map((item) => item.patch)
        .filter((op) => op && op['x-kubernetes-group-version-kind']?.kind === r.kind && op['x-kubernetes-group-version-kind']?.group === r.group);
      assert.ok(patches.length >= 1, r.kind);
      for (const op of patches) {
        assert.deepEqual(Object.keys(op['x-kubernetes-group-version-kind']).sort(), ['group', 'kind', 'version']);
        const q = op.parameters.filter((p: Json) => p.in === 'query').map((p: Json) => p.name);
        for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(q.includes(n), `${op.operationId}: ${n}`);
        assert.equal(op.parameters[0].in, 'body');
        assert.ok(op.consumes.includes('application/strategic-merge-patch+json'), op.operationId);
        assert.equal(op['x-kubernetes-action'], 'patch');
      }
    }
    const item = d.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(item.parameters.find((p: Json) => p.name === 'name'), {
      description: 'name of the Deployment',
      in: 'path',
      name: 'name',
      required: true,
      type: 'string',
      uniqueItems: true,
    });
    assert.equal(item.get.responses['200'].schema.$ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
    assert.deepEqual(item.get.produces, ['application/json', 'application/yaml']);
    assert.equal(d.paths['/api/v1/namespaces'].post.parameters[0].schema.$ref, '#/definitions/io.k8s.api.core.v1.Namespace');
    assert.ok(d.paths['/apis/'].get);
    assert.ok(d.paths['/version/'].get);
  });
});

describe('gnostic protobuf', () => {
  it('decodes back to exactly the JSON document', () => {
    const decoded = decode(v2.protobuf(), 'Document');
    assert.deepEqual(documentBack(decoded), v2.document());
  });

  it('vendor extensions are YAML a YAML parser reads back (the GVK list of a definition, the GVK object of an operation)', async () => {
    const { parse } = await import('yaml');
    const decoded = decode(v2.protobuf(), 'Document');
    const deploy = decoded.definitions.additional_properties.find((n: Json) => n.name === 'io.k8s.api.apps.v1.Deployment');
    const gvk = deploy.value.vendor_extension.find((e: Json) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(parse(gvk.value.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const path = decoded.paths.path.find((p: Json) => p.name === '/api/v1/namespaces/{name}');
    const opGvk = path.value.patch.vendor_extension.find((e: Json) => e.name === 'x-kubernetes-group-version-kind');
    assert.deepEqual(parse(opGvk.value.yaml), { group: '', kind: 'Namespace', version: 'v1' });
    const q = path.value.patch.parameters.map((p: Json) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name);
    assert.ok(q.includes('fieldValidation'));
  });

  it('is built once and reused', () => {
    assert.equal(v2.protobuf(), v2.protobuf());
    assert.equal(v2.json(), v2.json());
  });
});

describe('serveOpenApiV2', () => {
  it('negotiates protobuf, JSON, wildcards and 406; answers 304 on a matching ETag', () => {
    const pb = serveOpenApiV2(v2, MIME_PROTOBUF_REQUEST);
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['Content-Type'], MIME_PROTOBUF);
    assert.equal(pb.body, v2.protobuf());
    assert.equal(pb.headers.ETag, v2.etag);
    assert.equal(pb.headers.Vary, 'Accept');
    assert.equal(serveOpenApiV2(v2, MIME_PROTOBUF).headers['Content-Type'], MIME_PROTOBUF);
    const js = serveOpenApiV2(v2, 'application/json');
    assert.equal(js.headers['Content-Type'], 'application/json');
    assert.equal(JSON.parse(js.body.toString()).swagger, '2.0');
    assert.equal(serveOpenApiV2(v2, undefined).headers['Content-Type'], 'application/json');
    assert.equal(serveOpenApiV2(v2, '*/*').headers['Content-Type'], 'application/json');
    assert.equal(serveOpenApiV2(v2, `application/json;q=0.5, ${MIME_PROTOBUF_REQUEST}`).headers['Content-Type'], MIME_PROTOBUF);
    assert.equal(serveOpenApiV2(v2, 'text/html').status, 406);
    assert.equal(serveOpenApiV2(v2, 'application/json;q=0').status, 406);
    const nm = serveOpenApiV2(v2, MIME_PROTOBUF_REQUEST, v2.etag);
    assert.equal(nm.status, 304);
    assert.equal(nm.body.length, 0);
    assert.equal(serveOpenApiV2(v2, MIME_PROTOBUF_REQUEST, '"other"').status, 200);
    assert.match(v2.etag, /^"[0-9A-F]{128}"$/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// kubectl 1.27 and 1.28 (the versions that still read /openapi/v2) against a stub API server serving discovery,
// /openapi/v3 (optionally) and /openapi/v2 from these modules.

function kubectlDir(): string | undefined {
  const r = spawnSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"'], { encoding: 'utf8' });
  const main = r.stdout?.trim();
  return main ? dirname(main) : undefined;
}

interface Recorded {
  method: string;
  url: string;
  accept?: string;
  contentType?: string;
  body: string;
}

function startStub(objects: Map<string, Json>, opts: { v3: () => boolean; v2: () => OpenApiV2 }): Promise<{ server: Server; port: number; log: Recorded[] }> {
  const log: Recorded[] = [];
  const gvs = groupVersions();
  const gvPathOf = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, what = 'not found') =>
    send(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: what, reason: 'NotFound', code: 404 });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      log.push({ method: req.method!, url: req.url!, accept: req.headers.accept, contentType: req.headers['content-type'], body });
      const u = new URL(req.url!, 'http://stub');
      const path = u.pathname.replace(/\/$/, '');
      if (path === '/openapi/v2') {
        const r = serveOpenApiV2(opts.v2(), req.headers.accept, req.headers['if-none-match']);
        res.writeHead(r.status, r.headers);
        return res.end(r.body);
      }
      if (path.startsWith('/openapi/v3')) {
        if (!opts.v3()) return notFound(res);
        const oa = serveOpenApi(api, req.url!, req.headers)!;
        res.writeHead(oa.status, oa.headers);
        return res.end(oa.body);
      }
      // Legacy discovery, from the server's own documents.
      if (path === '/api') return send(res, 200, apiVersions(''));
      if (path === '/apis') return send(res, 200, apiGroupList());
      const gv = gvs.find((g) => path === '/' + gvPathOf(g.group, g.version));
      if (gv) return send(res, 200, apiResourceList(gv.group, gv.version));
      const m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+))?$/.exec(path);
      if (m) {
        const key = `${m[1]}/${m[2] ?? ''}`;
        if (req.method === 'GET') return objects.has(key) ? send(res, 200, objects.get(key)) : notFound(res, `deployments.apps "${m[2]}" not found`);
        if (req.method === 'POST') return send(res, 201, JSON.parse(body));
        if (req.method === 'PATCH') return send(res, 200, objects.get(key));
      }
      notFound(res);
    });
  };
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, log }));
  });
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: "img:1"
        ports: [{containerPort: 80}]
        resources: {limits: {cpu: 500m, memory: 128Mi}}
      - {name: side, image: "side:1"}
`;

const binDir = kubectlDir();

for (const minor of [27, 28]) {
  const bin = binDir && join(binDir, `kubectl.1.${minor}`);
  const have = !!bin && existsSync(bin);

  describe(`kubectl 1.${minor} against /openapi/v2`, { skip: have ? false : `kubectl.1.${minor} not installed` }, () => {
    let stub: Awaited<ReturnType<typeof startStub>>;
    let dir: string;
    let serveV3 = true;
    let servedV2 = () => v2;
    const objects = new Map<string, Json>();
    const kubectl = (args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(
          bin!,
          [`--server=http://127.0.0.1:${stub.port}`, `--cache-dir=${join(dir, 'cache')}`, ...args],
          { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), ...env }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? ((err as Json).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const v2Fetches = () => stub.log.filter((l) => l.url.startsWith('/openapi/v2'));

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `k8ts-openapi-v2-${minor}-`));
      writeFileSync(join(dir, 'kubeconfig'), '');
      writeFileSync(join(dir, 'deploy.yaml'), DEPLOYMENT);
      stub = await startStub(objects, { v3: () => serveV3, v2: () => servedV2() });
    });
    after(() => {
      stub?.server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('apply --dry-run=client with validation on downloads /openapi/v2 as protobuf and succeeds', async () => {
      stub.log.length = 0;
      objects.clear();
      const r = await kubectl(['apply', '--dry-run=client', '-f', join(dir, 'deploy.yaml')]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deployment.apps\/web created \(dry run\)/);
      const fetches = v2Fetches();
      assert.ok(fetches.length >= 1, 'kubectl did not read /openapi/v2');
      assert.equal(fetches[0].accept, MIME_PROTOBUF_REQUEST);
      assert.ok(!stub.log.some((l) => l.method !== 'GET'), 'a client dry run sends nothing');
    });

    it('apply (validation on) creates with server-side field validation', async () => {
      stub.log.length = 0;
      objects.clear();
      const r = await kubectl(['apply', '-f', join(dir, 'deploy.yaml')]);
      assert.equal(r.code, 0, r.stderr);
      const post = stub.log.find((l) => l.method === 'POST');
      assert.ok(post, 'created');
      assert.match(post.url, /fieldValidation=Strict/);
    });

    it('explain deployment.spec.strategy', async () => {
      stub.log.length = 0;
      const r = await kubectl(['explain', 'deployment.spec.strategy']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /KIND:\s+Deployment/);
      assert.match(r.stdout, /deployment strategy to use/i);
      assert.match(r.stdout, /rollingUpdate\s+<RollingUpdateDeployment>/);
      assert.match(r.stdout, /type\s+<string>/);
      assert.ok(v2Fetches().length >= 1, 'kubectl did not read /openapi/v2');
    });

    it('explain from the v2 models (--output=plaintext-openapiv2, recursive)', async () => {
      const r = await kubectl(['explain', 'deployment.spec.strategy', '--output=plaintext-openapiv2']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /KIND:\s+Deployment/);
      assert.match(r.stdout, /RESOURCE:\s+strategy <Object>/);
      assert.match(r.stdout, /deployment strategy to use/i);
      assert.match(r.stdout, /rollingUpdate\s+<Object>/);
      const rec = await kubectl(['explain', 'pod.spec', '--recursive', '--output=plaintext-openapiv2']);
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stdout, /containers\s+<\[\]Object>/);
      assert.match(rec.stdout, /httpGet\s+<Object>\n(.*\n)*?\s+port\s+<string>\n/, 'IntOrString is a string in v2');
      assert.ok(rec.stdout.split('\n').length > 300);
    });

    describe('with /openapi/v3 unavailable (everything from v2)', () => {
      before(() => {
        serveV3 = false;
      });
      after(() => {
        serveV3 = true;
      });

      it('apply: the fieldValidation check falls back to the v2 paths', async () => {
        stub.log.length = 0;
        objects.clear();
        const r = await kubectl(['apply', '-f', join(dir, 'deploy.yaml')]);
        assert.equal(r.code, 0, r.stderr);
        const post = stub.log.find((l) => l.method === 'POST');
        assert.ok(post, 'created');
        assert.match(post.url, /fieldValidation=Strict/, 'v2 says the server validates fields');
        assert.ok(v2Fetches().length >= 1);
      });

      it('client-side validation against the v2 definitions (patch operations without fieldValidation)', async (t) => {
        // what kubectl does against a server whose v2 paths do not list fieldValidation: validate every object
        // against the definitions itself. k8ts lists it, so this only happens here, to check the definitions.
        const d = v2.document();
        for (const item of Object.values(d.paths as Record<string, Json>)) {
          if (item.patch) item.patch.parameters = item.patch.parameters.filter((p: Json) => p.name !== 'fieldValidation');
        }
        const json = Buffer.from(JSON.stringify(d));
        const pb = encodeDocument(d);
        servedV2 = () => ({ json: () => json, protobuf: () => pb, etag: '"no-field-validation"', lastModified: new Date(), document: () => d, prepare() {} });
        t.after(() => {
          servedV2 = () => v2;
        });
        objects.clear();
        const ok = await kubectl(['apply', '--dry-run=client', '-f', join(dir, 'deploy.yaml')]);
        assert.equal(ok.code, 0, ok.stderr);
        const bad = join(dir, 'bad.yaml');
        writeFileSync(bad, DEPLOYMENT.replace('replicas: 2', 'replicas: "two"').replace('image: "img:1"', 'image: "img:1"\n        imagePolicy: Always'));
        const b = await kubectl(['apply', '--dry-run=client', '-f', bad]);
        assert.notEqual(b.code, 0, 'invalid manifest passed');
        assert.match(b.stderr, /ValidationError\(Deployment\.spec\.replicas\): invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/);
        assert.match(b.stderr, /unknown field "imagePolicy" in io\.k8s\.api\.core\.v1\.Container/);
      });

      it('apply computes the strategic merge patch from the v2 merge keys', async () => {
        const original = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'default' },
          spec: {
            selector: { matchLabels: { app: 'web' } },
            template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'img:1' }, { name: 'side', image: 'side:1' }] } },
          },
        };
        objects.set('default/web', {
          ...original,
          metadata: { ...original.metadata, uid: 'u1', resourceVersion: '5', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(original) } },
        });
        const modified = structuredClone(original);
        modified.spec.template.spec.containers[0].image = 'img:2';
        const file = join(dir, 'patch.json');
        writeFileSync(file, JSON.stringify(modified));
        stub.log.length = 0;
        const r = await kubectl(['apply', '-f', file]);
        assert.equal(r.code, 0, r.stderr);
        const patch = stub.log.find((l) => l.method === 'PATCH');
        assert.ok(patch, 'patched');
        assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
        const body = JSON.parse(patch.body);
        assert.deepEqual(body.spec.template.spec['$setElementOrder/containers'], [{ name: 'app' }, { name: 'side' }]);
        assert.deepEqual(body.spec.template.spec.containers, [{ image: 'img:2', name: 'app' }]);
      });

      it('explain works from v2 alone', async () => {
        const r = await kubectl(['explain', 'deployment.spec.strategy']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /deployment strategy to use/i);
      });
    });
  });
}
