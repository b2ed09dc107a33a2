/**
 * Field paths and field sets, as server-side apply records them (structured-merge-diff's fieldpath package).
 *
 * A path element is kept in its fieldsV1 spelling, which doubles as its identity:
 *
 *   f:<name>          a field of a struct or a key of a map          .metadata.labels.app  →  f:metadata f:labels f:app
 *   k:<json object>   an item of an associative list, by its keys    k:{"name":"web"}      →  [name="web"]
 *   v:<json value>    an item of a set list, by its value            v:"example.com/x"     →  [="example.com/x"]
 *   i:<n>             an item of a list by position (rare)           i:0                   →  [0]
 *
 * JSON in k: and v: is canonical (object keys sorted, no spaces), so equal elements are equal strings.
 *
 * A FieldSet is a tree: `members` are the elements that are in the set themselves; `children` holds the subsets
 * below an element (an element may be both, which fieldsV1 writes as a "." key). Set operations follow upstream
 * exactly, including their quirks (Difference is not recursive: a member removes only that member).
 */

export type PathElement = string;
export type Path = readonly PathElement[];

// ---- canonical JSON and value ordering -------------------------------------------------------------------------

/** JSON with object keys sorted (Go's encoding of a map), for k: and v: elements. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort(compareStrings);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** Byte-wise string order (Go's strings.Compare), not UTF-16 order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  // ASCII (nearly always): UTF-16 order is byte order.
  if (/^[\x00-\x7f]*$/.test(a) && /^[\x00-\x7f]*$/.test(b)) return a < b ? -1 : 1;
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ba, bb);
}

const rank = (v: unknown): number => {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5; // null
};

/** Upstream's value order: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) === (b as number) ? 0 : (a as number) < (b as number) ? -1 : 1;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length === 0 ? 0 : la.length < lb.length ? -1 : 1;
    }
    case 4:
      return compareFieldLists(fieldList(a as Record<string, unknown>), fieldList(b as Record<string, unknown>));
    default:
      return 0;
  }
}

type FieldList = [string, unknown][];

const fieldList = (o: Record<string, unknown>): FieldList =>
  Object.keys(o)
    .sort(compareStrings)
    .map((k) => [k, o[k]]);

function compareFieldLists(a: FieldList, b: FieldList): number {
  for (let i = 0; ; i++) {
    if (i >= a.length && i >= b.length) return 0;
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c) return c;
  }
}

// ---- path elements ---------------------------------------------------------------------------------------------

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const keyElement = (keys: Record<string, unknown>): PathElement => `k:${canonicalJson(keys)}`;
export const valueElement = (value: unknown): PathElement => `v:${canonicalJson(value)}`;
export const indexElement = (i: number): PathElement => `i:${i}`;

export const isFieldElement = (pe: PathElement) => pe.startsWith('f:');
export const fieldName = (pe: PathElement) => pe.slice(2);

const CATEGORY: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Parses a fieldsV1 key into a canonical path element; undefined for an unknown kind, throws on bad JSON. */
export function parsePathElement(key: string): PathElement | undefined {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  switch (kind) {
    case 'f:':
      return key;
    case 'k:': {
      const v = JSON.parse(rest) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`key ${key}: not a JSON object`);
      return keyElement(v as Record<string, unknown>);
    }
    case 'v:':
      return valueElement(JSON.parse(rest));
    case 'i:': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`key ${key}: not an index`);
      return indexElement(Number(rest));
    }
    default:
      return undefined;
  }
}

/** Upstream's PathElement order: fields, then keys, then values, then indices. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a === b) return 0;
  const ca = CATEGORY[a[0]!] ?? 4;
  const cb = CATEGORY[b[0]!] ?? 4;
  if (ca !== cb) return ca < cb ? -1 : 1;
  const ra = a.slice(2);
  const rb = b.slice(2);
  switch (ca) {
    case 0:
      return compareStrings(ra, rb);
    case 1:
      return compareFieldLists(fieldList(JSON.parse(ra)), fieldList(JSON.parse(rb)));
    case 2:
      return compareValues(JSON.parse(ra), JSON.parse(rb));
    case 3:
      return Number(ra) - Number(rb);
    default:
      return compareStrings(a, b);
  }
}

/** Go's %v of a value in a path: strings quoted, the rest as JSON. */
const showValue = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v));

/** One element as upstream prints it in a path: .name, [name="web",port=80], [="x"], [0]. */
export function pathElementString(pe: PathElement): string {
  const rest = pe.slice(2);
  switch (pe.slice(0, 2)) {
    case 'f:':
      return `.${rest}`;
    case 'k:': {
      const o = JSON.parse(rest) as Record<string, unknown>;
      return `[${Object.keys(o)
        .map((k) => `${k}=${showValue(o[k])}`)
        .join(',')}]`;
    }
    case 'v:':
      return `[=${showValue(JSON.parse(rest))}]`;
    case 'i:':
      return `[${rest}]`;
    default:
      return '{{invalid path element}}';
  }
}

