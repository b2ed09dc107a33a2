/**
 * Builds OpenAPI v3 component schemas for every type declared in the installed `kubernetes-types` package, reading its
 * `.d.ts` files with the TypeScript compiler API (parser only: every declaration there is an interface or a type
 * alias, and references resolve by name through the file's own declarations and its relative imports).
 *
 * What comes from where:
 * - structure (properties, required, arrays, maps, references), descriptions (the doc comments), and the
 *   group/version/kind of top-level kinds (their literal `apiVersion` / `kind` types): from kubernetes-types;
 * - schema names: the module layout mapped to upstream's Go package names (names.ts);
 * - list/map topology, patch directives, integer/byte formats: from the fact tables in list-meta.ts;
 * - the shapes of IntOrString, Quantity, Time and MicroTime: upstream's special-cased v3 representation.
 *
 * Generation takes a few hundred milliseconds (mostly loading the compiler); index.ts caches the result.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import type TS from 'typescript';
import { ATOMIC_STRUCTS, BYTE, DOUBLE, FIELDS, INT64, type FieldFacts } from './list-meta.ts';
import { INT_OR_STRING, packageForModule } from './names.ts';

/** An OpenAPI v3 schema object as upstream serves it (the subset k8ts uses). */
export interface Schema {
  description?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GVK[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

export interface GVK {
  group: string;
  kind: string;
  version: string;
}

export interface Model {
  /** kubernetes-types version the model was generated from */
  kubernetesTypes: string;
  /** component schemas by upstream name (io.k8s.api.core.v1.Pod, ...) */
  schemas: Record<string, Schema>;
}

export const REF_PREFIX = '#/components/schemas/';
export const ref = (name: string): Schema => ({ $ref: REF_PREFIX + name });

interface Decl {
  module: string;
  name: string;
  node: TS.InterfaceDeclaration | TS.TypeAliasDeclaration;
  file: FileInfo;
}

interface FileInfo {
  module: string;
  /** declarations of this file by name */
  local: Map<string, Decl>;
  /** imported name -> module it comes from */
  imports: Map<string, string>;
}

/** Lists the modules of the kubernetes-types package ('core/v1', 'meta/v1', 'runtime', ...). */
function listModules(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.d.ts')) out.push(relative(root, p).split(sep).join('/').slice(0, -'.d.ts'.length));
    }
  };
  walk(root);
  return out.sort();
}

