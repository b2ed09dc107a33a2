/** Column builders and the cell formatting shared by several kinds. */
import { isIP } from 'node:net';
import type { ColumnDefinition, Obj } from './types.ts';

/** Column descriptions are our own short wording (kubectl does not show them). */
export function col(name: string, type: string, description: string, opts: { format?: string; priority?: number } = {}): ColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const wide = (name: string, description: string, type = 'string'): ColumnDefinition => col(name, type, description, { priority: 1 });

export const NAME = col('Name', 'string', "The object's name, unique within its namespace.", { format: 'name' });
export const AGE = col('Age', 'string', 'How long ago the object was created.');
export const CONTAINERS = wide('Containers', 'Names of the containers in the pod template.');
export const IMAGES = wide('Images', 'Images the containers in the pod template run.');
export const SELECTOR = (description = 'Label selector for the pods this object manages.') => wide('Selector', description);

export const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
/** An integer cell from a possibly missing number (Go's zero value when absent). */
export const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
export const arr = <T = Obj>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
export const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** upstream layoutContainerCells: names and images joined by ','. */
export function layoutContainerCells(containers: unknown): [string, string] {
  const cs = arr(containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** IntOrString.String() */
export const intOrString = (v: unknown): string => (typeof v === 'number' ? String(Math.trunc(v)) : str(v));

/** A resource.Quantity as printed. Quantities are shown as stored (not re-canonicalized); a missing one is "0". */
export const quantity = (v: unknown): string => (v === undefined || v === null || v === '' ? '0' : String(v));
/** A *Quantity as printed: "<nil>" when missing (upstream's nil-safe String()). */
export const quantityPtr = (v: unknown): string => (v === undefined || v === null ? '<nil>' : String(v));

/** Go's net.JoinHostPort. */
export const joinHostPort = (host: string, port: number | string): string =>
  host.includes(':') || isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

export const printBool = (v: boolean) => (v ? 'True' : 'False');
/** upstream printBoolPtr: True/False, "<unset>" when missing. */
export const printBoolPtr = (v: unknown) => (typeof v === 'boolean' ? printBool(v) : '<unset>');

/** Sorted, deduplicated (Go sets.String.List(): byte order). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Items joined by ',' with at most `max` shown and "<list> + N more...", "<unset>" when empty (listWithMoreString). */
export function listWithMore(items: string[], max: number, emptyText = '<unset>'): string {
  const shown = items.slice(0, max).join(',');
  if (items.length > max) return `${shown} + ${items.length - max} more...`;
  return shown === '' ? emptyText : shown;
}

/** Load balancer ingress points (IP, else hostname), sorted and unique. The server prints wide, so never clipped. */
export function loadBalancerIngress(status: unknown): string {
  const points = arr(obj(status).ingress)
    .map((i) => (i.ip ? str(i.ip) : i.hostname ? str(i.hostname) : ''))
    .filter((s) => s !== '');
  return sortedSet(points).join(',');
}
