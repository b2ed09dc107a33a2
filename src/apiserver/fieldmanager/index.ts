/**
 * Field management (server-side apply): who owns which field of an object, recorded in metadata.managedFields.
 *
 *   updateManagedFields(newObj, oldObj, manager, 'Update', subresource, { schema })   every ordinary write
 *   apply(live | undefined, applied, manager, { force, schema, apiVersion, kind })     PATCH apply-patch+yaml
 *   managedFieldsTracker(schemaFor)                                                    the Store's hook
 *
 * Field sets (FieldSet, fieldsV1 encoding) and the schema-guided operations (toFieldSet, compare, merge,
 * removeItems) are exported for tests and tools.
 */
export {
  apply,
  conflictError,
  managedFieldsTracker,
  updateManagedFields,
  ANCIENT_CHANGES,
  BEFORE_FIRST_APPLY,
  LAST_APPLIED_ANNOTATION,
  MAX_UPDATE_MANAGERS,
  type ApplyOptions,
  type Conflict,
  type FieldManagerOptions,
  type SchemaLookup,
} from './fieldmanager.ts';
export {
  FieldSet,
  canonicalJson,
  comparePathElements,
  fieldElement,
  keyElement,
  valueElement,
  indexElement,
  parsePathElement,
  pathElementString,
  pathString,
  type Path,
  type PathElement,
} from './fieldpath.ts';
export {
  decodeManagedFields,
  encodeManagedFields,
  managerIdentity,
  printManager,
  type ManagedFieldsEntry,
  type Managed,
  type Operation,
} from './managed.ts';
export { SType, type FieldSchema } from './schema.ts';
export { compare, ensureNamedFieldsAreMembers, merge, removeItems, SchemaError, stripNulls, toFieldSet, type Comparison } from './typed.ts';