export function generateModel(ts: typeof TS, typesRoot: string, typesVersion: string): Model {
  const files = new Map<string, FileInfo>();
  const decls: Decl[] = [];

  for (const module of listModules(typesRoot)) {
    const path = join(typesRoot, module + '.d.ts');
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const file: FileInfo = { module, local: new Map(), imports: new Map() };
    files.set(module, file);
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const from = posix.normalize(posix.join(posix.dirname(module), st.moduleSpecifier.text));
        const bindings = st.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) file.imports.set(el.name.text, from);
        }
      } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        const d: Decl = { module, name: st.name.text, node: st, file };
        file.local.set(d.name, d);
        decls.push(d);
      }
    }
  }

  const schemaName = (d: Decl) => `${packageForModule(d.module)}.${d.name}`;
  const resolve = (file: FileInfo, name: string): Decl | undefined => {
    const local = file.local.get(name);
    if (local) return local;
    const from = file.imports.get(name);
    return from ? files.get(from)?.local.get(name) : undefined;
  };

  /** Doc comment of a node, paragraphs separated by a blank line as upstream has them. */
  const docOf = (node: TS.Node): string | undefined => {
    const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
    const last = docs[docs.length - 1];
    if (!last?.comment) return undefined;
    const text = ts.getTextOfJSDocComment(last.comment)?.trim();
    return text || undefined;
  };

  const isInterfaceRef = (d: Decl | undefined) => !!d && ts.isInterfaceDeclaration(d.node);

  /** Converts a type node; `ctx` names the owning schema and property for the fact tables. */
  const convert = (file: FileInfo, t: TS.TypeNode, ctx: { owner: string; prop: string; path: string }): Schema => {
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return numberSchema(ctx.owner, ctx.path);
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.ObjectKeyword:
        return { type: 'object' };
    }
    if (ts.isLiteralTypeNode(t)) {
      if (ts.isStringLiteral(t.literal)) return { type: 'string' };
      if (ts.isNumericLiteral(t.literal)) return { type: 'integer' };
      return { type: 'boolean' };
    }
    if (ts.isParenthesizedTypeNode(t)) return convert(file, t.type, ctx);
    if (ts.isUnionTypeNode(t)) {
      const kinds = new Set(t.types.map((m) => m.kind));
      if (t.types.length === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
        return { $ref: REF_PREFIX + INT_OR_STRING };
      }
      return {}; // any JSON value
    }
    if (ts.isArrayTypeNode(t)) return arraySchema(file, t.elementType, ctx);
    if (ts.isTypeReferenceNode(t)) {
      const name = ts.isIdentifier(t.typeName) ? t.typeName.text : t.typeName.right.text;
      if (name === 'Array' && t.typeArguments?.length === 1) return arraySchema(file, t.typeArguments[0], ctx);
      const target = resolve(file, name);
      if (!target) throw new Error(`kubernetes-types ${file.module}: cannot resolve type ${name}`);
      return ref(schemaName(target));
    }
    if (ts.isTypeLiteralNode(t)) {
      const index = t.members.find(ts.isIndexSignatureDeclaration);
      if (index) {
        const values = convert(file, index.type, { ...ctx, path: ctx.path + '{}' });
        if (BYTE.get(ctx.owner)?.includes(ctx.path + '{}') && values.type === 'string') values.format = 'byte';
        return { type: 'object', additionalProperties: values };
      }
      return { type: 'object' };
    }
    throw new Error(`kubernetes-types ${file.module}: unsupported type syntax ${ts.SyntaxKind[t.kind]} (${ctx.owner}.${ctx.prop})`);
  };

  const numberSchema = (owner: string, path: string): Schema => {
    if (DOUBLE.get(owner)?.includes(path)) return { type: 'number', format: 'double' };
    return { type: 'integer', format: INT64.get(owner)?.includes(path) ? 'int64' : 'int32' };
  };

  const arraySchema = (file: FileInfo, elem: TS.TypeNode, ctx: { owner: string; prop: string; path: string }): Schema => {
    let items = convert(file, elem, { ...ctx, path: ctx.path + '[]' });
    if (items.$ref && ts.isTypeReferenceNode(elem)) {
      const name = ts.isIdentifier(elem.typeName) ? elem.typeName.text : elem.typeName.right.text;
      // arrays of structs: upstream wraps the reference and marks the zero value as the default
      if (isInterfaceRef(resolve(file, name))) items = { allOf: [items], default: {} };
    }
    return { type: 'array', items };
  };

  const applyFacts = (s: Schema, facts: FieldFacts | undefined, isArray: boolean, isListItems: boolean) => {
    if (isArray) {
      const listType = facts?.listType ?? (isListItems ? undefined : 'atomic');
      if (facts?.listMapKeys) s['x-kubernetes-list-map-keys'] = [...facts.listMapKeys];
      if (listType) s['x-kubernetes-list-type'] = listType;
    }
    if (facts?.patchMergeKey) s['x-kubernetes-patch-merge-key'] = facts.patchMergeKey;
    if (facts?.patchStrategy) s['x-kubernetes-patch-strategy'] = facts.patchStrategy;
    if (facts?.mapType) s['x-kubernetes-map-type'] = facts.mapType;
  };

  const schemas: Record<string, Schema> = {};

  for (const d of decls) {
    const name = schemaName(d);
    const description = docOf(d.node);
    if (ts.isTypeAliasDeclaration(d.node)) {
      schemas[name] = aliasSchema(ts, name, d.node, description);
      continue;
    }
    const node = d.node;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    const fieldFacts = FIELDS.get(name);
    let apiVersion: string | undefined;
    let kind: string | undefined;
    let hasListMeta = false;
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const prop = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
      if (prop === 'apiVersion' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) apiVersion = m.type.literal.text;
      if (prop === 'kind' && ts.isLiteralTypeNode(m.type) && ts.isStringLiteral(m.type.literal)) kind = m.type.literal.text;
      if (prop === 'metadata' && ts.isTypeReferenceNode(m.type) && m.type.typeName.getText() === 'ListMeta') hasListMeta = true;
    }
    const isListKind = hasListMeta && node.members.some((m) => ts.isPropertySignature(m) && m.name.getText() === 'items');
    for (const m of node.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const prop = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
      let s = convert(d.file, m.type, { owner: name, prop, path: prop });
      if (BYTE.get(name)?.includes(prop) && s.type === 'string') s.format = 'byte';
      const isArray = s.type === 'array';
      const pdesc = docOf(m);
      if (s.$ref) {
        // upstream v3 form of a reference with siblings: allOf + the siblings
        s = pdesc ? { allOf: [s] } : s;
      }
      if (pdesc) s.description = pdesc;
      applyFacts(s, fieldFacts?.[prop], isArray, isListKind && prop === 'items');
      properties[prop] = sortKeys(s);
      if (!m.questionToken) required.push(prop);
    }
    const s: Schema = {};
    if (description) s.description = description;
    if (Object.keys(properties).length) s.properties = properties;
    if (required.length) s.required = required;
    // apiextensions JSON is any JSON value (upstream gives it no type); other empty interfaces are opaque objects
    if (!name.endsWith('.apiextensions.v1.JSON')) s.type = 'object';
    if (ATOMIC_STRUCTS.has(name)) s['x-kubernetes-map-type'] = 'atomic';
    if (apiVersion && kind) {
      const slash = apiVersion.indexOf('/');
      const group = slash < 0 ? '' : apiVersion.slice(0, slash);
      const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
      s['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    }
    schemas[name] = s;
  }

  // Not declared by kubernetes-types (it inlines `number | string`); upstream's v3 form.
  schemas[INT_OR_STRING] = {
    description:
      'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the bare number or the bare string, so one field can accept a port name or a port number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  };

  // meta/v1 kinds whose apiVersion kubernetes-types leaves open; upstream lists them under the core group.
  for (const kind of ['Status', 'APIResourceList', 'APIGroup', 'APIGroupList', 'APIVersions']) {
    const s = schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`];
    if (s) s['x-kubernetes-group-version-kind'] = [{ group: '', kind, version: 'v1' }];
  }

  const sorted: Record<string, Schema> = {};
  for (const k of Object.keys(schemas).sort()) sorted[k] = schemas[k];
  return { kubernetesTypes: typesVersion, schemas: sorted };
}

/** Type aliases: Quantity, Time, MicroTime and unions like JSONSchemaPropsOrBool. */
function aliasSchema(ts: typeof TS, name: string, node: TS.TypeAliasDeclaration, description: string | undefined): Schema {
  const s: Schema = {};
  if (description) s.description = description;
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
    s.oneOf = [{ type: 'string' }, { type: 'number' }];
  } else if (name.endsWith('.meta.v1.Time') || name.endsWith('.meta.v1.MicroTime')) {
    s.format = 'date-time';
    s.type = 'string';
  } else if (node.type.kind === ts.SyntaxKind.StringKeyword) {
    s.type = 'string';
  }
  // other aliases are unions of a schema and something else: any JSON value, described only
  return s;
}

/** Puts a schema's keys in the order upstream serializes them (alphabetical), which also keeps output stable. */
export function sortKeys<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = (o as Record<string, unknown>)[k];
  return out as T;
}