export const pathString = (p: Path): string => p.map(pathElementString).join('');

const sortElements = (it: Iterable<PathElement>) => [...it].sort(comparePathElements);

// ---- sets ------------------------------------------------------------------------------------------------------

export class FieldSet {
  readonly members = new Set<PathElement>();
  /** Never holds an empty subset. */
  readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds one path (not its parents). The empty path (the whole object) is never tracked. */
  insert(path: Path): this {
    if (path.length === 0) return this;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let c = s.children.get(path[i]!);
      if (!c) s.children.set(path[i]!, (c = new FieldSet()));
      s = c;
    }
    s.members.add(path[path.length - 1]!);
    return this;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      s = s.children.get(path[i]!);
      if (!s) return false;
    }
    return s.members.has(path[path.length - 1]!);
  }

  /** The subset below `pe` (without the prefix); empty if none. */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe) ?? EMPTY;
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.size();
    return n;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of o.members) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      out.children.set(pe, oc ? c.union(oc) : c);
    }
    for (const [pe, c] of o.children) if (!this.children.has(pe)) out.children.set(pe, c);
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      if (!oc) continue;
      const r = c.intersection(oc);
      if (!r.empty()) out.children.set(pe, r);
    }
    return out;
  }

  /** Members of this not in `o`; below each element, the same (a member of `o` does not remove children). */
  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const oc = o.children.get(pe);
      if (!oc) {
        out.children.set(pe, c);
        continue;
      }
      const r = c.difference(oc);
      if (!r.empty()) out.children.set(pe, r);
    }
    return out;
  }

  /** Like difference, but a member of `o` also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      if (o.members.has(pe)) continue;
      const oc = o.children.get(pe);
      if (!oc) {
        out.children.set(pe, c);
        continue;
      }
      const r = c.recursiveDifference(oc);
      if (!r.empty()) out.children.set(pe, r);
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.members.size !== o.members.size) return false;
    for (const m of this.members) if (!o.members.has(m)) return false;
    const mine = [...this.children].filter(([, c]) => !c.empty());
    const theirs = [...o.children].filter(([, c]) => !c.empty());
    if (mine.length !== theirs.length) return false;
    for (const [pe, c] of mine) {
      const oc = o.children.get(pe);
      if (!oc || !c.equals(oc)) return false;
    }
    return true;
  }

  /** Every member path, in upstream's order (a node's members, then its children, each sorted). */
  paths(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = [];
    for (const m of sortElements(this.members)) out.push([...prefix, m]);
    for (const pe of sortElements(this.children.keys())) out.push(...this.children.get(pe)!.paths([...prefix, pe]));
    return out;
  }

  toString(): string {
    return this.paths().map(pathString).join('\n');
  }

  // ---- fieldsV1 ------------------------------------------------------------------------------------------------

  /** The fieldsV1 JSON object: `{"f:spec":{"f:replicas":{}}}`, "." marking an element that has children too. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = sortElements(new Set([...this.members, ...[...this.children].filter(([, c]) => !c.empty()).map(([pe]) => pe)]));
    for (const pe of keys) {
      const child = this.children.get(pe);
      if (child && !child.empty()) {
        const inner = child.toFieldsV1();
        out[pe] = this.members.has(pe) ? { '.': {}, ...inner } : inner;
      } else out[pe] = {};
    }
    return out;
  }

  /** Parses fieldsV1 (upstream ignores element kinds it does not know; a malformed key is an error). */
  static fromFieldsV1(v: unknown): FieldSet {
    if (v === undefined || v === null) return new FieldSet();
    if (typeof v !== 'object' || Array.isArray(v)) throw new Error('fieldsV1 must be a JSON object');
    return readFieldsV1(v as Record<string, unknown>).children ?? new FieldSet();
  }
}

function readFieldsV1(o: Record<string, unknown>): { children?: FieldSet; member: boolean } {
  let children: FieldSet | undefined;
  let member = false;
  for (const [key, value] of Object.entries(o)) {
    if (key === '.') {
      member = true;
      continue;
    }
    const pe = parsePathElement(key);
    if (pe === undefined) continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`fieldsV1: the value of ${key} must be a JSON object`);
    }
    const r = readFieldsV1(value as Record<string, unknown>);
    if (r.member) (children ??= new FieldSet()).members.add(pe);
    if (r.children && !r.children.empty()) {
      children ??= new FieldSet();
      const existing = children.children.get(pe);
      children.children.set(pe, existing ? existing.union(r.children) : r.children);
    }
  }
  if (!children) member = true;
  return { children, member };
}

const EMPTY = new FieldSet();
