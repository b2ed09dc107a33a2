/** The meta.k8s.io/v1 Table types the server-side printers produce. */

/** metav1.TableColumnDefinition: every field is always serialized (upstream has no omitempty on them). */
export interface ColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date */
  type: string;
  /** OpenAPI format; "name" marks the column holding the object's name */
  format: string;
  description: string;
  /** 0 for default columns, 1 for the extra `-o wide` columns */
  priority: number;
}

/** metav1.TableRowCondition */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /** the object (includeObject=Object), its PartialObjectMetadata (Metadata), or null (None) */
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

export interface PrintContext {
  /** the clock, ms since the epoch */
  now: number;
}

export interface RowResult {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

export type Obj = Record<string, any>;

export interface Printer {
  columns: ColumnDefinition[];
  row(obj: Obj, ctx: PrintContext): RowResult;
}
