/**
 * Server-side Table printing, as kube-apiserver answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`
 * (what `kubectl get` asks for).
 *
 * Every kind in RESOURCES has upstream's columns (names, types, formats, priorities: the `-o wide` columns have
 * priority 1) and cells. The server always prints the wide cells; kubectl hides priority-1 columns itself. Kinds that
 * upstream prints with its default table (Role, ClusterRole, LimitRange) get NAME / CREATED AT; kinds we do not know
 * at all get NAME / AGE. Rows carry upstream's row conditions (a pod that Succeeded/Failed is marked Completed).
 */
import { apiVersionOf } from '../../apimachinery/resources.ts';
import type { ResourceInfo } from '../../apimachinery/resources.ts';
import { goQuote } from '../../apimachinery/validation.ts';
import { CORE_PRINTERS } from './core.ts';
import { parseTime, translateTimestampSince } from './duration.ts';
import { AGE, NAME, col, obj, str } from './helpers.ts';
import { OTHER_PRINTERS } from './other.ts';
import type { ColumnDefinition, Obj, PrintContext, Printer, RowResult, Table, TableRow } from './types.ts';
import { WORKLOAD_PRINTERS } from './workloads.ts';

export { humanDuration, shortHumanDuration, parseTime, translateTimestampSince } from './duration.ts';
export type { ColumnDefinition, Table, TableRow, TableRowCondition } from './types.ts';

const PRINTERS: Record<string, Printer> = {
  ...Object.fromEntries(Object.entries(CORE_PRINTERS).map(([kind, p]) => [`/${kind}`, p])),
  ...WORKLOAD_PRINTERS,
  ...OTHER_PRINTERS,
};

/** RFC 3339 in UTC without fractional seconds, as Go's Time.UTC().Format(time.RFC3339); zero time as year 1. */
function rfc3339(ts: unknown): string {
  const t = parseTime(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** upstream rest.DefaultTableConvertor: NAME and CREATED AT (a date). */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME, col('Created At', 'date', 'When the object was created.')],
  row: (o) => ({ cells: [str(o.metadata?.name), rfc3339(o.metadata?.creationTimestamp)] }),
};

/** Kinds served with upstream's default table. */
const DEFAULT_TABLE_KINDS = new Set(['/LimitRange', 'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/ClusterRole']);

/** Anything else (e.g. custom resources without printer columns): NAME and AGE. */
const FALLBACK_PRINTER: Printer = {
  columns: [NAME, AGE],
  row: (o, ctx) => ({ cells: [str(o.metadata?.name), translateTimestampSince(o.metadata?.creationTimestamp, ctx.now)] }),
};

function printerFor(group: string, kind: string): Printer {
  const key = `${group}/${kind}`;
  if (DEFAULT_TABLE_KINDS.has(key)) return DEFAULT_PRINTER;
  return PRINTERS[key] ?? FALLBACK_PRINTER;
}

/** Whether the kind has a printer of its own (false for the default and fallback tables). */
export function hasTablePrinter(group: string, kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRINTERS, `${group}/${kind}`);
}

export type Clock = number | Date | (() => number | Date);

function nowOf(clock: Clock | undefined): number {
  const v = typeof clock === 'function' ? clock() : clock;
  if (v === undefined) return Date.now();
  return typeof v === 'number' ? v : v.getTime();
}

/** All columns of the kind's table, wide ones included (priority 1). */
export function tableColumns(group: string, kind: string): ColumnDefinition[] {
  return printerFor(group, kind).columns.map((c) => ({ ...c }));
}

/** The cells and row conditions of one object (all columns, wide ones included). */
export function printRow(group: string, kind: string, object: unknown, opts: { now?: Clock } = {}): RowResult {
  const ctx: PrintContext = { now: nowOf(opts.now) };
  return printerFor(group, kind).row(obj(object), ctx);
}

/** The cells of one object, one per column of tableColumns(group, kind). */
export function tableRow(group: string, kind: string, object: unknown, opts: { now?: Clock } = {}): unknown[] {
  return printRow(group, kind, object, opts).cells;
}

export type IncludeObject = 'None' | 'Object' | 'Metadata';

/** A bad table request (e.g. an unknown includeObject): 400 BadRequest with this message. */
export class TableOptionsError extends Error {
  override readonly name = 'TableOptionsError';
  readonly status = 400;
  readonly reason = 'BadRequest';
}

export interface ToTableOptions {
  /** what each row's `object` holds; upstream's default (empty) is Metadata. kubectl asks for Object. */
  includeObject?: IncludeObject | '' | (string & {});
  /** leave out the column definitions */
  noHeaders?: boolean;
  /** the list's metadata (resourceVersion, continue, remainingItemCount); for a single object its resourceVersion is used */
  listMeta?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** the Table's group/version: meta.k8s.io/v1 (default) or meta.k8s.io/v1beta1 */
  apiVersion?: string;
  now?: Clock;
}

/** Checks an includeObject value as upstream does before converting. */
export function validateIncludeObject(value: string | undefined): IncludeObject {
  switch (value ?? '') {
    case '':
    case 'Metadata':
      return 'Metadata';
    case 'Object':
      return 'Object';
    case 'None':
      return 'None';
    default:
      throw new TableOptionsError(
        `Unable to convert to Table as requested: includeObject: Invalid value: ${goQuote(String(value))}: must be 'Metadata', 'Object', 'None', or empty`,
      );
  }
}

/**
 * The meta.k8s.io Table for a list (an array) or a single object, as the server returns it.
 * @throws TableOptionsError for an unknown includeObject
 */
export function toTable(
  objects: readonly unknown[] | unknown,
  info: Pick<ResourceInfo, 'group' | 'version' | 'kind'>,
  opts: ToTableOptions = {},
): Table {
  const include = validateIncludeObject(opts.includeObject);
  const tableApiVersion = opts.apiVersion ?? 'meta.k8s.io/v1';
  const printer = printerFor(info.group, info.kind);
  const ctx: PrintContext = { now: nowOf(opts.now) };
  const single = !Array.isArray(objects);
  const items = (single ? [objects] : (objects as readonly unknown[])).map(obj);
  const objectApiVersion = apiVersionOf(info);

  const rows: TableRow[] = items.map((o) => {
    const { cells, conditions } = printer.row(o, ctx);
    const row: TableRow = { cells };
    if (conditions && conditions.length) row.conditions = conditions.map((c) => ({ ...c }));
    row.object = embedded(o, include, tableApiVersion, info.kind, objectApiVersion);
    return row;
  });

  const metadata: Table['metadata'] = {};
  if (single) {
    const rv = str(items[0]?.metadata?.resourceVersion);
    if (rv) metadata.resourceVersion = rv;
  } else if (opts.listMeta) {
    const { resourceVersion, continue: cont, remainingItemCount } = opts.listMeta;
    if (resourceVersion) metadata.resourceVersion = resourceVersion;
    if (cont) metadata.continue = cont;
    if (typeof remainingItemCount === 'number') metadata.remainingItemCount = remainingItemCount;
  }

  return {
    kind: 'Table',
    apiVersion: tableApiVersion,
    metadata,
    columnDefinitions: opts.noHeaders ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}

function embedded(o: Obj, include: IncludeObject, tableApiVersion: string, kind: string, apiVersion: string): unknown {
  switch (include) {
    case 'None':
      return null;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: tableApiVersion, metadata: o.metadata ?? {} };
    case 'Object': {
      const { kind: _k, apiVersion: _a, ...rest } = o;
      return { kind: str(o.kind) || kind, apiVersion: str(o.apiVersion) || apiVersion, ...rest };
    }
  }
}
