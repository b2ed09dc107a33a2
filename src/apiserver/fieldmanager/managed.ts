/**
 * metadata.managedFields ↔ the field manager's working form.
 *
 * Each entry is keyed by its manager identity: the entry without time and fields, and for Apply without the
 * apiVersion too, written as JSON (`{"manager":"kubectl","operation":"Apply"}`). So Update entries are one per
 * manager + apiVersion + subresource and Apply entries one per manager + subresource, as upstream.
 */
import { FieldSet } from './fieldpath.ts';

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

export interface Managed {
  /** by manager identity */
  fields: Map<string, VersionedSet>;
  times: Map<string, string | undefined>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

export function cloneManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

export interface ManagerInfo {
  manager: string;
  operation: Operation;
  apiVersion?: string;
  subresource?: string;
}

/** The identity of an entry (Go's JSON of the entry with time and fields cleared; apiVersion too for Apply). */
export function managerIdentity(info: ManagerInfo): string {
  const id: Record<string, string> = {};
  if (info.manager) id.manager = info.manager;
  if (info.operation) id.operation = info.operation;
  if (info.operation !== 'Apply' && info.apiVersion) id.apiVersion = info.apiVersion;
  if (info.subresource) id.subresource = info.subresource;
  return JSON.stringify(id);
}

export function parseIdentity(id: string): ManagerInfo {
  const o = JSON.parse(id) as Partial<ManagerInfo>;
  return { manager: o.manager ?? '', operation: o.operation ?? 'Update', apiVersion: o.apiVersion, subresource: o.subresource };
}

/** How upstream names a manager in a conflict: "mgr", "mgr" using apps/v1, "mgr" with subresource "status". */
export function printManager(id: string): string {
  let info: ManagerInfo;
  try {
    info = parseIdentity(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(info.manager);
  if (info.subresource) s += ` with subresource ${JSON.stringify(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

export class ManagedFieldsError extends Error {}

/** Decodes metadata.managedFields; throws ManagedFieldsError on an invalid entry (as upstream's decoder). */
export function decodeManagedFields(entries: unknown): Managed {
  const m = emptyManaged();
  if (entries === undefined || entries === null) return m;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    const e = (raw ?? {}) as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType "${e.fieldsType}" in managed fields entry ${i}`);
    const id = managerIdentity({ manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource });
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1);
    } catch (err) {
      throw new ManagedFieldsError(`error decoding versioned set from entry ${i}: ${(err as Error).message}`);
    }
    m.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    m.times.set(id, e.time);
  });
  return m;
}

/** Encodes back to metadata.managedFields, sorted as upstream (operation, time, manager, apiVersion, subresource). */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (!m.fields.size) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    const info = parseIdentity(id);
    const e: ManagedFieldsEntry = {};
    if (info.manager) e.manager = info.manager;
    e.operation = vs.applied ? 'Apply' : info.operation;
    e.apiVersion = vs.apiVersion;
    const time = m.times.get(id);
    if (time) e.time = time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = vs.set.toFieldsV1();
    if (info.subresource) e.subresource = info.subresource;
    out.push(e);
  }
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  out.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
  return out;
}

/** Same managers, same sets, same versions and times. */
export function managedEqual(a: Managed, b: Managed): boolean {
  if (a.fields.size !== b.fields.size) return false;
  for (const [id, vs] of a.fields) {
    const o = b.fields.get(id);
    if (!o || o.apiVersion !== vs.apiVersion || o.applied !== vs.applied || !o.set.equals(vs.set)) return false;
    if ((a.times.get(id) ?? '') !== (b.times.get(id) ?? '')) return false;
  }
  return true;
}
